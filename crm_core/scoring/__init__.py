"""Predictive lead scoring: point-in-time features, a calibrated model, explanations, stored scores.

>>> from crm_core.scoring import train, apply, explain_contact  # doctest: +SKIP
>>> model, report = train(session, settings, as_of=now)  # doctest: +SKIP
>>> apply(session, settings, as_of=now).scored  # doctest: +SKIP
3000
"""

from crm_core.scoring.errors import CsvInputError, ModelNotTrainedError, NotEnoughDataError, ScoringError
from crm_core.scoring.service import (
    SNAPSHOT_AGES_DAYS,
    ApplyReport,
    ScoreExplanation,
    TrainReport,
    apply,
    current_instant,
    current_model,
    explain_contact,
    history_of,
    labelled_snapshots,
    train,
)

__all__ = [
    "SNAPSHOT_AGES_DAYS", "ApplyReport", "CsvInputError", "ModelNotTrainedError", "NotEnoughDataError",
    "ScoreExplanation", "ScoringError", "TrainReport", "apply", "current_instant", "current_model",
    "explain_contact", "history_of", "labelled_snapshots", "train",
]
