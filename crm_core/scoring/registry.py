"""Where trained models live: versioned joblib files plus a pointer to the current one.

Each training writes `lead-score-<version>.joblib` and then replaces `current.txt` atomically, so a
reader never sees half a model and an older version stays on disk for audits. The directory comes from
settings (`model_dir`, default `<data_dir>/models`); models are build artefacts, never committed.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import joblib

from crm_core.scoring.errors import ModelNotTrainedError
from crm_core.scoring.model import LeadModel
from crm_core.settings import Settings

POINTER = "current.txt"
_lock = threading.Lock()
_cache: dict[Path, tuple[float, str, LeadModel]] = {}


def model_dir(settings: Settings) -> Path:
    """The configured model directory (created on first save)."""
    return settings.model_dir if settings.model_dir is not None else settings.data_dir / "models"


def save_model(model: LeadModel, directory: Path) -> Path:
    """Persist `model` and make it the current one; returns its file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"lead-score-{model.version}.joblib"
    tmp = path.with_suffix(".joblib.tmp")
    joblib.dump(model, tmp)
    os.replace(tmp, path)
    pointer_tmp = directory / (POINTER + ".tmp")
    pointer_tmp.write_text(path.name + "\n", encoding="utf-8")
    os.replace(pointer_tmp, directory / POINTER)
    return path


def load_current(directory: Path) -> LeadModel:
    """The current model (cached until the pointer changes).

    Raises:
        ModelNotTrainedError: no model was trained into `directory` yet.
    """
    pointer = directory / POINTER
    try:
        mtime = pointer.stat().st_mtime
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ModelNotTrainedError(
            "No lead-scoring model has been trained yet. Run `crm-assistant score train` first.") from None
    with _lock:
        cached = _cache.get(directory)
        if cached and cached[0] == mtime and cached[1] == name:
            return cached[2]
    try:
        model = joblib.load(directory / name)
    except FileNotFoundError:
        raise ModelNotTrainedError(
            f"The current model file '{name}' is missing. Run `crm-assistant score train` again.") from None
    if not isinstance(model, LeadModel):
        raise ModelNotTrainedError(f"'{name}' is not a lead-scoring model. Run `crm-assistant score train`.")
    with _lock:
        _cache[directory] = (mtime, name, model)
    return model
