"""Preparing a database for use: create it if missing, apply migrations, report what it holds."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from crm_core.db import get_engine, sqlalchemy_url
from crm_core.migrate import upgrade
from crm_core.settings import Settings


def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    target = make_url(sqlalchemy_url(url))
    name = target.database or "postgres"
    admin_url = target.set(database="postgres")
    from sqlalchemy import create_engine

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()


def ready_engine(settings: Settings) -> Engine:
    """The engine of the configured database with the schema at the latest migration."""
    engine = get_engine(settings)
    upgrade(engine)
    return engine


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not conn.scalar(text("SELECT EXISTS (SELECT 1 FROM users)"))
