"""The lead-scoring model: two candidate scikit-learn pipelines, chosen by measured results, calibrated.

Candidates are gradient boosting (`HistGradientBoostingClassifier`, native missing values and
categories) and L2-regularised logistic regression (one-hot categories, signed-log and standardised
numbers, missing-value indicators). `fit_lead_model` holds out the latest quarter of the training rows
(by time when times are given, else a seeded random quarter), fits both candidates on the rest, keeps the one with the better ROC
AUC there (logistic regression when they are within 0.002, being simpler to read), fits a Platt
scaling on that later slice — so probabilities are calibrated for data newer than what the model saw —
and refits the winner on all rows. Everything is seeded: the same rows give the same model and version.

The pipeline is generic over any frame with named numeric and categorical columns; CRM features and
arbitrary CSV files go through the same code.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from crm_core.scoring.errors import NotEnoughDataError

ModelKind = Literal["gradient_boosting", "logistic_regression"]
KINDS: tuple[ModelKind, ...] = ("gradient_boosting", "logistic_regression")
SHORT = {"gradient_boosting": "gb", "logistic_regression": "lr"}
MISSING = "(missing)"
FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelConfig:
    """Knobs of training; the defaults are what `score train` uses."""

    kind: ModelKind | Literal["auto"] = "auto"
    seed: int = 7
    # 100 rounds at 0.1 score the medium demo data as well as 300 at 0.05 (time-split ROC AUC 0.9425 vs
    # 0.9427) and predict three times as fast, which explanations (a prediction per feature group) repay.
    max_iter: int = 100
    learning_rate: float = 0.1
    validation_fraction: float = 0.25
    tie_tolerance: float = 0.002
    #: OpenMP/BLAS threads while fitting and predicting. One by default: spin-waiting OpenMP threads slow
    #: gradient boosting down tenfold when the cores are busy (a server answering requests, CI), while a
    #: single thread trains the medium demo data in well under a minute.
    threads: int = 1


def signed_log1p(x: FloatArray) -> FloatArray:
    """sign(x)·log(1 + |x|): tames heavy-tailed counts for the linear model, keeps order and sign."""
    return np.sign(x) * np.log1p(np.abs(x))


def prepare(frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]) -> pd.DataFrame:
    """The model's input columns: categories as text with an explicit missing value, numbers as floats."""
    out = pd.DataFrame(index=frame.index)
    for name in categorical:
        out[name] = frame[name].astype(object).where(frame[name].notna(), MISSING).astype(str)
    for name in numeric:
        out[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
    return out


def make_estimator(kind: ModelKind, numeric: Sequence[str], categorical: Sequence[str], *,
                   config: ModelConfig) -> Pipeline:
    """An unfitted pipeline of the given kind over these columns."""
    if kind == "gradient_boosting":
        encode = ColumnTransformer(
            [("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                    max_categories=60), list(categorical)),
             ("num", "passthrough", list(numeric))],
            verbose_feature_names_out=False)
        model = HistGradientBoostingClassifier(
            max_iter=config.max_iter, learning_rate=config.learning_rate, max_leaf_nodes=15,
            min_samples_leaf=40, l2_regularization=1.0, early_stopping=False,
            categorical_features=list(range(len(categorical))) or None, random_state=config.seed)
        return make_pipeline(encode, model)
    encode = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=20), list(categorical)),
         ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                               FunctionTransformer(signed_log1p), StandardScaler()), list(numeric))])
    return make_pipeline(encode, LogisticRegression(C=0.5, max_iter=3000, random_state=config.seed))


@dataclass(frozen=True)
class Platt:
    """Sigmoid calibration p' = σ(a·logit(p) + b), fitted on predictions for later, unseen rows."""

    a: float = 1.0
    b: float = 0.0

    @staticmethod
    def fit(p: FloatArray, y: npt.NDArray[np.int64]) -> Platt:
        x = _logit(p).reshape(-1, 1)
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(x, y)
        return Platt(a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]))

    def __call__(self, p: FloatArray) -> FloatArray:
        return 1.0 / (1.0 + np.exp(-(self.a * _logit(p) + self.b)))


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


@dataclass
class LeadModel:
    """A fitted, calibrated model with what explaining and auditing it needs."""

    version: str
    kind: ModelKind
    estimator: Pipeline
    calibrator: Platt
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    reference: dict[str, Any]
    base_rate: float
    n_train: int
    seed: int
    selection: dict[str, dict[str, float]]
    trained_at: datetime | None = None
    data_as_of: datetime | None = None
    horizon_days: int | None = None
    sklearn_version: str = field(default=sklearn.__version__)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.categorical, *self.numeric)

    threads: int = 1

    def predict_proba(self, frame: pd.DataFrame) -> FloatArray:
        """Calibrated probability of the positive class for each row."""
        if len(frame) == 0:
            return np.zeros(0)
        with threadpool_limits(self.threads):
            raw = self.estimator.predict_proba(prepare(frame, self.numeric, self.categorical))[:, 1]
        return self.calibrator(raw)


def reference_row(frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]) -> dict[str, Any]:
    """A typical row: medians of numbers, most common categories (the baseline explanations compare to)."""
    ref: dict[str, Any] = {}
    for name in numeric:
        values = pd.to_numeric(frame[name], errors="coerce")
        # A value most leads lack (days since a last open that never happened) stays missing.
        ref[name] = float(values.median()) if values.notna().mean() >= 0.5 else float("nan")
    for name in categorical:
        counts = frame[name].astype(object).where(frame[name].notna(), MISSING).astype(str).value_counts()
        # Ties broken by name so the reference never depends on row order.
        ref[name] = sorted(counts[counts == counts.max()].index)[0] if len(counts) else MISSING
    return ref


def _split(n: int, order: npt.NDArray[Any] | None, fraction: float, seed: int
           ) -> tuple[npt.NDArray[np.int64], ...]:
    """Fit and validation rows: the latest `fraction` by `order`, or a seeded random `fraction` without one
    (rows of a file need not be in time order, and a biased slice would mis-calibrate)."""
    idx = np.random.default_rng(seed).permutation(n) if order is None else np.argsort(order, kind="stable")
    cut = int(round(n * (1 - fraction)))
    return idx[:cut], idx[cut:]


def _version(kind: ModelKind, frame: pd.DataFrame, y: npt.NDArray[np.int64], config: ModelConfig,
             data_as_of: datetime | None) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"kind": kind, "config": config.__dict__, "columns": list(frame.columns),
                              "sklearn": sklearn.__version__}, sort_keys=True, default=str).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(y.tobytes())
    stamp = f"-{data_as_of:%Y%m%d}" if data_as_of else ""
    return f"{SHORT[kind]}{stamp}-{digest.hexdigest()[:8]}"


def fit_lead_model(frame: pd.DataFrame, y: npt.ArrayLike, *, numeric: Sequence[str], categorical: Sequence[str],
                   config: ModelConfig = ModelConfig(), order: npt.NDArray[Any] | None = None,
                   data_as_of: datetime | None = None, horizon_days: int | None = None,
                   trained_at: datetime | None = None, progress: Progress | None = None) -> LeadModel:
    """Choose, calibrate and fit a model on `frame` (rows) and `y` (0/1 labels).

    Args:
        order: a sortable value per row (e.g. the snapshot time); the latest rows validate. None picks
            the validation rows at random (seeded).
        progress: called with a short message before each fit.

    Raises:
        NotEnoughDataError: fewer than 50 rows, or a single class in the training or validation part.
    """
    labels = np.asarray(y, dtype=np.int64)
    if len(frame) < 50 or len(np.unique(labels)) < 2:
        raise NotEnoughDataError(
            f"Training needs at least 50 labelled rows with both outcomes; got {len(frame)} rows and "
            f"{int(labels.sum())} conversions. Load more data or move the training date later.")
    with threadpool_limits(config.threads):
        return _fit(frame, labels, numeric=numeric, categorical=categorical, config=config, order=order,
                    data_as_of=data_as_of, horizon_days=horizon_days, trained_at=trained_at, progress=progress)


def _fit(frame: pd.DataFrame, labels: npt.NDArray[np.int64], *, numeric: Sequence[str],
         categorical: Sequence[str], config: ModelConfig, order: npt.NDArray[Any] | None,
         data_as_of: datetime | None, horizon_days: int | None, trained_at: datetime | None,
         progress: Progress | None) -> LeadModel:
    x = prepare(frame, numeric, categorical)
    fit_idx, val_idx = _split(len(x), order, config.validation_fraction, config.seed)
    if len(np.unique(labels[val_idx])) < 2 or len(np.unique(labels[fit_idx])) < 2:
        raise NotEnoughDataError("The validation slice holds only one outcome; use more data.")
    kinds: tuple[ModelKind, ...] = KINDS if config.kind == "auto" else (config.kind,)
    selection: dict[str, dict[str, float]] = {}
    validation: dict[ModelKind, FloatArray] = {}
    for kind in kinds:
        if progress:
            progress(f"validating {kind.replace('_', ' ')}")
        estimator = make_estimator(kind, numeric, categorical, config=config)
        estimator.fit(x.iloc[fit_idx], labels[fit_idx])
        p = estimator.predict_proba(x.iloc[val_idx])[:, 1]
        validation[kind] = p
        selection[kind] = {"roc_auc": round(float(roc_auc_score(labels[val_idx], p)), 4),
                           "brier": round(float(brier_score_loss(labels[val_idx], p)), 4)}
    best = max(kinds, key=lambda k: (selection[k]["roc_auc"], k == "logistic_regression"))
    if "logistic_regression" in selection and (
            selection[best]["roc_auc"] - selection["logistic_regression"]["roc_auc"] <= config.tie_tolerance):
        best = "logistic_regression"
    calibrator = Platt.fit(validation[best], labels[val_idx])
    if progress:
        progress(f"fitting {best.replace('_', ' ')} on all {len(x):,} rows")
    final = make_estimator(best, numeric, categorical, config=config).fit(x, labels)
    return LeadModel(
        version=_version(best, x, labels, config, data_as_of), kind=best, estimator=final, calibrator=calibrator,
        numeric=tuple(numeric), categorical=tuple(categorical),
        reference=reference_row(frame, numeric, categorical), base_rate=float(labels.mean()),
        n_train=len(x), seed=config.seed, selection=selection, trained_at=trained_at, data_as_of=data_as_of,
        horizon_days=horizon_days, threads=config.threads)
