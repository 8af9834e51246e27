"""The embeddable web chat widget: static assets, the demo page and the widget's endpoints."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from connectors.web.auth import session_secret
from connectors.web.routes import STATIC_DIR, router
from crm_core.settings import Settings


def mount_widget(app: FastAPI, settings: Settings) -> None:
    """Serve the widget at /widget/static/widget.js, its endpoints under /widget/, and the demo page at /."""
    app.state.widget_secret = session_secret(settings)
    app.include_router(router)
    app.mount("/widget/static", StaticFiles(directory=STATIC_DIR), name="widget-static")
    origins = [o.strip() for o in settings.widget_allowed_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
