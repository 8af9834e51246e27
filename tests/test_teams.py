"""Teams: Bot Framework Activity JSON posted to /api/messages on the app running under uvicorn; replies,
roster look-ups and new one-to-one chats captured through the activity's serviceUrl, pointed at a
local recorder. With an app id and password set, requests without a valid token are rejected."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from chat_servers import Call, LiveServer, Recorder
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.answer import Answer
from connectors.api.app import create_app
from connectors.runtime import get_assistant
from connectors.teams.adapter import parse_activity
from connectors.teams.bot import SENT_PRIVATELY, UNKNOWN_USER
from connectors.teams.cards import MAX_CARD_BYTES, SHOWN_ROWS
from crm_core.models import Deal, QueryLog
from crm_core.scope import actor_for
from crm_core.settings import Settings

SEED_QUESTION = "Show me all customers who haven't been contacted in 30 days with deals over $10,000"
APP_ID = "3b1f6a52-8c1d-4e0a-9d7e-2f6a1c0b9e11"
MEMBERS = {"29:manager": "manager@demo.crm", "29:rep": "rep@demo.crm", "29:admin": "admin@demo.crm",
           "29:stranger": "stranger@example.com"}

pytestmark = pytest.mark.xdist_group("teams")


def _member(user: str) -> Any:
    def respond(_call: Call) -> tuple[int, dict[str, Any]]:
        email = MEMBERS[user]
        return 200, {"id": user, "name": user, "aadObjectId": f"aad-{user}", "email": email,
                     "userPrincipalName": email, "tenantId": "tenant-1"}
    return respond


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    for user in MEMBERS:
        rec.responders[f"/members/{user}"] = _member(user)
    rec.responders["/members/29:ghost"] = lambda c: (404, {"error": {"code": "NotFound", "message": "no member"}})
    rec.responders["/v3/conversations"] = lambda c: (200, {"id": f"a:private-{uuid.uuid4().hex[:8]}"})
    yield rec
    rec.close()


@pytest.fixture(scope="module")
def live(test_settings: Settings) -> Iterator[LiveServer]:
    settings = test_settings.model_copy(update={"teams_emulator_mode": True})
    with LiveServer(create_app(settings)) as server:
        yield server


def activity(recorder: Recorder, text: str, *, user: str = "29:manager", conversation_type: str = "personal",
             conversation_id: str | None = None, value: dict[str, Any] | None = None,
             kind: str = "message") -> dict[str, Any]:
    """A message activity shaped like the ones Teams sends (Bot Framework Activity schema)."""
    conversation_id = conversation_id or (f"a:1{uuid.uuid4().hex}" if conversation_type == "personal"
                                          else f"19:{uuid.uuid4().hex}@thread.tacv2;messageid=1")
    body: dict[str, Any] = {
        "type": kind, "id": str(int(time.time() * 1000)), "timestamp": "2026-05-15T09:30:00.000Z",
        "localTimestamp": "2026-05-15T11:30:00.000+02:00", "serviceUrl": recorder.url + "/teams/",
        "channelId": "msteams", "from": {"id": user, "name": user.split(":")[1].title(), "aadObjectId": f"aad-{user}"},
        "conversation": {"id": conversation_id, "conversationType": conversation_type, "tenantId": "tenant-1",
                         "isGroup": conversation_type != "personal"},
        "recipient": {"id": "28:" + APP_ID, "name": "CRM Assistant"}, "textFormat": "plain", "locale": "en-US",
        "text": text, "channelData": {"tenant": {"id": "tenant-1"}},
    }
    if conversation_type == "channel":
        body["channelData"].update({"team": {"id": "19:team@thread.tacv2"}, "channel": {"id": "19:general"}})
    if value is not None:
        body["value"] = value
    return body


def post(live: LiveServer, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(live.url + "/api/messages", content=content,
                      headers={"Content-Type": "application/json", **(headers or {})}, timeout=20)


def replies_to(recorder: Recorder, conversation_id: str, count: int = 1) -> list[dict[str, Any]]:
    calls = recorder.wait_for("", count, where=lambda c: c.method == "POST"
                              and c.path.startswith(f"/teams/v3/conversations/{conversation_id}/activities"))
    return [c.body for c in calls]


def card_of(reply: dict[str, Any]) -> dict[str, Any]:
    attachment = reply["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    return content


def _expected(test_settings: Settings, email: str, question: str) -> Answer:
    assistant = get_assistant(test_settings)
    with Session(assistant.engine) as session:
        actor = actor_for(session, email)
    return assistant.ask(question, actor, channel="test", audit=False)


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (session.scalar(select(func.count()).select_from(Deal)) or 0,
                session.scalar(select(func.count()).select_from(QueryLog)) or 0)


def test_teams_personal_chat_answers_with_adaptive_card(live: LiveServer, recorder: Recorder,
                                                        test_settings: Settings) -> None:
    expected = _expected(test_settings, "manager@demo.crm", SEED_QUESTION)
    message = activity(recorder, SEED_QUESTION)
    assert post(live, message).status_code == 200
    reply = replies_to(recorder, message["conversation"]["id"])[0]
    assert reply["summary"] == expected.summary
    card = card_of(reply)
    assert card["version"] == "1.5" and len(json.dumps(card).encode()) <= MAX_CARD_BYTES
    assert card["body"][0]["text"] == expected.summary
    table = next(b for b in card["body"] if b["type"] == "Table")
    assert len(table["rows"]) == min(SHOWN_ROWS, expected.row_count) + 1  # header + rows
    assert table["rows"][1]["cells"][0]["items"][0]["text"] == str(expected.rows[0][0])
    assert f"Showing {SHOWN_ROWS} of {expected.row_count}" in json.dumps(card["body"])
    sql = next(b for b in card["body"] if b.get("id") == "sql")
    assert sql["isVisible"] is False and sql["items"][0]["text"].startswith("SELECT")
    toggle, *submits = card["actions"]
    assert toggle == {"type": "Action.ToggleVisibility", "title": "Show SQL", "targetElements": ["sql"]}
    assert [a["data"]["crm_followup"] for a in submits] == expected.suggestions[:4]
    assert {a["data"]["crm_conversation"] for a in submits} == {message["conversation"]["id"]}
    assert all(a["type"] == "Action.Submit" for a in submits)
    # plain-text fallback for clients without cards: the summary and the rows
    assert expected.summary in card["fallbackText"] and str(expected.rows[0][1]) in card["fallbackText"]


def test_teams_follow_up_action_submit_continues_conversation(live: LiveServer, recorder: Recorder,
                                                              test_settings: Settings) -> None:
    expected = _expected(test_settings, "rep@demo.crm", "open deals over 20k")
    first = activity(recorder, "open deals over 20k", user="29:rep")
    conversation = first["conversation"]["id"]
    post(live, first)
    submit = next(a for a in card_of(replies_to(recorder, conversation)[0])["actions"]
                  if a["title"] == "how many are there?")
    click = activity(recorder, "how many are there?", user="29:rep", conversation_id=conversation,
                     value={"crm_followup": submit["data"]["crm_followup"]})
    post(live, click)
    follow = replies_to(recorder, conversation, 2)[1]
    assert follow["summary"].startswith(f"There are {expected.row_count}")


def test_teams_channel_rows_go_to_a_private_chat(live: LiveServer, recorder: Recorder) -> None:
    message = activity(recorder, "<at>CRM Assistant</at> open deals over 20k", conversation_type="channel")
    channel = message["conversation"]["id"]
    post(live, message)
    in_channel = replies_to(recorder, channel)[0]
    assert in_channel["text"] == SENT_PRIVATELY and not in_channel.get("attachments")
    created = recorder.wait_for("/teams/v3/conversations", where=lambda c: c.method == "POST"
                                and c.body.get("members", [{}])[0].get("id") == "29:manager")[-1]
    assert created.body["isGroup"] is False and created.body["channelData"]["tenant"]["tenantId"] == "tenant-1"
    private = recorder.wait_for("", where=lambda c: c.path.startswith("/teams/v3/conversations/a:private-")
                                and c.body.get("summary", "").endswith("amount over $20,000."))[-1]
    card = card_of(private.body)
    assert any(b["type"] == "Table" for b in card["body"])
    rows = int(card["body"][0]["text"].split()[0])

    # a follow-up clicked in the private chat continues the channel question's conversation
    private_id = private.path.split("/")[4]
    submit = next(a for a in card["actions"] if a.get("title") == "how many are there?")
    click = activity(recorder, "how many are there?", conversation_id=private_id, value=submit["data"])
    post(live, click)
    counted = replies_to(recorder, private_id, 2)[-1]
    assert counted["summary"].startswith(f"There are {rows}")


def test_teams_relaxed_workspace_answers_in_channel(test_settings: Settings, recorder: Recorder) -> None:
    settings = test_settings.model_copy(update={"teams_emulator_mode": True, "chat_rows_in_shared_channels": True})
    with LiveServer(create_app(settings)) as relaxed:
        message = activity(recorder, "open deals over 20k", conversation_type="channel")
        post(relaxed, message)
        reply = replies_to(recorder, message["conversation"]["id"])[0]
        assert any(b["type"] == "Table" for b in card_of(reply)["body"])


@pytest.mark.parametrize("user", ["29:stranger", "29:ghost"], ids=["unknown-email", "not-in-roster"])
def test_teams_unknown_user_refused_politely(live: LiveServer, recorder: Recorder, engine: Engine,
                                            user: str) -> None:
    before = _counts(engine)
    message = activity(recorder, "show me all deals", user=user)
    post(live, message)
    reply = replies_to(recorder, message["conversation"]["id"])[0]
    assert reply["text"] == UNKNOWN_USER and not reply.get("attachments")
    assert _counts(engine) == before


def test_teams_identity_is_cached(live: LiveServer, recorder: Recorder) -> None:
    def lookups() -> int:
        return len(recorder.find("/members/29:admin"))

    before = lookups()
    for question in ("open deals", "how many are there?"):
        message = activity(recorder, question, user="29:admin")
        post(live, message)
        replies_to(recorder, message["conversation"]["id"])
    assert lookups() == before + (1 if before == 0 else 0)


@pytest.mark.parametrize(("body", "status", "code"), [
    (b"{not json", 400, "malformed-activity"),
    (b"[1, 2]", 400, "malformed-activity"),
    (json.dumps({"type": "message", "text": "hi"}).encode(), 400, "malformed-activity"),
    (json.dumps({"type": "message", "serviceUrl": "file:///etc/passwd", "conversation": {"id": "x"},
                 "from": {"id": "29:manager"}}).encode(), 400, "malformed-activity"),
    (b"{" + b" " * 300_000 + b"}", 413, "payload-too-large"),
], ids=["not-json", "array", "no-service-url", "bad-service-url", "huge-body"])
def test_teams_malformed_activities_are_4xx(live: LiveServer, engine: Engine, body: bytes, status: int,
                                            code: str) -> None:
    before = _counts(engine)
    response = post(live, body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert _counts(engine) == before


def test_teams_huge_message_and_other_activities(live: LiveServer, recorder: Recorder, engine: Engine) -> None:
    deals = _counts(engine)[0]
    message = activity(recorder, "show me deals " + "a" * 6000)
    assert post(live, message).status_code == 200
    assert "please ask in under" in replies_to(recorder, message["conversation"]["id"])[0]["summary"]
    update = activity(recorder, "", kind="conversationUpdate")
    assert post(live, update).status_code == 200
    time.sleep(0.3)
    assert not recorder.find("", where=lambda c: update["conversation"]["id"] in c.path)
    assert _counts(engine)[0] == deals


# ------------------------------------------------------------------------------------ authentication


@pytest.fixture(scope="module")
def issuer(recorder: Recorder) -> Iterator[dict[str, Any]]:
    """An OpenID issuer on the recorder publishing one RSA key, as the Bot Framework's does."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": "known-key", "use": "sig", "endorsements": ["msteams"]})
    recorder.responders["/botframework/openidconfiguration"] = lambda c: (200, {
        "issuer": "https://api.botframework.com", "jwks_uri": recorder.url + "/botframework/keys",
        "id_token_signing_alg_values_supported": ["RS256"]})
    recorder.responders["/botframework/keys"] = lambda c: (200, {"keys": [jwk]})
    yield {"key": key, "metadata": recorder.url + "/botframework/openidconfiguration"}


@pytest.fixture(scope="module")
def secured_app(test_settings: Settings, issuer: dict[str, Any]) -> FastAPI:
    return create_app(test_settings.model_copy(update={
        "microsoft_app_id": APP_ID, "microsoft_app_password": SecretStr("app-secret"),
        "microsoft_openid_metadata_url": issuer["metadata"],
        "teams_emulator_mode": True}))  # ignored while an app id is set: auth stays on


@pytest.fixture(scope="module")
def secured(secured_app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(secured_app) as server:
        yield server


def test_teams_auth_accepts_a_valid_token(secured_app: FastAPI, recorder: Recorder, issuer: dict[str, Any]) -> None:
    """The rejections below mean something: a token the issuer signed for this bot does authenticate."""
    message = parse_activity(activity(recorder, "open deals"))
    token = _token(issuer, service_url=recorder.url + "/teams/")
    identity = asyncio.run(secured_app.state.teams.adapter._authenticate_request(message, f"Bearer {token}"))
    assert identity.is_authenticated and identity.get_claim_value("aud") == APP_ID
    assert recorder.find("/botframework/keys")  # the key really came from the issuer's metadata


def _token(issuer: dict[str, Any], *, kid: str = "known-key", audience: str = APP_ID,
           key: Any = None, service_url: str = "http://127.0.0.1/teams/") -> str:
    now = int(time.time())
    claims = {"iss": "https://api.botframework.com", "aud": audience, "nbf": now - 10, "exp": now + 600,
              "serviceurl": service_url}
    return jwt.encode(claims, key or issuer["key"], algorithm="RS256", headers={"kid": kid})


@pytest.mark.parametrize("auth", ["none", "garbage", "basic", "unknown-key", "wrong-audience", "forged"])
def test_teams_auth_rejects_requests_without_a_valid_token(secured: LiveServer, recorder: Recorder,
                                                           issuer: dict[str, Any], engine: Engine,
                                                           auth: str) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    header = {
        "none": None, "garbage": "Bearer garbage", "basic": "Basic dXNlcjpwdw==",
        "unknown-key": f"Bearer {_token(issuer, kid='some-other-key')}",
        "wrong-audience": f"Bearer {_token(issuer, audience='not-our-bot')}",
        "forged": f"Bearer {_token(issuer, key=other_key)}",  # known kid, wrong signature
    }[auth]
    before = _counts(engine)
    message = activity(recorder, "show me all deals")
    response = post(secured, message, {"Authorization": header} if header else None)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    time.sleep(0.2)
    assert not recorder.find("", where=lambda c: message["conversation"]["id"] in c.path)
    assert _counts(engine) == before


def test_teams_not_mounted_unless_configured(test_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    for update in ({}, {"microsoft_app_id": APP_ID}):  # off by default; an app id without password stays off
        with TestClient(create_app(test_settings.model_copy(update=update))) as client:
            response = client.post("/api/messages", json={"type": "message"})
        assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"
