"""Our one seam to the Bot Framework SDK: everything that imports botbuilder lives in this module.

The rest of the Teams connector sees plain data — `IncomingMessage` in, `OutgoingReply` out — and a
`TeamsTurn` with four verbs (reply, reply privately, look up the sender's e-mails, which conversation).
Microsoft archived the Python Bot Framework SDK in favour of the Microsoft 365 Agents SDK
(``microsoft-agents-*``); moving means re-implementing this module on that SDK's adapter and turn
context, while the bot logic, cards, identity mapping and tests stay as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import requests
from botbuilder.core import BotFrameworkAdapter, BotFrameworkAdapterSettings, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, Attachment, ConversationParameters

from crm_core.errors import AuthError, CrmError

_log = logging.getLogger(__name__)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


class TeamsActivityError(CrmError):
    """The request body is not a Bot Framework activity we can read."""

    code = "malformed-activity"
    status = 400


class TeamsAuthUnavailableError(CrmError):
    """The Bot Framework's signing keys could not be fetched, so no token can be verified now."""

    code = "auth-unavailable"
    status = 503


@dataclass(frozen=True)
class IncomingMessage:
    """A message activity, reduced to what the bot needs."""

    text: str
    value: dict[str, Any] | None
    user_id: str
    user_name: str
    aad_object_id: str | None
    conversation_id: str
    conversation_type: str  # personal, channel or groupChat
    tenant_id: str | None
    channel_id: str  # msteams, or emulator

    @property
    def is_personal(self) -> bool:
        return self.conversation_type in ("", "personal")


@dataclass(frozen=True)
class OutgoingReply:
    """What to send: an Adaptive Card (when given) with plain `text` as notification and fallback."""

    text: str
    card: dict[str, Any] | None = None


class TeamsTurn:
    """One incoming activity and the ways to answer it."""

    def __init__(self, context: TurnContext, adapter: BotFrameworkAdapter) -> None:
        self._context = context
        self._adapter = adapter
        self.message = _incoming(context.activity)

    async def reply(self, reply: OutgoingReply) -> None:
        """Answer in the conversation the message came from."""
        await self._context.send_activity(_activity(reply))

    async def reply_privately(self, reply: OutgoingReply) -> None:
        """Answer in a one-to-one chat with the sender (created if needed), whatever the message came from."""
        incoming = self._context.activity
        reference = TurnContext.get_conversation_reference(incoming)
        parameters = ConversationParameters(
            is_group=False, bot=incoming.recipient, members=[incoming.from_property],
            tenant_id=incoming.conversation.tenant_id if incoming.conversation else None)

        async def send(private: TurnContext) -> None:
            await private.send_activity(_activity(reply))

        await self._adapter.create_conversation(reference, send, parameters)

    async def sender_emails(self) -> list[str]:
        """The sender's e-mail and user principal name from the Teams roster (empty when unavailable)."""
        try:
            member = await TeamsInfo.get_member(self._context, self._context.activity.from_property.id)
        except Exception as exc:  # noqa: BLE001 — roster not reachable (emulator, removed member): no e-mail, no mapping
            _log.info("Teams roster lookup failed: %s", exc)
            return []
        return [e for e in (getattr(member, "email", None), getattr(member, "user_principal_name", None)) if e]


TurnHandler = Callable[[TeamsTurn], Awaitable[None]]


class BotFrameworkGateway:
    """Authenticates Bot Framework requests and runs `handler` for each message activity.

    With an app id and password, every request must carry a valid Bot Framework JWT; without them
    (emulator mode, allowed only when explicitly configured) requests are not authenticated.
    """

    def __init__(self, handler: TurnHandler, *, app_id: str | None, app_password: str | None,
                 tenant_id: str | None = None, openid_metadata_url: str | None = None) -> None:
        self.handler = handler
        # botbuilder applies a custom OpenID metadata URL process-wide (ChannelValidation class state).
        self.adapter = BotFrameworkAdapter(BotFrameworkAdapterSettings(
            app_id=app_id or "", app_password=app_password or "", channel_auth_tenant=tenant_id,
            open_id_metadata=openid_metadata_url))
        self.adapter.on_turn_error = self._on_error

    async def process(self, body: Any, auth_header: str) -> int:
        """Authenticate, then run one activity; returns the HTTP status for the channel.

        Any token that does not verify — missing, malformed, wrong key, issuer or audience — is the
        same 401 (`AuthError`); failing to fetch the issuer's keys is a 503, so the channel retries.
        """
        activity = parse_activity(body)
        try:
            # botbuilder's documented override point for authentication; nothing runs before it passes
            identity = await self.adapter._authenticate_request(activity, auth_header or "")
        except requests.RequestException as exc:
            _log.warning("could not fetch the Bot Framework signing keys: %s", exc)
            raise TeamsAuthUnavailableError("The bot cannot verify tokens right now; try again shortly.") from exc
        except Exception as exc:
            _log.info("rejected a Bot Framework request: %s", exc)
            raise AuthError("The request does not carry a valid Bot Framework token.") from exc
        await self.adapter.process_activity_with_identity(activity, identity, self._logic)
        return 200

    async def _logic(self, context: TurnContext) -> None:
        if context.activity.type == ActivityTypes.message:
            await self.handler(TeamsTurn(context, self.adapter))

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        _log.exception("Teams turn failed", exc_info=error)
        await context.send_activity("Sorry, something went wrong on our side. Please try again.")


def parse_activity(body: Any) -> Activity:
    """A Bot Framework `Activity` from request JSON, or `TeamsActivityError` naming what is missing."""
    if not isinstance(body, dict):
        raise TeamsActivityError("Expected a Bot Framework activity (a JSON object).")
    missing = [k for k in ("type", "serviceUrl", "conversation", "from") if not body.get(k)]
    if missing:
        raise TeamsActivityError(f"The activity has no {', '.join(missing)}.")
    if not isinstance(body["conversation"], dict) or not isinstance(body["from"], dict) \
            or not str(body["serviceUrl"]).startswith(("http://", "https://")):
        raise TeamsActivityError("The activity's conversation, from or serviceUrl is malformed.")
    try:
        return Activity().deserialize(body)
    except Exception as exc:  # msrest raises its own DeserializationError family
        raise TeamsActivityError("The activity could not be read.") from exc


def _incoming(activity: Activity) -> IncomingMessage:
    conversation = activity.conversation
    sender = activity.from_property
    value = activity.value if isinstance(activity.value, dict) else None
    return IncomingMessage(
        text=activity.text or "", value=value, user_id=sender.id or "", user_name=sender.name or "",
        aad_object_id=sender.aad_object_id, conversation_id=conversation.id or "",
        conversation_type=conversation.conversation_type or "", tenant_id=conversation.tenant_id,
        channel_id=activity.channel_id or "")


def _activity(reply: OutgoingReply) -> Activity:
    if reply.card is None:
        return Activity(type=ActivityTypes.message, text=reply.text)
    return Activity(type=ActivityTypes.message, summary=reply.text,
                    attachments=[Attachment(content_type=ADAPTIVE_CARD, content=reply.card)])
