"""POST /api/messages: the Bot Framework endpoint in our FastAPI app (no second web server)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from connectors.teams.adapter import BotFrameworkGateway, TeamsActivityError

#: Bot Framework activities are far smaller (Teams caps messages near 28 KB).
MAX_BODY_BYTES = 256_000


def teams_router(gateway: BotFrameworkGateway) -> APIRouter:
    router = APIRouter(tags=["teams"])

    @router.post("/api/messages", include_in_schema=False)
    async def messages(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise TeamsActivityError("The activity is larger than any Bot Framework message.",
                                     code="payload-too-large", status=413)
        try:
            activity = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TeamsActivityError("The request body is not JSON.") from exc
        status = await gateway.process(activity, request.headers.get("authorization", ""))
        return Response(status_code=status)

    return router
