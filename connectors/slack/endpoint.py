"""POST /slack/events: Slack's requests checked (size, signature, shape) and handed to the bolt app.

The signature is verified here before anything else looks at the body, so a bad or stale signature is a
401 with nothing processed and a malformed but correctly signed body is a 400, both in the API's one
error shape. Bolt's sync `dispatch` runs in the thread pool so the event loop keeps accepting requests
while a listener acknowledges.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

from connectors.api.errors import error_body
from crm_core.errors import CrmError

#: Slack's own messages are far smaller; anything bigger is not from Slack.
MAX_BODY_BYTES = 1_000_000


class SlackRequestError(CrmError):
    """A request to /slack/events that is not a well-formed, correctly signed Slack request."""

    code = "invalid-slack-request"
    status = 400


def slack_router(app: App, *, signing_secret: str) -> APIRouter:
    """The route that feeds `app`; mounted by `connectors.slack.mount_slack`."""
    verifier = SignatureVerifier(signing_secret)
    router = APIRouter(tags=["slack"])

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        check_request(verifier, body, request.headers)
        response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        if response.status == 404:
            return JSONResponse(error_body("unhandled-slack-request",
                                           "This app does not handle that kind of Slack request."), 404)
        return to_starlette_response(response)

    return router


def check_request(verifier: SignatureVerifier, body: bytes, headers: Any) -> None:
    """Raise `SlackRequestError` unless `body` is a signed, parseable Slack payload."""
    if len(body) > MAX_BODY_BYTES:
        raise SlackRequestError("The request body is larger than any Slack request.", code="payload-too-large",
                                status=413)
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not timestamp.isdigit() or not verifier.is_valid(body=body, timestamp=timestamp,
                                                        signature=headers.get("x-slack-signature", "")):
        raise SlackRequestError("The Slack signature is missing, wrong or too old.", code="invalid-signature",
                                status=401)
    if not _parses(body, headers.get("content-type", "")):
        raise SlackRequestError("The Slack payload could not be read: expected JSON or a form body.",
                                code="malformed-payload")


def _parses(body: bytes, content_type: str) -> bool:
    try:
        text = body.decode("utf-8")
        if "json" in content_type:
            return isinstance(json.loads(text), dict)
        form = parse_qs(text, strict_parsing=True)
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return "command" in form or "ssl_check" in form
    except (ValueError, UnicodeDecodeError):
        return False
