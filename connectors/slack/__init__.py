"""Slack connector (slack-bolt): /slack/events in the FastAPI app, or Socket Mode without a public URL."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from assistant.service import Assistant
from crm_core.settings import Settings

_log = logging.getLogger(__name__)


def mount_slack(app: FastAPI, settings: Settings, assistant: Assistant) -> bool:
    """Mount Slack at /slack/events when the bot token and signing secret are set; say so when not."""
    if settings.slack_bot_token is None or settings.slack_signing_secret is None:
        _log.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to mount /slack/events.")
        return False
    from connectors.slack.bot import SlackBot
    from connectors.slack.endpoint import slack_router

    secret = settings.slack_signing_secret.get_secret_value()
    bolt = SlackBot(assistant, settings).build_app(
        token=settings.slack_bot_token.get_secret_value(), signing_secret=secret, api_url=settings.slack_api_url)
    app.state.slack = bolt
    app.include_router(slack_router(bolt, signing_secret=secret))
    return True
