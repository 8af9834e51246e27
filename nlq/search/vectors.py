"""pgvector values in Python: what the database returns, as float32 arrays, and arrays as the text form
the database reads (`'[0.1,0.2,…]'::vector`). One place for the indexer, the clusters, retrieval and evals."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(embedding: Any) -> np.ndarray:
    """A pgvector value as float32 (registered type, numpy array or the '[1,2,3]' text form)."""
    if hasattr(embedding, "to_numpy"):
        return np.asarray(embedding.to_numpy(), dtype=np.float32)
    if isinstance(embedding, str):
        return np.array([float(x) for x in embedding.strip("[]").split(",")], dtype=np.float32)
    return np.asarray(embedding, dtype=np.float32)


def vector_literal(vector: np.ndarray) -> str:
    """The text form of a vector, seven significant digits (float32 holds no more)."""
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"
