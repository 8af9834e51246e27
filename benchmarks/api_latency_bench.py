"""End-to-end latency of POST /v1/query over HTTP, against a real `crm-assistant serve` process.

    python benchmarks/api_latency_bench.py                      # the dev suite's questions
    python benchmarks/api_latency_bench.py --question "Show me all customers who haven't been contacted in 30 days with deals over $10,000" --repeat 50

Uses the configured database (run `crm-assistant demo-data` first); `today` is pinned to 2026-05-15.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import track
from rich.table import Table

from crm_core.api_keys import create_api_key
from crm_core.database import ready_engine
from crm_core.db import session_scope
from crm_core.settings import get_settings
from evals.nlq_eval import DEFAULT_SUITE, load_suite
from evals.stats import percentile

TODAY = "2026-05-15"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server did not answer {url} within {timeout_s:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--question", help="ask only this question")
    parser.add_argument("--as", dest="as_user", default="admin@demo.crm")
    parser.add_argument("--repeat", type=int, default=1, help="times to ask each question")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--no-background-index", action="store_true",
                        help="serve without the background search indexer (it embeds pending texts at low priority)")
    args = parser.parse_args()

    settings = get_settings()
    engine = ready_engine(settings)
    if args.question:
        work = [(args.as_user, args.question)] * args.repeat
    else:
        work = [(i.as_user, i.question) for i in load_suite(DEFAULT_SUITE) if i.expect == "answer" and not i.context]
        work = work * args.repeat
    keys: dict[str, str] = {}
    with session_scope(engine) as session:
        for who in sorted({w for w, _ in work}):
            keys[who] = create_api_key(session, user_email=who)

    port = _free_port()
    env = {**os.environ, "CRM_ASSISTANT_TODAY": TODAY}
    server = subprocess.Popen(
        # the scheduled score refresh would train in the same process: measure answering alone
        [str(Path(sys.executable).with_name("crm-assistant")), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--no-score-refresh", *(["--no-background-index"] if args.no_background_index else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/healthz")
        with httpx.Client(base_url=base, timeout=30) as client:
            for who, question in work[: args.warmup]:
                client.post("/v1/query", json={"question": question}, headers={"Authorization": f"Bearer {keys[who]}"})
            timings, statuses = [], {}
            for who, question in track(work, description="POST /v1/query", transient=True):
                started = time.perf_counter()
                response = client.post("/v1/query", json={"question": question},
                                       headers={"Authorization": f"Bearer {keys[who]}"})
                timings.append((time.perf_counter() - started) * 1000)
                status = response.json().get("status", str(response.status_code))
                statuses[status] = statuses.get(status, 0) + 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {"requests": len(timings), "p50_ms": round(percentile(timings, 0.50), 1),
              "p95_ms": round(percentile(timings, 0.95), 1),
              "max_ms": round(max(timings), 1), "statuses": statuses}
    table = Table(title="POST /v1/query over HTTP")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in result.items():
        table.add_row(name, str(value))
    Console().print(table)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
