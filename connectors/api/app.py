"""FastAPI application factory: the REST API and the chat channels (Slack, Teams, web widget) in one app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from connectors.api.errors import install_error_handlers
from connectors.api.routes import contacts, health, query, search
from connectors.api.timing import ServerTimingMiddleware
from connectors.runtime import get_assistant
from connectors.slack import mount_slack
from connectors.teams import mount_teams
from connectors.web import mount_widget
from crm_core.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app on the configured database (schema migrated at start-up)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The scheduled score refresh runs only when enabled (`serve` does; tests and embedders do not).
        refresher = None
        if settings.score_refresh_enabled:
            from crm_core.scoring.refresh import ScoreRefresher

            refresher = ScoreRefresher(app.state.engine, settings)
            refresher.start()
        app.state.score_refresher = refresher
        # New and edited notes/emails are embedded in the background likewise (`serve` turns it on).
        indexer = None
        if settings.search_background_index:
            from nlq.search.background import BackgroundIndexer

            indexer = BackgroundIndexer(app.state.engine, model_name=settings.embedding_model,
                                        interval_s=settings.search_index_interval_s).start()
        app.state.search_indexer = indexer
        yield
        if refresher is not None:
            refresher.stop()
        if indexer is not None:
            indexer.stop()

    app = FastAPI(
        title="CRM Assistant",
        version="0.1.0",
        description="Ask your CRM in plain language; get scoped, explained answers.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    assistant = get_assistant(settings)
    app.state.engine = assistant.engine
    app.state.assistant = assistant
    app.add_middleware(ServerTimingMiddleware)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(query.router)
    app.include_router(search.router)
    app.include_router(contacts.router)
    mount_slack(app, settings, assistant)
    mount_teams(app, settings, assistant)
    mount_widget(app, settings)
    return app
