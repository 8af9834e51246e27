"""Test fixtures: a real PostgreSQL (embedded, with pgvector) holding small demo data.

The schema and demo data (seed 7, today 2026-05-15) are built once into a template database named
after a fingerprint of the migrations and the generator; each test session clones it (fast), and
each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import fasteners
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crm_core.db import database_url, get_engine, sqlalchemy_url
from crm_core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 5, 15)
SEED = 7
TEST_DATA_DIR = ROOT / ".pgdata-test"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for folder in ("crm_core/migrations", "crm_core/demo_data"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(path.read_bytes())
    digest.update((ROOT / "crm_core/models.py").read_bytes())
    return digest.hexdigest()[:12]


def _server_url() -> str:
    base = Settings(database_url=os.environ.get("CRM_ASSISTANT_TEST_DATABASE_URL"), data_dir=TEST_DATA_DIR)
    return database_url(base)


def _admin_engine(url: str) -> Engine:
    return create_engine(make_url(sqlalchemy_url(url)).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _build_template(url: str, name: str) -> None:
    from crm_core.demo_data import load_demo_data
    from crm_core.migrate import upgrade

    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}_building" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}_building"')
    engine = create_engine(make_url(sqlalchemy_url(url)).set(database=f"{name}_building"))
    upgrade(engine)
    load_demo_data(engine, size="small", seed=SEED, today=TODAY, reset=False, show_progress=False)
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
    admin.dispose()


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at a private clone of the demo template database."""
    url = _server_url()
    template = f"crm_tpl_{_fingerprint()}"
    # one database per test process, so concurrent runs on the same server never collide
    db_name = f"crm_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    lock = fasteners.InterProcessLock(str(TEST_DATA_DIR.parent / ".pgdata-test.lock"))
    with lock:
        admin = _admin_engine(url)
        with admin.connect() as conn:
            has_template = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": template})
        if not has_template:
            with admin.connect() as conn:
                for (old,) in conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'crm_tpl_%'")):
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            _build_template(url, template)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{db_name}" TEMPLATE "{template}"')
        admin.dispose()
    db_url = make_url(sqlalchemy_url(url)).set(database=db_name).render_as_string(hide_password=False)
    return Settings(database_url=db_url, today=TODAY, data_dir=TEST_DATA_DIR)


@pytest.fixture(scope="session")
def engine(test_settings: Settings) -> Iterator[Engine]:
    engine = get_engine(test_settings)
    yield engine
    engine.dispose()
    url = make_url(test_settings.database_url or "")
    admin = _admin_engine(url.render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every change, commits included, is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        db_session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield db_session
        finally:
            db_session.close()
            outer.rollback()


@pytest.fixture
def empty_database_url(test_settings: Settings) -> Iterator[str]:
    """A brand-new empty database on the test server, dropped afterwards."""
    url = make_url(test_settings.database_url or "")
    name = f"crm_empty_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin = _admin_engine(str(url.render_as_string(hide_password=False)))
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    from crm_core.db import dispose_engines

    dispose_engines()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
