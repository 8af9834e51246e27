"""Schema pruning: the catalog chunks and worked examples most similar in meaning to a question.

Chunks and example questions are embedded once per process (the first LLM question, or `warm()`);
each question then costs one embedding and two matrix-vector products. What is picked:

- the tables closest to the question, plus every table a picked definition, metric or custom field
  refers to, plus the tables their foreign keys join through when the question needs more than one;
- definitions and metrics, and custom fields, that are close enough to matter;
- all of it within a token budget, dropping the least similar pieces first (never a table that a
  picked piece needs).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import numpy as np

from nlq.embeddings import embed
from nlq.llm.catalog_text import Chunk
from nlq.llm.examples import Example
from nlq.llm.tokens import count_tokens

TOP_TABLES = 5
TABLE_MIN_SCORE = 0.0
TOP_GLOSSARY = 5
GLOSSARY_MIN_SCORE = 0.25
TOP_CUSTOM_FIELDS = 6
CUSTOM_FIELD_MIN_SCORE = 0.30
KIND_ORDER = {"table": 0, "definition": 1, "metric": 1, "custom_field": 2}

# Embeddings of chunk and example texts, shared by every retriever in the process (one per database,
# or per engine in tests): the same texts under the same model are embedded once.
_VECTORS: dict[tuple[str, str], np.ndarray] = {}
_VECTORS_LOCK = threading.Lock()


def embed_once(texts: list[str], model_name: str) -> np.ndarray:
    """Unit-length embeddings of `texts`, computed once per process for the same texts and model."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    key = (model_name, hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest())
    with _VECTORS_LOCK:
        if key not in _VECTORS:
            _VECTORS[key] = embed(texts, name=model_name)
        return _VECTORS[key]


@dataclass(frozen=True)
class Selection:
    """What one prompt carries: the catalog part (text and its token count) and the examples."""

    catalog_text: str
    catalog_tokens: int
    chunk_ids: tuple[str, ...]
    examples: tuple[Example, ...]


class Retriever:
    """Ranks catalog chunks and examples by cosine similarity to a question (thread-safe)."""

    def __init__(self, chunks: list[Chunk], examples: list[Example], *, model_name: str, token_budget: int,
                 examples_k: int) -> None:
        self.chunks = chunks
        self.examples = examples
        self.model_name = model_name
        self.token_budget = token_budget
        self.examples_k = examples_k
        self.tokens = [count_tokens(c.text) for c in chunks]
        self._chunk_vectors: np.ndarray | None = None
        self._example_vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Embed every chunk and example question once."""
        with self._lock:
            if self._chunk_vectors is None:
                self._chunk_vectors = embed_once([c.search_text for c in self.chunks], self.model_name)
                self._example_vectors = embed_once([e.question for e in self.examples], self.model_name)

    def select(self, question: str, *, vector: np.ndarray | None = None) -> Selection:
        """The catalog part and the examples for `question` (`vector`: its embedding, if already known)."""
        self.warm()
        assert self._chunk_vectors is not None and self._example_vectors is not None
        query = vector if vector is not None else embed([question], name=self.model_name)[0]
        chunk_ids = self._pick_chunks(self._chunk_vectors @ query)
        picked = sorted(chunk_ids, key=lambda i: (KIND_ORDER[self.chunks[i].kind], i))
        text = "\n".join(self.chunks[i].text for i in picked)
        examples = self._pick_examples(question, self._example_vectors @ query if self.examples else None)
        return Selection(catalog_text=text, catalog_tokens=count_tokens(text),
                         chunk_ids=tuple(self.chunks[i].id for i in picked), examples=examples)

    def _pick_chunks(self, scores: np.ndarray) -> list[int]:
        order = [int(i) for i in np.argsort(-scores)]
        tables = {next(iter(c.tables)): i for i, c in enumerate(self.chunks) if c.kind == "table"}
        ranked_tables = [i for i in order if self.chunks[i].kind == "table"]
        glossary = [i for i in order if self.chunks[i].kind in ("definition", "metric")
                    and scores[i] >= GLOSSARY_MIN_SCORE][:TOP_GLOSSARY]
        fields = [i for i in order if self.chunks[i].kind == "custom_field"
                  and scores[i] >= CUSTOM_FIELD_MIN_SCORE][:TOP_CUSTOM_FIELDS]
        chosen_tables = [i for i in ranked_tables[:TOP_TABLES] if scores[i] >= TABLE_MIN_SCORE] or ranked_tables[:1]
        # the best table's foreign keys, and those of every lookup table chosen: owners, names, stages
        # and regions are reached through them (deals → users → teams)
        expand = [chosen_tables[0]] + [i for i in chosen_tables[1:] if self.chunks[i].is_lookup]
        while expand:
            for target in sorted(self.chunks[expand.pop(0)].joins):
                if target in tables and tables[target] not in chosen_tables:
                    chosen_tables.append(tables[target])
                    if self.chunks[tables[target]].is_lookup:
                        expand.append(tables[target])
        # pieces that name a table need that table; pieces are kept in order of similarity
        extras: list[int] = []
        for i in sorted(glossary + fields, key=lambda i: -scores[i]):
            needed = [tables[t] for t in sorted(self.chunks[i].tables) if t in tables]
            extras.append(i)
            for t in needed:
                if t not in chosen_tables:
                    chosen_tables.append(t)
        return self._within_budget(chosen_tables, extras, scores)

    def _within_budget(self, tables: list[int], extras: list[int], scores: np.ndarray) -> list[int]:
        """Drop the least similar pieces until the catalog part fits; a table goes only with its pieces."""
        kept_tables, kept_extras = list(tables), list(extras)

        def size() -> int:
            return sum(self.tokens[i] for i in kept_tables + kept_extras) + len(kept_tables) + len(kept_extras)

        while size() > self.token_budget and (kept_extras or len(kept_tables) > 1):
            if kept_extras:
                kept_extras.remove(min(kept_extras, key=lambda i: scores[i]))
                needed = {t for i in kept_extras for t in self.chunks[i].tables}
                # a table pulled in only by the dropped piece goes too, unless it ranked on its own
                own = set(tables[:TOP_TABLES])
                kept_tables = [t for t in kept_tables
                               if t in own or next(iter(self.chunks[t].tables)) in needed]
            else:
                kept_tables.remove(min(kept_tables[1:], key=lambda i: scores[i]))
        return kept_tables + kept_extras

    def _pick_examples(self, question: str, scores: np.ndarray | None) -> tuple[Example, ...]:
        if scores is None or self.examples_k <= 0:
            return ()
        asked = " ".join(question.lower().split())
        out: list[Example] = []
        for i in np.argsort(-scores):
            example = self.examples[int(i)]
            # the question itself is never its own example (an eval on the same suite would be a lookup)
            if " ".join(example.question.lower().split()) == asked:
                continue
            out.append(example)
            if len(out) == self.examples_k:
                break
        return tuple(out)
