"""Load demo data into PostgreSQL: check or clear the database, COPY every table in one transaction."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from psycopg import sql
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from crm_core.demo_data.generate import GENERATION_STEPS, generate_demo_data
from crm_core.demo_data.sizes import SIZES
from crm_core.demo_data.tables import Table
from crm_core.errors import CrmError
from crm_core.migrate import upgrade

# Cleared by --reset (CASCADE also empties tables that reference them: API keys, conversations, scores…).
DATA_TABLES = (
    "teams",
    "users",
    "pipelines",
    "deal_stages",
    "custom_field_definitions",
    "accounts",
    "contacts",
    "demo_contact_preferences",
    "deals",
    "activities",
    "emails",
    "notes",
    "text_topics",
)
_PROGRESS_CHUNK = 5_000


@dataclass
class DemoStats:
    """What a load produced: rows per table (load order) and how long it took."""

    size: str
    seed: int
    today: date
    counts: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    generate_s: float = 0.0
    load_s: float = 0.0


def load_demo_data(
    engine: Engine,
    *,
    size: str = "small",
    seed: int = 7,
    today: date,
    reset: bool = False,
    show_progress: bool = True,
) -> DemoStats:
    """Fill the database behind `engine` with deterministic demo data.

    Args:
        engine: SQLAlchemy engine of a PostgreSQL database (migrated here if needed).
        size: "tiny", "small", "medium" or "large" (see `crm_core.demo_data.sizes.SIZES`).
        seed: random seed; the same seed and `today` give byte-identical rows.
        today: the pinned date; history spans the two years before midnight UTC of this day.
        reset: delete all existing CRM data first; without it a non-empty database is an error.
        show_progress: draw a rich progress bar on the terminal.

    Returns:
        DemoStats with the row count of every table and the elapsed seconds.

    Raises:
        CrmError: code "unknown-demo-size" for a bad size; "demo-data-exists" when the database already
            holds CRM data and `reset` is false.
    """
    started = time.perf_counter()
    spec = SIZES.get(size)
    if spec is None:
        raise CrmError(
            f"Unknown demo data size '{size}'. Choose one of: {', '.join(SIZES)}.",
            code="unknown-demo-size",
            status=422,
        )
    upgrade(engine)
    if not reset:
        _refuse_if_not_empty(engine)

    stats = DemoStats(size=spec.name, seed=seed, today=today)
    with _progress(show_progress) as progress:
        step_task = progress.add_task("Generating", total=len(GENERATION_STEPS))

        def on_step(label: str) -> None:
            progress.update(
                step_task, description=f"Generating {label}", completed=GENERATION_STEPS.index(label)
            )

        data = generate_demo_data(size=spec, seed=seed, today=today, on_step=on_step)
        progress.update(step_task, description="Generated", completed=len(GENERATION_STEPS))
        stats.generate_s = time.perf_counter() - started

        load_started = time.perf_counter()
        total_rows = sum(len(t) for t in data.tables)
        load_task = progress.add_task("Loading", total=total_rows)
        raw = engine.raw_connection()
        try:
            conn: Any = raw.driver_connection
            with conn.cursor() as cursor:
                if reset:
                    cursor.execute(
                        sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                            sql.SQL(", ").join(sql.Identifier(t) for t in DATA_TABLES)
                        )
                    )
                else:
                    # Re-check inside the transaction: another process may have loaded meanwhile.
                    cursor.execute("SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM accounts)")
                    if cursor.fetchone()[0]:
                        raise _exists_error(engine)
                for table in data.tables:
                    progress.update(load_task, description=f"Loading {table.name}")
                    _copy(cursor, table, lambda k: progress.advance(load_task, k))
                    stats.counts[table.name] = len(table)
                for table in data.tables:
                    if table.has_id:
                        cursor.execute(
                            sql.SQL(
                                "SELECT setval(pg_get_serial_sequence({name}, 'id'), GREATEST(MAX(id), 1), "
                                "MAX(id) IS NOT NULL) FROM {table}"
                            ).format(name=sql.Literal(table.name), table=sql.Identifier(table.name))
                        )
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        progress.update(load_task, description="Analyzing")
        with engine.connect() as connection:
            for table in data.tables:
                connection.exec_driver_sql(f'ANALYZE "{table.name}"')
            connection.commit()
        progress.update(load_task, description="Loaded")
    stats.load_s = time.perf_counter() - load_started
    stats.elapsed_s = time.perf_counter() - started
    return stats


def _copy(cursor: Any, table: Table, advance: Any) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in table.columns)
    )
    with cursor.copy(statement) as copy:
        pending = 0
        for row in table.rows():
            copy.write_row(row)
            pending += 1
            if pending == _PROGRESS_CHUNK:
                advance(pending)
                pending = 0
        advance(pending)


def _refuse_if_not_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        has_rows = connection.exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM accounts)"
        ).scalar()
    if has_rows:
        raise _exists_error(engine)


def _exists_error(engine: Engine) -> CrmError:
    with engine.connect() as connection:
        users = connection.exec_driver_sql("SELECT count(*) FROM users").scalar() or 0
        contacts = connection.exec_driver_sql("SELECT count(*) FROM contacts").scalar() or 0
    return CrmError(
        f"The database already holds CRM data ({users:,} users, {contacts:,} contacts). "
        "Run again with --reset to delete it and load demo data.",
        code="demo-data-exists",
        status=409,
    )


@contextmanager
def _progress(show: bool) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description:<34}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=not show,
        transient=False,
    )
    with progress:
        yield progress
