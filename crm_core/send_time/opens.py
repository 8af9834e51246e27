"""E-mail opens as the send-time model sees them: the hour of the week each open happened, in the
contact's own time zone, plus the segment (seniority, industry, country) each contact belongs to.

Hours of the week run 0 … 167 from Monday 00:00 local. A contact without a time zone is read in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import ColumnElement, Integer, cast, extract, func, select
from sqlalchemy.orm import Session

from crm_core.models import Account, Contact, Email
from crm_core.scoring.features import seniority_of

HOURS_IN_WEEK = 168
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Segment = tuple[str, str, str]


@dataclass
class OpenLog:
    """Opens (one row each) with their local hour of week and the send that preceded them."""

    contact_id: npt.NDArray[np.int64]
    hour_of_week: npt.NDArray[np.int64]
    opened_at: npt.NDArray[np.datetime64]
    sent_at: npt.NDArray[np.datetime64]
    sent_hour_of_week: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.contact_id)

    def take(self, mask: npt.NDArray[np.bool_]) -> OpenLog:
        return OpenLog(self.contact_id[mask], self.hour_of_week[mask], self.opened_at[mask], self.sent_at[mask],
                       self.sent_hour_of_week[mask])


def _local_hour_of_week(instant: Any, zone: Any) -> ColumnElement[int]:
    local = func.timezone(zone, instant)
    return cast((extract("isodow", local) - 1) * 24 + extract("hour", local), Integer)


def load_opens(session: Session, *, before: datetime, contact_ids: Sequence[int] | None = None) -> OpenLog:
    """Every open that happened before `before` (of some contacts, or all), oldest first per contact."""
    zone = func.coalesce(Contact.timezone, "UTC")
    stmt = (
        select(Email.contact_id, _local_hour_of_week(Email.opened_at, zone), Email.opened_at, Email.sent_at,
               _local_hour_of_week(Email.sent_at, zone))
        .join(Contact, Contact.id == Email.contact_id)
        .where(Email.opened_at.is_not(None), Email.opened_at < before)
        .order_by(Email.contact_id, Email.opened_at, Email.id)
    )
    if contact_ids is not None:
        stmt = stmt.where(Email.contact_id.in_(list(contact_ids)))
    rows = session.execute(stmt).all()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return OpenLog(empty, empty, np.zeros(0, "datetime64[s]"), np.zeros(0, "datetime64[s]"), empty)
    frame = pd.DataFrame(rows, columns=["contact_id", "how", "opened_at", "sent_at", "sent_how"])
    return OpenLog(
        contact_id=frame["contact_id"].to_numpy(np.int64), hour_of_week=frame["how"].to_numpy(np.int64),
        opened_at=pd.to_datetime(frame["opened_at"], utc=True).dt.tz_localize(None).to_numpy("datetime64[s]"),
        sent_at=pd.to_datetime(frame["sent_at"], utc=True).dt.tz_localize(None).to_numpy("datetime64[s]"),
        sent_hour_of_week=frame["sent_how"].fillna(0).to_numpy(np.int64))


@dataclass(frozen=True)
class ContactProfile:
    """What the send-time model knows about a contact besides its opens."""

    contact_id: int
    segment: Segment
    timezone: str | None


def load_profiles(session: Session, contact_ids: Sequence[int] | None = None) -> dict[int, ContactProfile]:
    """Segment (seniority from the job title, account industry, country) and time zone of contacts."""
    stmt = (select(Contact.id, Contact.job_title, Account.industry, Contact.country, Contact.timezone)
            .outerjoin(Account, Account.id == Contact.account_id))
    if contact_ids is not None:
        stmt = stmt.where(Contact.id.in_(list(contact_ids)))
    return {
        row[0]: ContactProfile(row[0], (seniority_of(row[1]), row[2] or "(none)", row[3] or "(none)"), row[4])
        for row in session.execute(stmt)
    }
