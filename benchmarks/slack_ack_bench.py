"""Slack acknowledgement latency under bursts of 10 concurrent /crm slash commands (target: p95 ≤ 300 ms).

    python benchmarks/slack_ack_bench.py [--bursts 30] [--concurrency 10] [--report OUT.json]

The app runs under uvicorn in its own process on small demo data (seed 7, today 2026-05-15) with
Slack configured; Slack's Web API and the response_url are a local recorder. Each request is signed
as Slack signs it. "Ack" is the HTTP round trip of the slash command (what Slack times against its
3-second limit); "answer" is the time until the answer reached the response_url.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from chat_bench_support import prepared_database_url, served_app

from evals.stats import percentile

SECRET = "bench-signing-secret"
QUESTIONS = [
    "Show me all customers who haven't been contacted in 30 days with deals over $10,000",
    "pipeline value by stage",
    "open deals over 50k",
    "my overdue tasks",
    "win rate by month",
]
USERS = {"U_ADMIN": "admin@demo.crm", "U_MANAGER": "manager@demo.crm", "U_REP": "rep@demo.crm"}


class SlackStandIn:
    """Answers the Web API calls the bot makes and timestamps every response_url post."""

    def __init__(self) -> None:
        self.answered: dict[str, float] = {}
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _reply(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                if url.path.startswith("/hooks/"):
                    stand_in.answered[url.path] = time.perf_counter()
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                body: dict[str, Any] = {"ok": True}
                if url.path.endswith("auth.test"):
                    body.update(team_id="T1", user_id="UBOT", bot_id="BBOT")
                elif url.path.endswith("users.info"):
                    user = query.get("user", "")
                    body["user"] = {"id": user, "profile": {"email": USERS.get(user, "nobody@example.com")}}
                elif url.path.endswith("conversations.open"):
                    body["channel"] = {"id": "D1"}
                elif url.path.endswith("files.getUploadURLExternal"):
                    body.update(file_id="F1", upload_url=stand_in.url + "/upload/F1")
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _reply

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def signed_command(stand_in: SlackStandIn, question: str, user: str) -> tuple[bytes, dict[str, str], str]:
    hook = f"/hooks/commands/T1/{uuid.uuid4().hex}"
    body = urlencode({"token": "x", "team_id": "T1", "team_domain": "bench", "channel_id": "C1",
                      "channel_name": "sales", "user_id": user, "user_name": user, "command": "/crm",
                      "text": question, "response_url": stand_in.url + hook, "trigger_id": "1.2.3",
                      "api_app_id": "A1"}).encode()
    ts = str(int(time.time()))
    signature = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": signature}
    return body, headers, hook


async def burst(client: httpx.AsyncClient, base: str, stand_in: SlackStandIn, size: int, offset: int
                ) -> list[tuple[float, float, str]]:
    async def one(i: int) -> tuple[float, float, str]:
        user = list(USERS)[(offset + i) % len(USERS)]
        body, headers, hook = signed_command(stand_in, QUESTIONS[(offset + i) % len(QUESTIONS)], user)
        started = time.perf_counter()
        response = await client.post(base + "/slack/events", content=body, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"slash command failed: {response.status_code} {response.text}")
        return started, elapsed, hook

    return list(await asyncio.gather(*(one(i) for i in range(size))))


async def run(base: str, stand_in: SlackStandIn, bursts: int, size: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await burst(client, base, stand_in, size, 0)  # warm-up: first auth.test, identity cache, plans
        await asyncio.sleep(2)
        sent: list[tuple[float, float, str]] = []
        for b in range(bursts):
            sent += await burst(client, base, stand_in, size, b * size)
            await asyncio.sleep(0.25)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(hook in stand_in.answered for _, _, hook in sent):
        await asyncio.sleep(0.1)
    acks = [elapsed for _, elapsed, _ in sent]
    answers = [(stand_in.answered[hook] - started) * 1000 for started, _, hook in sent if hook in stand_in.answered]
    return {
        "requests": len(sent), "concurrency": size,
        "ack_p50_ms": round(percentile(acks, 0.50), 1), "ack_p95_ms": round(percentile(acks, 0.95), 1),
        "ack_max_ms": round(max(acks), 1), "ack_mean_ms": round(statistics.fmean(acks), 1),
        "answered": len(answers),
        "answer_p50_ms": round(percentile(answers, 0.50), 1) if answers else None,
        "answer_p95_ms": round(percentile(answers, 0.95), 1) if answers else None,
        "target_ack_p95_ms": 300,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bursts", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, default=Path(".pgdata"))
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    url = prepared_database_url(args.data_dir)
    stand_in = SlackStandIn()
    env = {"DATABASE_URL": url, "CRM_ASSISTANT_TODAY": "2026-05-15", "SLACK_BOT_TOKEN": "xoxb-bench",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": stand_in.url + "/api/"}
    with served_app(env) as base:
        result = asyncio.run(run(base, stand_in, args.bursts, args.concurrency))
    result["passed"] = result["ack_p95_ms"] <= 300
    print(json.dumps(result, indent=2))
    if args.report:
        args.report.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
