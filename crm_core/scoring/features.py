"""Point-in-time lead features computed in SQL from the contract tables, "as of" any instant.

A snapshot is a pair (contact, as_of). Every event-derived feature of a snapshot only reads rows that
existed strictly before `as_of`: e-mails *sent* before it (and their opens, clicks and replies only if
those happened before it too), activities created before it (outcomes only once completed before it),
notes written before it, account deals created before it (won or lost only if closed before it).
Nothing reads `lifecycle_stage`, `last_contacted_at` or `lead_score`: they are current values, and a
contact's current stage *is* the outcome we predict.

Profile attributes (lead source, job title, company size and industry, country, do-not-email) are
taken as they are now: the contract keeps no history of them, and they rarely change after a lead
arrives. That is the one assumption the "as of" guarantee rests on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Integer, Select, and_, case, column, extract, func, literal, or_, select, values
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from crm_core.models import Account, Activity, Contact, Deal, Email, Note

FeatureKind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class Feature:
    """One model input: its column, kind, the explanation group it belongs to, and what it means."""

    name: str
    kind: FeatureKind
    group: str
    description: str


def _f(name: str, kind: FeatureKind, group: str, description: str) -> Feature:
    return Feature(name, kind, group, description)


#: Every model input, in model order. Groups are the units explanations talk about.
FEATURES: tuple[Feature, ...] = (
    _f("lead_source", "categorical", "lead_source", "Where the lead came from (contacts.lead_source)."),
    _f("seniority", "categorical", "seniority", "Seniority read from the job title (c_level … individual)."),
    _f("industry", "categorical", "industry", "Industry of the contact's account."),
    _f("country", "categorical", "country", "Country of the contact."),
    _f("has_account", "numeric", "company_size", "1 when the contact belongs to an account."),
    _f("log_employees", "numeric", "company_size", "log10(1 + employee count) of the account."),
    _f("do_not_email", "numeric", "do_not_email", "1 when the contact asked not to be e-mailed."),
    _f("age_days", "numeric", "age", "Days between the contact's creation and the snapshot."),
    _f("emails_sent_7d", "numeric", "outreach", "Outbound e-mails sent in the 7 days before."),
    _f("emails_sent_30d", "numeric", "outreach", "Outbound e-mails sent in the 30 days before."),
    _f("emails_sent_90d", "numeric", "outreach", "Outbound e-mails sent in the 90 days before."),
    _f("emails_sent_total", "numeric", "outreach", "Outbound e-mails sent before the snapshot."),
    _f("opens_7d", "numeric", "email_opens", "E-mails opened in the 7 days before."),
    _f("opens_30d", "numeric", "email_opens", "E-mails opened in the 30 days before."),
    _f("opens_90d", "numeric", "email_opens", "E-mails opened in the 90 days before."),
    _f("opens_total", "numeric", "email_opens", "E-mails opened before the snapshot."),
    _f("open_rate", "numeric", "email_opens", "Opened ÷ sent before the snapshot (empty when none sent)."),
    _f("days_since_last_open", "numeric", "email_opens", "Days since the last open (empty when never)."),
    _f("clicks_90d", "numeric", "email_replies", "E-mails whose link was clicked in the 90 days before."),
    _f("replies_90d", "numeric", "email_replies", "E-mails replied to in the 90 days before."),
    _f("replies_total", "numeric", "email_replies", "E-mails replied to before the snapshot."),
    _f("unanswered_streak", "numeric", "email_replies", "Outbound e-mails sent since the last one replied to."),
    _f("inbound_90d", "numeric", "inbound", "E-mails the contact wrote to us in the 90 days before."),
    _f("inbound_total", "numeric", "inbound", "E-mails the contact wrote to us before the snapshot."),
    _f("calls_90d", "numeric", "calls", "Calls completed in the 90 days before."),
    _f("calls_connected_90d", "numeric", "calls", "Calls that connected in the 90 days before."),
    _f("calls_connected_total", "numeric", "calls", "Calls that connected before the snapshot."),
    _f("meetings_90d", "numeric", "meetings", "Meetings held in the 90 days before."),
    _f("meetings_total", "numeric", "meetings", "Meetings held before the snapshot."),
    _f("meetings_upcoming", "numeric", "meetings", "Meetings booked before the snapshot for after it."),
    _f("notes_90d", "numeric", "notes", "Notes about the contact written in the 90 days before."),
    _f("days_since_last_touch", "numeric", "recency",
       "Days since the last outbound e-mail, completed call or meeting (empty when never)."),
    _f("account_won_deals", "numeric", "account_history", "Deals of the account won before the snapshot."),
    _f("account_open_deals", "numeric", "account_history", "Deals of the account open at the snapshot."),
    _f("account_lost_deals", "numeric", "account_history", "Deals of the account lost before the snapshot."),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
NUMERIC: tuple[str, ...] = tuple(f.name for f in FEATURES if f.kind == "numeric")
CATEGORICAL: tuple[str, ...] = tuple(f.name for f in FEATURES if f.kind == "categorical")
FEATURE_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}

#: Columns besides the features: how much the score rests on (for the confidence label), and raw values
#: explanations quote ("VP of Sales", "1,200 employees"), and the contact's own deals so far (a contact
#: that already converted is scored too, but its explanation says so).
EVIDENCE = "touches_total"
CONTEXT = ("job_title", "employee_count", "contact_deals")

SENIORITY_LEVELS = ("c_level", "vp", "director", "manager", "individual", "unknown")
_SENIORITY_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Vice presidents first: "Vice President" must not read as "President".
    ("vp", re.compile(r"\b(vp|svp|evp|avp|vice[- ]president)\b", re.I)),
    ("c_level", re.compile(r"\b(chief|ceo|cfo|cto|cio|coo|cmo|cro|ciso|founder|co-founder|president|owner"
                           r"|managing director|managing partner)\b", re.I)),
    ("director", re.compile(r"\b(director|head of|head)\b", re.I)),
    ("manager", re.compile(r"\b(manager|lead|supervisor)\b", re.I)),
)


def seniority_of(job_title: object) -> str:
    """Seniority level of a job title, by keywords.

    >>> seniority_of("VP of Sales"), seniority_of("Chief Revenue Officer"), seniority_of(None)
    ('vp', 'c_level', 'unknown')
    """
    if not isinstance(job_title, str) or not job_title.strip():
        return "unknown"
    for level, pattern in _SENIORITY_RULES:
        if pattern.search(job_title):
            return level
    return "individual"


# ------------------------------------------------------------------ snapshots


def snapshots_at(as_of: datetime, contact_ids: Sequence[int] | None = None) -> Select[tuple[int, datetime]]:
    """One snapshot per contact that existed at `as_of` (optionally only some contacts)."""
    c = Contact.__table__
    stmt = select(c.c.id.label("contact_id"), literal(as_of).label("as_of")).where(c.c.created_at < as_of)
    if contact_ids is not None:
        stmt = stmt.where(c.c.id.in_(list(contact_ids)))
    return stmt


def training_snapshots(*, ages_days: Sequence[int], horizon_days: int, observe_until: datetime,
                       created_from: datetime | None = None,
                       created_before: datetime | None = None) -> Select[tuple[int, datetime, int, int]]:
    """Labelled snapshots: each contact at several ages, while it is still an unconverted lead.

    A contact *converts* when it first becomes the contact of a deal (`deals.created_at`). A snapshot
    at age `a` exists when the contact had not converted by then and its whole label window
    (`as_of`, `as_of + horizon`] ends by `observe_until`; its label is whether it converted in that
    window. Columns: contact_id, as_of, snapshot_age (days), label.
    """
    c = Contact.__table__
    d = Deal.__table__
    first_deal = (select(d.c.contact_id, func.min(d.c.created_at).label("converted_at"))
                  .where(d.c.contact_id.is_not(None)).group_by(d.c.contact_id).subquery("first_deal"))
    ages = values(column("age_days", Integer), name="ages").data([(int(a),) for a in ages_days])
    as_of = c.c.created_at + func.make_interval(0, 0, 0, ages.c.age_days)
    horizon = timedelta(days=horizon_days)
    converted_at = first_deal.c.converted_at
    label = case((and_(converted_at > as_of, converted_at <= as_of + horizon), 1), else_=0)
    stmt = (
        select(c.c.id.label("contact_id"), as_of.label("as_of"), ages.c.age_days.label("snapshot_age"),
               label.label("label"))
        .select_from(c.join(ages, literal(True)).outerjoin(first_deal, first_deal.c.contact_id == c.c.id))
        .where(as_of + horizon <= observe_until, or_(converted_at.is_(None), converted_at > as_of))
        .order_by(c.c.id, ages.c.age_days)
    )
    if created_from is not None:
        stmt = stmt.where(c.c.created_at >= created_from)
    if created_before is not None:
        stmt = stmt.where(c.c.created_at < created_before)
    return stmt


# ------------------------------------------------------------------ features


def _days(delta: ColumnElement[Any]) -> ColumnElement[Any]:
    return extract("epoch", delta) / 86400.0


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count().filter(condition)


def feature_query(snapshots: Select[tuple[int, datetime]] | Select[tuple[int, datetime, int, int]]
                  ) -> Select[tuple[object, ...]]:
    """The SQL computing every feature (and the evidence count) of each (contact_id, as_of) snapshot."""
    s = snapshots.with_only_columns(*[col for col in snapshots.selected_columns
                                      if col.key in ("contact_id", "as_of")]).order_by(None).cte("snapshots")
    t = s.c.as_of
    e, a, n, dl = Email.__table__, Activity.__table__, Note.__table__, Deal.__table__
    c, acc = Contact.__table__, Account.__table__

    def within(col: ColumnElement[datetime], days: int) -> ColumnElement[bool]:
        return and_(col < t, col >= t - timedelta(days=days))

    out = e.c.direction == "outbound"
    inbound = e.c.direction == "inbound"
    opened = e.c.opened_at < t
    em = (
        select(
            s.c.contact_id, s.c.as_of,
            _count(and_(out, e.c.sent_at >= t - timedelta(days=7))).label("emails_sent_7d"),
            _count(and_(out, e.c.sent_at >= t - timedelta(days=30))).label("emails_sent_30d"),
            _count(and_(out, e.c.sent_at >= t - timedelta(days=90))).label("emails_sent_90d"),
            _count(out).label("emails_sent_total"),
            _count(within(e.c.opened_at, 7)).label("opens_7d"),
            _count(within(e.c.opened_at, 30)).label("opens_30d"),
            _count(within(e.c.opened_at, 90)).label("opens_90d"),
            _count(opened).label("opens_total"),
            func.max(e.c.opened_at).filter(opened).label("last_open_at"),
            _count(within(e.c.clicked_at, 90)).label("clicks_90d"),
            _count(within(e.c.replied_at, 90)).label("replies_90d"),
            _count(e.c.replied_at < t).label("replies_total"),
            func.max(e.c.sent_at).filter(e.c.replied_at < t).label("last_replied_sent_at"),
            _count(and_(inbound, e.c.sent_at >= t - timedelta(days=90))).label("inbound_90d"),
            _count(inbound).label("inbound_total"),
            func.max(e.c.sent_at).filter(out).label("last_email_at"),
        )
        .select_from(s.join(e, and_(e.c.contact_id == s.c.contact_id, e.c.sent_at < t)))
        .group_by(s.c.contact_id, s.c.as_of)
        .cte("em")
    )
    # Outbound e-mails after the last one that got a reply (before the snapshot): "no reply to the last 4".
    streak = (
        select(em.c.contact_id, em.c.as_of, func.count().label("unanswered_streak"))
        .select_from(em.join(e, and_(
            e.c.contact_id == em.c.contact_id, e.c.direction == "outbound", e.c.sent_at < em.c.as_of,
            or_(em.c.last_replied_sent_at.is_(None), e.c.sent_at > em.c.last_replied_sent_at))))
        .group_by(em.c.contact_id, em.c.as_of)
        .subquery("streak")
    )
    done = a.c.completed_at < t
    is_call, is_meeting = a.c.type == "call", a.c.type == "meeting"
    act = (
        select(
            s.c.contact_id, s.c.as_of,
            _count(and_(is_call, within(a.c.completed_at, 90))).label("calls_90d"),
            _count(and_(is_call, a.c.outcome == "connected", within(a.c.completed_at, 90))).label(
                "calls_connected_90d"),
            _count(and_(is_call, a.c.outcome == "connected", done)).label("calls_connected_total"),
            _count(and_(is_meeting, within(a.c.completed_at, 90))).label("meetings_90d"),
            _count(and_(is_meeting, done)).label("meetings_total"),
            _count(and_(is_meeting, a.c.due_at >= t, a.c.completed_at.is_(None) | (a.c.completed_at >= t))
                   ).label("meetings_upcoming"),
            _count(and_(a.c.type.in_(("call", "meeting")), done)).label("touch_activities"),
            func.max(a.c.completed_at).filter(and_(a.c.type.in_(("call", "meeting")), done)).label(
                "last_activity_at"),
        )
        .select_from(s.join(a, and_(a.c.contact_id == s.c.contact_id, a.c.created_at < t)))
        .group_by(s.c.contact_id, s.c.as_of)
        .subquery("act")
    )
    notes = (
        select(s.c.contact_id, s.c.as_of,
               _count(n.c.created_at >= t - timedelta(days=90)).label("notes_90d"),
               func.count().label("notes_total"))
        .select_from(s.join(n, and_(n.c.contact_id == s.c.contact_id, n.c.created_at < t)))
        .group_by(s.c.contact_id, s.c.as_of)
        .subquery("notes")
    )
    closed = dl.c.closed_at < t
    deals = (
        select(s.c.contact_id, s.c.as_of,
               _count(and_(dl.c.status == "won", closed)).label("account_won_deals"),
               _count(or_(dl.c.closed_at.is_(None), dl.c.closed_at >= t)).label("account_open_deals"),
               _count(and_(dl.c.status == "lost", closed)).label("account_lost_deals"))
        .select_from(s.join(c, c.c.id == s.c.contact_id).join(
            dl, and_(dl.c.account_id == c.c.account_id, dl.c.created_at < t)))
        .group_by(s.c.contact_id, s.c.as_of)
        .subquery("deals")
    )
    own = (
        select(s.c.contact_id, s.c.as_of, func.count().label("contact_deals"))
        .select_from(s.join(dl, and_(dl.c.contact_id == s.c.contact_id, dl.c.created_at < t)))
        .group_by(s.c.contact_id, s.c.as_of)
        .subquery("own")
    )

    def zero(col: ColumnElement[int]) -> ColumnElement[int]:
        return func.coalesce(col, 0)

    def key(sub: object) -> ColumnElement[bool]:
        return and_(sub.c.contact_id == s.c.contact_id, sub.c.as_of == s.c.as_of)  # type: ignore[attr-defined]

    last_touch = func.greatest(em.c.last_email_at, act.c.last_activity_at)
    sent_total = zero(em.c.emails_sent_total)
    stmt = (
        select(
            s.c.contact_id, s.c.as_of,
            c.c.lead_source, c.c.job_title, acc.c.industry, c.c.country,
            case((c.c.account_id.is_(None), 0), else_=1).label("has_account"),
            acc.c.employee_count,
            case((c.c.do_not_email, 1), else_=0).label("do_not_email"),
            _days(t - c.c.created_at).label("age_days"),
            *[zero(em.c[name]).label(name) for name in (
                "emails_sent_7d", "emails_sent_30d", "emails_sent_90d", "emails_sent_total",
                "opens_7d", "opens_30d", "opens_90d", "opens_total")],
            (zero(em.c.opens_total) * 1.0 / func.nullif(sent_total, 0)).label("open_rate"),
            _days(t - em.c.last_open_at).label("days_since_last_open"),
            *[zero(em.c[name]).label(name) for name in ("clicks_90d", "replies_90d", "replies_total")],
            zero(streak.c.unanswered_streak).label("unanswered_streak"),
            zero(em.c.inbound_90d).label("inbound_90d"), zero(em.c.inbound_total).label("inbound_total"),
            *[zero(act.c[name]).label(name) for name in (
                "calls_90d", "calls_connected_90d", "calls_connected_total", "meetings_90d", "meetings_total",
                "meetings_upcoming")],
            zero(notes.c.notes_90d).label("notes_90d"),
            _days(t - last_touch).label("days_since_last_touch"),
            *[zero(deals.c[name]).label(name) for name in (
                "account_won_deals", "account_open_deals", "account_lost_deals")],
            zero(own.c.contact_deals).label("contact_deals"),
            (sent_total + zero(em.c.inbound_total) + zero(act.c.touch_activities) + zero(notes.c.notes_total)
             ).label(EVIDENCE),
        )
        .select_from(
            s.join(c, c.c.id == s.c.contact_id)
            .outerjoin(acc, acc.c.id == c.c.account_id)
            .outerjoin(em, key(em)).outerjoin(streak, key(streak)).outerjoin(act, key(act))
            .outerjoin(notes, key(notes)).outerjoin(deals, key(deals)).outerjoin(own, key(own))
        )
        .order_by(s.c.contact_id, s.c.as_of)
    )
    return stmt


def compute_features(session: Session,
                     snapshots: Select[tuple[int, datetime]] | Select[tuple[int, datetime, int, int]]
                     ) -> pd.DataFrame:
    """Features of each snapshot as a frame (one row per snapshot, ordered by contact and time).

    Columns: contact_id, as_of, every name in `FEATURE_NAMES`, the `CONTEXT` columns and `touches_total`
    (the evidence count: e-mails either way, completed calls and meetings, notes).
    """
    result = session.execute(feature_query(snapshots))
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    return finish_features(frame)


def finish_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Python-side steps: seniority from titles, dtypes, missing categories."""
    frame = frame.copy()
    frame["seniority"] = pd.Series([seniority_of(t) for t in frame["job_title"]], index=frame.index,
                                   dtype=object)
    frame["employee_count"] = pd.to_numeric(frame["employee_count"], errors="coerce").astype(np.float64)
    frame["log_employees"] = np.log10(1.0 + frame["employee_count"])
    for name in CATEGORICAL:
        frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    for name in NUMERIC:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
    frame[EVIDENCE] = pd.to_numeric(frame[EVIDENCE]).astype(np.int64)
    frame["contact_deals"] = pd.to_numeric(frame["contact_deals"]).astype(np.int64)
    frame["contact_id"] = frame["contact_id"].astype(np.int64)
    frame["as_of"] = pd.to_datetime(frame["as_of"], utc=True)
    frame["job_title"] = frame["job_title"].astype(object).where(frame["job_title"].notna(), None)
    return frame[["contact_id", "as_of", *FEATURE_NAMES, *CONTEXT, EVIDENCE]].reset_index(drop=True)
