"""HTTP API: health, API-key authentication, the query endpoint and the one error shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from connectors.api.app import create_app
from crm_core.api_keys import create_api_key
from crm_core.models import Deal
from crm_core.settings import Settings


@pytest.fixture(scope="module")
def client(test_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(test_settings)) as c:
        yield c


@pytest.fixture(scope="module")
def keys(engine: Engine) -> dict[str, str]:
    with Session(engine) as session, session.begin():
        return {who: create_api_key(session, user_email=f"{who}@demo.crm") for who in ("rep", "manager", "admin")}


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_healthz_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_responses_say_how_long_the_app_took(client: TestClient) -> None:
    timing = client.get("/healthz").headers["server-timing"]
    name, _, duration = timing.partition(";dur=")
    assert name == "app" and float(duration) >= 0


def test_openapi_documents_query(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/query" in spec["paths"]
    assert "QueryRequest" in spec["components"]["schemas"]


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer crm_" + "x" * 40],
                         ids=["missing", "garbage", "wrong-scheme", "unknown-key"])
def test_query_rejects_bad_keys(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    assert_error(client.post("/v1/query", json={"question": "open deals"}, headers=headers), 401, "unauthorized")


def test_query_rejects_malformed_body(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/v1/query", json={"q": "x"}, headers={"Authorization": f"Bearer {keys['rep']}"})
    assert_error(response, 422, "invalid-request")


def test_query_answers_in_scope(client: TestClient, keys: dict[str, str], engine: Engine) -> None:
    question = {"question": "how many open deals do I have?"}
    answer = client.post("/v1/query", json=question, headers={"Authorization": f"Bearer {keys['rep']}"}).json()
    assert answer["status"] == "answered"
    with Session(engine) as session:
        from crm_core.scope import actor_for

        rep = actor_for(session, "rep@demo.crm")
        expected = session.scalar(select(func.count()).select_from(Deal).where(
            Deal.owner_id == rep.id, Deal.status == "open"))
    assert answer["rows"] == [[expected]]
    assert "owner_id IN" in answer["sql"]
    assert answer["conversation_id"]


def test_query_list_rows_carry_ids_and_follow_up(client: TestClient, keys: dict[str, str]) -> None:
    auth = {"Authorization": f"Bearer {keys['manager']}"}
    first = client.post("/v1/query", json={"question": "open deals over 20k"}, headers=auth).json()
    assert first["status"] == "answered"
    assert first["columns"][0]["name"] == "id"
    follow = client.post("/v1/query", json={"question": "how many are there?",
                                            "conversation_id": first["conversation_id"]}, headers=auth).json()
    assert follow["status"] == "answered"
    assert follow["rows"][0][0] == first["row_count"]


@pytest.mark.parametrize("question", ["delete all contacts", "'; DROP TABLE deals; --", "x" * 10_000, "🤖🤖🤖"])
def test_query_hostile_questions_write_nothing(client: TestClient, keys: dict[str, str], engine: Engine,
                                               question: str) -> None:
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(Deal))
    answer = client.post("/v1/query", json={"question": question},
                         headers={"Authorization": f"Bearer {keys['admin']}"}).json()
    assert answer["status"] in ("refused", "clarified")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Deal)) == before


def test_unknown_route_uses_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing-here"), 404, "not-found")
