"""Schema pruning: the catalog chunks and worked examples most similar in meaning to a question.

Chunks and example questions are embedded once per process (the first LLM question, or `warm()`);
each question then costs one embedding and two matrix-vector products. What is picked:

- the tables closest to the question, the tables the closest one's foreign keys point to (and
  those of lookup tables: users → teams), and every table a picked definition, metric or custom
  field refers to;
- definitions and metrics, and custom fields, that are close enough to matter;
- all of it within a token budget, dropping the least similar pieces first (never a table that a
  picked piece needs).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import numpy as np

from nlq.embeddings import embed, embed_query
from nlq.llm.catalog_text import Chunk
from nlq.llm.examples import Example
from nlq.llm.tokens import count_tokens

# Tuned on the dev suite (benchmarks/llm_overhead_bench.py): with the five closest tables and the
# foreign-key expansion, the pruned catalog holds every table the gold SQL uses for 99.5% of the
# answered admin questions, at about half the whole catalog's tokens.
TOP_TABLES = 5
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
        query = vector if vector is not None else embed_query(question, name=self.model_name)
        chunk_ids = self._pick_chunks(self._chunk_vectors @ query)
        picked = sorted(chunk_ids, key=lambda i: (KIND_ORDER[self.chunks[i].kind], i))
        text = "\n".join(self.chunks[i].text for i in picked)
        examples = self._pick_examples(question, self._example_vectors @ query if self.examples else None)
        return Selection(catalog_text=text, catalog_tokens=count_tokens(text),
                         chunk_ids=tuple(self.chunks[i].id for i in picked), examples=examples)

    def _pick_chunks(self, scores: np.ndarray) -> list[int]:
        order = [int(i) for i in np.argsort(-scores)]
        by_table = {next(iter(c.tables)): i for i, c in enumerate(self.chunks) if c.kind == "table"}
        ranked = [i for i in order if self.chunks[i].kind == "table"][:TOP_TABLES]
        glossary = [i for i in order if self.chunks[i].kind in ("definition", "metric")
                    and scores[i] >= GLOSSARY_MIN_SCORE][:TOP_GLOSSARY]
        fields = [i for i in order if self.chunks[i].kind == "custom_field"
                  and scores[i] >= CUSTOM_FIELD_MIN_SCORE][:TOP_CUSTOM_FIELDS]
        # the best table's foreign keys, and those of every lookup table chosen: owners, names, stages
        # and regions are reached through them (deals → users → teams)
        tables = list(ranked)
        expand = [ranked[0]] + [i for i in ranked[1:] if self.chunks[i].is_lookup]
        while expand:
            for target in sorted(self.chunks[expand.pop(0)].joins):
                if target in by_table and by_table[target] not in tables:
                    tables.append(by_table[target])
                    if self.chunks[by_table[target]].is_lookup:
                        expand.append(by_table[target])
        extras = sorted(glossary + fields, key=lambda i: -scores[i])
        return self._within_budget(tables, extras, scores, by_table)

    def _within_budget(self, tables: list[int], extras: list[int], scores: np.ndarray,
                       by_table: dict[str, int]) -> list[int]:
        """The tables plus the pieces (and the tables they name), dropping the least similar until it fits.

        Pieces go first, then tables other than the best one; a table stays while a kept piece needs it.
        """
        tables, extras = list(tables), list(extras)

        def needed() -> list[int]:
            out: list[int] = []
            for i in extras:
                out += [by_table[t] for t in sorted(self.chunks[i].tables) if t in by_table]
            return out

        def picked() -> list[int]:
            return list(dict.fromkeys(tables + needed())) + extras

        def size() -> int:
            chosen = picked()
            return sum(self.tokens[i] for i in chosen) + len(chosen)  # + one newline each

        while size() > self.token_budget and extras:
            extras.remove(min(extras, key=lambda i: scores[i]))
        while size() > self.token_budget and len(tables) > 1:
            tables.remove(min(tables[1:], key=lambda i: scores[i]))
        return picked()

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
