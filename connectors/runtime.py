"""Process-wide objects the connectors share: the migrated engine and the loaded assistant."""

from __future__ import annotations

import gc
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


def warm_up(assistant: Assistant) -> None:
    """Load the embedding model now, then move everything loaded so far out of the garbage collector's way.

    A long-lived server holds millions of start-up objects (model, catalog, lexicon) that never die;
    without `gc.freeze()` every full collection walks them all and stalls a request for 200-300 ms.
    """
    assistant.nlq.warm()
    gc.collect()
    gc.freeze()
