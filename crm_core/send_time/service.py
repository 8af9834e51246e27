"""Send-time suggestions for one contact: the best local slot(s) to e-mail, in words, with confidence.

The population and segment distributions are fitted from every open and reused for
`send_time_cache_s` (they move slowly); the contact's own opens are read fresh on every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from crm_core.scope import Actor
from crm_core.scoring.contacts import ContactRef, visible_contact
from crm_core.send_time.model import (
    SendTimePriors,
    confidence_of,
    counts_by_contact,
    fit_priors,
    top_hours_on_distinct_days,
    window_around,
)
from crm_core.send_time.opens import HOURS_IN_WEEK, WEEKDAYS, load_opens, load_profiles
from crm_core.settings import Settings

_lock = threading.Lock()
_priors: dict[tuple[str, datetime | None], tuple[float, SendTimePriors]] = {}


def priors_for(session: Session, settings: Settings, *, now: datetime) -> SendTimePriors:
    """Population and segment distributions from all opens before `now` (cached; see module docstring)."""
    key = (str(session.get_bind().engine.url), now if settings.today is not None else None)
    with _lock:
        cached = _priors.get(key)
        if cached and time.monotonic() - cached[0] < settings.send_time_cache_s:
            return cached[1]
    priors = fit_priors(load_opens(session, before=now), load_profiles(session))
    with _lock:
        _priors[key] = (time.monotonic(), priors)
    return priors


def clear_cache() -> None:
    with _lock:
        _priors.clear()


def hour_range(start: int, width: int = 1) -> str:
    """'9–10 am', '11 am–12 pm', '12–1 pm', '8–11 am' (hours of the day, wrapping at midnight).

    >>> hour_range(9), hour_range(11), hour_range(12), hour_range(8, 3), hour_range(23)
    ('9–10 am', '11 am–12 pm', '12–1 pm', '8–11 am', '11 pm–12 am')
    """
    end = (start + width) % 24

    def clock(h: int) -> tuple[int, str]:
        return (h % 12 or 12), ("am" if h < 12 else "pm")

    (a, a_half), (b, b_half) = clock(start % 24), clock(end)
    if a_half == b_half and not (start % 24 < 12 <= start % 24 + width):
        return f"{a}–{b} {b_half}"
    return f"{a} {a_half}–{b} {b_half}"


class SlotOut(BaseModel):
    weekday: str
    start_hour: int = Field(description="Local hour of the day the slot starts (0–23).")
    hours: int = Field(description="Length of the slot in hours.")
    label: str = Field(description="E.g. 'Tuesday 9–10 am'.")
    share_of_opens: float = Field(description="Share of the contact's (smoothed) opens expected in the slot.")
    next_start: datetime = Field(description="The next time the slot starts, in UTC.")
    next_start_local: str = Field(description="The same instant in the contact's time zone.")


class SendTimeSuggestion(BaseModel):
    """The best time to e-mail a contact, as the API, CLI and chat present it."""

    contact_id: int
    name: str
    timezone: str
    opens: int = Field(description="The contact's own e-mail opens the suggestion rests on.")
    confidence: str
    confidence_reason: str
    best: SlotOut
    window_3h: SlotOut
    alternatives: list[SlotOut]
    summary: str


@dataclass(frozen=True)
class _Zone:
    name: str
    info: ZoneInfo


def _zone(name: str | None) -> _Zone:
    try:
        return _Zone(name, ZoneInfo(name)) if name else _Zone("UTC", ZoneInfo("UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return _Zone("UTC", ZoneInfo("UTC"))


def _slot(p: np.ndarray, start: int, hours: int, zone: _Zone, now: datetime) -> SlotOut:
    local_now = now.astimezone(zone.info)
    monday = (local_now - timedelta(days=local_now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    candidate = monday + timedelta(hours=start)
    # Wall-clock arithmetic: re-localise so a DST change between now and then keeps the local hour.
    candidate = candidate.replace(tzinfo=None).replace(tzinfo=zone.info)
    if candidate <= local_now:
        candidate = (candidate.replace(tzinfo=None) + timedelta(days=7)).replace(tzinfo=zone.info)
    share = float(sum(p[(start + k) % HOURS_IN_WEEK] for k in range(hours)))
    return SlotOut(weekday=WEEKDAYS[start // 24], start_hour=start % 24, hours=hours,
                   label=f"{WEEKDAYS[start // 24]} {hour_range(start % 24, hours)}", share_of_opens=round(share, 3),
                   next_start=candidate.astimezone(UTC), next_start_local=candidate.strftime("%a %d %b %Y, %H:%M"))


def suggest_send_time(session: Session, settings: Settings, actor: Actor, contact_id: int, *, now: datetime
                      ) -> SendTimeSuggestion:
    """When to e-mail a contact the actor may see.

    Raises:
        NotFoundError: no such contact, or one outside the actor's scope.
    """
    return suggest_send_times(session, settings, [visible_contact(session, actor, contact_id)], now=now)[0]


def suggest_send_times(session: Session, settings: Settings, refs: Sequence[ContactRef], *, now: datetime
                       ) -> list[SendTimeSuggestion]:
    """When to e-mail each of these contacts (already checked to be in the asker's scope), their profiles and
    opens read in one pass each."""
    if not refs:
        return []
    priors = priors_for(session, settings, now=now)
    ids = [ref.id for ref in refs]
    profiles = load_profiles(session, ids)
    counts = counts_by_contact(load_opens(session, before=now, contact_ids=ids))
    suggestions = []
    for ref in refs:
        own = counts.get(ref.id, np.zeros(HOURS_IN_WEEK))
        suggestions.append(_suggestion(ref, priors.distribution(profiles[ref.id].segment, own), int(own.sum()), now))
    return suggestions


def _suggestion(ref: ContactRef, p: np.ndarray, opens: int, now: datetime) -> SendTimeSuggestion:
    zone = _zone(ref.timezone)
    hours = top_hours_on_distinct_days(p, 3)
    best = _slot(p, hours[0], 1, zone, now)
    window = _slot(p, window_around(p, hours[0], 3), 3, zone, now)
    alternatives = [_slot(p, h, 1, zone, now) for h in hours[1:]]
    confidence, reason = confidence_of(opens)
    whose = f"{ref.first_name or ref.name}'s time ({zone.name})" if ref.timezone else "UTC (no time zone on record)"
    summary = (f"{best.label} {whose} ({reason}; {confidence} confidence). Wider window: {window.label}. "
               f"Next: {best.next_start_local}.")
    if alternatives:
        summary += " Also good: " + ", ".join(a.label for a in alternatives) + "."
    return SendTimeSuggestion(contact_id=ref.id, name=ref.name, timezone=zone.name, opens=opens,
                              confidence=confidence, confidence_reason=reason, best=best, window_3h=window,
                              alternatives=alternatives, summary=summary)
