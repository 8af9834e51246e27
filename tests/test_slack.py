"""Slack: requests signed exactly as Slack signs them, payloads shaped like Slack's documented examples,
sent to the app running under uvicorn; Slack's Web API (and response_url) replaced by a local recorder.
Assertions are on what would have been posted."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from chat_servers import Call, LiveServer, Recorder
from pydantic import SecretStr
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from assistant.answer import Answer
from connectors.api.app import create_app
from connectors.runtime import get_assistant
from connectors.slack.bot import UNKNOWN_USER
from connectors.slack.render import SHOWN_ROWS, check_limits, render_answer
from crm_core.models import Deal, QueryLog
from crm_core.scope import actor_for
from crm_core.settings import Settings

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SEED_QUESTION = "Show me all customers who haven't been contacted in 30 days with deals over $10,000"
SLACK_USERS = {"U_MANAGER": "manager@demo.crm", "U_REP": "rep@demo.crm", "U_ADMIN": "admin@demo.crm",
               "U_STRANGER": "stranger@example.com", "U_NOMAIL": None}

pytestmark = pytest.mark.xdist_group("slack")


def _users_info(call: Call) -> tuple[int, dict[str, Any]]:
    user = call.body.get("user", "")
    if user not in SLACK_USERS:
        return 200, {"ok": False, "error": "user_not_found"}
    email = SLACK_USERS[user]
    profile = {"real_name": user, **({"email": email} if email else {})}
    return 200, {"ok": True, "user": {"id": user, "team_id": "T0001", "deleted": False, "is_bot": False,
                                      "profile": profile}}


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    rec.responders.update({
        "/api/auth.test": lambda c: (200, {"ok": True, "team_id": "T0001", "user_id": "UBOT", "bot_id": "BBOT",
                                           "user": "crm", "team": "Example", "url": "https://example.slack.com/"}),
        "/api/users.info": _users_info,
        "/api/conversations.open": lambda c: (200, {"ok": True, "channel": {"id": "D_" + c.body.get("users", "")}}),
        "/api/files.getUploadURLExternal": lambda c: (200, {"ok": True, "file_id": "F0001",
                                                            "upload_url": rec.url + "/upload/F0001"}),
        "/api/files.completeUploadExternal": lambda c: (200, {"ok": True, "files": [{"id": "F0001"}]}),
        "/api/chat.postMessage": lambda c: (200, {"ok": True, "channel": c.body.get("channel"), "ts": "1.0"}),
        "/api/chat.postEphemeral": lambda c: (200, {"ok": True, "message_ts": "1.0"}),
    })
    yield rec
    rec.close()


def _settings(test_settings: Settings, recorder: Recorder, **extra: Any) -> Settings:
    return test_settings.model_copy(update={
        "slack_bot_token": SecretStr("xoxb-test-token"), "slack_signing_secret": SecretStr(SECRET),
        "slack_api_url": recorder.url + "/api/", **extra})


@pytest.fixture(scope="module")
def live(test_settings: Settings, recorder: Recorder) -> Iterator[LiveServer]:
    with LiveServer(create_app(_settings(test_settings, recorder))) as server:
        yield server


def sign(body: bytes, *, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}`` under the signing secret."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def slash_command(recorder: Recorder, text: str, *, user: str = "U_MANAGER", channel: str = "C2147483705",
                  hook: str | None = None) -> tuple[bytes, str]:
    """The form body of Slack's slash-command example, with our command and a recorder response_url."""
    hook = hook or f"/hooks/commands/T0001/{uuid.uuid4().hex}"
    body = urlencode({
        "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": "T0001", "team_domain": "example",
        "enterprise_id": "E0001", "enterprise_name": "Globular Construct Inc", "channel_id": channel,
        "channel_name": "test", "user_id": user, "user_name": "Steve", "command": "/crm", "text": text,
        "response_url": recorder.url + hook, "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "api_app_id": "A123456",
    }).encode()
    return body, hook


def event_callback(event: dict[str, Any], event_id: str | None = None) -> bytes:
    """An Events API envelope as in Slack's app_mention / message.im examples."""
    return json.dumps({
        "token": "ZZZZZZWSxiZZZ2yIvs3peJ", "team_id": "T0001", "api_app_id": "A123ABC456", "event": event,
        "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()), "authed_users": ["UBOT"],
    }).encode()


def block_actions(recorder: Recorder, action: dict[str, Any], *, user: str = "U_MANAGER",
                  channel: str = "C2147483705", ephemeral: bool = True) -> tuple[bytes, str]:
    """The form-encoded `payload` of Slack's block_actions example, for a click on `action`."""
    hook = f"/hooks/actions/T0001/{uuid.uuid4().hex}"
    payload = {
        "type": "block_actions", "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user, "username": "steve", "team_id": "T0001"}, "api_app_id": "A123456",
        "token": "9s8d9as89d8as9d8as989", "trigger_id": "12466734323.1395872398",
        "container": {"type": "message", "message_ts": "1548426417.840180", "channel_id": channel,
                      "is_ephemeral": ephemeral},
        "channel": {"id": channel, "name": "review-updates"}, "response_url": recorder.url + hook,
        "actions": [{**action, "block_id": "=qXel", "type": "button", "action_ts": "1548426417.840180"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode(), hook


def post(live: LiveServer, body: bytes, *, content_type: str, headers: dict[str, str] | None = None,
         signed: bool = True) -> httpx.Response:
    all_headers = {"Content-Type": content_type, **(sign(body) if signed else {}), **(headers or {})}
    return httpx.post(live.url + "/slack/events", content=body, headers=all_headers, timeout=10)


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _blocks(call: Call) -> list[dict[str, Any]]:
    blocks = call.body.get("blocks", [])
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def _button(blocks: list[dict[str, Any]], text: str) -> dict[str, Any]:
    actions = next(b for b in blocks if b["type"] == "actions")
    return next(e for e in actions["elements"] if e["text"]["text"] == text)


def _counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (session.scalar(select(func.count()).select_from(Deal)) or 0,
                session.scalar(select(func.count()).select_from(QueryLog)) or 0)


def _expected(test_settings: Settings, email: str, question: str) -> Answer:
    assistant = get_assistant(test_settings)
    with Session(assistant.engine) as session:
        actor = actor_for(session, email)
    return assistant.ask(question, actor, channel="test", audit=False)


def test_slack_url_verification_echoes_challenge(live: LiveServer) -> None:
    body = json.dumps({"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "type": "url_verification",
                       "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}).encode()
    response = post(live, body, content_type=JSON)
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize("headers", [
    {},
    sign(b"something else"),
    "wrong-secret",
    "stale",
], ids=["unsigned", "other-body", "wrong-secret", "stale"])
def test_slack_rejects_bad_signatures(live: LiveServer, recorder: Recorder, engine: Engine,
                                      headers: Any) -> None:
    body, hook = slash_command(recorder, "open deals")
    if headers == "wrong-secret":
        headers = sign(body, secret="not-the-secret")
    elif headers == "stale":
        headers = sign(body, timestamp=int(time.time()) - 6 * 60)  # Slack's window is five minutes
    before = _counts(engine)
    response = post(live, body, content_type=FORM, headers=headers, signed=False)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid-signature"
    time.sleep(0.3)
    assert recorder.find(hook) == [] and _counts(engine) == before


def test_slack_slash_command_acks_then_answers_only_the_asker(live: LiveServer, recorder: Recorder,
                                                              test_settings: Settings) -> None:
    expected = _expected(test_settings, "manager@demo.crm", SEED_QUESTION)
    assert expected.row_count > SHOWN_ROWS
    body, hook = slash_command(recorder, SEED_QUESTION, channel="C_SLASH")
    response = post(live, body, content_type=FORM)
    assert response.status_code == 200 and response.text.startswith("Looking into")

    reply = recorder.wait_for(hook)[0].body
    assert reply["response_type"] == "ephemeral"  # rows only to the asker
    blocks = reply["blocks"]
    assert check_limits(blocks) == []
    assert blocks[0]["text"]["text"] == f"*{expected.summary}*"
    table = blocks[1]["text"]["text"]
    assert table.startswith("```") and table.count("\n") == SHOWN_ROWS + 1
    assert f"Showing {SHOWN_ROWS} of {expected.row_count} rows" in json.dumps(blocks)
    assert any("SQL: ```SELECT" in e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    assert _button(blocks, "Share summary in channel")["action_id"] == "crm_share_summary"
    assert _button(blocks, "how many are there?")

    # every row follows as CSV, privately: a DM with the asker, never the channel
    recorder.wait_for("/api/conversations.open", where=lambda c: c.body.get("users") == "U_MANAGER")
    done = recorder.wait_for("/api/files.completeUploadExternal", where=lambda c: SEED_QUESTION[:20] in
                             c.body.get("initial_comment", "") or "customers" in c.body.get("initial_comment", ""))
    assert done[-1].body["channel_id"] == "D_U_MANAGER"
    csv_text = recorder.find("/upload/F0001")[-1].raw.decode()
    assert len(csv_text.strip().splitlines()) == expected.row_count + 1
    assert not [c for c in recorder.calls if c.body.get("channel") == "C_SLASH"
                and c.api_method in ("chat.postMessage", "chat.postEphemeral")]


def test_slack_follow_up_button_asks_the_follow_up(live: LiveServer, recorder: Recorder,
                                                   test_settings: Settings) -> None:
    expected = _expected(test_settings, "manager@demo.crm", "open deals over 20k")
    body, hook = slash_command(recorder, "open deals over 20k", channel="C_FOLLOW")
    post(live, body, content_type=FORM)
    button = _button(recorder.wait_for(hook)[0].body["blocks"], "how many are there?")
    click, click_hook = block_actions(recorder, {"action_id": button["action_id"], "value": button["value"],
                                                 "text": button["text"]}, channel="C_FOLLOW")
    assert post(live, click, content_type=FORM).status_code == 200
    reply = recorder.wait_for(click_hook)[0].body
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"].startswith(f"*There are {expected.row_count}")


def test_slack_share_summary_posts_summary_only(live: LiveServer, recorder: Recorder) -> None:
    body, hook = slash_command(recorder, "open deals over 20k", channel="C_SHARE")
    post(live, body, content_type=FORM)
    answer_blocks = recorder.wait_for(hook)[0].body["blocks"]
    share = _button(answer_blocks, "Share summary in channel")
    click, click_hook = block_actions(recorder, {"action_id": share["action_id"], "value": share["value"],
                                                 "text": share["text"]}, channel="C_SHARE")
    post(live, click, content_type=FORM)
    shared = recorder.wait_for(click_hook)[0].body
    assert shared["response_type"] == "in_channel"
    assert answer_blocks[0]["text"]["text"].strip("*") in shared["text"]
    assert "```" not in json.dumps(shared["blocks"])  # no table, no SQL: the summary only


def test_slack_mention_answers_in_thread_to_the_asker(live: LiveServer, recorder: Recorder) -> None:
    event = {"type": "app_mention", "user": "U_REP", "text": "<@UBOT> how many open deals do I have?",
             "ts": "1515449522.000016", "channel": "C_MENTION", "event_ts": "1515449522.000016"}
    assert post(live, event_callback(event), content_type=JSON).status_code == 200
    call = recorder.wait_for("/api/chat.postEphemeral", where=lambda c: c.body.get("channel") == "C_MENTION")[0]
    assert call.body["user"] == "U_REP" and call.body["thread_ts"] == "1515449522.000016"
    assert "open deals" in call.body["text"]
    assert not [c for c in recorder.find("/api/chat.postMessage") if c.body.get("channel") == "C_MENTION"]


def test_slack_direct_message_gets_the_whole_answer(live: LiveServer, recorder: Recorder) -> None:
    event = {"type": "message", "channel": "D_DM_REP", "user": "U_REP", "text": "open deals over 20k",
             "ts": "1355517523.000005", "event_ts": "1355517523.000005", "channel_type": "im"}
    post(live, event_callback(event), content_type=JSON)
    call = recorder.wait_for("/api/chat.postMessage", where=lambda c: c.body.get("channel") == "D_DM_REP")[0]
    blocks = call.body["blocks"]
    assert blocks[1]["text"]["text"].startswith("```")  # the table, in the private DM
    assert "Share summary in channel" not in json.dumps(blocks)


def test_slack_retried_event_is_not_answered_twice(live: LiveServer, recorder: Recorder) -> None:
    event = {"type": "app_mention", "user": "U_MANAGER", "text": "<@UBOT> open deals over 20k",
             "ts": "1515449600.000100", "channel": "C_RETRY", "event_ts": "1515449600.000100"}
    body = event_callback(event, event_id="Ev0RETRY0001")
    assert post(live, body, content_type=JSON).status_code == 200
    recorder.wait_for("/api/chat.postEphemeral", where=lambda c: c.body.get("channel") == "C_RETRY")
    for attempt in ("1", "2"):
        retry = post(live, body, content_type=JSON,
                     headers={"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_timeout"})
        assert retry.status_code == 200
    time.sleep(1.0)
    answers = [c for c in recorder.find("/api/chat.postEphemeral") if c.body.get("channel") == "C_RETRY"]
    assert len(answers) == 1


@pytest.mark.parametrize("user", ["U_STRANGER", "U_NOMAIL", "U_DELETED_OR_UNKNOWN"])
def test_slack_unknown_user_refused_politely(live: LiveServer, recorder: Recorder, engine: Engine,
                                             user: str) -> None:
    before = _counts(engine)
    body, hook = slash_command(recorder, "show me all deals", user=user)
    post(live, body, content_type=FORM)
    reply = recorder.wait_for(hook)[0].body
    assert reply["text"] == UNKNOWN_USER and reply["response_type"] == "ephemeral"
    assert "```" not in json.dumps(reply["blocks"])
    assert _counts(engine) == before  # nothing asked, nothing logged, nothing written


def test_slack_identity_is_cached(live: LiveServer, recorder: Recorder) -> None:
    lookups = len([c for c in recorder.find("/api/users.info") if c.body.get("user") == "U_ADMIN"])
    hooks = []
    for question in ("open deals", "how many are there?"):
        body, hook = slash_command(recorder, question, user="U_ADMIN", channel="C_CACHE")
        post(live, body, content_type=FORM)
        recorder.wait_for(hook)
        hooks.append(hook)
    assert len([c for c in recorder.find("/api/users.info") if c.body.get("user") == "U_ADMIN"]) == lookups + 1


@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (b"{not json", JSON, 400, "malformed-payload"),
    (b"[1, 2, 3]", JSON, 400, "malformed-payload"),
    (b"payload=%7Bbroken", FORM, 400, "malformed-payload"),
    (b"token=x&team_id=T0001&text=hello", FORM, 400, "malformed-payload"),
    (b"x" * 1_000_001, FORM, 413, "payload-too-large"),
    (json.dumps({"type": "event_callback", "event_id": "EvUNHANDLED",
                 "event": {"type": "reaction_added"}}).encode(), JSON, 404, "unhandled-slack-request"),
], ids=["bad-json", "json-array", "bad-payload", "no-command", "huge-body", "unhandled-event"])
def test_slack_malformed_payloads_are_4xx(live: LiveServer, engine: Engine, body: bytes, content_type: str,
                                          status: int, code: str) -> None:
    before = _counts(engine)
    response = post(live, body, content_type=content_type)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert _counts(engine) == before


def test_slack_huge_message_gets_a_clear_reply(live: LiveServer, recorder: Recorder, engine: Engine) -> None:
    deals = _counts(engine)[0]
    body, hook = slash_command(recorder, "show me deals " + "a" * 6000)
    assert post(live, body, content_type=FORM).status_code == 200
    reply = recorder.wait_for(hook)[0].body
    assert "please ask in under" in reply["text"]
    assert _counts(engine)[0] == deals


def test_slack_relaxed_workspace_posts_rows_in_channel(test_settings: Settings, recorder: Recorder) -> None:
    settings = _settings(test_settings, recorder, chat_rows_in_shared_channels=True)
    with LiveServer(create_app(settings)) as relaxed:
        body, hook = slash_command(recorder, SEED_QUESTION, channel="C_RELAXED")
        post(relaxed, body, content_type=FORM)
        reply = recorder.wait_for(hook)[0].body
        assert reply["response_type"] == "in_channel"
        assert reply["blocks"][1]["text"]["text"].startswith("```")
        assert "Share summary in channel" not in json.dumps(reply["blocks"])
        recorder.wait_for("/api/files.completeUploadExternal", where=lambda c: c.body.get("channel_id") == "C_RELAXED")


def test_slack_render_stays_within_limits_for_wide_answers(test_settings: Settings) -> None:
    answer = _expected(test_settings, "admin@demo.crm", "all contacts")
    answer.summary = "S" * 5000
    answer.sql = "SELECT " + ", ".join(f"column_{i}" for i in range(2000))
    answer.suggestions = ["q" * 300] * 30
    rendering = render_answer(answer, conversation_key="k" * 500, rows_visible=True, offer_share=True)
    assert check_limits(rendering.blocks) == []
    assert len(rendering.text) <= 3000


def test_slack_shows_semantic_filter_sql_without_the_embedding_numbers(test_settings: Settings) -> None:
    answer = _expected(test_settings, "admin@demo.crm", "all contacts")
    vector = "[" + ",".join(f"{0.01 * (i % 7) - 0.03:.5f}" for i in range(384)) + "]"
    answer.sql = (f"SELECT 1 FROM notes WHERE EXISTS(SELECT 1 FROM search_topic_vectors AS t WHERE "
                  f"(t.topic_embedding OPERATOR(<=>) CAST('{vector}' AS VECTOR(384))) <= 0.3) ORDER BY notes.id")
    text = json.dumps(render_answer(answer, conversation_key="k", rows_visible=True, offer_share=False).blocks,
                      ensure_ascii=False)
    assert "CAST('[-0.03000,-0.02000,-0.01000,…]' AS VECTOR(384))" in text
    assert "ORDER BY notes.id" in text  # the whole statement fits once the numbers are cut
    assert len(answer.sql) > 3000  # the answer keeps the SQL that runs (the widget's editor, API clients)


def test_slack_not_mounted_without_secrets(test_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    with TestClient(create_app(test_settings)) as client:
        response = client.post("/slack/events", content=b"{}", headers={"Content-Type": JSON})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"
