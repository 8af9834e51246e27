"""Run a guarded statement: read-only transaction, statement timeout, row cap, typed results.

A SELECT-only database role is a second wall behind the guard: where the server lets us create it,
every query runs under `SET LOCAL ROLE` with no privilege but SELECT on the catalog's tables.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlglot import exp

from nlq.catalog import Catalog
from nlq.errors import QueryFailedError, QueryTimeoutError

_log = logging.getLogger(__name__)
READER_ROLE = "crm_assistant_reader"
DIALECT = "postgres"

_OID_TYPES = {
    16: "boolean", 20: "integer", 21: "integer", 23: "integer", 700: "number", 701: "number",
    1700: "number", 1082: "date", 1114: "timestamp", 1184: "timestamp", 25: "text", 1043: "text",
    114: "json", 3802: "json", 1186: "interval",
}


@dataclass
class ResultColumn:
    name: str
    type: str


@dataclass
class QueryResult:
    sql: str
    columns: list[ResultColumn]
    rows: list[list[Any]]
    elapsed_ms: float
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows)


_reader_ready: dict[str, bool] = {}


def ensure_reader_role(engine: Engine, catalog: Catalog) -> bool:
    """Create the SELECT-only role and its grants once per database; False if not permitted."""
    key = str(engine.url)
    if key in _reader_ready:
        return _reader_ready[key]
    tables = sorted(e.table for e in catalog.entities.values())
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_ROLE,))
            if cur.fetchone() is None:
                cur.execute(f"CREATE ROLE {READER_ROLE} NOLOGIN")
            cur.execute(f"GRANT USAGE ON SCHEMA public TO {READER_ROLE}")
            for table in tables:
                cur.execute(f'GRANT SELECT ON TABLE public."{table}" TO {READER_ROLE}')
            cur.execute("SELECT current_user")
            row = cur.fetchone()
            if row is not None:
                cur.execute(f'GRANT {READER_ROLE} TO "{row[0]}"')
        raw.commit()
        _reader_ready[key] = True
    except psycopg.Error as exc:
        raw.rollback()
        _log.warning("read-only role not available (%s); relying on the guard and read-only transactions",
                     str(exc).strip().splitlines()[0])
        _reader_ready[key] = False
    finally:
        raw.close()
    return _reader_ready[key]


@contextmanager
def read_only_cursor(engine: Engine, *, timeout_ms: int, use_reader_role: bool = False, what: str = "query",
                     narrow: str = "a date range, an owner, fewer groups") -> Iterator[Any]:
    """A psycopg cursor inside a read-only transaction with a statement timeout, always rolled back.

    Every read on behalf of a user goes through here (questions, edited SQL, search), so a timeout or a
    database error reaches them as a stable code and a sentence, never a traceback.
    """
    raw = engine.raw_connection()
    conn: Any = raw.driver_connection
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN READ ONLY")
            # one round trip for the settings. hnsw.iterative_scan: a filtered nearest-neighbour scan (a
            # semantic filter's feedback passages in a rep's scope) goes on through the HNSW index until it
            # has its LIMIT, instead of stopping at ef_search
            cur.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}; SET LOCAL lock_timeout = 1000; "
                        "SET LOCAL hnsw.iterative_scan = relaxed_order")
            if use_reader_role:
                cur.execute(f"SET LOCAL ROLE {READER_ROLE}")
            yield cur
        conn.rollback()
    except psycopg.errors.QueryCanceled:
        conn.rollback()
        raise QueryTimeoutError(
            f"The {what} took longer than {timeout_ms / 1000:g} s and was stopped. Narrow it down "
            f"({narrow}) and try again.") from None
    except psycopg.Error as exc:
        conn.rollback()
        detail = (exc.diag.message_primary if exc.diag else None) or str(exc).splitlines()[0]
        raise QueryFailedError(f"The database could not run the {what}: {detail}") from None
    finally:
        raw.close()


def execute(engine: Engine, tree: exp.Expression, *, timeout_ms: int, row_cap: int,
            use_reader_role: bool = True) -> QueryResult:
    """Render the guarded tree for PostgreSQL and run it read-only."""
    return execute_text(engine, tree.sql(dialect=DIALECT), timeout_ms=timeout_ms, row_cap=row_cap,
                        use_reader_role=use_reader_role)


def execute_text(engine: Engine, sql: str, *, timeout_ms: int, row_cap: int,
                 use_reader_role: bool = False) -> QueryResult:
    """Run SQL text in a read-only transaction (trusted text only: evals' gold SQL, guarded trees)."""
    started = time.perf_counter()
    with read_only_cursor(engine, timeout_ms=timeout_ms, use_reader_role=use_reader_role) as cur:
        cur.execute(sql)  # no parameters: psycopg does not interpret % in the text
        description = cur.description or []
        rows = [list(r) for r in cur.fetchmany(row_cap + 1)]
    columns = [ResultColumn(d.name, _OID_TYPES.get(d.type_code, "text")) for d in description]
    truncated = len(rows) > row_cap
    return QueryResult(sql=sql, columns=columns, rows=rows[:row_cap],
                       elapsed_ms=(time.perf_counter() - started) * 1000, truncated=truncated)
