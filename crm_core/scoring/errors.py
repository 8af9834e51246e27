"""Errors of lead scoring and send-time suggestions (codes are stable; tests assert on them)."""

from __future__ import annotations

from crm_core.errors import CrmError


class ScoringError(CrmError):
    """Base of lead-scoring errors."""

    code = "scoring-error"
    status = 422


class ModelNotTrainedError(ScoringError):
    """No persisted model to score with: `crm-assistant score train` makes one."""

    code = "model-not-trained"
    status = 409


class NotEnoughDataError(ScoringError):
    """Too few labelled examples (or only one class) to train or evaluate a model."""

    code = "not-enough-data"
    status = 422


class CsvInputError(ScoringError):
    """A CSV given to the tabular pipeline is unreadable or lacks the label column."""

    code = "invalid-csv"
    status = 422


class AmbiguousContactError(ScoringError):
    """A name matches several contacts the user may see; `details` lists them so the user can pick."""

    code = "ambiguous-contact"
    status = 409
