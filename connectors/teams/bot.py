"""The Teams bot: a message (or a clicked follow-up) in, an Adaptive Card answer out, as the sender.

Rows never leak into shared spaces: in a channel or group chat the card goes to a one-to-one chat with
the asker and the shared conversation only hears that it was sent there (no summary, no rows), unless
the workspace setting `chat_rows_in_shared_channels` allows answering in place.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool

from assistant.service import Assistant
from connectors.teams.adapter import OutgoingReply, TeamsTurn
from connectors.teams.cards import CONVERSATION_KEY, FOLLOW_UP_KEY, answer_card
from connectors.teams.identity import TeamsIdentity
from crm_core.settings import Settings

CHANNEL = "teams"
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
UNKNOWN_USER = ("Sorry, I can't match your Teams account to a CRM user (I look you up by your work e-mail), "
                "so I can't answer as you. Ask your CRM admin to add that e-mail.")
SENT_PRIVATELY = "I've sent you the answer in a private chat, so its rows stay between us."


class TeamsBot:
    """Answers Teams messages through the shared `Assistant`."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.identity = TeamsIdentity(assistant.engine)
        self.rows_in_shared_channels = settings.chat_rows_in_shared_channels

    async def on_message(self, turn: TeamsTurn) -> None:
        message = turn.message
        data = message.value or {}
        follow_up = data.get(FOLLOW_UP_KEY)
        text = str(follow_up) if follow_up else _MENTION.sub("", message.text).strip()
        text = text or "what can you do?"
        actor = await self.identity.actor_for(message, turn.sender_emails)
        if actor is None:
            await turn.reply(OutgoingReply(text=UNKNOWN_USER))
            return
        # A follow-up names its conversation (it may be clicked in the private chat of a channel question);
        # the conversation store only continues conversations that belong to this user.
        key = str(data.get(CONVERSATION_KEY) or "") if follow_up else ""
        key = key or (message.conversation_id if message.is_personal
                      else f"{message.conversation_id}:{message.user_id}")
        answer = await run_in_threadpool(self.assistant.ask, text, actor, channel=CHANNEL, conversation_id=key)
        reply = OutgoingReply(text=answer.summary, card=answer_card(answer, conversation_key=key))
        if message.is_personal or self.rows_in_shared_channels:
            await turn.reply(reply)
            return
        await turn.reply_privately(reply)
        await turn.reply(OutgoingReply(text=SENT_PRIVATELY))
