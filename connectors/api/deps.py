"""FastAPI dependencies: settings, database sessions and the acting user of an API key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.api_keys import authenticate
from crm_core.errors import AuthError
from crm_core.scope import Actor
from crm_core.settings import Settings


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_db_engine)]) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on any error."""
    with Session(bind=engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_db_engine)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_current_actor(request: Request, engine: EngineDep) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer":
        raise AuthError("Missing or invalid API key. Send 'Authorization: Bearer <key>'.")
    with Session(bind=engine) as session:
        return authenticate(session, key.strip())


CurrentActor = Annotated[Actor, Depends(get_current_actor)]
