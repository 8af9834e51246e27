"""How well "has a note/email semantically matching X" separates relevant texts, per similarity threshold.

The semantic filter (`nlq.search.semantic_filter.semantic_exists`) keeps a text when one of its passages'
topic vectors is within a cosine similarity of the phrase widened by feedback; the vectors are smoothed
towards clusters, or the passages' own while there are no clusters, each with its own threshold. This
eval computes the same similarities in memory for the search suite's queries and, for each threshold,
counts which texts the filter would keep among those the suite's user may see under the item's filters:
precision, recall and F1 per query, averaged over queries, once for each kind of vector. It scans every
passage exactly (no index), so it is meant for the small dev data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from evals.search_eval import SearchItem, load_suite, resolve_relevance
from nlq.embeddings import embed_query
from nlq.search.retrieval import clean_query
from nlq.search.semantic_filter import (
    DEFAULT_MIN_SIMILARITY,
    DEFAULT_TOPIC_MIN_SIMILARITY,
    FEEDBACK_PASSAGES,
    FEEDBACK_WEIGHT,
)
from nlq.search.vectors import as_array

THRESHOLDS = tuple(round(0.20 + 0.05 * i, 2) for i in range(9))         # own vectors: 0.20 … 0.60
TOPIC_THRESHOLDS = tuple(round(0.50 + 0.05 * i, 2) for i in range(8))   # topic vectors: 0.50 … 0.85


@dataclass
class _Passages:
    """Every embedded passage, as arrays: the columns the filters and the scope read, and the vectors."""

    kind: np.ndarray
    record: np.ndarray
    owner: np.ndarray
    account: np.ndarray
    contact: np.ndarray
    deal: np.ndarray
    occurred: np.ndarray  # epoch seconds (NaN when unknown)
    vectors: np.ndarray
    topics: np.ndarray    # topic vectors (zero rows where a passage has none)
    smoothed: np.ndarray  # the topic vector is smoothed towards clusters (else the passage's own, or none)


def run_semantic_filter_eval(*, engine: Engine, suite: Path, model_name: str, report: Path | None = None,
                             console: Console | None = None) -> dict[str, Any]:
    """Precision / recall / F1 of the semantic filter at each threshold; writes `report` if given."""
    console = console or Console()
    items = load_suite(suite)
    resolve_relevance(engine, items)
    passages = _load_passages(engine)
    queries = [embed_query(clean_query(item.query), name=model_name) for item in items]
    masks = [_visible(passages, item) for item in items]
    summary: dict[str, Any] = {"items": len(items), "passages": int(len(passages.record)),
                               "smoothed": int(passages.smoothed.sum())}
    sweeps = [("raw", THRESHOLDS, DEFAULT_MIN_SIMILARITY,
               [best_per_text(passages, keep, widened_similarities(passages, keep, q, passages.vectors))
                for q, keep in zip(queries, masks, strict=True)])]
    if passages.smoothed.any():
        sweeps.insert(0, ("topic", TOPIC_THRESHOLDS, DEFAULT_TOPIC_MIN_SIMILARITY,
                          [best_per_text(passages, keep & passages.smoothed,
                                         widened_similarities(passages, keep & passages.smoothed, q, passages.topics))
                           for q, keep in zip(queries, masks, strict=True)]))
    for name, thresholds, current, per_item in sweeps:
        rows = [_scores(items, per_item, threshold) for threshold in thresholds]
        summary[name] = {"thresholds": rows, "best_f1_threshold": max(rows, key=lambda r: r["f1"])["threshold"],
                         "current_threshold": current}
        what = "smoothed topic vectors" if name == "topic" else "passages' own vectors (no clusters)"
        table = Table(title=f"Semantic filter by threshold — {what} ({len(items)} queries, "
                            f"{summary['passages']:,} passages)")
        for column in ("threshold", "precision", "recall", "F1"):
            table.add_column(column, justify="right")
        for row in rows:
            mark = " (current)" if abs(row["threshold"] - current) < 1e-9 else ""
            table.add_row(f"{row['threshold']:.2f}{mark}", f"{row['precision']:.3f}", f"{row['recall']:.3f}",
                          f"{row['f1']:.3f}")
        console.print(table)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def widened_similarities(passages: _Passages, keep: np.ndarray, query: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Each passage's cosine (of `vectors`: topic or own) to the widened phrase, as `semantic_exists`
    computes it in SQL: the phrase + FEEDBACK_WEIGHT × the mean of `vectors` over the kept passages whose
    own vectors are nearest the phrase."""
    candidates = np.flatnonzero(keep)
    if not len(candidates):
        return np.zeros(len(passages.record), dtype=np.float32)
    nearest = candidates[np.argsort(-(passages.vectors[candidates] @ query), kind="stable")[:FEEDBACK_PASSAGES]]
    mean = vectors[nearest].mean(axis=0)
    widened = query / FEEDBACK_WEIGHT + mean / max(float(np.linalg.norm(mean)), 1e-12)
    return vectors @ (widened / float(np.linalg.norm(widened)))


def best_per_text(passages: _Passages, keep: np.ndarray, similarity: np.ndarray) -> dict[tuple[str, int], float]:
    """Each kept text's best passage similarity."""
    best: dict[tuple[str, int], float] = {}
    for kind, record, value in zip(passages.kind[keep], passages.record[keep], similarity[keep], strict=True):
        key = (str(kind), int(record))
        best[key] = max(best.get(key, -1.0), float(value))
    return best


def _scores(items: list[SearchItem], per_item: list[dict[tuple[str, int], float]], threshold: float) -> dict[str, float]:
    precision, recall, f1 = [], [], []
    for item, best in zip(items, per_item, strict=True):
        kept = {key for key, similarity in best.items() if similarity >= threshold}
        hits = len(kept & item.relevant)
        p = hits / len(kept) if kept else 0.0
        r = hits / len(item.relevant) if item.relevant else 0.0
        precision.append(p)
        recall.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return {"threshold": threshold, "precision": round(float(np.mean(precision)), 4),
            "recall": round(float(np.mean(recall)), 4), "f1": round(float(np.mean(f1)), 4)}


def _load_passages(engine: Engine) -> _Passages:
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor(binary=True)
        cur.execute("SELECT c.kind, c.record_id, c.owner_id, c.account_id, c.contact_id, c.deal_id, "
                    "extract(epoch FROM c.occurred_at), c.embedding, t.topic_embedding, coalesce(t.smoothed, false) "
                    "FROM search_chunks c LEFT JOIN search_topic_vectors t ON t.chunk_id = c.id ORDER BY c.id")
        fetched = cur.fetchall()
    finally:
        raw.close()
    if not fetched:
        empty, none = np.zeros(0), np.zeros((0, 384), dtype=np.float32)
        return _Passages(empty, empty, empty, empty, empty, empty, empty, none, none, np.zeros(0, dtype=bool))

    def column(i: int, dtype: Any) -> np.ndarray:
        return np.array([r[i] if r[i] is not None else np.nan for r in fetched], dtype=dtype)

    def vectors(i: int) -> np.ndarray:
        return np.stack([as_array(r[i]) if r[i] is not None else np.zeros(384, dtype=np.float32) for r in fetched])

    return _Passages(kind=np.array([r[0] for r in fetched]), record=np.array([r[1] for r in fetched]),
                     owner=column(2, float), account=column(3, float), contact=column(4, float),
                     deal=column(5, float), occurred=column(6, float), vectors=vectors(7), topics=vectors(8),
                     smoothed=np.array([bool(r[9]) for r in fetched], dtype=bool))


def _visible(passages: _Passages, item: SearchItem) -> np.ndarray:
    """The passages the item's user may see under the item's filters."""
    keep = np.ones(len(passages.record), dtype=bool)
    if item.owner_ids is not None:
        keep &= np.isin(passages.owner, list(item.owner_ids))
    f = item.filters
    if f.kind:
        keep &= passages.kind == f.kind
    for values, wanted in ((passages.owner, f.author_id), (passages.account, f.account_id),
                           (passages.contact, f.contact_id), (passages.deal, f.deal_id)):
        if wanted is not None:
            keep &= values == wanted
    for values, listed in ((passages.account, f.account_ids), (passages.contact, f.contact_ids)):
        if listed is not None:
            keep &= np.isin(values, listed)
    if f.date_from is not None:
        keep &= passages.occurred >= _epoch(f.date_from)
    if f.date_to is not None:
        keep &= passages.occurred < _epoch(f.date_to) + 86_400
    return keep


def _epoch(day: Any) -> float:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc).timestamp()
