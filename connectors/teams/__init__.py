"""Microsoft Teams connector (Bot Framework via botbuilder-core, behind `connectors.teams.adapter`)."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from assistant.service import Assistant
from crm_core.settings import Settings

_log = logging.getLogger(__name__)


def mount_teams(app: FastAPI, settings: Settings, assistant: Assistant) -> bool:
    """Mount /api/messages: authenticated with an app id and password, or unauthenticated only in
    explicitly configured emulator mode without an app id; otherwise Teams stays off and says so."""
    app_id = settings.microsoft_app_id
    password = settings.microsoft_app_password.get_secret_value() if settings.microsoft_app_password else None
    if app_id and not password:
        _log.warning("Teams is off: MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is not.")
        return False
    if not app_id and not settings.teams_emulator_mode:
        _log.info("Teams is off: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to mount /api/messages.")
        return False
    from connectors.teams.adapter import BotFrameworkGateway
    from connectors.teams.bot import TeamsBot
    from connectors.teams.endpoint import teams_router

    if not app_id:
        _log.warning("Teams runs in emulator mode: /api/messages accepts unauthenticated requests.")
    gateway = BotFrameworkGateway(TeamsBot(assistant, settings).on_message, app_id=app_id, app_password=password,
                                  tenant_id=settings.microsoft_app_tenant_id,
                                  openid_metadata_url=settings.microsoft_openid_metadata_url)
    app.state.teams = gateway
    app.include_router(teams_router(gateway))
    return True
