"""Shared set-up of the chat-channel benchmarks: a database holding small demo data (seed 7, today
2026-05-15) and the app served by uvicorn in its own process, as in production."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from crm_core.database import ensure_database, is_empty, ready_engine
from crm_core.db import database_url, sqlalchemy_url
from crm_core.settings import Settings

TODAY = date(2026, 5, 15)
SEED = 7
BENCH_DATABASE = "crm_bench_small"


def prepared_database_url(data_dir: Path) -> str:
    """A database named `BENCH_DATABASE` on the configured server (embedded when DATABASE_URL is unset)
    holding small demo data; loaded on first use, reused afterwards."""
    from crm_core.demo_data import load_demo_data

    server = database_url(Settings(data_dir=data_dir))
    url = make_url(sqlalchemy_url(server)).set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    ensure_database(url)
    engine = ready_engine(Settings(database_url=url))
    if is_empty(engine):
        print("loading small demo data (seed 7, today 2026-05-15)…", file=sys.stderr)
        load_demo_data(engine, size="small", seed=SEED, today=TODAY, reset=False, show_progress=False)
    engine.dispose()
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_app(env: dict[str, str]) -> Iterator[str]:
    """Serve `create_app()` with `env` (settings variables) in a child process; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "connectors.api.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    child = subprocess.Popen(command, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.2)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=20)


