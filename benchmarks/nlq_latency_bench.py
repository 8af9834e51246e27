"""Latency of understanding + compiling + guarding a question (no execution), on the dev suite.

    python benchmarks/nlq_latency_bench.py [--rounds 3]

Runs against the configured database (demo data, seed 7) with `today` pinned to 2026-05-15. The
first round loads and warms everything (model, caches); later rounds are measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from datetime import date

from rich.console import Console
from rich.table import Table

from connectors.runtime import get_assistant, warm_up
from crm_core.scope import actor_for
from crm_core.settings import get_settings
from evals.nlq_eval import DEFAULT_SUITE, load_suite
from evals.stats import percentile
from nlq.compiler import compile_plan

TODAY = date(2026, 5, 15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    assistant = get_assistant(get_settings().model_copy(update={"today": TODAY}))
    nlq = assistant.nlq
    warm_up(assistant)  # as `serve` does: model loaded, start-up objects frozen out of the collector's way
    items = load_suite(DEFAULT_SUITE)
    actors, scopes = {}, {}
    with assistant.session() as session:
        for item in items:
            if item.as_user not in actors:
                actors[item.as_user] = actor_for(session, item.as_user)
                scopes[item.as_user] = nlq.scope_of(actors[item.as_user])
    rounds: list[list[float]] = []
    for _ in range(args.rounds):
        timings = []
        for item in items:
            actor, scope = actors[item.as_user], scopes[item.as_user]
            started = time.perf_counter()
            outcome = nlq.understand(item.question, actor, today=TODAY)
            if outcome.status == "planned":
                tree = compile_plan(outcome.plan, nlq.catalog) if outcome.plan else outcome.raw_sql
                with contextlib.suppress(Exception):
                    nlq.guard(tree, scope)
            timings.append((time.perf_counter() - started) * 1000)
        rounds.append(timings)
    measured = [t for r in rounds[1:] or rounds for t in r]
    p50, p95, first_p95 = percentile(measured, 0.50), percentile(measured, 0.95), percentile(rounds[0], 0.95)
    table = Table(title=f"understand + compile + guard, {len(items)} questions × {len(rounds) - 1 or 1} rounds")
    table.add_column("metric")
    table.add_column("ms", justify="right")
    table.add_row("p50 (warm)", f"{p50:.2f}")
    table.add_row("p95 (warm)", f"{p95:.2f}")
    table.add_row("max (warm)", f"{max(measured):.2f}")
    table.add_row("p95 (first round, cold caches)", f"{first_p95:.2f}")
    Console().print(table)
    print(json.dumps({"p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "first_round_p95_ms": round(first_p95, 2)}))


if __name__ == "__main__":
    main()
