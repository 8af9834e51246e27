"""FastAPI application factory: the REST API, and later the chat channels, in one app."""

from __future__ import annotations

from fastapi import FastAPI

from connectors.api.errors import install_error_handlers
from connectors.api.routes import health
from crm_core.database import ready_engine
from crm_core.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app on the configured database (schema migrated at start-up)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="CRM Assistant",
        version="0.1.0",
        description="Ask your CRM in plain language; get scoped, explained answers.",
    )
    app.state.settings = settings
    app.state.engine = ready_engine(settings)
    install_error_handlers(app)
    app.include_router(health.router)
    return app
