"""Lead scoring on the real (small) demo database: no leakage, deterministic training, explanations in a
rep's words, cold starts, stored scores and history, scoped API, CLI and chat.

Reads run on the shared test database inside rolled-back transactions; what must be committed (CLI
`score apply`, stored scores behind the API) runs on a private clone of the template database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fasteners
import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from assistant.router import Message, classify
from assistant.skills.scores import SCORE_NAME_PATTERNS, SEND_TIME_NAME_PATTERNS, ScoreSkills, extract_name
from connectors import cli
from connectors.api.app import create_app
from crm_core.api_keys import create_api_key
from crm_core.db import sqlalchemy_url
from crm_core.errors import NotFoundError
from crm_core.models import Account, Activity, Contact, Deal, Email, LeadScoreHistory, Note
from crm_core.scope import Actor, actor_for
from crm_core.scoring import ModelNotTrainedError, apply, explain_contact, labelled_snapshots
from crm_core.scoring.explain import PHRASES, SOURCE_WORDS
from crm_core.scoring.features import (
    CATEGORICAL,
    CONTEXT,
    EVIDENCE,
    FEATURE_NAMES,
    NUMERIC,
    compute_features,
    seniority_of,
    snapshots_at,
)
from crm_core.scoring.model import LeadModel, ModelConfig, fit_lead_model
from crm_core.scoring.registry import load_current, model_dir, save_model
from crm_core.scoring.service import LabelledSnapshots, instant_of, score_frame
from crm_core.settings import Settings
from evals.scoring_eval import SUMMARY_KEYS, run_crm_eval

TODAY = date(2026, 5, 15)
TEST_DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata-test"
NOW = instant_of(TODAY)
QUICK = ModelConfig(max_iter=40)
pytestmark = pytest.mark.xdist_group("scoring")


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def data(engine: Engine) -> LabelledSnapshots:
    with Session(engine) as session:
        return labelled_snapshots(session, observe_until=NOW, horizon_days=90, created_before=NOW)


@pytest.fixture(scope="module")
def model(data: LabelledSnapshots) -> LeadModel:
    return fit_lead_model(data.frame, data.labels, numeric=NUMERIC, categorical=CATEGORICAL, config=QUICK,
                          order=data.order, data_as_of=NOW, horizon_days=90)


@pytest.fixture(scope="module")
def settings(test_settings: Settings, model: LeadModel, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shared test database with a trained model in a private model directory."""
    directory = tmp_path_factory.mktemp("models")
    save_model(model, directory)
    return test_settings.model_copy(update={"model_dir": directory})


@pytest.fixture(scope="module")
def private_settings(test_settings: Settings, model: LeadModel,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A private clone of the demo template, for what must really be committed."""
    url = make_url(sqlalchemy_url(test_settings.database_url or ""))
    name = f"crm_scoring_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with fasteners.InterProcessLock(str(TEST_DATA_DIR.parent / ".pgdata-test.lock")), admin.connect() as conn:
        template = conn.scalar(text("SELECT datname FROM pg_database WHERE datname LIKE 'crm_tpl_%' "
                                    "ORDER BY datname LIMIT 1"))
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    directory = tmp_path_factory.mktemp("private-models")
    save_model(model, directory)
    yield test_settings.model_copy(update={
        "database_url": url.set(database=name).render_as_string(hide_password=False), "model_dir": directory})
    from crm_core.db import dispose_engines

    dispose_engines()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _actor(session: Session, email: str) -> Actor:
    return actor_for(session, email)


def _contact_of(session: Session, actor: Actor, *, mine: bool) -> int:
    where = Contact.owner_id == actor.id if mine else Contact.owner_id != actor.id
    return int(session.scalar(select(func.min(Contact.id)).where(where, Contact.account_id.is_not(None))) or 0)


# ------------------------------------------------------------------ features: point in time, no leakage

AS_OF = datetime(2025, 11, 1, tzinfo=UTC)


def _future_rows(session: Session, contact_ids: list[int]) -> None:
    """Everything a leaky feature could pick up: rows after AS_OF, and late outcomes of earlier rows."""
    later = AS_OF + timedelta(hours=5)
    for cid in contact_ids:
        contact = session.get(Contact, cid)
        assert contact is not None
        session.add(Email(contact_id=cid, owner_id=contact.owner_id, direction="outbound", subject="later",
                          sent_at=later, opened_at=later + timedelta(hours=1), clicked_at=later + timedelta(hours=2),
                          replied_at=later + timedelta(hours=3)))
        session.add(Email(contact_id=cid, owner_id=contact.owner_id, direction="inbound", sent_at=later))
        session.add(Activity(type="meeting", contact_id=cid, owner_id=contact.owner_id, created_at=later,
                             due_at=later + timedelta(days=1), completed_at=later + timedelta(days=1)))
        session.add(Activity(type="call", contact_id=cid, owner_id=contact.owner_id, created_at=later,
                             due_at=later, completed_at=later, outcome="connected"))
        session.add(Note(body="later", contact_id=cid, author_id=contact.owner_id, created_at=later))
        if contact.account_id is not None:
            session.add(Deal(name="later", account_id=contact.account_id, contact_id=cid, owner_id=contact.owner_id,
                             pipeline_id=1, stage_id=6, status="won", amount=1000, created_at=later,
                             closed_at=later + timedelta(days=1), close_date=(later + timedelta(days=1)).date()))
    # Outcomes that arrived after AS_OF of e-mails sent and deals opened before it.
    session.execute(update(Email).where(
        Email.contact_id.in_(contact_ids), Email.direction == "outbound", Email.sent_at < AS_OF,
        Email.opened_at.is_(None)).values(opened_at=later, clicked_at=later, replied_at=later))
    session.execute(update(Deal).where(
        Deal.created_at < AS_OF, Deal.status == "open").values(status="won", stage_id=6, closed_at=later))
    session.flush()


def test_features_never_read_rows_after_as_of(session: Session) -> None:
    before = compute_features(session, snapshots_at(AS_OF))
    ids = before["contact_id"].head(150).tolist()
    _future_rows(session, ids)
    after = compute_features(session, snapshots_at(AS_OF))
    pd.testing.assert_frame_equal(before, after)
    # ...while features as of a later instant do see them
    later = compute_features(session, snapshots_at(AS_OF + timedelta(days=2), ids))
    assert (later["inbound_total"].to_numpy() > before.set_index("contact_id").loc[ids, "inbound_total"]
            .to_numpy()).all()


def test_features_of_training_snapshots_match_point_in_time_features(session: Session,
                                                                     data: LabelledSnapshots) -> None:
    """A training row equals the features of the same contact computed alone at its instant."""
    rows = data.frame.sample(25, random_state=1)
    for _, row in rows.iterrows():
        alone = compute_features(session, snapshots_at(row["as_of"].to_pydatetime(), [int(row["contact_id"])]))
        for name in FEATURE_NAMES:
            a, b = alone.iloc[0][name], row[name]
            assert (pd.isna(a) and pd.isna(b)) or a == pytest.approx(b), (name, a, b)


def test_training_labels_only_use_outcomes_known_by_the_cutoff(session: Session, data: LabelledSnapshots) -> None:
    assert ((data.frame["as_of"] + pd.Timedelta(days=90)) <= pd.Timestamp(NOW)).all()
    first_deal = dict(session.execute(select(Deal.contact_id, func.min(Deal.created_at))
                                      .where(Deal.contact_id.is_not(None)).group_by(Deal.contact_id)).all())
    for (_, row), label in zip(data.frame.head(400).iterrows(), data.labels[:400], strict=True):
        converted = first_deal.get(int(row["contact_id"]))
        as_of = row["as_of"].to_pydatetime()
        assert converted is None or converted > as_of  # still a lead at the snapshot
        assert label == int(converted is not None and converted <= as_of + timedelta(days=90))
    assert 0.05 < data.labels.mean() < 0.6


@pytest.mark.parametrize(("title", "level"), [
    ("VP of Sales", "vp"), ("Vice President, Marketing", "vp"), ("Chief Revenue Officer", "c_level"),
    ("Founder & CEO", "c_level"), ("Head of Procurement", "director"), ("IT Manager", "manager"),
    ("Software Engineer", "individual"), (None, "unknown"), ("", "unknown")], ids=lambda v: str(v))
def test_seniority_of_titles(title: str | None, level: str) -> None:
    assert seniority_of(title) == level


# ------------------------------------------------------------------ model


def test_training_is_deterministic_with_a_seed(data: LabelledSnapshots, model: LeadModel) -> None:
    again = fit_lead_model(data.frame, data.labels, numeric=NUMERIC, categorical=CATEGORICAL, config=QUICK,
                           order=data.order, data_as_of=NOW, horizon_days=90)
    assert again.version == model.version and again.kind == model.kind
    sample = data.frame.head(500)
    np.testing.assert_array_equal(again.predict_proba(sample), model.predict_proba(sample))


def test_model_is_chosen_by_measured_results(model: LeadModel) -> None:
    assert set(model.selection) == {"gradient_boosting", "logistic_regression"}
    best = max(model.selection, key=lambda k: model.selection[k]["roc_auc"])
    lr, chosen = model.selection["logistic_regression"]["roc_auc"], model.selection[model.kind]["roc_auc"]
    assert model.kind == best or (model.kind == "logistic_regression" and model.selection[best]["roc_auc"] - lr <= 0.002)
    assert chosen > 0.8 and model.version.startswith({"gradient_boosting": "gb", "logistic_regression": "lr"}[model.kind])


def test_time_split_eval_reports_fixed_summary_keys(session: Session) -> None:
    report = run_crm_eval(session, today=TODAY, config=QUICK, compare_candidates=False)
    assert set(SUMMARY_KEYS) <= set(report["summary"])
    assert report["summary"]["roc_auc"] > 0.85 and report["summary"]["top_decile_lift"] > 2.5
    assert report["reliability"] and report["setup"]["cutoff"] < TODAY.isoformat()


# ------------------------------------------------------------------ explanations and cold start


def test_explanations_name_real_features_in_a_reps_words(session: Session, model: LeadModel) -> None:
    frame = compute_features(session, snapshots_at(NOW)).head(300)
    scored = score_frame(model, frame)
    rows = frame.set_index("contact_id")
    factors = [(s.contact_id, f) for s in scored for f in s.factors]
    assert len(factors) > 300
    for contact_id, factor in factors:
        assert factor.group in PHRASES and factor.text and "_" not in factor.text, factor
        assert set(factor.features) <= set(FEATURE_NAMES)
        for name, value in factor.features.items():
            actual = rows.loc[contact_id, name]
            assert (value is None and pd.isna(actual)) or value == pytest.approx(actual, abs=1e-3)
        if factor.group == "lead_source":
            assert factor.text == SOURCE_WORDS[rows.loc[contact_id, "lead_source"]]
        if factor.group == "email_opens" and factor.direction == "up" and rows.loc[contact_id, "opens_30d"] > 0:
            days = 7 if rows.loc[contact_id, "opens_7d"] else 30
            assert f"{int(rows.loc[contact_id, f'opens_{days}d'])} e-mail" in factor.text
    ups = {f.group for _, f in factors if f.direction == "up"}
    downs = {f.group for _, f in factors if f.direction == "down"}
    assert len(ups) >= 4 and len(downs) >= 3


def test_cold_start_contact_gets_a_prior_and_low_confidence(session: Session, settings: Settings,
                                                            data: LabelledSnapshots) -> None:
    admin = _actor(session, "admin@demo.crm")
    account = session.scalar(select(Account).order_by(Account.id).limit(1))
    assert account is not None
    contact = Contact(first_name="Nova", last_name="Newcomer", account_id=account.id, owner_id=account.owner_id,
                      lead_source="website", lifecycle_stage="lead", created_at=NOW - timedelta(hours=3))
    session.add(contact)
    session.flush()
    explanation = explain_contact(session, settings, admin, contact.id, now=NOW)
    assert explanation.source == "live" and explanation.confidence == "low"
    assert "prior" in explanation.confidence_reason
    fresh = (data.frame["snapshot_age"] == 1) & (data.frame[EVIDENCE] == 0)
    assert abs(explanation.probability - data.labels[fresh.to_numpy()].mean()) < 0.25
    assert 0 <= explanation.score <= 100


def test_unknown_or_out_of_scope_contacts_are_not_found(session: Session, settings: Settings) -> None:
    rep = _actor(session, "rep@demo.crm")
    other = _contact_of(session, rep, mine=False)
    for contact_id in (other, 10**8):
        with pytest.raises(NotFoundError) as err:
            explain_contact(session, settings, rep, contact_id, now=NOW)
        assert err.value.code == "not-found"


def test_no_model_is_a_clear_error(session: Session, test_settings: Settings, tmp_path: Path) -> None:
    admin = _actor(session, "admin@demo.crm")
    with pytest.raises(ModelNotTrainedError) as err:
        explain_contact(session, test_settings.model_copy(update={"model_dir": tmp_path}), admin, 1, now=NOW)
    assert err.value.code == "model-not-trained"


# ------------------------------------------------------------------ stored scores and history


def test_apply_stores_scores_model_time_and_changes_only(session: Session, settings: Settings,
                                                         model: LeadModel) -> None:
    ids = session.scalars(select(Contact.id).order_by(Contact.id).limit(200)).all()

    def history() -> int:
        return int(session.scalar(select(func.count()).select_from(LeadScoreHistory)
                                  .where(LeadScoreHistory.contact_id.in_(ids))) or 0)

    first = apply(session, settings, as_of=NOW, contact_ids=ids)
    assert first.scored == first.contacts_updated == first.history_rows == 200 == history()
    stored = session.execute(select(Contact.lead_score, Contact.lead_score_model, Contact.lead_scored_at)
                             .where(Contact.id.in_(ids))).all()
    assert all(s is not None and 0 <= s <= 100 and m == model.version and at == NOW for s, m, at in stored)
    assert apply(session, settings, as_of=NOW, contact_ids=ids).history_rows == 200 == history()  # idempotent
    later = apply(session, settings, as_of=NOW + timedelta(days=1), contact_ids=ids)
    assert later.contacts_updated == 200 and later.history_rows < 200  # only changed scores add history
    backfill = apply(session, settings, as_of=NOW - timedelta(days=30), contact_ids=ids)
    assert backfill.contacts_updated == 0 and backfill.history_rows > 0
    assert session.scalar(select(func.max(Contact.lead_scored_at)).where(Contact.id.in_(ids))) == NOW + timedelta(days=1)


def test_stored_score_is_explained_as_of_when_it_was_scored(session: Session, settings: Settings) -> None:
    admin = _actor(session, "admin@demo.crm")
    contact_id = _contact_of(session, _actor(session, "rep@demo.crm"), mine=True)
    apply(session, settings, as_of=NOW - timedelta(days=10), contact_ids=[contact_id])
    apply(session, settings, as_of=NOW, contact_ids=[contact_id])
    stored = session.scalar(select(Contact.lead_score).where(Contact.id == contact_id))
    explanation = explain_contact(session, settings, admin, contact_id, now=NOW + timedelta(days=3))
    assert explanation.source == "stored" and explanation.score == stored and explanation.scored_at == NOW
    assert 1 <= len(explanation.history) <= 2 and explanation.history[-1].score == stored


# ------------------------------------------------------------------ chat


def _message(text: str, actor: Actor) -> Message:
    return Message(text=text, actor=actor, channel="test", conversation_id="scores", today=TODAY)


@pytest.mark.parametrize(("text", "intent"), [
    ("who are my hottest leads?", "score"), ("why is Dana Kim scored 87?", "score"),
    ("how did Dana's score change?", "score"), ("when should I email Dana?", "send_time"),
    ("leads with a score over 80", "query"), ("how accurate is the lead scoring model?", "score"),
    ("how good are the lead scores", "score")], ids=lambda v: v)
def test_chat_messages_route_to_the_score_skills(text: str, intent: str) -> None:
    assert classify(text) == intent


@pytest.mark.parametrize(("text", "name"), [
    ("why is Dana Kim scored 87?", "Dana Kim"), ("how did Dana's score change?", "Dana"),
    ("explain the lead score of Maria Lopez", "Maria Lopez"), ("what's Raj Young's score?", "Raj Young"),
    ("why is Priya White #1949 scored 0?", "Priya White #1949")], ids=lambda v: v)
def test_chat_extracts_the_contact_name(text: str, name: str) -> None:
    assert extract_name(text, SCORE_NAME_PATTERNS) == name


@pytest.mark.parametrize("text", ["why is this lead scored so high?", "why is that contact scored 50?"])
def test_chat_a_pronoun_is_no_contact_name(text: str) -> None:
    assert extract_name(text, SCORE_NAME_PATTERNS) is None


def test_chat_asks_back_with_the_skills_own_example(session: Session, settings: Settings, engine: Engine) -> None:
    skills, rep = ScoreSkills(engine, settings), _actor(session, "rep@demo.crm")
    send = skills.send_time(_message("when should I send emails to my customers", rep))
    score = skills.score(_message("why is this lead scored so high?", rep))
    assert send.status == score.status == "clarified"
    assert "when should I email" in send.summary and "scored" in score.summary


def test_chat_send_time_for_an_account_lists_each_contact_in_scope(session: Session, settings: Settings,
                                                                    engine: Engine) -> None:
    """'When should I send emails to <account> contacts': each contact there the rep may see, with its own best
    hour, and the hour most of them share."""
    skills, rep = ScoreSkills(engine, settings), _actor(session, "rep@demo.crm")
    account = session.execute(select(Account.name).join(Contact, Contact.account_id == Account.id)
                              .where(Contact.owner_id == rep.id).limit(1)).scalar_one()
    answer = skills.send_time(_message(f"when should I send emails to {account} contacts", rep))
    assert answer.status == "answered" and account in answer.summary, answer.summary
    visible = set(session.scalars(select(Contact.id).join(Account, Account.id == Contact.account_id)
                                  .where(Account.name == account, Contact.owner_id == rep.id)))
    assert {row[0] for row in answer.rows} == visible
    best = [row[2] for row in answer.rows]
    assert best[0] in answer.summary and best.count(best[0]) == max(best.count(b) for b in best)
    # an account none of whose contacts the rep may see is asked back like an unknown contact, no rows
    hidden = session.execute(select(Account.name).where(~Account.id.in_(
        select(Contact.account_id).where(Contact.owner_id == rep.id, Contact.account_id.is_not(None))))
        .limit(1)).scalar_one()
    unseen = skills.send_time(_message(f"when should I send emails to {hidden} contacts", rep))
    assert unseen.status == "clarified" and not unseen.rows, unseen.summary


def test_chat_send_time_name() -> None:
    assert extract_name("When should I email Dana Kim next week?", SEND_TIME_NAME_PATTERNS) == "Dana Kim"


def test_chat_explains_history_and_asks_back(session: Session, settings: Settings, engine: Engine) -> None:
    skills = ScoreSkills(engine, settings)
    rep = _actor(session, "rep@demo.crm")
    own = session.get(Contact, _contact_of(session, rep, mine=True))
    other = session.get(Contact, _contact_of(session, rep, mine=False))
    assert own is not None and other is not None
    answer = skills.score(_message(f"why is {own.first_name} {own.last_name} scored 87?", rep))
    assert answer.status in ("answered", "clarified"), answer.summary
    if answer.status == "answered":
        assert answer.rows and answer.rows[0][0] == own.id and f"{own.first_name} {own.last_name}" in answer.summary
    history = skills.score(_message(f"how did {own.first_name} {own.last_name} #{own.id}'s score change?", rep))
    assert history.status == "answered" and "score" in history.summary
    hidden = skills.score(_message(f"why is {other.first_name} {other.last_name} #{other.id} scored 50?", rep))
    assert hidden.status == "clarified" and "couldn't find" in hidden.summary and not hidden.rows
    common = session.execute(select(Contact.first_name).where(Contact.owner_id == rep.id)
                             .group_by(Contact.first_name).having(func.count() > 1).limit(1)).scalar()
    if common:
        ambiguous = skills.send_time(_message(f"when should I email {common}?", rep))
        assert ambiguous.status == "clarified" and len(ambiguous.suggestions) >= 2
        assert all("#" in s for s in ambiguous.suggestions)


# ------------------------------------------------------------------ stored scores through CLI, API and chat


@pytest.fixture(scope="module")
def runner(private_settings: Settings) -> Iterator[CliRunner]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "get_settings", lambda: private_settings)
        yield CliRunner()


@pytest.fixture(scope="module")
def cli_runs(runner: CliRunner) -> dict[str, Result]:
    """`score train` and `score apply` once on the private database (committed: the API and chat read it)."""
    return {"train": runner.invoke(cli.app, ["score", "train", "--max-iter", "30", "--as-of", "2026-05-15"]),
            "apply": runner.invoke(cli.app, ["score", "apply", "--as-of", "2026-05-15"])}


def test_cli_train_apply_explain(runner: CliRunner, cli_runs: dict[str, Result],
                                 private_settings: Settings) -> None:
    trained, applied = cli_runs["train"], cli_runs["apply"]
    assert trained.exit_code == 0, trained.output
    assert "saved to" in trained.output and "(chosen)" in trained.output
    assert applied.exit_code == 0, applied.output
    assert "Scored 3,000 contacts" in applied.output.replace("\n", " ")
    engine = create_engine(sqlalchemy_url(private_settings.database_url or ""))
    with Session(engine) as session:
        contact_id, score = session.execute(select(Contact.id, Contact.lead_score).where(
            Contact.lead_score.is_not(None)).order_by(Contact.lead_score.desc(), Contact.id).limit(1)).one()
    engine.dispose()
    explained = runner.invoke(cli.app, ["score", "explain", str(contact_id), "--json"])
    assert explained.exit_code == 0, explained.output
    body = json.loads(explained.output)
    assert body["score"] == score and body["source"] == "stored" and body["factors_up"]
    missing = runner.invoke(cli.app, ["score", "explain", "Nobody Atall-Here", "--as", "rep@demo.crm"])
    assert missing.exit_code == 1 and "not-found" in missing.output


def test_api_score_is_scoped_and_explained(private_settings: Settings, cli_runs: dict[str, Result]) -> None:
    engine = create_engine(sqlalchemy_url(private_settings.database_url or ""))
    with Session(engine) as session, session.begin():
        keys = {who: create_api_key(session, user_email=f"{who}@demo.crm") for who in ("rep", "admin")}
        rep = actor_for(session, "rep@demo.crm")
        own, other = _contact_of(session, rep, mine=True), _contact_of(session, rep, mine=False)
        stored = session.scalar(select(Contact.lead_score).where(Contact.id == own))
    engine.dispose()
    with TestClient(create_app(private_settings)) as client:
        auth = {"Authorization": f"Bearer {keys['rep']}"}
        body = client.get(f"/v1/contacts/{own}/score", headers=auth).json()
        assert body["score"] == stored and body["contact_id"] == own and body["summary"]
        assert {"factors_up", "factors_down", "confidence", "model_version", "history"} <= set(body)
        for contact_id in (other, 10**8):
            response = client.get(f"/v1/contacts/{contact_id}/score", headers=auth)
            assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"
            response = client.get(f"/v1/contacts/{contact_id}/send-time", headers=auth)
            assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"
        assert client.get(f"/v1/contacts/{other}/score",
                          headers={"Authorization": f"Bearer {keys['admin']}"}).status_code == 200
        assert client.get(f"/v1/contacts/{own}/score").status_code == 401
        spec = client.get("/openapi.json").json()
        assert "/v1/contacts/{contact_id}/score" in spec["paths"]
    empty = private_settings.model_copy(update={"model_dir": private_settings.data_dir / "no-models-here"})
    with TestClient(create_app(empty)) as client:
        response = client.get(f"/v1/contacts/{own}/score", headers={"Authorization": f"Bearer {keys['rep']}"})
        assert response.status_code == 409 and response.json()["error"]["code"] == "model-not-trained"


def test_chat_hottest_leads_are_mine_and_ranked(private_settings: Settings, cli_runs: dict[str, Result]) -> None:
    engine = create_engine(sqlalchemy_url(private_settings.database_url or ""))
    with Session(engine) as session:
        manager = actor_for(session, "manager@demo.crm")
    answer = ScoreSkills(engine, private_settings).score(_message("who are my hottest leads?", manager))
    assert answer.status == "answered" and answer.columns[0].name == "id"
    scores = [row[4] for row in answer.rows]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 10
    with Session(engine) as session:
        owners = set(session.scalars(select(Contact.owner_id).where(Contact.id.in_([r[0] for r in answer.rows]))))
        stages = set(session.scalars(select(Contact.lifecycle_stage).where(
            Contact.id.in_([r[0] for r in answer.rows]))))
    engine.dispose()
    assert owners <= {manager.id} and stages <= {"lead", "marketing_qualified", "sales_qualified"}


def test_chat_says_how_well_the_model_ranks(private_settings: Settings, cli_runs: dict[str, Result]) -> None:
    """'How accurate is the lead scoring model': the current model's own validation figures, as trained."""
    engine = create_engine(sqlalchemy_url(private_settings.database_url or ""))
    with Session(engine) as session:
        rep = actor_for(session, "rep@demo.crm")
    answer = ScoreSkills(engine, private_settings).score(_message("how accurate is the lead scoring model?", rep))
    engine.dispose()
    model = load_current(model_dir(private_settings))
    auc = model.selection[model.kind]["roc_auc"]
    assert answer.status == "answered" and f"ROC AUC {auc:.2f}" in answer.summary, answer.summary
    assert sorted(row[0] for row in answer.rows) == sorted(k.replace("_", " ") for k in model.selection)
    assert [row[0] for row in answer.rows if row[3] == "yes"] == [model.kind.replace("_", " ")]


def test_feature_frame_has_documented_columns(session: Session) -> None:
    frame = compute_features(session, snapshots_at(NOW, [1, 2, 3]))
    assert list(frame.columns) == ["contact_id", "as_of", *FEATURE_NAMES, *CONTEXT, EVIDENCE]


def test_scheduled_refresh_is_off_by_default_and_runs_once_under_a_lock(
        private_settings: Settings, cli_runs: dict[str, Result]) -> None:
    from crm_core.scoring.refresh import REFRESH_LOCK_KEY, refresh_scores

    with TestClient(create_app(private_settings)) as client:
        assert client.app.state.score_refresher is None  # type: ignore[attr-defined]
    engine = create_engine(sqlalchemy_url(private_settings.database_url or ""))
    try:
        assert refresh_scores(engine, private_settings).reason == "scores are fresh"
        with engine.connect() as other:
            other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": REFRESH_LOCK_KEY})
            assert refresh_scores(engine, private_settings, force=True).reason == "another process is refreshing"
            other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": REFRESH_LOCK_KEY})
            other.commit()
        outcome = refresh_scores(engine, private_settings, force=True)
        assert outcome.ran and outcome.scored == 3000 and outcome.trained is None
    finally:
        engine.dispose()
    enabled = private_settings.model_copy(update={"score_refresh_enabled": True})
    with TestClient(create_app(enabled)) as client:
        refresher = client.app.state.score_refresher  # type: ignore[attr-defined]
        assert refresher is not None and refresher._thread.is_alive()
    assert not refresher._thread.is_alive()  # stopped with the app, before its first run


def test_cli_eval_scoring_on_a_csv_reports_honest_and_leaky(tmp_path: Path, runner: CliRunner) -> None:
    rng = np.random.default_rng(3)
    n = 400
    visits = rng.poisson(3, n)
    source = rng.choice(["Google", "Referral", "Olark Chat"], n)
    converted = (rng.random(n) < 0.15 + 0.08 * visits.clip(0, 6) + 0.2 * (source == "Referral")).astype(int)
    frame = pd.DataFrame({"Prospect ID": [f"p{i}" for i in range(n)], "Lead Source": source,
                          "TotalVisits": visits, "Specialization": rng.choice(["Select", "Finance", "IT"], n),
                          "Tags": np.where(converted == 1, "Closed by Horizzon", "Ringing"), "Converted": converted})
    path = tmp_path / "leads.csv"
    frame.to_csv(path, index=False)
    report = tmp_path / "leads.json"
    result = runner.invoke(cli.app, ["eval", "scoring", "--csv", str(path), "--label", "Converted", "--folds", "3",
                                     "--max-iter", "20", "--report", str(report)])
    assert result.exit_code == 0, result.output
    body = json.loads(report.read_text(encoding="utf-8"))
    assert set(SUMMARY_KEYS) <= set(body["summary"])
    assert body["setup"]["leaky_columns"] == ["Tags"] and body["setup"]["dropped_columns"]["Prospect ID"] == "identifier"
    honest, leaky = (body["variants"][k]["metrics"]["roc_auc"] for k in ("without_leaky_columns", "with_leaky_columns"))
    assert leaky > 0.99 > honest > 0.6
    missing = runner.invoke(cli.app, ["eval", "scoring", "--csv", str(path), "--label", "Outcome"])
    assert missing.exit_code == 1 and "unknown-label-column" in missing.output
