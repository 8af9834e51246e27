"""Run the Slack bot over Socket Mode, for installs without a public URL: ``python -m connectors.slack.socket_mode``.

Needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (an app-level ``xapp-`` token with ``connections:write``);
the signing secret is not used, since Slack authenticates the WebSocket itself. The same listeners,
identity mapping and privacy rules as /slack/events apply.
"""

from __future__ import annotations

import logging
import sys

from connectors.runtime import get_assistant
from connectors.slack.bot import SlackBot
from crm_core.settings import get_settings


def main() -> int:
    """Connect and serve until interrupted; exit 2 naming the missing variable when not configured."""
    settings = get_settings()
    if settings.slack_bot_token is None or settings.slack_app_token is None:
        print("Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN.", file=sys.stderr)
        return 2
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    logging.basicConfig(level=logging.INFO)
    app = SlackBot(get_assistant(settings), settings).build_app(
        token=settings.slack_bot_token.get_secret_value(), signing_secret="socket-mode-unused",
        api_url=settings.slack_api_url)
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()  # type: ignore[no-untyped-call]
    return 0


if __name__ == "__main__":
    sys.exit(main())
