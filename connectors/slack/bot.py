"""The Slack bot: a bolt `App` whose listeners acknowledge at once and answer afterwards (lazy listeners).

Handled: the ``/crm`` slash command, ``app_mention`` in channels (answered in the thread), direct
messages, follow-up buttons and "Share summary in channel". Slack resends a request it did not see
acknowledged within 3 seconds; acknowledging first and answering in a lazy listener keeps slow queries
from causing retries, and `DeliveryClaims` drops the retries that happen anyway.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from assistant.service import Assistant
from connectors.cells import shorten
from connectors.slack.dedupe import DeliveryClaims
from connectors.slack.delivery import Place, post, publish_answer
from connectors.slack.identity import SlackIdentity
from connectors.slack.render import SHARE_ACTION, escape, render_notice
from crm_core.settings import Settings

_log = logging.getLogger(__name__)

COMMAND = "/crm"
CHANNEL = "slack"
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(\|[^>]*)?>")
UNKNOWN_USER = ("Sorry, I can't match your Slack account to a CRM user (I look you up by the e-mail on "
                "your Slack profile), so I can't answer as you. Ask your CRM admin to add that e-mail.")


class SlackBot:
    """Answers Slack messages through the shared `Assistant`, as the CRM user behind each Slack user."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.rows_in_shared_channels = settings.chat_rows_in_shared_channels
        self.identity = SlackIdentity(assistant.engine)
        self.claims = DeliveryClaims(assistant.conversations)

    def build_app(self, *, token: str, signing_secret: str, api_url: str) -> App:
        """A bolt app on the given Web API base URL, with our listeners registered."""
        app = App(
            client=WebClient(token=token, base_url=api_url if api_url.endswith("/") else api_url + "/"),
            signing_secret=signing_secret,
            token_verification_enabled=False,  # no Web API call at start-up; auth.test runs on first use
            process_before_response=False,
            listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="slack-listener"),
            name="crm-assistant",
        )
        app.use(self._skip_retried_deliveries)
        app.command(COMMAND)(ack=self._ack_command, lazy=[self.answer_command])
        app.event("app_mention")(ack=_ack, lazy=[self.answer_mention])
        app.event("message")(ack=_ack, lazy=[self.answer_direct_message])
        app.action(re.compile(r"^crm_followup_\d+$"))(ack=_ack, lazy=[self.answer_follow_up])
        app.action(SHARE_ACTION)(ack=_ack, lazy=[self.share_summary])
        return app

    # ------------------------------------------------------------------ acknowledgement (fast path)

    def _skip_retried_deliveries(self, body: dict[str, Any], request: BoltRequest,
                                 next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not self.claims.claim(event_id):
            retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
            _log.info("dropping delivery %s of event %s: already answered", retry, event_id)
            return BoltResponse(status=200, body="")
        return next()

    @staticmethod
    def _ack_command(ack: Callable[..., Any], command: dict[str, Any]) -> None:
        text = (command.get("text") or "").strip()
        ack(text=f"Looking into “{shorten(text, 200)}”…" if text else "One moment…")

    # ------------------------------------------------------------------ answers (lazy, after the ack)

    def answer_command(self, command: dict[str, Any], client: WebClient) -> None:
        place = Place(team_id=command.get("team_id", ""), channel_id=command.get("channel_id", ""),
                      user_id=command.get("user_id", ""), via="response_url",
                      response_url=command.get("response_url"))
        text = (command.get("text") or "").strip() or "what can you do?"
        self._answer(client, place, text, key=f"{place.team_id}:{place.channel_id}:{place.user_id}")

    def answer_mention(self, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        thread = event.get("thread_ts") or event.get("ts")
        place = Place(team_id=body.get("team_id", ""), channel_id=event.get("channel", ""),
                      user_id=event.get("user", ""), via="ephemeral", thread_ts=thread)
        text = _MENTION.sub("", event.get("text") or "").strip() or "what can you do?"
        self._answer(client, place, text, key=f"{place.team_id}:{place.channel_id}:{thread}:{place.user_id}")

    def answer_direct_message(self, event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # only people's messages in the DM with the bot; channel chatter is not for us
        thread = event.get("thread_ts")
        place = Place(team_id=body.get("team_id", ""), channel_id=event.get("channel", ""),
                      user_id=event.get("user", ""), via="message", is_private=True, thread_ts=thread)
        text = (event.get("text") or "").strip() or "what can you do?"
        self._answer(client, place, text, key=f"{place.team_id}:{place.channel_id}:{thread or 'dm'}:{place.user_id}")

    def answer_follow_up(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        try:
            value = json.loads(action.get("value") or "{}")
            question, key = str(value["q"]), str(value["c"])
        except (ValueError, KeyError, TypeError):
            _log.warning("ignoring a follow-up button with a malformed value")
            return
        self._answer(client, _action_place(body), question, key=key)

    def share_summary(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Post the asker's summary — never rows — for the channel, at the asker's request."""
        try:
            summary = str(json.loads(action.get("value") or "{}")["s"])
        except (ValueError, KeyError, TypeError):
            return
        place = _action_place(body)
        text = f"<@{place.user_id}> shared an answer from the CRM assistant: {escape(shorten(summary, 1500))}"
        post(client, place, render_notice(text), public=True)

    def _answer(self, client: WebClient, place: Place, text: str, *, key: str) -> None:
        actor = self.identity.actor_for(client, place.team_id, place.user_id)
        if actor is None:
            post(client, place, render_notice(UNKNOWN_USER), public=place.is_private)
            return
        answer = self.assistant.ask(text, actor, channel=CHANNEL, conversation_id=key)
        publish_answer(client, place, answer, conversation_key=key,
                       rows_in_shared_channels=self.rows_in_shared_channels)


def _ack(ack: Callable[..., Any]) -> None:
    ack()


def _action_place(body: dict[str, Any]) -> Place:
    """A button click is answered through its response_url, privately unless it sits in the bot's DM."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id", "")
    in_bot_dm = channel.startswith("D") and not container.get("is_ephemeral")
    return Place(team_id=(body.get("team") or {}).get("id", ""), channel_id=channel,
                 user_id=(body.get("user") or {}).get("id", ""), via="response_url", is_private=in_bot_dm,
                 thread_ts=container.get("thread_ts"), response_url=body.get("response_url"))
