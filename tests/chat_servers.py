"""Local servers for the channel tests: the real app under uvicorn, and a recorder standing in for Slack's
Web API and the Bot Framework connector (it records every call and answers like the real service)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlparse

import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The ASGI app served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Call:
    """One request the recorder received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes

    @property
    def api_method(self) -> str:
        """Slack Web API method name (``chat.postMessage``) or the plain path."""
        return self.path.rsplit("/", 1)[-1] if "/api/" in self.path else self.path


Responder = Callable[[Call], tuple[int, dict[str, Any]]]


@dataclass
class Recorder:
    """A threaded HTTP server recording calls; `responders` map a path suffix to a canned reply."""

    responders: dict[str, Responder] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlparse(self.path)
                body = {k: v[0] for k, v in parse_qs(url.query).items()}
                body.update(_parse(raw, self.headers.get("Content-Type", "")))
                call = Call(self.command, unquote(url.path), {k.lower(): v for k, v in self.headers.items()}, body, raw)
                with recorder.lock:
                    recorder.calls.append(call)
                status, reply = recorder.reply(call)
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reply(self, call: Call) -> tuple[int, dict[str, Any]]:
        for suffix, responder in self.responders.items():
            if call.path.endswith(suffix):
                return responder(call)
        return 200, {"ok": True}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()

    def find(self, suffix: str, where: Callable[[Call], bool] | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path.endswith(suffix) and (where is None or where(c))]

    def wait_for(self, suffix: str, count: int = 1, timeout_s: float = 10.0,
                 where: Callable[[Call], bool] | None = None) -> list[Call]:
        """Calls to `suffix` (matching `where`) once at least `count` arrived (answers follow the ack)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.find(suffix, where)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} call(s) to {suffix}; got {[c.path for c in self.calls]}")


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        try:
            parsed = json.loads(raw)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {"_": parsed}
    if "x-www-form-urlencoded" in content_type:
        return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
    return {}
