"""A scripted stand-in for an OpenAI-compatible chat model: `POST /v1/chat/completions` over real HTTP.

It follows the chat-completions wire format (the reply shape, error bodies, status codes), answers
with scripted replies in order — or from a responder function — and records every request it
received, so tests assert on exactly what our side sent. Served by uvicorn on 127.0.0.1 in a
background thread; the benchmarks use it too.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Reply:
    """One scripted answer: the assistant's text, or an HTTP error status; optionally after a delay."""

    content: str = ""
    status: int = 200
    delay_s: float = 0.0


@dataclass
class Received:
    """One request as the server got it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def last_user_text(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return _text(users[-1]["content"]) if users else ""


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def sql_reply(sql: str) -> Reply:
    """A reply holding one query the way models usually write it: a sentence and a fenced block."""
    return Reply(f"Here is the query:\n```sql\n{sql}\n```")


@dataclass
class ScriptedChatServer:
    """The stand-in server. Script replies with `script()`, or set `responder` to compute them."""

    model: str = "stub-model"
    responder: Callable[[Received], Reply] | None = None
    received: list[Received] = field(default_factory=list)
    _queue: deque[Reply] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off",
                                interface="asgi3")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    # -- scripting ---------------------------------------------------------------------------------

    def script(self, *replies: Reply | str) -> None:
        """Queue replies (strings are plain assistant text) and forget earlier requests and replies."""
        with self._lock:
            self._queue.clear()
            self._queue.extend(Reply(r) if isinstance(r, str) else r for r in replies)
            self.received.clear()
            self.responder = None

    def bodies(self) -> list[bytes]:
        with self._lock:
            return [r.raw for r in self.received]

    # -- lifecycle ---------------------------------------------------------------------------------

    def __enter__(self) -> ScriptedChatServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the scripted chat server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    # -- the ASGI app ------------------------------------------------------------------------------

    async def app(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        if scope["method"] != "POST" or not scope["path"].endswith("/chat/completions"):
            await _respond(send, 404, {"error": {"message": "Not found", "type": "invalid_request_error"}})
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request = Received(path=scope["path"], headers=headers, body=json.loads(raw or b"{}"), raw=raw)
        with self._lock:
            self.received.append(request)
            reply = self.responder(request) if self.responder else (
                self._queue.popleft() if self._queue else Reply("no scripted reply left", status=500))
            number = next(self._ids)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.status != 200:
            await _respond(send, reply.status, {"error": {
                "message": reply.content or "scripted failure", "type": "server_error", "code": None}})
            return
        prompt_chars = sum(len(_text(m.get("content", ""))) for m in request.messages)
        await _respond(send, 200, {
            "id": f"chatcmpl-stub-{number}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.body.get("model", self.model),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_chars // 4, "completion_tokens": len(reply.content) // 4,
                      "total_tokens": (prompt_chars + len(reply.content)) // 4},
        })


async def _respond(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
