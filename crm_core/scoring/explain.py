"""Why a lead scores what it does: the factors pushing it up and down, in a rep's words.

Attribution is by occlusion, per group of related features: a group's effect is how many points the
score would drop (or rise) if that group looked like a typical lead's (the training medians and most
common categories) while everything else stayed the same. It is model-agnostic, cheap (one extra
prediction per group) and answers the rep's real question — "what about this lead is unusual, and
does it help or hurt?" It is not an additive decomposition: with interactions, effects need not sum
to the score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from crm_core.scoring.features import FEATURE_BY_NAME
from crm_core.scoring.model import MISSING, LeadModel

Direction = Literal["up", "down"]
#: Effects weaker than this (in log-odds: odds × 1.28, ≈ 6 points at a score of 50) are not worth a rep's time.
MIN_LOGIT = 0.25
TOP_FACTORS = 3


@dataclass(frozen=True)
class Factor:
    """One reason: the feature group, which way it pushes, by how many points, and what to tell a rep."""

    group: str
    direction: Direction
    points: float
    text: str
    features: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "direction": self.direction, "points": self.points, "text": self.text,
                "features": self.features}


def feature_groups(model: LeadModel) -> dict[str, tuple[str, ...]]:
    """The model's columns grouped as explanations talk about them (CSV columns are their own group)."""
    groups: dict[str, list[str]] = {}
    for name in model.columns:
        feature = FEATURE_BY_NAME.get(name)
        groups.setdefault(feature.group if feature else name, []).append(name)
    return {g: tuple(cols) for g, cols in groups.items()}


def group_effects(model: LeadModel, frame: pd.DataFrame
                  ) -> tuple[pd.DataFrame, pd.DataFrame, npt.NDArray[np.float64]]:
    """Each group's effect on each row versus a typical value: (log-odds, score points), rows × groups, and
    the rows' own probabilities.

    Factors are ranked by log-odds, because near 0 or 100 a real reason moves the probability very
    little ("in the CRM for two years without a deal" still explains a score of 1); points are what
    a rep sees.
    """
    groups = feature_groups(model)
    n = len(frame)
    # Only rows whose group differs from the typical value can have an effect; the rest are exactly 0.
    # All variants go through one prediction, which is far cheaper than one call per group.
    variants, spans = [frame], {}
    offset = n
    for group, columns in groups.items():
        differs = np.zeros(n, dtype=bool)
        for name in columns:
            differs |= ~_same(frame[name], model.reference[name])
        rows = np.flatnonzero(differs)
        if len(rows):
            typical = frame.iloc[rows].copy()
            for name in columns:
                typical[name] = model.reference[name]
            variants.append(typical)
        spans[group] = (rows, offset)
        offset += len(rows)
    p = model.predict_proba(pd.concat(variants, ignore_index=True))
    base = p[:n]
    logits, points = {}, {}
    for group, (rows, start) in spans.items():
        other = base.copy()
        other[rows] = p[start:start + len(rows)]
        logits[group] = _logit(base) - _logit(other)
        points[group] = (base - other) * 100.0
    return pd.DataFrame(logits, index=frame.index), pd.DataFrame(points, index=frame.index), base


def _same(values: pd.Series, reference: Any) -> npt.NDArray[np.bool_]:
    """Which values equal the reference (missing equals missing)."""
    same: npt.NDArray[np.bool_]
    if isinstance(reference, float) and np.isnan(reference):
        same = values.isna().to_numpy()
    elif isinstance(reference, str):
        same = (values.astype(object).where(values.notna(), MISSING).astype(str) == reference).to_numpy()
    else:
        same = (pd.to_numeric(values, errors="coerce") == reference).to_numpy()
    return same


def _logit(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def explain_rows(model: LeadModel, frame: pd.DataFrame, *, top: int = TOP_FACTORS) -> list[list[Factor]]:
    """The strongest factors up and down for every row of `frame` (features as `compute_features` gives)."""
    return predict_and_explain(model, frame, top=top)[1]


def predict_and_explain(model: LeadModel, frame: pd.DataFrame, *, top: int = TOP_FACTORS
                        ) -> tuple[npt.NDArray[np.float64], list[list[Factor]]]:
    """Each row's probability and its strongest factors up and down, from one batch of predictions."""
    logits, points, base = group_effects(model, frame)
    groups = feature_groups(model)
    records = frame.to_dict("records")
    names = list(logits.columns)
    strength, shown = logits.to_numpy(), np.round(points.to_numpy(), 1) + 0.0
    # Rank every row's groups at once; a row then only looks at its first and last `top` entries.
    order = np.argsort(-strength, axis=1, kind="stable")
    ranked = np.take_along_axis(strength, order, axis=1)
    first, last = order[:, :top], order[:, ::-1][:, :top]
    first_ok, last_ok = ranked[:, :top] >= MIN_LOGIT, ranked[:, ::-1][:, :top] <= -MIN_LOGIT
    out: list[list[Factor]] = []
    for i, row in enumerate(records):
        factors = []
        for picks, ok, direction in ((first[i], first_ok[i], "up"), (last[i], last_ok[i], "down")):
            for j, keep in zip(picks.tolist(), ok.tolist(), strict=True):
                if not keep:
                    break
                group = names[j]
                factors.append(Factor(
                    group=group, direction=direction,  # type: ignore[arg-type]
                    points=float(shown[i, j]), text=describe(group, row, direction),  # type: ignore[arg-type]
                    features={name: _plain(row.get(name)) for name in groups[group]}))
        out.append(factors)
    return base, out


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else (value if value.is_integer() else round(value, 3))
    if isinstance(value, np.floating):
        return None if np.isnan(value) else round(float(value), 3)
    if isinstance(value, np.integer):
        return int(value)
    return value


# ------------------------------------------------------------------ phrasing


def _n(row: Mapping[str, Any], name: str) -> int:
    value = row.get(name)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return 0
    return int(round(float(value)))


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _ago(days: Any) -> str:
    """'3 days', '5 weeks', '4 months' — how a rep says a span."""
    if days is None or (isinstance(days, float) and np.isnan(days)):
        return "never"
    d = float(days)
    if d < 1:
        return "less than a day"
    if d < 14:
        return _plural(int(d), "day")
    if d < 60:
        return _plural(int(d // 7), "week")
    if d < 548:
        return _plural(int(d // 30), "month")
    years = round(d / 365, 1)
    return f"{years:g} years"


SOURCE_WORDS = {
    "website": "came in through the website", "referral": "came from a referral", "event": "met us at an event",
    "paid_search": "came from paid search", "social": "came from social media",
    "outbound": "came from our outbound prospecting", "partner": "came through a partner",
    "webinar": "came from a webinar",
}
SENIORITY_WORDS = {
    "c_level": "C-level", "vp": "VP-level", "director": "director-level", "manager": "manager-level",
    "individual": "individual-contributor", "unknown": "unknown",
}


def _lead_source(row: Mapping[str, Any], direction: Direction) -> str:
    source = row.get("lead_source")
    return SOURCE_WORDS.get(str(source), f"lead source '{source}'") if source else "lead source unknown"


def _seniority(row: Mapping[str, Any], direction: Direction) -> str:
    level = str(row.get("seniority") or "unknown")
    title = row.get("job_title")
    if level == "unknown" or not title:
        return "no job title on record"
    return f"{SENIORITY_WORDS.get(level, level)} role ({title})"


def _industry(row: Mapping[str, Any], direction: Direction) -> str:
    industry = row.get("industry")
    return f"works in {industry}" if industry else "no industry on record"


def _country(row: Mapping[str, Any], direction: Direction) -> str:
    country = row.get("country")
    return f"based in {country}" if country else "no country on record"


def _company_size(row: Mapping[str, Any], direction: Direction) -> str:
    if not _n(row, "has_account"):
        return "no company on record"
    employees = row.get("employee_count")
    if employees is None or (isinstance(employees, float) and np.isnan(employees)):
        return "company size unknown"
    return f"company of {_plural(int(employees), 'employee')}"


def _do_not_email(row: Mapping[str, Any], direction: Direction) -> str:
    return "asked not to be e-mailed" if _n(row, "do_not_email") else "open to e-mail"


def _age(row: Mapping[str, Any], direction: Direction) -> str:
    age = row.get("age_days")
    if direction == "up":
        return f"new lead (added {_ago(age)} ago)"
    return f"in the CRM for {_ago(age)}" + ("" if _n(row, "contact_deals") else " without a deal")


def _outreach(row: Mapping[str, Any], direction: Direction) -> str:
    for days in (7, 30, 90):
        n = _n(row, f"emails_sent_{days}d")
        if n:
            return f"e-mailed {_plural(n, 'time')} in the last {days} days"
    total = _n(row, "emails_sent_total")
    return f"not e-mailed in the last 90 days ({total:,} e-mails before)" if total else "not e-mailed yet"


def _email_opens(row: Mapping[str, Any], direction: Direction) -> str:
    sent, total = _n(row, "emails_sent_total"), _n(row, "opens_total")
    if not sent:
        return "not e-mailed yet, so no opens"
    if not total:
        return f"opened none of {_plural(sent, 'e-mail')}"
    if direction == "down":
        recent = "" if _n(row, "opens_30d") else " and none in the last 30 days"
        return f"opened only {total:,} of {_plural(sent, 'e-mail')}{recent}"
    for days in (7, 30, 90):
        n = _n(row, f"opens_{days}d")
        if n:
            return f"opened {_plural(n, 'e-mail')} in the last {days} days"
    return f"opened {total:,} of {_plural(sent, 'e-mail')} (none in the last 90 days)"


def _email_replies(row: Mapping[str, Any], direction: Direction) -> str:
    streak, replies, clicks = _n(row, "unanswered_streak"), _n(row, "replies_90d"), _n(row, "clicks_90d")
    if direction == "down" and streak >= 2:
        return f"no reply to the last {streak:,} e-mails"
    if replies:
        return f"replied to {_plural(replies, 'e-mail')} in the last 90 days"
    if clicks:
        return f"clicked links in {_plural(clicks, 'e-mail')} in the last 90 days"
    total = _n(row, "replies_total")
    if total:
        return f"replied to {_plural(total, 'e-mail')} before"
    if streak:
        return f"no reply to the last {_plural(streak, 'e-mail')}"
    return "no e-mails to reply to yet"


def _inbound(row: Mapping[str, Any], direction: Direction) -> str:
    n = _n(row, "inbound_90d")
    if n:
        return f"wrote to us {_plural(n, 'time')} in the last 90 days"
    total = _n(row, "inbound_total")
    return f"wrote to us {_plural(total, 'time')} before" if total else "has not written to us"


def _calls(row: Mapping[str, Any], direction: Direction) -> str:
    connected, tried = _n(row, "calls_connected_90d"), _n(row, "calls_90d")
    if connected:
        return f"{_plural(connected, 'connected call')} in the last 90 days"
    if tried:
        return f"{_plural(tried, 'call')} in the last 90 days, none connected"
    total = _n(row, "calls_connected_total")
    return f"{_plural(total, 'connected call')} before" if total else "no connected calls yet"


def _meetings(row: Mapping[str, Any], direction: Direction) -> str:
    upcoming, held = _n(row, "meetings_upcoming"), _n(row, "meetings_90d")
    if upcoming:
        return f"has {_plural(upcoming, 'meeting')} booked"
    if held:
        return f"met {_plural(held, 'time')} in the last 90 days"
    total = _n(row, "meetings_total")
    return f"met {_plural(total, 'time')} before" if total else "no meetings yet"


def _notes(row: Mapping[str, Any], direction: Direction) -> str:
    n = _n(row, "notes_90d")
    return f"{_plural(n, 'note')} logged in the last 90 days" if n else "no notes in the last 90 days"


def _recency(row: Mapping[str, Any], direction: Direction) -> str:
    days = row.get("days_since_last_touch")
    if days is None or (isinstance(days, float) and np.isnan(days)):
        return "never contacted"
    return f"last contacted {_ago(days)} ago" if direction == "up" else f"no contact for {_ago(days)}"


def _account_history(row: Mapping[str, Any], direction: Direction) -> str:
    won, open_, lost = _n(row, "account_won_deals"), _n(row, "account_open_deals"), _n(row, "account_lost_deals")
    if direction == "down" and lost:
        return f"their company lost {_plural(lost, 'deal')} with us before"
    if won:
        return f"their company already bought from us ({_plural(won, 'won deal')})"
    if open_:
        return f"their company has {_plural(open_, 'open deal')}"
    if lost:
        return f"their company lost {_plural(lost, 'deal')} with us before"
    return "no deal history with their company" if _n(row, "has_account") else "no company on record"


PHRASES: dict[str, Callable[[Mapping[str, Any], Direction], str]] = {
    "lead_source": _lead_source, "seniority": _seniority, "industry": _industry, "country": _country,
    "company_size": _company_size, "do_not_email": _do_not_email, "age": _age, "outreach": _outreach,
    "email_opens": _email_opens, "email_replies": _email_replies, "inbound": _inbound, "calls": _calls,
    "meetings": _meetings, "notes": _notes, "recency": _recency, "account_history": _account_history,
}


def describe(group: str, row: Mapping[str, Any], direction: Direction) -> str:
    """A rep's words for a group's values; for CSV columns, "Column is value"."""
    phrase = PHRASES.get(group)
    if phrase is not None:
        return phrase(row, direction)
    value = row.get(group)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return f"{group} is missing"
    if isinstance(value, (float, np.floating)):
        return f"{group} is {float(value):,.4g}"
    return f"{group} is {value}"


def join_reasons(texts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(texts)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
