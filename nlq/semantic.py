"""Fuzzy matching of unknown phrases to catalog phrases by meaning, for concrete "did you mean" offers.

Only the ask-back path uses it: a near match becomes a suggestion, never a silent reinterpretation.
Catalog phrases are embedded once; each lookup embeds one short phrase.
"""

from __future__ import annotations

import threading

import numpy as np

from nlq.embeddings import embed, embed_query
from nlq.lexicon import Lexicon

_MEANINGFUL = ("entity", "named", "metric", "value", "column", "stage")


class PhraseMatcher:
    def __init__(self, lexicon: Lexicon, model_name: str) -> None:
        self.model_name = model_name
        # city names (thousands, from the data) are places, not phrasings to offer for an unknown word
        self.phrases = sorted(p for p, ms in lexicon.phrases.items()
                              if any(m.kind in _MEANINGFUL and m.extra != "cities" for m in ms) and len(p) > 2)
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, int, float], list[tuple[str, float]]] = {}

    def warm(self) -> None:
        with self._lock:
            if self._vectors is None:
                self._vectors = embed(self.phrases, name=self.model_name)

    def nearest(self, text: str, *, k: int = 3, min_score: float = 0.5) -> list[tuple[str, float]]:
        """The catalog phrases closest in meaning to `text`, best first."""
        if not text.strip():
            return []
        key = (text.lower(), k, min_score)
        if key in self._cache:
            return self._cache[key]
        self.warm()
        assert self._vectors is not None
        query = embed_query(text, name=self.model_name)
        scores = self._vectors @ query
        best = np.argsort(-scores)[: k * 3]
        out: list[tuple[str, float]] = []
        for i in best:
            phrase, score = self.phrases[int(i)], float(scores[int(i)])
            if score >= min_score and phrase != text.lower() and all(phrase not in p for p, _ in out):
                out.append((phrase, round(score, 3)))
            if len(out) == k:
                break
        if len(self._cache) < 10_000:
            self._cache[key] = out
        return out
