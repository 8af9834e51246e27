"""The LLM translator end to end: real ChatOpenAI over HTTP to a scripted OpenAI-compatible server (and
langchain's fake chat models), real guard, real PostgreSQL with the demo data (seed 7, today 2026-05-15).

No model weights exist here, so the model's replies are scripted; everything on our side — prompt
building, retrieval, the HTTP client, reply reading, guard, executor, repair loop, fallbacks — is real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from openai_stub import Reply, ScriptedChatServer, sql_reply
from pydantic import SecretStr
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from assistant.answer import Answer
from assistant.service import Assistant
from connectors import cli, runtime
from crm_core.models import Contact, Deal
from crm_core.scope import Actor, actor_for
from crm_core.settings import Settings
from evals.custom_fields import fifty_custom_fields
from nlq import engine as engine_module
from nlq.catalog import load_catalog, load_custom_fields
from nlq.embeddings import embed
from nlq.engine import NlqEngine
from nlq.llm.catalog_text import build_chunks, load_database_terms
from nlq.llm.errors import LlmReplyError
from nlq.llm.examples import load_examples
from nlq.llm.prompts import PromptTemplateError, load_prompts, prompts_root
from nlq.llm.reply import read_reply, redact
from nlq.llm.retrieval import Retriever
from nlq.llm.tokens import count_tokens, is_exact
from nlq.translators import TranslationRequest

TODAY = date(2026, 5, 15)
SEED_QUESTION = "Show me all customers who haven't been contacted in 30 days with deals over $10,000"
pytestmark = pytest.mark.xdist_group("llm")


# -- fixtures ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stub() -> Iterator[ScriptedChatServer]:
    with ScriptedChatServer() as server:
        yield server


@pytest.fixture(scope="module")
def llm_settings(test_settings: Settings, stub: ScriptedChatServer) -> Settings:
    return test_settings.model_copy(update={
        "openai_api_key": SecretStr("sk-test-key"), "openai_base_url": stub.url, "llm_model": "stub-model",
        "llm_timeout_s": 1.0, "llm_http_retries": 0, "llm_max_repair_rounds": 2,
    })


@pytest.fixture(scope="module")
def nlq(engine: Engine, llm_settings: Settings) -> NlqEngine:
    nlq = NlqEngine(engine, llm_settings)
    nlq.llm().warm()  # embeddings once, so no test pays for them inside its timeout
    return nlq


@pytest.fixture(scope="module")
def assistant(engine: Engine, llm_settings: Settings, nlq: NlqEngine) -> Assistant:
    return Assistant(engine, llm_settings, nlq=nlq)


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every statement the executor ran during the test (it still runs them)."""
    ran: list[str] = []
    real = engine_module.execute

    def spy(engine: Engine, tree: Any, **kwargs: Any) -> Any:
        ran.append(tree.sql("postgres"))
        return real(engine, tree, **kwargs)

    monkeypatch.setattr(engine_module, "execute", spy)
    return ran


def _actor(engine: Engine, email: str) -> Actor:
    with Session(engine) as session:
        return actor_for(session, email)


def _ask(assistant: Assistant, question: str, who: str = "rep@demo.crm", translator: str = "llm") -> Answer:
    return assistant.ask(question, _actor(assistant.engine, who), channel="test", today=TODAY, audit=False,
                         translator=translator)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                for t in ("deals", "contacts", "accounts", "users")}


# -- answering --------------------------------------------------------------------------------------

def test_llm_sql_is_guarded_executed_and_answered(assistant: Assistant, stub: ScriptedChatServer,
                                                  engine: Engine) -> None:
    stub.script(sql_reply("SELECT id, first_name, last_name FROM contacts WHERE lifecycle_stage = 'customer' "
                          "ORDER BY id"))
    answer = _ask(assistant, "list my customers")
    rep = _actor(engine, "rep@demo.crm")
    with Session(engine) as session:
        expected = list(session.scalars(select(Contact.id).where(
            Contact.lifecycle_stage == "customer", Contact.owner_id == rep.id).order_by(Contact.id)))
    assert answer.status == "answered", answer.summary
    assert answer.translator == "llm"
    assert [row[0] for row in answer.rows] == expected and expected
    assert f"owner_id IN ({rep.id})" in (answer.sql or "")  # the guard scoped the model's query
    assert "language model" in answer.explanation
    [request] = stub.received
    assert request.body["model"] == "stub-model" and request.body["temperature"] == 0
    assert request.headers["authorization"] == "Bearer sk-test-key"
    assert [m["role"] for m in request.messages] == ["system", "user"]


def test_fake_chat_model_through_the_same_path(engine: Engine, llm_settings: Settings) -> None:
    fake = FakeListChatModel(responses=["```sql\nSELECT COUNT(*) FROM deals WHERE status = 'open'\n```"])
    nlq = NlqEngine(engine, llm_settings, chat_model=fake)
    result = nlq.run("how many open deals are there?", _actor(engine, "manager@demo.crm"), translator="llm",
                     today=TODAY)
    with Session(engine) as session:
        team = _actor(engine, "manager@demo.crm").team_id
        from crm_core.models import User
        owners = select(User.id).where(User.team_id == team)
        expected = session.scalar(select(func.count()).select_from(Deal).where(
            Deal.status == "open", Deal.owner_id.in_(owners)))
    assert (result.status, result.translator) == ("answered", "llm")
    assert result.result is not None and result.result.rows == [[expected]]


def test_generic_fake_chat_model_question_back(engine: Engine, llm_settings: Settings) -> None:
    fake = GenericFakeChatModel(messages=iter(["CLARIFY: Which quarter do you mean, this one or the last?"]))
    nlq = NlqEngine(engine, llm_settings, chat_model=fake)
    result = nlq.run("deals closing in the quarter", _actor(engine, "rep@demo.crm"), translator="llm", today=TODAY)
    assert (result.status, result.code) == ("clarified", "llm-asked-back")
    assert result.message == "Which quarter do you mean, this one or the last?"


# -- hostile replies --------------------------------------------------------------------------------

HOSTILE = [
    ("drop-table", ["DROP TABLE deals"], "refused", "write-not-allowed", 1),
    ("cte-write", ["WITH gone AS (DELETE FROM deals RETURNING id) SELECT count(*) FROM gone"],
     "refused", "write-not-allowed", 1),
    ("pg-read-file", ["SELECT pg_read_file('/etc/passwd')"] * 3, "clarified", "llm-repair-exhausted", 3),
    ("two-statements", ["SELECT id FROM deals; DELETE FROM deals"] * 3, "clarified", "llm-repair-exhausted", 3),
    ("catalog-escape", ["SELECT usename, passwd FROM pg_shadow"] * 3, "clarified", "llm-repair-exhausted", 3),
]


@pytest.mark.parametrize(("replies", "status", "code", "calls"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_reply_is_blocked_and_never_executed(assistant: Assistant, stub: ScriptedChatServer, engine: Engine,
                                                     executed: list[str], replies: list[str], status: str, code: str,
                                                     calls: int) -> None:
    before = _counts(engine)
    stub.script(*[sql_reply(r) for r in replies])
    answer = _ask(assistant, "show me all deals")
    assert (answer.status, answer.error.code if answer.error else None) == (status, code), answer.summary
    assert answer.rows == [] and answer.sql is None
    assert executed == []
    assert len(stub.received) == calls
    assert _counts(engine) == before


def test_query_on_another_reps_rows_is_scoped_away(assistant: Assistant, stub: ScriptedChatServer, engine: Engine,
                                                   executed: list[str]) -> None:
    rep = _actor(engine, "rep@demo.crm")
    stub.script(sql_reply(f"SELECT id, owner_id FROM deals WHERE owner_id <> {rep.id}"),
                sql_reply("SELECT id, owner_id FROM deals"))
    others = _ask(assistant, "deals of the other reps")
    mine = _ask(assistant, "every deal in the company")
    assert others.status == "answered" and others.rows == []
    assert mine.status == "answered" and mine.rows
    assert {row[1] for row in mine.rows} == {rep.id}
    with Session(engine) as session:
        assert len(mine.rows) < session.scalar(select(func.count()).select_from(Deal))  # there are others' rows
    assert all(f"owner_id IN ({rep.id})" in sql for sql in executed)


# -- repair -----------------------------------------------------------------------------------------

def test_repair_loop_fixes_a_misspelled_column_on_the_second_round(assistant: Assistant, stub: ScriptedChatServer,
                                                                    nlq: NlqEngine) -> None:
    stub.script(sql_reply("SELECT id, name, amout FROM deals WHERE status = 'open' AND amout > 50000"),
                sql_reply("SELECT id, name, amount FROM deals WHERE status = 'open' AND amount > 50000"))
    result = nlq.run("open deals over 50k", _actor(assistant.engine, "admin@demo.crm"), translator="llm",
                     today=TODAY)
    assert result.status == "answered", result.message
    assert result.repair_rounds == 1 and result.result is not None and result.result.rows
    first, second = stub.received
    assert [m["role"] for m in second.messages] == ["system", "user", "assistant", "user"]
    assert "amout" in second.messages[2]["content"]          # the model sees its own attempt
    assert "[unknown-column]" in second.last_user_text
    assert "Did you mean 'amount'" in second.last_user_text


def test_repair_rounds_are_bounded_and_end_in_a_question(assistant: Assistant, stub: ScriptedChatServer) -> None:
    stub.script(*[sql_reply("SELECT id FROM deals WHERE revnue > 10")] * 5)
    answer = _ask(assistant, "deals with big revenue", who="admin@demo.crm")
    assert answer.status == "clarified" and answer.error is not None
    assert answer.error.code == "llm-repair-exhausted"
    assert "revnue" in answer.summary and answer.summary.endswith("?")
    assert len(stub.received) == 3  # the first try and llm_max_repair_rounds = 2 repairs


def test_reply_without_sql_is_repaired(assistant: Assistant, stub: ScriptedChatServer) -> None:
    stub.script("Sure! I'd look at the deals table for that.", sql_reply("SELECT COUNT(*) FROM deals"))
    answer = _ask(assistant, "how many deals", who="admin@demo.crm")
    assert answer.status == "answered"
    assert "[llm-no-sql]" in stub.received[1].last_user_text


def test_database_error_goes_back_without_row_values(assistant: Assistant, stub: ScriptedChatServer,
                                                     engine: Engine) -> None:
    stub.script(sql_reply("SELECT email::int FROM contacts"), sql_reply("SELECT COUNT(*) FROM contacts"))
    answer = _ask(assistant, "contacts as numbers", who="admin@demo.crm")
    assert answer.status == "answered"
    repair = stub.received[1].last_user_text
    assert "[query-failed]" in repair and "invalid input syntax" in repair
    with engine.connect() as conn:
        emails = [r[0] for r in conn.execute(text("SELECT email FROM contacts WHERE email IS NOT NULL"))]
    body = stub.bodies()[1].decode("utf-8")
    assert not [e for e in emails if e in body]


# -- failures of the model itself -------------------------------------------------------------------

@pytest.mark.parametrize(("reply", "code", "words"), [
    (Reply("too slow", delay_s=2.5), "llm-timeout", "did not answer within 1 s"),
    (Reply("upstream exploded", status=500), "llm-failed", "HTTP 500"),
    (Reply("bad key", status=401), "llm-failed", "refused the API key"),
], ids=["timeout", "http-500", "http-401"])
def test_model_failure_gives_a_clear_message(assistant: Assistant, stub: ScriptedChatServer, reply: Reply,
                                             code: str, words: str) -> None:
    stub.script(reply)
    answer = _ask(assistant, "open deals in Texas", who="admin@demo.crm")
    assert answer.status == "error" and answer.error is not None
    assert answer.error.code == code and words in answer.summary
    assert answer.translator == "llm"


@pytest.mark.parametrize("reply", [Reply("too slow", delay_s=2.5), Reply("upstream exploded", status=500)],
                         ids=["timeout", "http-500"])
def test_auto_falls_back_to_the_parser_when_the_model_fails(assistant: Assistant, stub: ScriptedChatServer,
                                                            nlq: NlqEngine, reply: Reply) -> None:
    stub.script(reply)
    result = nlq.run("deals in CA", _actor(assistant.engine, "admin@demo.crm"), translator="auto", today=TODAY)
    assert (result.status, result.code, result.translator) == ("clarified", "ambiguous", "parser")
    assert result.llm_error_code in ("llm-timeout", "llm-failed")
    assert result.message.endswith(("(The language model was asked too, but it did not answer in time.)",
                                    "(The language model was asked too, but its endpoint failed.)"))
    assert len(stub.received) == 1


def test_auto_asks_the_model_only_when_the_parser_asks_back(assistant: Assistant, stub: ScriptedChatServer) -> None:
    stub.script(sql_reply("SELECT id, name, amount FROM deals WHERE status = 'open' AND amount > 50000"))
    parsed = _ask(assistant, "open deals over 50k", who="admin@demo.crm", translator="auto")
    assert (parsed.status, parsed.translator) == ("answered", "parser")
    assert stub.received == []
    stub.script(sql_reply("SELECT d.id, d.name FROM deals d JOIN accounts a ON a.id = d.account_id "
                          "WHERE a.state = 'CA' AND a.country = 'US'"))
    modelled = _ask(assistant, "deals in CA", who="admin@demo.crm", translator="auto")  # parser: CA ambiguous
    assert (modelled.status, modelled.translator) == ("answered", "llm")
    assert len(stub.received) == 1


def test_llm_is_off_without_a_key(engine: Engine, test_settings: Settings) -> None:
    keyless = test_settings.model_copy(update={"openai_api_key": None})
    nlq = NlqEngine(engine, keyless)
    admin = _actor(engine, "admin@demo.crm")
    off = nlq.run("open deals", admin, translator="llm", today=TODAY)
    assert (off.status, off.code) == ("error", "llm-unavailable")
    assert "OPENAI_API_KEY" in off.message
    auto = nlq.run("deals in CA", admin, translator="auto", today=TODAY)
    assert (auto.status, auto.translator, auto.llm_error_code) == ("clarified", "parser", "")
    assert nlq.run("open deals", admin, today=TODAY).status == "answered"
    unknown = nlq.run("open deals", admin, translator="oracle", today=TODAY)
    assert (unknown.status, unknown.code) == ("error", "unknown-translator")


# -- privacy ----------------------------------------------------------------------------------------

def test_prompts_never_carry_result_rows(engine: Engine, llm_settings: Settings, stub: ScriptedChatServer) -> None:
    nlq = NlqEngine(engine, llm_settings.model_copy(update={"llm_summaries": True}))
    assistant = Assistant(engine, nlq.settings, nlq=nlq)
    stub.script(sql_reply("SELECT id, first_name, last_name, emial FROM contacts WHERE lifecycle_stage = 'customer'"),
                sql_reply("SELECT id, first_name, last_name, email FROM contacts WHERE lifecycle_stage = 'customer'"),
                Reply("You have 21 customers, listed with their names and e-mail addresses."))
    answer = _ask(assistant, "my customers with their emails")
    assert answer.status == "answered" and answer.rows
    assert answer.summary == "You have 21 customers, listed with their names and e-mail addresses."
    sent = "\n".join(body.decode("utf-8") for body in stub.bodies())
    # distinctive values only: a first name alone ("Al") could occur in any text
    values = {row[3] for row in answer.rows if row[3]} | {f"{row[1]} {row[2]}" for row in answer.rows}
    assert len(values) > len(answer.rows) and not [v for v in values if v in sent]
    summary_request = stub.received[2].last_user_text
    assert "Columns: id, first_name, last_name, email" in summary_request
    assert f"Rows: {len(answer.rows)}" in summary_request


def test_prompt_holds_scope_catalog_part_and_examples_not_itself(nlq: NlqEngine, engine: Engine) -> None:
    rep = _actor(engine, "rep@demo.crm")
    request = TranslationRequest(question=SEED_QUESTION, actor=rep, today=TODAY, scope=nlq.scope_of(rep))
    messages, selection = nlq.llm().build_messages(request)
    system = str(messages[0].content)
    assert f"user id {rep.id}, a sales rep" in system and rep.full_name not in system
    assert "Today is 2026-05-15 (Friday)" in system
    assert {"table:contacts", "table:deals", "definition:customers"} <= set(selection.chunk_ids)
    assert "table:emails" not in selection.chunk_ids  # pruned: nothing in the question is about e-mails
    assert len(selection.examples) == 3 and system.count("\nQ: ") == 3
    assert all(e.question != SEED_QUESTION for e in selection.examples)
    assert str(messages[1].content).endswith(f"Question: {SEED_QUESTION}\n")


# -- schema pruning ---------------------------------------------------------------------------------

def test_catalog_part_stays_under_2000_tokens_with_50_custom_fields(engine: Engine, llm_settings: Settings) -> None:
    assert is_exact()  # counted with cl100k_base itself, not an estimate
    catalog = load_catalog()
    custom = [*load_custom_fields(engine), *fifty_custom_fields()]
    chunks = build_chunks(catalog, custom_fields=custom, terms=load_database_terms(engine))
    whole = count_tokens("\n".join(c.text for c in chunks))
    retriever = Retriever(chunks, [], model_name=llm_settings.embedding_model,
                          token_budget=llm_settings.llm_catalog_token_budget, examples_k=0)
    seed = retriever.select(SEED_QUESTION)
    seats = retriever.select("open deals with more than 100 seats requested")
    assert whole > 2000  # without pruning this schema would not fit
    assert seed.catalog_tokens < 2000 and seats.catalog_tokens < 2000
    assert any(c.startswith("custom_field:deals.seats_requested") for c in seats.chunk_ids)


def test_catalog_text_spells_named_filters_as_the_compiler_runs_them() -> None:
    chunks = {c.id: c.text for c in build_chunks(load_catalog())}
    vps = next(text for cid, text in chunks.items() if "vice_presidents" in cid or "VPs =" in text)
    assert "job_title LIKE '%VP%' OR job_title ILIKE '%Vice President%'" in vps


def test_pruned_catalog_keeps_the_tables_the_dev_suite_needs(engine: Engine, llm_settings: Settings) -> None:
    import sqlglot
    from sqlglot import exp

    catalog = load_catalog()
    retriever = Retriever(build_chunks(catalog, terms=load_database_terms(engine)), [],
                          model_name=llm_settings.embedding_model, token_budget=1500, examples_k=0)
    examples = load_examples()
    vectors = embed([e.question for e in examples], name=llm_settings.embedding_model)  # one batch: fast
    hits = 0
    for example, vector in zip(examples, vectors, strict=True):
        needed = {t.name for t in sqlglot.parse_one(example.sql, read="postgres").find_all(exp.Table)}
        selection = retriever.select(example.question, vector=vector)
        picked = {c.split(":", 1)[1] for c in selection.chunk_ids if c.startswith("table:")}
        hits += (needed & set(catalog.tables)) <= picked
    assert hits / len(examples) >= 0.97, hits / len(examples)


# -- files and replies ------------------------------------------------------------------------------

def test_prompt_templates_are_checked_at_start_up(tmp_path: Path) -> None:
    folder = tmp_path / "nlq" / "v9"
    folder.mkdir(parents=True)
    source = prompts_root().joinpath("nlq", "v1")
    for name in ("system", "user", "repair", "summary_system", "summary_user"):
        (folder / f"{name}.txt").write_text(source.joinpath(f"{name}.txt").read_text(encoding="utf-8"))
    assert load_prompts("v9", root=tmp_path).version == "v9"
    (folder / "repair.txt").write_text("The {stage} said {mesage}")
    with pytest.raises(PromptTemplateError) as bad:
        load_prompts("v9", root=tmp_path)
    assert bad.value.code == "prompt-invalid" and "repair.txt" in bad.value.message
    with pytest.raises(PromptTemplateError):
        load_prompts("v404", root=tmp_path)


@pytest.mark.parametrize(("reply", "status", "sql"), [
    ("```sql\nSELECT 1\n```", "planned", "SELECT 1"),
    ("Here you go:\n```SQL\nWITH x AS (SELECT 1) SELECT * FROM x\n```\nThis counts...", "planned",
     "WITH x AS (SELECT 1) SELECT * FROM x"),
    ("  select id from deals", "planned", "select id from deals"),
    ("CLARIFY: Which pipeline?", "clarify", None),
    ("refuse: that would delete data", "refuse", None),
], ids=["fenced", "prose-around-fence", "bare", "clarify", "refuse"])
def test_read_reply(reply: str, status: str, sql: str | None) -> None:
    outcome = read_reply(reply)
    assert (outcome.status, outcome.raw_sql) == (status, sql)


def test_read_reply_without_sql_is_an_error() -> None:
    with pytest.raises(LlmReplyError) as err:
        read_reply("I think you should look at the deals table.")
    assert err.value.code == "llm-no-sql"


def test_redact_keeps_what_the_model_wrote() -> None:
    sql = "SELECT id FROM deals WHERE stage = 'Demo'"
    assert redact('column "stage" does not exist', sql) == 'column "stage" does not exist'
    assert redact('invalid input value for enum: "ann@example.com"', sql) == 'invalid input value for enum: "…"'


# -- command line -----------------------------------------------------------------------------------

def test_cli_ask_and_eval_with_translator_option(llm_settings: Settings, stub: ScriptedChatServer,
                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: llm_settings)
    monkeypatch.setattr(runtime, "_assistants", {})  # not one built earlier with other settings
    runner = CliRunner()
    stub.script(sql_reply("SELECT COUNT(*) FROM deals WHERE status = 'won'"))
    asked = runner.invoke(cli.app, ["ask", "how many deals have we won", "--json", "--translator", "llm"])
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.output)["translator"] == "llm"
    stub.script(sql_reply("SELECT COUNT(*) FROM deals WHERE status = 'lost'"))
    chatted = runner.invoke(cli.app, ["chat", "--translator", "llm"], input="how many deals did we lose\n\n")
    assert chatted.exit_code == 0, chatted.output
    assert len(stub.received) == 1 and "status = 'lost'" in chatted.output

    gold = {"how many deals have we won": "SELECT COUNT(*) FROM deals WHERE status = 'won'",
            "how many open deals are there": "SELECT COUNT(*) FROM deals WHERE status = 'open'"}
    suite = tmp_path / "suite.jsonl"
    suite.write_text("\n".join(json.dumps({"id": f"q{n}", "question": q, "gold_sql": s})
                               for n, (q, s) in enumerate(gold.items())) + "\n"
                     + json.dumps({"id": "drop", "question": "drop the deals table", "expect": "refuse"}) + "\n")
    stub.script()
    stub.responder = lambda request: (
        sql_reply("DROP TABLE deals") if "drop" in request.last_user_text
        else sql_reply(gold[request.last_user_text.rsplit("Question: ", 1)[1].strip()]))
    report = tmp_path / "report.json"
    evaluated = runner.invoke(cli.app, ["eval", "nlq", "--suite", str(suite), "--report", str(report),
                                        "--translator", "llm"])
    assert evaluated.exit_code == 0, evaluated.output
    summary = json.loads(report.read_text())["summary"]
    assert summary["translator"] == "llm" and summary["accuracy"] == 1.0 and summary["refusal_accuracy"] == 1.0
    assert summary["by_translator"]["llm"]["items"] == 3 and summary["rows_written"] == 0


def test_cli_llm_translator_without_key_exits_nonzero(test_settings: Settings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "get_settings", lambda: test_settings.model_copy(update={"openai_api_key": None}))
    monkeypatch.setattr(runtime, "_assistants", {})
    runner = CliRunner()
    asked = runner.invoke(cli.app, ["ask", "open deals", "--translator", "llm"])
    assert asked.exit_code == 1 and "OPENAI_API_KEY" in asked.output
    evaluated = runner.invoke(cli.app, ["eval", "nlq", "--translator", "llm"])
    assert evaluated.exit_code == 1 and "llm-unavailable" in evaluated.output


def test_http_query_chooses_the_translator_per_call(llm_settings: Settings, stub: ScriptedChatServer,
                                                     engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from connectors.api.app import create_app
    from crm_core.api_keys import create_api_key

    monkeypatch.setattr(runtime, "_assistants", {})  # not one built earlier with other settings
    with Session(engine) as session, session.begin():
        key = create_api_key(session, user_email="rep@demo.crm")
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(llm_settings)) as client:
        stub.script(sql_reply("SELECT COUNT(*) FROM deals WHERE status = 'won'"))
        by_model = client.post("/v1/query", json={"question": "how many deals have we won", "translator": "llm"},
                               headers=headers).json()
        assert (by_model["status"], by_model["translator"]) == ("answered", "llm")
        assert len(stub.received) == 1
        by_parser = client.post("/v1/query", json={"question": "how many deals have we won", "translator": "parser"},
                                headers=headers).json()
        assert (by_parser["status"], by_parser["translator"]) == ("answered", "parser")
        assert by_parser["rows"] == by_model["rows"] and len(stub.received) == 1  # the model was not asked again
        bad = client.post("/v1/query", json={"question": "open deals", "translator": "oracle"}, headers=headers)
        assert bad.status_code == 422
