"""Where an answer goes in Slack, so that rows never leak into shared spaces.

- A direct message with the bot is private: the whole answer is posted there.
- Anywhere else (channels, group DMs, slash commands) the rows go only to the asker — an ephemeral
  message — with a "Share summary in channel" button; the channel sees at most that summary, and
  only when the asker shares it. The workspace setting `chat_rows_in_shared_channels` relaxes this.
- When the table shows only the first rows, every row follows as a CSV file uploaded where the rows
  may go: the private DM (opened with `conversations.open`), or the channel when the policy allows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from assistant.answer import Answer
from connectors.slack.render import Rendering, has_table, render_answer, rows_csv, shown_rows

_log = logging.getLogger(__name__)

Via = Literal["response_url", "ephemeral", "message"]


@dataclass(frozen=True)
class Place:
    """Where a message came from and how to answer it.

    `via`: ``response_url`` (slash commands and button clicks; works in channels the bot is not in),
    ``ephemeral`` (an @-mention in a channel, answered in its thread), ``message`` (the DM with the bot).
    """

    team_id: str
    channel_id: str
    user_id: str
    via: Via
    is_private: bool = False
    thread_ts: str | None = None
    response_url: str | None = None


def publish_answer(client: WebClient, place: Place, answer: Answer, *, conversation_key: str,
                   rows_in_shared_channels: bool) -> None:
    """Post `answer` at `place` (and the CSV of all rows when the table shows only part of them)."""
    rows_public = place.is_private or rows_in_shared_channels
    needs_csv = has_table(answer) and answer.row_count > shown_rows(answer)
    csv_note = None
    if needs_csv:
        csv_note = ("The full table is in the CSV file below." if rows_public
                    else "The full table is in the CSV file I sent you in a direct message.")
    rendering = render_answer(answer, conversation_key=conversation_key, rows_visible=True,
                              offer_share=not rows_public, csv_note=csv_note)
    post(client, place, rendering, public=rows_public)
    if needs_csv:
        _upload_csv(client, place, answer, public=rows_public)


def post(client: WebClient, place: Place, rendering: Rendering, *, public: bool) -> None:
    """Post one message: in the open only when `public`, otherwise visible to the asker alone."""
    try:
        if place.via == "response_url" and place.response_url:
            WebhookClient(place.response_url).send(
                text=rendering.text, blocks=rendering.blocks, replace_original=False,
                response_type="in_channel" if public else "ephemeral")
        elif place.via == "message" or public:
            client.chat_postMessage(channel=place.channel_id, text=rendering.text, blocks=rendering.blocks,
                                    thread_ts=place.thread_ts)
        else:
            client.chat_postEphemeral(channel=place.channel_id, user=place.user_id, text=rendering.text,
                                      blocks=rendering.blocks, thread_ts=place.thread_ts)
    except SlackApiError as exc:
        _log.warning("could not post the answer to %s: %s", place.channel_id, exc.response.get("error"))


def _upload_csv(client: WebClient, place: Place, answer: Answer, *, public: bool) -> None:
    try:
        if public:
            channel, thread_ts = place.channel_id, place.thread_ts
        else:
            channel = client.conversations_open(users=place.user_id)["channel"]["id"]
            thread_ts = None
        client.files_upload_v2(
            channel=channel, thread_ts=thread_ts, content=rows_csv(answer), filename="crm-answer.csv",
            title=f"All {answer.row_count:,} rows", initial_comment=f"All {answer.row_count:,} rows of: {answer.summary}"[:3000])
    except SlackApiError as exc:
        _log.warning("could not upload the CSV: %s", exc.response.get("error"))
