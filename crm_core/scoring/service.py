"""Lead scoring as the rest of the product uses it: train, apply (score and store), explain, history.

A lead score is the calibrated chance, in percent, that a contact first becomes the contact of a deal
(an opportunity) within `scoring_horizon_days` of the moment it is scored. Training rows are snapshots
of past leads at several ages (`SNAPSHOT_AGES_DAYS`) whose outcome window had fully passed, so the
model sees young and old, busy and silent leads as they looked at the time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, Field
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.models import LeadScoreHistory
from crm_core.scope import Actor
from crm_core.scoring.contacts import ContactRef, visible_contact
from crm_core.scoring.errors import NotEnoughDataError
from crm_core.scoring.explain import Factor, join_reasons, predict_and_explain
from crm_core.scoring.features import (
    CATEGORICAL,
    EVIDENCE,
    NUMERIC,
    compute_features,
    snapshots_at,
    training_snapshots,
)
from crm_core.scoring.model import LeadModel, ModelConfig, fit_lead_model
from crm_core.scoring.registry import load_current, model_dir, save_model
from crm_core.scoring.store import ScoreRow, WriteCounts, write_scores
from crm_core.settings import Settings

SNAPSHOT_AGES_DAYS: tuple[int, ...] = (1, 7, 30, 90, 180, 365)
Confidence = Literal["low", "medium", "high"]
#: Interactions (e-mails either way, completed calls and meetings, notes) behind a "high" confidence.
HIGH_EVIDENCE = 5


def current_instant(settings: Settings) -> datetime:
    """`now` for scoring: midnight UTC of the pinned today, else the real time."""
    if settings.today is not None:
        return datetime.combine(settings.today, time(0), tzinfo=UTC)
    return datetime.now(UTC)


def instant_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


@contextmanager
def progress_bar(show: bool) -> Iterator[Progress]:
    """The rich progress bar the CLI shows (disabled, and silent, elsewhere)."""
    progress = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), disable=not show, transient=False)
    with progress:
        yield progress


# ------------------------------------------------------------------ training


@dataclass
class LabelledSnapshots:
    """Feature rows of past leads with their outcome (1 = became an opportunity within the horizon)."""

    frame: pd.DataFrame
    labels: npt.NDArray[np.int64]

    @property
    def order(self) -> npt.NDArray[Any]:
        order: npt.NDArray[Any] = self.frame["as_of"].to_numpy()
        return order


def labelled_snapshots(session: Session, *, observe_until: datetime, horizon_days: int,
                       created_from: datetime | None = None, created_before: datetime | None = None,
                       ages_days: Sequence[int] = SNAPSHOT_AGES_DAYS) -> LabelledSnapshots:
    """Snapshots of leads created in [created_from, created_before) whose label is known by `observe_until`."""
    snapshots = training_snapshots(ages_days=ages_days, horizon_days=horizon_days, observe_until=observe_until,
                                   created_from=created_from, created_before=created_before)
    result = session.execute(snapshots)
    labels = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    frame = compute_features(session, snapshots)
    if len(labels):
        labels["as_of"] = pd.to_datetime(labels["as_of"], utc=True)
        frame = frame.merge(labels[["contact_id", "as_of", "snapshot_age", "label"]],
                            on=["contact_id", "as_of"], how="inner", validate="one_to_one")
    else:
        frame = frame.assign(snapshot_age=pd.Series(dtype=np.int64), label=pd.Series(dtype=np.int64))
    y = frame.pop("label").to_numpy(dtype=np.int64)
    return LabelledSnapshots(frame=frame, labels=y)


class TrainReport(BaseModel):
    """What `score train` did."""

    version: str
    kind: str
    path: str
    rows: int
    conversions: int
    data_as_of: datetime
    horizon_days: int
    selection: dict[str, dict[str, float]]


def train(session: Session, settings: Settings, *, as_of: datetime, config: ModelConfig | None = None,
          trained_at: datetime | None = None, show_progress: bool = False) -> tuple[LeadModel, TrainReport]:
    """Train on every lead whose outcome is known at `as_of`, persist it as the current model."""
    config = config or ModelConfig(seed=settings.scoring_seed)
    horizon = settings.scoring_horizon_days
    with progress_bar(show_progress) as progress:
        task = progress.add_task("Computing features of past leads", total=4)
        data = labelled_snapshots(session, observe_until=as_of, horizon_days=horizon, created_before=as_of)
        progress.advance(task)

        def step(message: str) -> None:
            progress.update(task, description=message.capitalize())
            progress.advance(task)

        model = fit_lead_model(data.frame, data.labels, numeric=NUMERIC, categorical=CATEGORICAL, config=config,
                               order=data.order, data_as_of=as_of, horizon_days=horizon,
                               trained_at=trained_at, progress=step)
        progress.update(task, description="Trained", completed=4)
    path = save_model(model, model_dir(settings))
    return model, TrainReport(version=model.version, kind=model.kind, path=str(path), rows=model.n_train,
                              conversions=int(data.labels.sum()), data_as_of=as_of, horizon_days=horizon,
                              selection=model.selection)


def current_model(settings: Settings) -> LeadModel:
    """The persisted current model (raises `model-not-trained` when there is none)."""
    return load_current(model_dir(settings))


# ------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class ScoredContact:
    contact_id: int
    probability: float
    score: int
    confidence: Confidence
    confidence_reason: str
    factors: list[Factor]
    deals_so_far: int = 0


def confidence_of(touches: int) -> tuple[Confidence, str]:
    """How much a score rests on: the contact's own interactions, or only its profile."""
    if touches <= 0:
        return "low", ("no interactions yet, so this is a prior from the profile (source, role, company) "
                       "and how similar new leads converted")
    if touches < HIGH_EVIDENCE:
        return "medium", f"based on {touches} interaction{'s' if touches != 1 else ''}"
    return "high", f"based on {touches:,} interactions"


def score_frame(model: LeadModel, frame: pd.DataFrame) -> list[ScoredContact]:
    """Scores, confidence and factors for feature rows (as `compute_features` returns them)."""
    if len(frame) == 0:
        return []
    p, factors = predict_and_explain(model, frame)
    out = []
    columns = zip(frame["contact_id"], frame[EVIDENCE], frame["contact_deals"], strict=True)
    for i, (contact_id, touches, deals) in enumerate(columns):
        label, reason = confidence_of(int(touches))
        out.append(ScoredContact(contact_id=int(contact_id), probability=float(p[i]),
                                 score=int(np.clip(np.rint(p[i] * 100), 0, 100)), confidence=label,
                                 confidence_reason=reason, factors=factors[i], deals_so_far=int(deals)))
    return out


class ApplyReport(BaseModel):
    """What `score apply` did."""

    model_version: str
    scored_at: datetime
    scored: int
    history_rows: int
    contacts_updated: int
    seconds: float
    score_distribution: dict[str, int] = Field(default_factory=dict)


def apply(session: Session, settings: Settings, *, as_of: datetime, model: LeadModel | None = None,
          contact_ids: Sequence[int] | None = None, batch_size: int = 5_000, show_progress: bool = False
          ) -> ApplyReport:
    """Score every contact (or the given ones) as of `as_of` and store the scores and their history."""
    import time as _time

    started = _time.perf_counter()
    model = model or current_model(settings)
    rows: list[ScoreRow] = []
    bands = {"hot (80+)": 0, "warm (50-79)": 0, "cold (<50)": 0}
    with progress_bar(show_progress) as progress:
        task = progress.add_task("Computing features", total=None)
        frame = compute_features(session, snapshots_at(as_of, contact_ids))
        progress.update(task, description="Scoring and explaining", total=len(frame), completed=0)
        for start in range(0, len(frame), batch_size):
            batch = frame.iloc[start:start + batch_size]
            for scored in score_frame(model, batch):
                rows.append(ScoreRow(contact_id=scored.contact_id, score=scored.score,
                                     probability=round(scored.probability, 6),
                                     factors=[f.as_dict() for f in scored.factors]))
                bands["hot (80+)" if scored.score >= 80 else "warm (50-79)" if scored.score >= 50
                      else "cold (<50)"] += 1
            progress.advance(task, len(batch))
        progress.update(task, description="Writing scores")
        counts: WriteCounts = write_scores(session, rows, model_version=model.version, scored_at=as_of)
        progress.update(task, description="Scored")
    return ApplyReport(model_version=model.version, scored_at=as_of, scored=counts.scored,
                       history_rows=counts.history_rows, contacts_updated=counts.contacts_updated,
                       seconds=round(_time.perf_counter() - started, 2), score_distribution=bands)


# ------------------------------------------------------------------ explaining


class FactorOut(BaseModel):
    group: str = Field(description="Feature group, e.g. email_opens, lead_source.")
    direction: Literal["up", "down"]
    points: float = Field(description="Score points this group adds (up) or costs (down) versus a typical lead.")
    text: str = Field(description="The reason in a rep's words.")
    features: dict[str, Any] = Field(default_factory=dict, description="The feature values behind it.")


class HistoryPoint(BaseModel):
    scored_at: datetime
    score: int
    model_version: str


class ScoreExplanation(BaseModel):
    """A contact's score with its reasons, as the API, CLI and chat present it."""

    contact_id: int
    name: str
    company: str | None
    score: int
    probability: float
    horizon_days: int
    confidence: Confidence
    confidence_reason: str
    model_version: str
    scored_at: datetime
    source: Literal["stored", "live"] = Field(
        description="stored: the score on the contact, explained as of when it was computed; live: computed "
                    "now because the contact has no stored score yet.")
    summary: str
    factors_up: list[FactorOut]
    factors_down: list[FactorOut]
    history: list[HistoryPoint]


def history_of(session: Session, contact_id: int) -> list[HistoryPoint]:
    """Every recorded score change of a contact, oldest first (the caller checks visibility)."""
    rows = session.execute(
        select(LeadScoreHistory.scored_at, LeadScoreHistory.score, LeadScoreHistory.model_version)
        .where(LeadScoreHistory.contact_id == contact_id)
        .order_by(LeadScoreHistory.scored_at, LeadScoreHistory.id)).all()
    return [HistoryPoint(scored_at=r[0], score=r[1], model_version=r[2]) for r in rows]


def explain_contact(session: Session, settings: Settings, actor: Actor, contact_id: int, *, now: datetime
                    ) -> ScoreExplanation:
    """Explain the contact's stored score (recomputed as of when it was scored), or score it live.

    Raises:
        NotFoundError: the contact does not exist or `actor` may not see it.
        ModelNotTrainedError: no model exists to explain or compute a score with.
    """
    from crm_core.models import Contact

    ref = visible_contact(session, actor, contact_id)
    stored = session.execute(select(Contact.lead_score, Contact.lead_score_model, Contact.lead_scored_at)
                             .where(Contact.id == contact_id)).one()
    model = current_model(settings)
    as_of, source = now, "live"
    if stored.lead_score is not None and stored.lead_scored_at is not None and stored.lead_score_model == model.version:
        as_of, source = stored.lead_scored_at, "stored"
    frame = compute_features(session, snapshots_at(as_of, [contact_id]))
    if len(frame) == 0:  # created after the instant it would be explained at
        as_of, source = now, "live"
        frame = compute_features(session, snapshots_at(now, [contact_id]))
    if len(frame) == 0:
        raise NotEnoughDataError(f"Contact {contact_id} has no data to score yet.")
    scored = score_frame(model, frame)[0]
    score = stored.lead_score if source == "stored" else scored.score
    return _explanation(ref, scored, score=score, model=model, as_of=as_of, source=source,  # type: ignore[arg-type]
                        history=history_of(session, contact_id))


def _explanation(ref: ContactRef, scored: ScoredContact, *, score: int, model: LeadModel, as_of: datetime,
                 source: Literal["stored", "live"], history: list[HistoryPoint]) -> ScoreExplanation:
    ups = [FactorOut(**f.as_dict()) for f in scored.factors if f.direction == "up"]
    downs = [FactorOut(**f.as_dict()) for f in scored.factors if f.direction == "down"]
    horizon = model.horizon_days or 90
    article = "an" if str(score).startswith("8") or score in (11, 18) else "a"  # "an 87%", "an 11%"
    parts = [f"{ref.name} scores {score}: {article} {score}% chance of becoming an opportunity within {horizon} days "
             f"({scored.confidence} confidence, {scored.confidence_reason})."]
    if ups:
        parts.append("Up: " + join_reasons([f.text for f in ups]) + ".")
    if downs:
        parts.append("Down: " + join_reasons([f.text for f in downs]) + ".")
    if not ups and not downs:
        parts.append("Nothing about this lead stands out from a typical one.")
    if scored.deals_so_far:
        parts.append(f"Note: {ref.first_name or ref.name} is already the contact of "
                     f"{scored.deals_so_far} deal{'s' if scored.deals_so_far != 1 else ''}, so the score only "
                     "compares their engagement with that of open leads.")
    return ScoreExplanation(
        contact_id=ref.id, name=ref.name, company=ref.company, score=score, probability=round(scored.probability, 4),
        horizon_days=horizon, confidence=scored.confidence, confidence_reason=scored.confidence_reason,
        model_version=model.version, scored_at=as_of, source=source, summary=" ".join(parts),
        factors_up=ups, factors_down=downs, history=history)



# ------------------------------------------------------------------ ranking


class HotLead(BaseModel):
    """A lead in a "hottest leads" list."""

    id: int
    name: str
    company: str | None
    lifecycle_stage: str
    lead_score: int
    scored_at: datetime | None
    top_reason: str | None = Field(None, description="The strongest factor pushing the score up, when stored.")


LEAD_STAGES = ("lead", "marketing_qualified", "sales_qualified")


def hottest_leads(session: Session, actor: Actor, *, mine: bool = False, limit: int = 10) -> list[HotLead]:
    """Leads (the business definition: lead, MQL, SQL) with the highest stored scores that `actor` may see;
    `mine` keeps only the actor's own."""
    from sqlalchemy import ColumnElement, true

    from crm_core.models import Account, Contact
    from crm_core.scope import visible_owner_ids

    owners = visible_owner_ids(session, actor)
    scope: ColumnElement[bool] = true() if owners is None else Contact.owner_id.in_(sorted(owners))
    if mine:
        scope = Contact.owner_id == actor.id
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Account.name, Contact.lifecycle_stage,
               Contact.lead_score, Contact.lead_scored_at)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(scope, Contact.lifecycle_stage.in_(LEAD_STAGES), Contact.lead_score.is_not(None))
        .order_by(Contact.lead_score.desc(), Contact.id)
        .limit(limit)).all()
    reasons = _top_reasons(session, [r[0] for r in rows])
    return [HotLead(id=r[0], name=f"{r[1] or ''} {r[2] or ''}".strip(), company=r[3], lifecycle_stage=r[4],
                    lead_score=r[5] or 0, scored_at=r[6], top_reason=reasons.get(r[0])) for r in rows]


def _top_reasons(session: Session, contact_ids: Sequence[int]) -> dict[int, str]:
    """The first 'up' factor of each contact's latest history row."""
    if not contact_ids:
        return {}
    latest = (select(LeadScoreHistory.contact_id, LeadScoreHistory.factors)
              .where(LeadScoreHistory.contact_id.in_(list(contact_ids)))
              .distinct(LeadScoreHistory.contact_id)
              .order_by(LeadScoreHistory.contact_id, LeadScoreHistory.scored_at.desc(), LeadScoreHistory.id.desc()))
    out: dict[int, str] = {}
    for contact_id, factors in session.execute(latest):
        ups = [f for f in factors or [] if f.get("direction") == "up"]
        if ups:
            out[contact_id] = str(ups[0].get("text"))
    return out
