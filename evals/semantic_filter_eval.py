"""How well "has a note/email semantically matching X" separates relevant texts, per similarity threshold.

The semantic filter (`nlq.search.semantic_filter`) keeps a text when one of its passages is within a
cosine similarity of the phrase. This eval reads the search suite's queries and topic judgments and, for
each threshold, counts which texts the filter would keep among those the suite's user may see under the
item's filters: precision, recall and F1 per query, averaged over queries. It scans every passage
exactly (no index), so it is meant for the small dev data.
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
from nlq.search.semantic_filter import DEFAULT_MIN_SIMILARITY

THRESHOLDS = tuple(round(0.20 + 0.05 * i, 2) for i in range(9))  # 0.20 … 0.60


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


def run_semantic_filter_eval(*, engine: Engine, suite: Path, model_name: str, report: Path | None = None,
                             console: Console | None = None) -> dict[str, Any]:
    """Precision / recall / F1 of the semantic filter at each threshold; writes `report` if given."""
    console = console or Console()
    items = load_suite(suite)
    resolve_relevance(engine, items)
    passages = _load_passages(engine)
    rows = []
    per_item = [_best_per_text(passages, item, model_name) for item in items]
    for threshold in THRESHOLDS:
        precision, recall, f1 = [], [], []
        for item, best in zip(items, per_item, strict=True):
            kept = {key for key, similarity in best.items() if similarity >= threshold}
            hits = len(kept & item.relevant)
            p = hits / len(kept) if kept else 0.0
            r = hits / len(item.relevant) if item.relevant else 0.0
            precision.append(p)
            recall.append(r)
            f1.append(2 * p * r / (p + r) if p + r else 0.0)
        rows.append({"threshold": threshold, "precision": round(float(np.mean(precision)), 4),
                     "recall": round(float(np.mean(recall)), 4), "f1": round(float(np.mean(f1)), 4)})
    best_row = max(rows, key=lambda r: r["f1"])
    summary = {"items": len(items), "passages": int(len(passages.record)), "thresholds": rows,
               "best_f1_threshold": best_row["threshold"], "current_threshold": DEFAULT_MIN_SIMILARITY}
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    table = Table(title=f"Semantic filter by threshold ({len(items)} queries, {summary['passages']:,} passages)")
    for column in ("threshold", "precision", "recall", "F1"):
        table.add_column(column, justify="right")
    for row in rows:
        mark = " (current)" if abs(row["threshold"] - DEFAULT_MIN_SIMILARITY) < 1e-9 else ""
        table.add_row(f"{row['threshold']:.2f}{mark}", f"{row['precision']:.3f}", f"{row['recall']:.3f}",
                      f"{row['f1']:.3f}")
    console.print(table)
    return summary


def _load_passages(engine: Engine) -> _Passages:
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor(binary=True)
        cur.execute("SELECT kind, record_id, owner_id, account_id, contact_id, deal_id, "
                    "extract(epoch FROM occurred_at), embedding FROM search_chunks")
        fetched = cur.fetchall()
    finally:
        raw.close()
    if not fetched:
        empty = np.zeros(0)
        return _Passages(empty, empty, empty, empty, empty, empty, empty, np.zeros((0, 384), dtype=np.float32))

    def column(i: int, dtype: Any) -> np.ndarray:
        return np.array([r[i] if r[i] is not None else np.nan for r in fetched], dtype=dtype)

    vectors = np.stack([np.asarray(r[7].to_numpy() if hasattr(r[7], "to_numpy") else r[7], dtype=np.float32)
                        for r in fetched])
    return _Passages(kind=np.array([r[0] for r in fetched]), record=np.array([r[1] for r in fetched]),
                     owner=column(2, float), account=column(3, float), contact=column(4, float),
                     deal=column(5, float), occurred=column(6, float), vectors=vectors)


def _best_per_text(passages: _Passages, item: SearchItem, model_name: str) -> dict[tuple[str, int], float]:
    """Each visible text's best passage similarity to the item's query (scope and filters applied)."""
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
    query = embed_query(clean_query(item.query), name=model_name)
    similarity = passages.vectors[keep] @ query
    best: dict[tuple[str, int], float] = {}
    for kind, record, value in zip(passages.kind[keep], passages.record[keep], similarity, strict=True):
        key = (str(kind), int(record))
        best[key] = max(best.get(key, -1.0), float(value))
    return best


def _epoch(day: Any) -> float:
    return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc).timestamp()
