"""Classification metrics of a probability model: ranking, accuracy, calibration and lift."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from crm_core.scoring.errors import NotEnoughDataError

FloatArray = npt.NDArray[np.float64]


def top_fraction_lift(y: npt.ArrayLike, p: npt.ArrayLike, fraction: float = 0.1) -> float:
    """Positive rate among the `fraction` highest-scored rows ÷ the overall positive rate.

    Ties at the cut are broken by row order, so the figure is deterministic.

    >>> round(top_fraction_lift([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], [.9, .1, .1, .1, .1, .1, .1, .1, .1, .2], 0.1), 2)
    5.0
    """
    y_arr = np.asarray(y, dtype=np.float64)
    p_arr = np.asarray(p, dtype=np.float64)
    k = max(1, int(round(len(y_arr) * fraction)))
    top = np.argsort(-p_arr, kind="stable")[:k]
    base = y_arr.mean()
    return float(y_arr[top].mean() / base) if base > 0 else 0.0


def reliability_table(y: npt.ArrayLike, p: npt.ArrayLike, bins: int = 10) -> list[dict[str, float]]:
    """Predicted versus observed rate in equal-width probability bins (empty bins left out)."""
    y_arr = np.asarray(y, dtype=np.float64)
    p_arr = np.asarray(p, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p_arr, edges[1:-1], right=False), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        rows.append({"lower": round(float(edges[b]), 2), "upper": round(float(edges[b + 1]), 2),
                     "n": int(mask.sum()), "mean_predicted": round(float(p_arr[mask].mean()), 4),
                     "observed_rate": round(float(y_arr[mask].mean()), 4)})
    return rows


def classification_metrics(y: npt.ArrayLike, p: npt.ArrayLike) -> dict[str, Any]:
    """ROC AUC, PR AUC, accuracy at 0.5, Brier score, top-decile lift, base rate and a reliability table.

    Raises:
        NotEnoughDataError: when `y` holds a single class (no ranking metric exists).
    """
    y_arr = np.asarray(y, dtype=np.int64)
    p_arr = np.asarray(p, dtype=np.float64)
    if len(np.unique(y_arr)) < 2:
        raise NotEnoughDataError(
            f"The evaluation rows hold only one class ({len(y_arr)} rows); metrics need converted and "
            "unconverted leads. Use more data or an earlier cutoff.")
    return {
        "roc_auc": round(float(roc_auc_score(y_arr, p_arr)), 4),
        "pr_auc": round(float(average_precision_score(y_arr, p_arr)), 4),
        "accuracy": round(float(((p_arr >= 0.5).astype(np.int64) == y_arr).mean()), 4),
        "brier": round(float(brier_score_loss(y_arr, p_arr)), 4),
        "top_decile_lift": round(top_fraction_lift(y_arr, p_arr, 0.1), 3),
        "base_rate": round(float(y_arr.mean()), 4),
        "n": int(len(y_arr)),
        "positives": int(y_arr.sum()),
        "reliability": reliability_table(y_arr, p_arr),
    }
