"""HNSW search latency and recall on a large database: p50/p95 per query and recall@10 against exact search.

Runs the dev suite's queries (evals/suites/search.jsonl) against whatever database the settings point
at — meant for medium demo data, e.g.

    CRM_ASSISTANT_DATA_DIR=<medium data dir> .venv/bin/python benchmarks/search_medium_bench.py --report out.json

For each scope (a manager's team, one rep, everything) and each query it times the vector retrieval on
the HNSW index (pgvector iterative scan under the scope filter) and compares its top 10 passages with
an exact scan over the same filtered passages. Query embeddings are computed once up front and timed
separately: the figures are the database search per query. It also times the full hybrid search
(vector + keyword + fusion + snippets) as the API runs it.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import text

from crm_core.database import ready_engine
from crm_core.settings import get_settings
from evals.search_eval import DEFAULT_SUITE, load_suite
from evals.stats import percentile
from nlq.embeddings import embed_query
from nlq.search.retrieval import Searcher

K = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", type=Path, default=DEFAULT_SUITE)
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=2, help="timed runs per query (the best one counts)")
    parser.add_argument("--ef-search", type=int, default=None, help="hnsw.ef_search (default: the searcher's)")
    parser.add_argument("--no-hybrid", action="store_true", help="skip timing the full hybrid search")
    args = parser.parse_args()
    console = Console()
    settings = get_settings()
    engine = ready_engine(settings)
    searcher = Searcher(engine, model_name=settings.embedding_model, timeout_ms=30_000)
    if args.ef_search:
        searcher.ef_search = args.ef_search
    queries = list(dict.fromkeys(item.query for item in load_suite(args.suite)))

    with engine.connect() as conn:
        counts = {kind: (int(docs), int(done)) for kind, docs, done in conn.execute(text(
            "SELECT kind, count(*), count(*) FILTER (WHERE indexed_hash = content_hash) FROM search_documents "
            "GROUP BY kind"))}
        chunks = int(conn.execute(text("SELECT count(*) FROM search_chunks")).scalar_one())
        manager = conn.execute(text(
            "SELECT m.id, array_agg(u.id) FROM users m JOIN users u ON u.team_id = m.team_id "
            "WHERE m.role = 'manager' GROUP BY m.id ORDER BY count(*) DESC, m.id LIMIT 1")).one()
        rep = conn.execute(text(
            "SELECT owner_id FROM search_chunks GROUP BY owner_id ORDER BY count(*) DESC LIMIT 1")).scalar_one()
    scopes: dict[str, frozenset[int] | None] = {
        "manager_team": frozenset(manager[1]) | {manager[0]}, "one_rep": frozenset({rep}), "all": None,
    }

    embed_query("load the model and trace the single-text encoder", name=settings.embedding_model)
    started = time.perf_counter()
    for query in queries:
        embed_query(query, name=settings.embedding_model)
    embed_ms = (time.perf_counter() - started) * 1000 / len(queries)

    results: dict[str, Any] = {}
    with Progress(console=console, transient=True) as progress:
        for name, owners in scopes.items():
            task = progress.add_task(f"scope {name}", total=len(queries))
            latencies, recalls, tie_recalls, hybrid_ms = [], [], [], []
            for query in queries:
                exact = searcher.vector_candidates(query, owner_ids=owners, k=K, path="exact")
                best = math.inf
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    approx = searcher.vector_candidates(query, owner_ids=owners, k=K, path="hnsw")
                    best = min(best, (time.perf_counter() - t0) * 1000)
                latencies.append(best)
                wanted = max(1, min(K, len(exact)))
                recalls.append(len({a[:3] for a in approx} & {e[:3] for e in exact}) / wanted)
                # duplicate texts tie at the same distance: any passage as near as exact's 10th counts
                cutoff = exact[-1][3] + 1e-6 if exact else 0.0
                tie_recalls.append(min(wanted, sum(1 for a in approx if a[3] <= cutoff)) / wanted)
                if not args.no_hybrid:
                    t0 = time.perf_counter()
                    searcher.search(query, owner_ids=owners, k=K)
                    hybrid_ms.append((time.perf_counter() - t0) * 1000)
                progress.advance(task)
            results[name] = {
                "owners": None if owners is None else len(owners),
                "hnsw_p50_ms": percentile(latencies, 0.5), "hnsw_p95_ms": percentile(latencies, 0.95),
                "recall@10_vs_exact": round(statistics.mean(recalls), 4),
                "min_recall@10": round(min(recalls), 4),
                "recall@10_ties_counted": round(statistics.mean(tie_recalls), 4),
                "hybrid_search_p50_ms": percentile(hybrid_ms, 0.5) if hybrid_ms else None,
                "hybrid_search_p95_ms": percentile(hybrid_ms, 0.95) if hybrid_ms else None,
            }
    summary = {"documents": {k: {"total": v[0], "embedded": v[1]} for k, v in counts.items()},
               "embedded_documents": sum(v[1] for v in counts.values()), "chunks": chunks,
               "queries": len(queries), "query_embedding_ms": round(embed_ms, 2), "ef_search": searcher.ef_search,
               "scopes": results}
    table = Table(title=f"HNSW search on {summary['embedded_documents']:,} embedded notes/emails ({chunks:,} passages)")
    for column in ("scope", "owners", "HNSW p50 ms", "HNSW p95 ms", "recall@10 vs exact", "with ties", "hybrid p95 ms"):
        table.add_column(column, justify="right")
    for name, r in results.items():
        table.add_row(name, str(r["owners"] or "all"), f"{r['hnsw_p50_ms']:.1f}", f"{r['hnsw_p95_ms']:.1f}",
                      f"{r['recall@10_vs_exact']:.3f}", f"{r['recall@10_ties_counted']:.3f}",
                      "-" if r["hybrid_search_p95_ms"] is None else f"{r['hybrid_search_p95_ms']:.1f}")
    console.print(table)
    console.print(f"query embedding: {embed_ms:.1f} ms per query (not included above)")
    if args.report:
        args.report.write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
