"""Search eval runner: a suite of queries → recall@10, nDCG@10, MRR and latency for vector-only, keyword-only
and hybrid retrieval, so the benefit of fusing them is measured, not assumed.

Suite file (JSON Lines; one object a line): `id`, `query`, `topics` (the demo data's topic labels that
make a note or email relevant), optional `filters` (`nlq.search.retrieval.SearchFilters` fields) and
`as` (user e-mail, default `admin@demo.crm`). Relevant documents are those labelled with any of the
topics in `text_topics`, among the ones the user may see and the filters allow. Recall@10 divides by
min(10, relevant), so a query with hundreds of relevant texts asks for ten relevant ones at the top.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.scope import actor_for, visible_owner_ids
from evals.stats import percentile
from nlq.errors import NlqError
from nlq.search.indexer import pending_counts
from nlq.search.retrieval import Mode, Searcher, SearchFilters, clean_query, framed_query_vector

SUITES_DIR = Path(__file__).resolve().parent / "suites"
DEFAULT_SUITE = SUITES_DIR / "search.jsonl"
K = 10


@dataclass
class SearchItem:
    id: str
    query: str
    topics: list[str]
    filters: SearchFilters
    as_user: str = "admin@demo.crm"
    owner_ids: frozenset[int] | None = None
    relevant: set[tuple[str, int]] = field(default_factory=set)


def load_suite(path: Path) -> list[SearchItem]:
    """Read and check a suite file; a bad line is an `invalid-suite` error naming the line."""
    items: list[SearchItem] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = SearchItem(id=str(raw["id"]), query=str(raw["query"]), topics=list(raw["topics"]),
                              filters=SearchFilters.model_validate(raw.get("filters") or {}),
                              as_user=raw.get("as") or "admin@demo.crm")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise NlqError(f"{path.name} line {n}: {exc}", code="invalid-suite") from None
        if item.id in seen:
            raise NlqError(f"{path.name} line {n}: duplicate id {item.id!r}.", code="invalid-suite")
        if not item.topics:
            raise NlqError(f"{path.name} line {n}: 'topics' must name at least one topic.", code="invalid-suite")
        seen.add(item.id)
        items.append(item)
    return items


def run_search_eval(*, engine: Engine, searcher: Searcher, suite: Path, report: Path | None,
                    console: Console | None = None, show_progress: bool = True,
                    modes: tuple[Mode, ...] = ("vector", "keyword", "hybrid")) -> dict[str, Any]:
    """Run every item in every mode; write `{"summary", "items"}` to `report`; return the summary."""
    console = console or Console()
    items = load_suite(suite)
    resolve_relevance(engine, items)
    pending = sum(pending_counts(engine).values())
    results: list[dict[str, Any]] = [{"id": i.id, "query": i.query, "as": i.as_user, "topics": i.topics,
                                      "relevant": len(i.relevant)} for i in items]
    latencies: dict[str, list[float]] = {m: [] for m in modes}
    scores: dict[str, dict[str, list[float]]] = {m: {"recall@10": [], "ndcg@10": [], "mrr": []} for m in modes}
    with Progress(TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not show_progress, transient=True) as progress:
        # Queries are embedded once, up front and timed apart, so that every mode's latency is the
        # search itself (the first mode would otherwise pay for the model and the others would not).
        embed_ms: list[float] = []
        for item in items:
            started = time.perf_counter()
            framed_query_vector(clean_query(item.query), searcher.model_name)
            embed_ms.append((time.perf_counter() - started) * 1000)
        if items:  # one untimed search: connections and statistics are warm for every mode alike
            searcher.search(items[0].query, owner_ids=items[0].owner_ids, k=K, filters=items[0].filters)
        for mode in modes:
            task = progress.add_task(f"search eval {mode}", total=len(items))
            for item, row in zip(items, results, strict=True):
                started = time.perf_counter()
                result = searcher.search(item.query, owner_ids=item.owner_ids, k=K, filters=item.filters, mode=mode)
                elapsed = (time.perf_counter() - started) * 1000
                ranked = [(h.kind, h.id) for h in result.hits]
                metrics = item_metrics(ranked, item.relevant)
                for name, value in metrics.items():
                    scores[mode][name].append(value)
                latencies[mode].append(elapsed)
                row[mode] = {**{k: round(v, 4) for k, v in metrics.items()}, "latency_ms": round(elapsed, 2),
                             "hits": [f"{kind}:{rid}" for kind, rid in ranked]}
                progress.advance(task)
    summary: dict[str, Any] = {
        mode: {
            **{name: round(_mean(values), 4) for name, values in scores[mode].items()},
            "p50_ms": percentile(latencies[mode], 0.5), "p95_ms": percentile(latencies[mode], 0.95),
        } for mode in modes
    }
    summary.update({"items": len(items), "k": K, "pending_documents": pending,
                    "query_embedding_p50_ms": percentile(embed_ms[1:] or embed_ms, 0.5)})
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps({"summary": summary, "items": results}, indent=1, default=str),
                          encoding="utf-8")
    _print(console, summary, modes)
    return summary


def item_metrics(ranked: list[tuple[str, int]], relevant: set[tuple[str, int]]) -> dict[str, float]:
    """recall@10 (of min(10, |relevant|)), nDCG@10 with binary gains, reciprocal rank of the first hit.

    >>> item_metrics([("note", 1), ("note", 2)], {("note", 2)})
    {'recall@10': 1.0, 'ndcg@10': 0.6309, 'mrr': 0.5}
    """
    top = ranked[:K]
    if not relevant:
        return {"recall@10": 0.0, "ndcg@10": 0.0, "mrr": 0.0}
    found = [1.0 if key in relevant else 0.0 for key in top]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(found))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    first = next((i + 1 for i, g in enumerate(found) if g), None)
    return {"recall@10": sum(found) / min(K, len(relevant)), "ndcg@10": round(dcg / ideal, 4),
            "mrr": 1.0 / first if first else 0.0}


def resolve_relevance(engine: Engine, items: list[SearchItem]) -> None:
    """Each item's scope (from its user) and relevant documents (topic labels within scope and filters)."""
    actors: dict[str, Any] = {}
    with Session(engine) as session:
        for item in items:
            if item.as_user not in actors:
                actor = actor_for(session, item.as_user)
                actors[item.as_user] = visible_owner_ids(session, actor)
            item.owner_ids = actors[item.as_user]
    raw = engine.raw_connection()
    conn: Any = raw.driver_connection
    try:
        for item in items:
            where: list[str] = ["t.topic = ANY(%(topics)s)"]
            params: dict[str, Any] = {"topics": item.topics}
            f = item.filters
            if item.owner_ids is not None:
                where.append("d.owner_id = ANY(%(owners)s)")
                params["owners"] = sorted(item.owner_ids)
            for column, value in (("kind", f.kind), ("owner_id", f.author_id), ("contact_id", f.contact_id),
                                  ("account_id", f.account_id), ("deal_id", f.deal_id)):
                if value is not None:
                    where.append(f"d.{column} = %({column})s")
                    params[column] = value
            if f.account_ids is not None:
                where.append("d.account_id = ANY(%(account_ids)s)")
                params["account_ids"] = f.account_ids
            if f.date_from is not None:
                where.append("d.occurred_at >= %(date_from)s")
                params["date_from"] = datetime.combine(f.date_from, datetime.min.time(), tzinfo=timezone.utc)
            if f.date_to is not None:
                where.append("d.occurred_at < %(date_to)s")
                params["date_to"] = datetime.combine(f.date_to + timedelta(days=1), datetime.min.time(),
                                                     tzinfo=timezone.utc)
            rows = conn.execute(
                "SELECT DISTINCT d.kind, d.record_id FROM text_topics t JOIN search_documents d "
                "ON d.kind = t.kind AND d.record_id = t.record_id WHERE " + " AND ".join(where), params).fetchall()
            item.relevant = {(kind, rid) for kind, rid in rows}
        conn.rollback()
    finally:
        raw.close()


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _print(console: Console, summary: dict[str, Any], modes: tuple[str, ...]) -> None:
    table = Table(title=f"Search eval ({summary['items']} queries, k={summary['k']})")
    table.add_column("mode")
    for column in ("recall@10", "ndcg@10", "mrr", "p50_ms", "p95_ms"):
        table.add_column(column, justify="right")
    for mode in modes:
        s = summary[mode]
        table.add_row(mode, f"{s['recall@10']:.3f}", f"{s['ndcg@10']:.3f}", f"{s['mrr']:.3f}",
                      f"{s['p50_ms']:.1f}", f"{s['p95_ms']:.1f}")
    console.print(table)
    console.print(f"query embedding (not in the latencies above): p50 {summary['query_embedding_p50_ms']:.1f} ms")
    if summary["pending_documents"]:
        console.print(f"[yellow]{summary['pending_documents']:,} notes/emails are not embedded yet "
                      "(run `crm-assistant index`): vector and hybrid figures are understated.[/]")


