"""A TorchScript-frozen sentence encoder for one short text at a time (imported only when first needed).

Transformer → mean pooling → L2 normalisation is traced once and frozen for inference: the same
weights and the same vectors as sentence-transformers' eager `encode`, without its per-call Python
and dispatch overhead, which dominates on a ten-token question.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from sentence_transformers.models import Normalize, Pooling, Transformer

MIN_COSINE = 0.9999


class _MeanPooled(torch.nn.Module):
    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)[0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2.0, dim=1)


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class FrozenMeanPoolingEncoder:
    """For models built exactly as Transformer → mean Pooling → Normalize (all-MiniLM-L6-v2 and its kin).

    One text per call, so the attention mask carries no padding and the traced graph holds for any
    length. Raises ValueError for other models, or when the frozen graph would not reproduce the
    model's own vector for a sample text.
    """

    def __init__(self, model: Any, *, sample: str) -> None:
        modules = list(model)
        if not (len(modules) == 3 and isinstance(modules[0], Transformer) and isinstance(modules[1], Pooling)
                and isinstance(modules[2], Normalize) and modules[1].pooling_mode == "mean"):
            raise ValueError("not a Transformer → mean Pooling → Normalize model")
        self._model = model
        with torch.no_grad(), warnings.catch_warnings(), _quiet("transformers"):
            # the tracer warns that shape checks become constants: true, and harmless without padding
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(_MeanPooled(modules[0].auto_model.eval()).eval(), self._features(sample),
                                     strict=False)
            self._graph = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
        reference = model.encode([sample], normalize_embeddings=True, show_progress_bar=False)[0]
        if float(np.dot(self(sample), reference)) < MIN_COSINE:
            raise ValueError("the frozen graph does not reproduce the model's vectors")

    def _features(self, text: str) -> tuple[torch.Tensor, torch.Tensor]:
        features = self._model.preprocess([text])
        return features["input_ids"], features["attention_mask"]

    def __call__(self, text: str) -> np.ndarray:
        with torch.no_grad():
            vector: np.ndarray = self._graph(*self._features(text))[0].numpy()
        return vector
