"""Lead-scoring evaluation: a time-based split on the CRM, or k-fold cross-validation on any lead CSV.

CRM (`eval scoring`): train on snapshots of leads created before a cutoff whose 90-day outcome was
known by the cutoff; test on snapshots of leads created on or after it (outcomes known by today).
Nothing of the test period reaches training, not even labels.

CSV (`eval scoring --csv FILE --label COLUMN`): the same model pipeline with stratified k-fold CV,
run twice — with every column, and without the columns that leak the label (filled in by sales after
contact) — next to honest baselines, so the honest figure is the one to compare with.

Both write `{"summary": {roc_auc, pr_auc, accuracy, brier, top_decile_lift, ...}, ...}`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from rich.console import Console
from rich.table import Table
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.models import ContactOpenPreference
from crm_core.scoring.features import CATEGORICAL, NUMERIC
from crm_core.scoring.metrics import classification_metrics
from crm_core.scoring.model import KINDS, ModelConfig, ModelKind, fit_lead_model
from crm_core.scoring.service import SNAPSHOT_AGES_DAYS, instant_of, labelled_snapshots
from crm_core.scoring.tabular import DEFAULT_MISSING_TOKENS, TabularData, read_csv_table

SUMMARY_KEYS = ("roc_auc", "pr_auc", "accuracy", "brier", "top_decile_lift")
DEFAULT_CUTOFF_DAYS = 270
#: Columns of the X Education lead dataset that sales fill in after contacting a lead (its README).
X_EDUCATION_LEAKY_COLUMNS = (
    "Tags", "Lead Quality", "Lead Profile", "Last Activity", "Last Notable Activity",
    "Asymmetrique Activity Index", "Asymmetrique Profile Index", "Asymmetrique Activity Score",
    "Asymmetrique Profile Score",
)


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metrics.items() if k != "reliability"}


# ------------------------------------------------------------------ CRM, time-based split


def run_crm_eval(session: Session, *, today: date, cutoff: date | None = None, horizon_days: int = 90,
                 config: ModelConfig | None = None, compare_candidates: bool = True) -> dict[str, Any]:
    """Time-split evaluation on the CRM in `session` (read-only)."""
    config = config or ModelConfig()
    now = instant_of(today)
    cutoff = cutoff or today - timedelta(days=DEFAULT_CUTOFF_DAYS)
    cut = instant_of(cutoff)
    started = time.perf_counter()
    train = labelled_snapshots(session, observe_until=cut, horizon_days=horizon_days, created_before=cut)
    test = labelled_snapshots(session, observe_until=now, horizon_days=horizon_days, created_from=cut)
    features_s = time.perf_counter() - started
    model = fit_lead_model(train.frame, train.labels, numeric=NUMERIC, categorical=CATEGORICAL, config=config,
                           order=train.order, data_as_of=cut, horizon_days=horizon_days)
    p = model.predict_proba(test.frame)
    metrics = classification_metrics(test.labels, p)
    ages = test.frame["snapshot_age"].to_numpy()
    by_age = {}
    for age in SNAPSHOT_AGES_DAYS:
        mask = ages == age
        if mask.sum() >= 20 and 0 < test.labels[mask].sum() < mask.sum():
            by_age[f"{age}d"] = _headline(classification_metrics(test.labels[mask], p[mask]))
    candidates: dict[str, Any] = {}
    if compare_candidates:
        for kind in KINDS:
            fixed = fit_lead_model(train.frame, train.labels, numeric=NUMERIC, categorical=CATEGORICAL,
                                   config=ModelConfig(**{**config.__dict__, "kind": kind}), order=train.order)
            candidates[kind] = _headline(classification_metrics(test.labels, fixed.predict_proba(test.frame)))
    baselines = {"lead_source_rate": _headline(classification_metrics(
        test.labels, _category_rate(train.frame["lead_source"], train.labels, test.frame["lead_source"])))}
    ceiling = _hidden_propensity_auc(session, test.frame, test.labels)
    if ceiling is not None:
        baselines["hidden_propensity (demo ground truth, not a model)"] = {"roc_auc": ceiling}
    return {
        "summary": {**{k: metrics[k] for k in SUMMARY_KEYS}, "base_rate": metrics["base_rate"],
                    "n_test": metrics["n"], "n_train": int(len(train.labels))},
        "setup": {"today": today.isoformat(), "cutoff": cutoff.isoformat(), "horizon_days": horizon_days,
                  "snapshot_ages_days": list(SNAPSHOT_AGES_DAYS),
                  "train": f"leads created before {cutoff}, snapshots whose {horizon_days}-day outcome ended "
                           f"by {cutoff}",
                  "test": f"leads created on or after {cutoff}, snapshots whose outcome ended by {today}",
                  "label": f"became the contact of a deal within {horizon_days} days of the snapshot"},
        "model": {"kind": model.kind, "version": model.version, "selection_on_training_tail": model.selection,
                  "seed": config.seed, "max_iter": config.max_iter},
        "reliability": metrics["reliability"],
        "by_snapshot_age": by_age,
        "candidates_on_test": candidates,
        "baselines": baselines,
        "seconds": {"features": round(features_s, 1), "total": round(time.perf_counter() - started, 1)},
    }


def _category_rate(train: pd.Series, y: npt.NDArray[np.int64], test: pd.Series) -> npt.NDArray[np.float64]:
    """Conversion rate of each category in training, smoothed toward the overall rate (a rule-of-thumb
    baseline: "referrals convert, paid search does not")."""
    prior, strength = float(y.mean()), 20.0
    key_train = train.astype(object).where(train.notna(), "(missing)").astype(str)
    key_test = test.astype(object).where(test.notna(), "(missing)").astype(str)
    stats = pd.DataFrame({"k": key_train.to_numpy(), "y": y}).groupby("k")["y"].agg(["sum", "count"])
    rate = (stats["sum"] + strength * prior) / (stats["count"] + strength)
    scores: npt.NDArray[np.float64] = key_test.map(rate).fillna(prior).to_numpy(dtype=np.float64)
    return scores


def _hidden_propensity_auc(session: Session, frame: pd.DataFrame, y: npt.NDArray[np.int64]) -> float | None:
    """ROC AUC of the demo generator's hidden propensity on the test rows: how much signal exists at all."""
    if not session.scalar(select(func.count()).select_from(ContactOpenPreference)):
        return None
    rows = session.execute(select(ContactOpenPreference.contact_id, ContactOpenPreference.conversion_propensity)
                           .where(ContactOpenPreference.contact_id.in_(frame["contact_id"].unique().tolist()))).all()
    truth = dict(rows)
    values = frame["contact_id"].map(truth).to_numpy(dtype=np.float64)
    if np.isnan(values).any() or len(np.unique(y)) < 2:
        return None
    return round(float(roc_auc_score(y, values)), 4)


# ------------------------------------------------------------------ CSV, k-fold cross-validation


def run_csv_eval(path: Path, *, label: str, leaky_columns: Sequence[str] | None = None, folds: int = 5,
                 config: ModelConfig | None = None,
                 missing_tokens: Sequence[str] = DEFAULT_MISSING_TOKENS) -> dict[str, Any]:
    """K-fold CV of the scoring pipeline on a CSV, with and without the label-leaking columns."""
    config = config or ModelConfig()
    data = read_csv_table(path, label=label, missing_tokens=missing_tokens)
    leaky = [c for c in (X_EDUCATION_LEAKY_COLUMNS if leaky_columns is None else leaky_columns)
             if c in data.frame.columns]
    honest = data.without(leaky)
    variants = {"without_leaky_columns": honest, "with_leaky_columns": data}
    results = {name: _cross_validate(variant, folds=folds, config=config) for name, variant in variants.items()}
    baselines = _csv_baselines(honest, folds=folds, seed=config.seed)
    best_name, best = max(baselines.items(), key=lambda kv: kv[1]["roc_auc"])
    honest_metrics = results["without_leaky_columns"]["metrics"]
    return {
        "summary": {**{k: honest_metrics[k] for k in SUMMARY_KEYS}, "base_rate": honest_metrics["base_rate"],
                    "n": honest_metrics["n"], "variant": "without_leaky_columns (honest)"},
        "setup": {"file": path.name, "label": label, "folds": folds, "seed": config.seed,
                  "missing_tokens": list(missing_tokens), "leaky_columns": leaky,
                  "dropped_columns": data.dropped, "numeric": data.numeric, "categorical": data.categorical},
        "variants": {name: {"metrics": _headline(r["metrics"]), "fold_roc_auc": r["fold_roc_auc"],
                            "chosen_models": r["chosen"], "reliability": r["metrics"]["reliability"]}
                     for name, r in results.items()},
        "honest_baselines": baselines,
        "best_honest_baseline": {"name": best_name, "roc_auc": best["roc_auc"],
                                 "beaten_by_model": bool(honest_metrics["roc_auc"] > best["roc_auc"])},
        "honest": "without_leaky_columns: those columns are filled in by the sales team after contacting the "
                  "lead, so a model scoring a new lead cannot have them.",
    }


def _cross_validate(data: TabularData, *, folds: int, config: ModelConfig) -> dict[str, Any]:
    """Out-of-fold probabilities of the selected-and-calibrated model, and per-fold ROC AUC."""
    oof = np.zeros(len(data.labels))
    fold_auc, chosen = [], []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    for train_idx, test_idx in splitter.split(data.frame, data.labels):
        model = fit_lead_model(data.frame.iloc[train_idx], data.labels[train_idx], numeric=data.numeric,
                               categorical=data.categorical, config=config)
        oof[test_idx] = model.predict_proba(data.frame.iloc[test_idx])
        fold_auc.append(round(float(roc_auc_score(data.labels[test_idx], oof[test_idx])), 4))
        chosen.append(model.kind)
    return {"metrics": classification_metrics(data.labels, oof), "fold_roc_auc": fold_auc, "chosen": chosen}


def _csv_baselines(data: TabularData, *, folds: int, seed: int) -> dict[str, dict[str, Any]]:
    """Honest baselines under the same folds: the best single column, and regularised logistic regression
    on every honest column (what a careful analyst builds first)."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(data.frame, data.labels))
    single: dict[str, npt.NDArray[np.float64]] = {}
    for name in [*data.numeric, *data.categorical]:
        oof = np.zeros(len(data.labels))
        for train_idx, test_idx in splits:
            column = data.frame[name]
            if name in data.numeric:
                train_values = column.iloc[train_idx].astype(np.float64)
                test_values = column.iloc[test_idx].astype(np.float64).fillna(train_values.median())
                # The sign that ranks better on the training fold, so a falling column counts too.
                flip = roc_auc_score(data.labels[train_idx], train_values.fillna(train_values.median())) < 0.5
                oof[test_idx] = -test_values.to_numpy() if flip else test_values.to_numpy()
            else:
                oof[test_idx] = _category_rate(column.iloc[train_idx], data.labels[train_idx], column.iloc[test_idx])
        single[name] = oof
    best_column = max(single, key=lambda n: roc_auc_score(data.labels, single[n]))
    out: dict[str, dict[str, Any]] = {
        f"best single column ({best_column})": {
            "roc_auc": round(float(roc_auc_score(data.labels, single[best_column])), 4)}}
    result = _cross_validate(data, folds=folds, config=ModelConfig(kind="logistic_regression", seed=seed))
    out["logistic regression (one-hot, scaled, L2)"] = _headline(result["metrics"])
    return out


# ------------------------------------------------------------------ output


def write_report(report: dict[str, Any], path: Path | None) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")


def render_report(report: dict[str, Any], console: Console, *, title: str) -> None:
    """The summary and the comparison tables as rich tables."""
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in report["summary"].items():
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    console.print(table)
    comparisons: dict[str, dict[str, Any]] = {}
    for name, variant in report.get("variants", {}).items():
        comparisons[f"model, {name.replace('_', ' ')}"] = variant["metrics"]
    for name, metrics in {**report.get("candidates_on_test", {}), **report.get("honest_baselines", {}),
                          **report.get("baselines", {})}.items():
        comparisons[name.replace("_", " ")] = metrics
    if comparisons:
        other = Table(title="Compared with")
        other.add_column("model or baseline")
        for key in ("roc_auc", "pr_auc", "brier", "top_decile_lift"):
            other.add_column(key, justify="right")
        for name, metrics in comparisons.items():
            other.add_row(name, *[f"{metrics[k]:.4f}" if k in metrics else "" for k in
                                  ("roc_auc", "pr_auc", "brier", "top_decile_lift")])
        console.print(other)
    variants: dict[str, Any] = report.get("variants", {})
    reliability = report.get("reliability") or (
        variants["without_leaky_columns"]["reliability"] if "without_leaky_columns" in variants else None)
    if reliability:
        rel = Table(title="Reliability (predicted vs observed)")
        for key in ("bin", "n", "mean predicted", "observed"):
            rel.add_column(key, justify="right")
        for row in reliability:
            rel.add_row(f"{row['lower']:.1f}–{row['upper']:.1f}", f"{row['n']:,}", f"{row['mean_predicted']:.3f}",
                        f"{row['observed_rate']:.3f}")
        console.print(rel)


__all__ = ["SUMMARY_KEYS", "X_EDUCATION_LEAKY_COLUMNS", "ModelKind", "render_report", "run_crm_eval", "run_csv_eval",
           "write_report"]
