"""The scheduled score refresh the server runs: retrain when the model is stale, then re-score everyone.

It runs in a daemon thread (training and scoring are CPU-bound, synchronous code) and holds a
PostgreSQL advisory lock while it works, so several server processes on one database refresh once.
It is off unless `score_refresh_enabled` is set (`crm-assistant serve` sets it), so tests and embedded
uses of the app never train in the background.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from crm_core.errors import CrmError
from crm_core.models import Contact
from crm_core.scoring.errors import ModelNotTrainedError
from crm_core.scoring.service import apply, current_instant, current_model, train
from crm_core.settings import Settings

_log = logging.getLogger(__name__)
#: pg_try_advisory_lock key of the refresh (any constant unique within this database).
REFRESH_LOCK_KEY = 0x5C0_2E5


@dataclass(frozen=True)
class RefreshOutcome:
    ran: bool
    trained: str | None = None
    scored: int = 0
    reason: str = ""


def refresh_scores(engine: Engine, settings: Settings, *, force: bool = False) -> RefreshOutcome:
    """One refresh, if due (or `force`): retrain when missing or older than `score_retrain_days`, then
    score every contact as of now. Returns without work when another process holds the lock."""
    with engine.connect() as lock_conn:
        if not lock_conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": REFRESH_LOCK_KEY}):
            return RefreshOutcome(ran=False, reason="another process is refreshing")
        try:
            return _refresh(engine, settings, force=force)
        finally:
            lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": REFRESH_LOCK_KEY})
            lock_conn.commit()


def _refresh(engine: Engine, settings: Settings, *, force: bool) -> RefreshOutcome:
    now = current_instant(settings)
    with Session(engine) as session:
        last = session.scalar(select(func.max(Contact.lead_scored_at)))
    try:
        model = current_model(settings)
        stale = bool(settings.score_retrain_days) and (
            model.trained_at is None
            or datetime.now(UTC) - model.trained_at > timedelta(days=settings.score_retrain_days))
    except ModelNotTrainedError:
        model, stale = None, True
    due = force or stale or last is None or (now - last).total_seconds() >= settings.score_refresh_interval_s
    if not due:
        return RefreshOutcome(ran=False, reason="scores are fresh")
    trained = None
    with Session(engine) as session, session.begin():
        if model is None or stale:
            model, report = train(session, settings, as_of=now, trained_at=datetime.now(UTC))
            trained = report.version
        result = apply(session, settings, as_of=now, model=model)
    return RefreshOutcome(ran=True, trained=trained, scored=result.scored, reason="due")


class ScoreRefresher:
    """Runs `refresh_scores` at start-up and then every `score_refresh_interval_s`, until stopped."""

    def __init__(self, engine: Engine, settings: Settings, *, first_delay_s: float = 5.0) -> None:
        self.engine = engine
        self.settings = settings
        self.first_delay_s = first_delay_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last: RefreshOutcome | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="score-refresh", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        if self._stop.wait(self.first_delay_s):
            return
        while not self._stop.is_set():
            try:
                self.last = refresh_scores(self.engine, self.settings)
                if self.last.ran:
                    _log.info("score refresh: %s contacts scored%s", self.last.scored,
                              f", model {self.last.trained} trained" if self.last.trained else "")
            except CrmError as exc:
                _log.warning("score refresh skipped: %s", exc)
            except Exception:  # a failed refresh must never take the server down; try again next time
                _log.exception("score refresh failed")
            self._stop.wait(self.settings.score_refresh_interval_s)
