"""Writing scores back: `contacts.lead_score` (with model and time) and `lead_score_history`.

Scores arrive by COPY into a temporary table, then three set-based statements run in the caller's
transaction:

1. history rows already written for this exact instant are replaced (re-running is idempotent);
2. a history row is added where the score or the model differs from the contact's previous history
   row — history records *changes*, so a daily refresh does not add a row per contact per day;
3. the contact columns are updated unless the contact already holds a later score (scoring an
   earlier date, i.e. a backfill, only adds history).

Scores are derived data, so the contact's `version` is not bumped: a rep editing the contact while the
refresh runs must not get a version conflict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ScoreRow:
    """One contact's new score."""

    contact_id: int
    score: int
    probability: float
    factors: list[dict[str, Any]]


@dataclass(frozen=True)
class WriteCounts:
    scored: int
    history_rows: int
    contacts_updated: int


_CREATE = ("CREATE TEMP TABLE IF NOT EXISTS _new_lead_scores (contact_id integer PRIMARY KEY, score integer, "
           "probability double precision, factors jsonb) ON COMMIT DROP")
_DELETE_SAME_INSTANT = text(
    "DELETE FROM lead_score_history h USING _new_lead_scores t "
    "WHERE h.contact_id = t.contact_id AND h.scored_at = :at")
_INSERT_HISTORY = text("""
    INSERT INTO lead_score_history (contact_id, score, probability, model_version, scored_at, factors)
    SELECT t.contact_id, t.score, t.probability, :model, :at, t.factors
    FROM _new_lead_scores t
    LEFT JOIN LATERAL (
        SELECT h.score, h.model_version FROM lead_score_history h
        WHERE h.contact_id = t.contact_id AND h.scored_at < :at
        ORDER BY h.scored_at DESC LIMIT 1) p ON true
    WHERE p.score IS NULL OR p.score <> t.score OR p.model_version <> :model""")
_UPDATE_CONTACTS = text("""
    UPDATE contacts c SET lead_score = t.score, lead_score_model = :model, lead_scored_at = :at
    FROM _new_lead_scores t
    WHERE c.id = t.contact_id AND (c.lead_scored_at IS NULL OR c.lead_scored_at <= :at)""")


def write_scores(session: Session, rows: Iterable[ScoreRow], *, model_version: str, scored_at: datetime
                 ) -> WriteCounts:
    """Store scores computed as of `scored_at` by `model_version` (in the session's transaction)."""
    connection = session.connection()
    raw: Any = connection.connection.driver_connection
    scored = 0
    with raw.cursor() as cursor:
        cursor.execute(_CREATE)
        cursor.execute("TRUNCATE _new_lead_scores")
        with cursor.copy("COPY _new_lead_scores (contact_id, score, probability, factors) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row.contact_id, row.score, row.probability, json.dumps(row.factors)))
                scored += 1
    params = {"at": scored_at, "model": model_version}
    session.execute(_DELETE_SAME_INSTANT, params)
    history = session.execute(_INSERT_HISTORY, params).rowcount  # type: ignore[attr-defined]
    updated = session.execute(_UPDATE_CONTACTS, params).rowcount  # type: ignore[attr-defined]
    session.execute(text("DROP TABLE IF EXISTS _new_lead_scores"))
    return WriteCounts(scored=scored, history_rows=int(history or 0), contacts_updated=int(updated or 0))
