"""Process-wide objects the connectors share: the migrated engine and the loaded assistant."""

from __future__ import annotations

import threading

from assistant.service import Assistant
from crm_core.database import ready_engine
from crm_core.settings import Settings

_lock = threading.Lock()
_assistants: dict[str, Assistant] = {}


def get_assistant(settings: Settings) -> Assistant:
    """One assistant (catalog, lexicon, model) per database for the life of the process."""
    engine = ready_engine(settings)
    key = str(engine.url)
    with _lock:
        if key not in _assistants:
            _assistants[key] = Assistant(engine, settings)
        return _assistants[key]
