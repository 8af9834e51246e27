"""Send-time suggestions on the real (small) demo database: local hours of the week, hierarchical
smoothing, confidence by volume, scoped access, the held-out evaluation and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from connectors import cli
from crm_core.errors import NotFoundError
from crm_core.models import Contact, Email
from crm_core.scope import actor_for
from crm_core.send_time import Smoothing, hour_range, suggest_send_time
from crm_core.send_time.model import (
    SendTimePriors,
    confidence_of,
    contact_distribution,
    top_hours_on_distinct_days,
    window_around,
)
from crm_core.send_time.opens import HOURS_IN_WEEK, load_opens
from crm_core.settings import Settings
from evals.timing_eval import METHODS, holdout_mask, run_timing_eval

TODAY = date(2026, 5, 15)
NOW = datetime(2026, 5, 15, tzinfo=UTC)


def _new_contact(session: Session, tz: str, opens_at: list[datetime]) -> Contact:
    owner = actor_for(session, "rep@demo.crm")
    contact = Contact(first_name="Dana", last_name="Kimura-Test", owner_id=owner.id, timezone=tz,
                      lifecycle_stage="lead", lead_source="referral", job_title="VP of Sales",
                      created_at=NOW - timedelta(days=200))
    session.add(contact)
    session.flush()
    for opened in opens_at:
        session.add(Email(contact_id=contact.id, owner_id=owner.id, direction="outbound", subject="hello",
                          sent_at=opened - timedelta(hours=20), opened_at=opened))
    session.flush()
    return contact


def test_opens_are_read_in_the_contacts_time_zone(session: Session) -> None:
    # Tuesday 2026-03-10 16:30 UTC is Tuesday 09:30 in Los Angeles (PDT, UTC-7): hour of week 24 + 9.
    contact = _new_contact(session, "America/Los_Angeles", [datetime(2026, 3, 10, 16, 30, tzinfo=UTC)])
    opens = load_opens(session, before=NOW, contact_ids=[contact.id])
    assert opens.hour_of_week.tolist() == [33]
    # ...and 17:30 UTC on a Monday in January is 09:30 in Los Angeles in winter (PST, UTC-8): hour 9.
    other = _new_contact(session, "America/Los_Angeles", [datetime(2026, 1, 12, 17, 30, tzinfo=UTC)])
    assert load_opens(session, before=NOW, contact_ids=[other.id]).hour_of_week.tolist() == [9]


def test_few_opens_lean_on_the_segment_many_on_the_contact() -> None:
    prior = np.full(HOURS_IN_WEEK, 0.2 / (HOURS_IN_WEEK - 3))
    prior[[56, 57, 58]] = 0.8 / 3  # similar contacts read on Wednesdays 8–11 am
    smoothing = Smoothing()
    one = np.zeros(HOURS_IN_WEEK)
    one[100] = 1  # a single open on Friday 4 am
    assert int(np.argmax(contact_distribution(np.zeros(HOURS_IN_WEEK), prior, smoothing))) in (56, 57, 58)
    many = np.zeros(HOURS_IN_WEEK)
    many[33] = 12  # twelve opens on Tuesdays 9 am
    assert int(np.argmax(contact_distribution(many, prior, smoothing))) == 33
    p_one = contact_distribution(one, prior, smoothing)
    assert p_one.sum() == pytest.approx(1.0) and p_one[57] > prior[57] * 0.3


def test_segment_priors_shrink_toward_the_population() -> None:
    population = np.full(HOURS_IN_WEEK, 1 / HOURS_IN_WEEK)
    tiny = np.zeros(HOURS_IN_WEEK)
    tiny[10] = 2
    priors = SendTimePriors(population=population, levels=[{("vp",): tiny}, {}, {}])
    p = priors.segment_prior(("vp", "Software", "US"))
    assert p.sum() == pytest.approx(1.0)
    assert p[10] > population[10] and p[10] < 0.05  # two opens move a segment only a little
    assert priors.segment_prior(("unknown", "x", "y")) is population


@pytest.mark.parametrize(("start", "width", "text"), [
    (9, 1, "9–10 am"), (11, 1, "11 am–12 pm"), (12, 1, "12–1 pm"), (8, 3, "8–11 am"), (16, 3, "4–7 pm"),
    (23, 1, "11 pm–12 am"), (0, 1, "12–1 am")], ids=lambda v: str(v))
def test_hour_ranges_read_like_a_person_says_them(start: int, width: int, text: str) -> None:
    assert hour_range(start, width) == text


def test_windows_and_alternatives() -> None:
    p = np.zeros(HOURS_IN_WEEK)
    p[[33, 34, 35, 58, 80]] = [0.3, 0.25, 0.2, 0.15, 0.1]
    assert top_hours_on_distinct_days(p, 3) == [33, 58, 80]
    assert window_around(p, 33) == 33  # 33–35 holds the most mass among windows containing 33
    assert confidence_of(14)[0] == "high" and confidence_of(5)[0] == "medium" and confidence_of(0)[0] == "low"


def test_suggestion_for_a_contact_with_a_clear_habit(session: Session, test_settings: Settings) -> None:
    # Fourteen opens on Tuesdays 9:xx in Chicago (CDT in spring: UTC-5).
    tuesdays = [datetime(2026, 3, 17, 14, 20, tzinfo=UTC) + timedelta(weeks=k) for k in range(7)]
    opens = [t + timedelta(minutes=m) for t in tuesdays for m in (0, 25)]
    contact = _new_contact(session, "America/Chicago", opens)
    admin = actor_for(session, "admin@demo.crm")
    suggestion = suggest_send_time(session, test_settings, admin, contact.id, now=NOW)
    assert suggestion.best.label == "Tuesday 9–10 am" and suggestion.opens == 14
    assert suggestion.confidence == "high" and "based on 14 opens" in suggestion.summary
    assert suggestion.summary.startswith("Tuesday 9–10 am Dana's time (America/Chicago)")
    assert suggestion.best.next_start == datetime(2026, 5, 19, 14, tzinfo=UTC)  # next Tuesday 9 am CDT
    assert suggestion.window_3h.start_hour in (7, 8, 9) and suggestion.window_3h.weekday == "Tuesday"


def test_contact_without_opens_gets_a_segment_suggestion(session: Session, test_settings: Settings) -> None:
    contact = _new_contact(session, "Europe/Berlin", [])
    suggestion = suggest_send_time(session, test_settings, actor_for(session, "rep@demo.crm"), contact.id, now=NOW)
    assert suggestion.opens == 0 and suggestion.confidence == "low" and "similar contacts" in suggestion.summary


def test_send_time_is_scoped(session: Session, test_settings: Settings) -> None:
    rep = actor_for(session, "rep@demo.crm")
    other = session.scalar(select(func.min(Contact.id)).where(Contact.owner_id != rep.id))
    with pytest.raises(NotFoundError) as err:
        suggest_send_time(session, test_settings, rep, int(other or 0), now=NOW)
    assert err.value.code == "not-found"


def test_holdout_mask_hides_the_last_opens_of_each_contact(session: Session) -> None:
    opens = load_opens(session, before=NOW)
    held = holdout_mask(opens, 2)
    per_contact = np.bincount(opens.contact_id[held])
    assert per_contact.max() == 2
    ids = opens.contact_id
    for cid in np.unique(ids)[:50]:
        mine = ids == cid
        times = opens.opened_at[mine]
        assert (times[held[mine]] >= times[~held[mine]].max(initial=np.datetime64("1970-01-01"))).all()


def test_timing_eval_beats_baselines_on_held_out_opens(engine: Engine) -> None:
    with Session(engine) as session:
        report = run_timing_eval(session, today=TODAY, holdout=2)
    summary = report["summary"]
    for key in ("hit_rate_1h", "hit_rate_3h"):
        assert set(summary[key]) == set(METHODS)
    assert summary["hit_rate_3h"]["model"] >= 1.5 * summary["hit_rate_3h"]["fixed_10am"]
    for bucket in ("0", "1-4"):  # smoothing helps most where the contact's own history is thin
        rates = report["by_own_opens"][bucket]["time_of_day"]["hit_rate_3h"]
        assert rates["model"] > rates["raw_history"], bucket
    assert report["open_rate_simulation"]["grid"] and report["ground_truth"]


@pytest.fixture
def runner(test_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setattr(cli, "get_settings", lambda: test_settings)
    yield CliRunner()


def test_cli_send_time_and_eval_timing(runner: CliRunner, engine: Engine, tmp_path: object) -> None:
    with Session(engine) as session:
        rep = actor_for(session, "rep@demo.crm")
        contact_id = session.scalar(select(Email.contact_id).join(Contact, Contact.id == Email.contact_id)
                                    .where(Contact.owner_id == rep.id, Email.opened_at.is_not(None))
                                    .group_by(Email.contact_id).order_by(func.count().desc(), Email.contact_id)
                                    .limit(1))
    result = runner.invoke(cli.app, ["send-time", str(contact_id), "--as", "rep@demo.crm", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["contact_id"] == contact_id and body["opens"] > 0 and body["best"]["label"]
    report = f"{tmp_path}/timing.json"
    result = runner.invoke(cli.app, ["eval", "timing", "--report", report])
    assert result.exit_code == 0, result.output
    with open(report, encoding="utf-8") as fh:
        summary = json.load(fh)["summary"]
    assert set(summary["hit_rate_1h"]) == set(METHODS) == set(summary["hit_rate_3h"])
    hidden = runner.invoke(cli.app, ["send-time", "999999", "--as", "rep@demo.crm"])
    assert hidden.exit_code == 1 and "not-found" in hidden.output
