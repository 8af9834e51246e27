"""Web widget: sign-in, streamed answers, edited SQL through the guard, and the real widget in headless Chromium.

The browser tests drive Debian's chromium through Playwright against the app served by uvicorn, and save
screenshots under test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_servers import LiveServer
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from connectors.api.app import create_app
from connectors.web.session import issue_session
from crm_core.api_keys import create_api_key
from crm_core.models import Deal, QueryLog
from crm_core.scope import actor_for
from crm_core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEED_QUESTION = "Show me all customers who haven't been contacted in 30 days with deals over $10,000"

pytestmark = pytest.mark.xdist_group("web")


@pytest.fixture(scope="module")
def demo_settings(test_settings: Settings) -> Settings:
    return test_settings.model_copy(update={"widget_demo_login": True})


@pytest.fixture(scope="module")
def client(demo_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(demo_settings)) as c:
        yield c


def _login(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/widget/demo-login", json={"email": email})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for frame in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def _ask(client: TestClient, auth: dict[str, str], question: str, conversation_id: str | None = None
         ) -> tuple[list[str], dict[str, Any]]:
    response = client.post("/widget/ask", json={"question": question, "conversation_id": conversation_id},
                           headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    answer = next(data for name, data in events if name == "answer")
    for name, data in events:
        if name == "rows":
            answer["rows"] += data["rows"]
    return [name for name, _ in events], answer


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_widget_assets_and_demo_page_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and '<script src="/widget/static/widget.js"' in page.text
    script = client.get("/widget/static/widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "window.CRMAssistant" in script.text
    assert client.get("/widget/static/widget.css").status_code == 200


def test_widget_demo_login_off_by_default(test_settings: Settings) -> None:
    with TestClient(create_app(test_settings)) as plain:
        assert plain.get("/widget/config").json() == {"demo_login": False, "demo_users": []}
        assert_error(plain.post("/widget/demo-login", json={"email": "admin@demo.crm"}), 404, "not-found")


@pytest.mark.parametrize("email", ["someone@else.com", "' OR 1=1 --", ""], ids=["other", "injection", "empty"])
def test_widget_demo_login_only_demo_users(client: TestClient, email: str) -> None:
    assert_error(client.post("/widget/demo-login", json={"email": email}), 401, "not-a-demo-user")


def test_widget_rejects_missing_forged_and_expired_sessions(client: TestClient, demo_settings: Settings,
                                                            engine: Engine) -> None:
    body = {"question": "open deals"}
    assert_error(client.post("/widget/ask", json=body), 401, "invalid-session")
    good = _login(client, "rep@demo.crm")["Authorization"]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    assert_error(client.post("/widget/ask", json=body, headers={"Authorization": forged}), 401, "invalid-session")
    with Session(engine) as session:
        rep = actor_for(session, "rep@demo.crm")
    secret = client.app.state.widget_secret  # type: ignore[attr-defined]
    expired, _ = issue_session(rep, secret=secret, ttl_s=60, now=0)
    assert_error(client.post("/widget/ask", json=body, headers={"Authorization": f"Bearer {expired}"}),
                 401, "invalid-session")
    other_secret, _ = issue_session(rep, secret=b"x" * 32, ttl_s=60)
    assert_error(client.post("/widget/ask", json=body, headers={"Authorization": f"Bearer {other_secret}"}),
                 401, "invalid-session")


def test_widget_session_from_api_key(client: TestClient, engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        key = create_api_key(session, user_email="manager@demo.crm")
    minted = client.post("/widget/session", headers={"Authorization": f"Bearer {key}"})
    assert minted.status_code == 200, minted.text
    me = client.get("/widget/me", headers={"Authorization": f"Bearer {minted.json()['token']}"})
    assert me.json()["email"] == "manager@demo.crm"
    assert_error(client.post("/widget/session", headers={"Authorization": "Bearer crm_nope"}), 401, "unauthorized")


def test_widget_ask_streams_answer_and_follow_up(client: TestClient) -> None:
    auth = _login(client, "manager@demo.crm")
    names, answer = _ask(client, auth, SEED_QUESTION)
    assert names[0] == "status" and names[1] == "answer" and names[-1] == "done"
    assert answer["status"] == "answered" and answer["row_count"] == len(answer["rows"]) > 0
    assert answer["columns"][0]["name"] == "id" and answer["sql"] and answer["explanation"]
    _, follow = _ask(client, auth, "how many are there?", answer["conversation_id"])
    assert follow["rows"] == [[answer["row_count"]]]


def test_widget_ask_streams_large_results_in_chunks(client: TestClient) -> None:
    names, answer = _ask(client, _login(client, "admin@demo.crm"), "all contacts")
    assert names.count("rows") >= 1
    assert len(answer["rows"]) == answer["row_count"] > 50
    assert len({row[0] for row in answer["rows"]}) == answer["row_count"]  # no chunk lost or repeated


def test_widget_edited_sql_runs_through_guard_and_scope(client: TestClient, engine: Engine) -> None:
    auth = _login(client, "rep@demo.crm")
    with Session(engine) as session:
        rep = actor_for(session, "rep@demo.crm")
        before = session.scalar(select(func.count()).select_from(Deal))
    answer = client.post("/widget/sql", json={"sql": "SELECT id, owner_id FROM deals"}, headers=auth).json()
    assert answer["status"] == "answered" and answer["rows"]
    assert {row[1] for row in answer["rows"]} == {rep.id}
    for hostile in ("DELETE FROM deals", "SELECT * FROM api_keys", "SELECT 1; DROP TABLE deals"):
        refused = client.post("/widget/sql", json={"sql": hostile}, headers=auth).json()
        assert refused["status"] == "refused" and refused["error"]["code"], hostile
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Deal)) == before


def test_widget_bad_input_clear_reply_nothing_written(client: TestClient, engine: Engine) -> None:
    auth = _login(client, "rep@demo.crm")
    with Session(engine) as session:
        deals = session.scalar(select(func.count()).select_from(Deal)) or 0
        logs = session.scalar(select(func.count()).select_from(QueryLog)) or 0
    assert_error(client.post("/widget/ask", json={"question": "x" * 20_001}, headers=auth), 422, "invalid-request")
    assert_error(client.post("/widget/ask", content=b"{not json", headers={**auth, "Content-Type": "application/json"}),
                 422, "invalid-request")
    assert_error(client.post("/widget/ask", json={"question": ""}, headers=auth), 422, "invalid-request")
    _, long = _ask(client, auth, "show me deals " + "a" * 5000)
    assert long["status"] == "refused" and long["error"]["code"] == "message-too-long"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Deal)) == deals
        assert session.scalar(select(func.count()).select_from(QueryLog)) == logs + 1  # only the audited refusal


# ------------------------------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def live(demo_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(create_app(demo_settings)) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open_demo(browser: Any, live: LiveServer, **context: Any) -> Any:
    ctx = browser.new_context(accept_downloads=True, **context)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    page.goto(live.url + "/")
    page.wait_for_selector("body[data-ready=true]")
    return page


def _ask_in_page(page: Any, question: str) -> Any:
    count = page.locator(".msg.assistant:not(.intro)").count()
    page.fill("#crm-q", question)
    page.press("#crm-q", "Enter")
    answer = page.locator(".msg.assistant:not(.intro)").nth(count)
    answer.locator(".summary, .notice").first.wait_for()
    page.wait_for_function("() => !document.querySelector('#crm-assistant-root')"
                           ".shadowRoot.querySelector('[aria-busy=true]')")
    return answer


def test_widget_in_browser_table_chart_follow_up_sql_csv(browser: Any, live: LiveServer, client: TestClient) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = _open_demo(browser, live, viewport={"width": 1280, "height": 860})
    assert page.get_attribute("#crm-panel", "role") == "dialog"
    assert page.get_attribute(".log", "role") == "log"

    expected = _ask(client, _login(client, "manager@demo.crm"), SEED_QUESTION)[1]
    seed = _ask_in_page(page, SEED_QUESTION)
    assert seed.locator("tbody tr").count() == min(expected["row_count"], 100)
    assert seed.locator(".summary").inner_text() == expected["summary"]
    page.screenshot(path=str(ARTIFACTS / "widget-seed-question.png"))

    # sorting: the ID header sorts descending on the second click, and says so to screen readers
    header = seed.locator("th").first
    header.locator("button").click()
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    ids = [int(t) for t in seed.locator("tbody tr td:first-child").all_inner_texts()]
    assert ids == sorted(ids, reverse=True)

    # CSV export: UTF-8 with a byte-order mark, machine names as headers, ISO-8601 timestamps, every row
    with page.expect_download() as download_info:
        seed.locator("text=Download CSV").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [c["name"] for c in expected["columns"]] and len(rows) == expected["row_count"] + 1
    stamp = rows[1][rows[0].index("last_contacted_at")]
    assert stamp == "" or stamp[4] == "-" and "T" in stamp

    # a follow-up chip asks its question in the same conversation
    chip = seed.locator("button.chip", has_text="how many are there?")
    chip.click()
    counted = page.locator(".msg.assistant:not(.intro)").nth(1)
    counted.locator(".summary").wait_for()
    assert counted.locator(".summary").inner_text().startswith(f"There are {expected['row_count']}")
    assert page.locator(".msg.user").last.inner_text() == "how many are there?"

    chart_answer = _ask_in_page(page, "pipeline value by stage")
    bars = chart_answer.locator("svg.chart-svg rect.chart-bar")
    assert bars.count() == len(_ask(client, _login(client, "manager@demo.crm"), "pipeline value by stage")[1]["rows"])
    assert "Bar chart" in (chart_answer.locator("svg.chart-svg").get_attribute("aria-label") or "")
    page.screenshot(path=str(ARTIFACTS / "widget-chart.png"))
    listed = chart_answer

    # show the SQL, edit it, run it again: the result is still scoped and guarded
    listed.locator("summary", has_text="Show SQL").click()
    editor = listed.locator("textarea.sql-editor")
    assert "SELECT" in editor.input_value()
    editor.fill("SELECT id, name, amount FROM deals WHERE amount > 50000 ORDER BY amount DESC")
    listed.locator("button", has_text="Run edited SQL").click()
    edited = page.locator(".msg.assistant", has_text="Result of your edited SQL")
    edited.locator("tbody tr").first.wait_for()
    assert [t.strip().lower() for t in edited.locator("th").all_inner_texts()] == ["id", "name", "amount"]
    page.screenshot(path=str(ARTIFACTS / "widget-follow-up-and-sql.png"))
    assert page.errors == []


def test_widget_in_browser_keeps_conversation_across_reload(browser: Any, live: LiveServer) -> None:
    page = _open_demo(browser, live, viewport={"width": 1280, "height": 860})
    page.locator("button", has_text="New chat").click()
    first = _ask_in_page(page, "open deals over 20k")
    total = first.locator(".table-tools span").inner_text()
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator(".msg.user", has_text="open deals over 20k").count() == 1  # transcript restored
    follow = _ask_in_page(page, "how many are there?")  # server-side conversation carries the plan
    assert follow.locator(".summary").inner_text().startswith(f"There are {total.split()[0]}")


def test_widget_in_browser_phone_layout_and_keyboard(browser: Any, live: LiveServer) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = _open_demo(browser, live, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    box = page.locator("#crm-panel").bounding_box()
    assert box is not None and box["width"] == 390 and box["x"] == 0
    _ask_in_page(page, "pipeline value by stage")
    page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))
    page.focus("#crm-q")
    page.keyboard.press("Escape")
    assert page.locator("#crm-panel").is_hidden()
    assert page.evaluate("() => document.querySelector('#crm-assistant-root').shadowRoot.activeElement.className"
                         ) == "launcher"
    assert page.get_attribute(".launcher", "aria-expanded") == "false"
    page.keyboard.press("Enter")  # the focused launcher opens the panel again
    assert page.locator("#crm-panel").is_visible()
