"""The server's background indexer: embeds new and edited notes and emails while the API is up.

Writes never wait for embedding: the database triggers mark a text pending and keyword search finds
it at once; this thread picks pending texts up every `interval_s` seconds (and `crm-assistant index`
does the same from the command line; the advisory lock lets only one of them work at a time).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

from sqlalchemy import Engine

from nlq.search.errors import SearchIndexBusyError
from nlq.search.indexer import index_pending

_log = logging.getLogger(__name__)

BACKGROUND_NICENESS = 15


def _lower_priority() -> None:
    """Give the calling thread (and the compute threads it starts) a high nice value.

    On Linux the nice value is per thread and inherited by threads created later, so embedding a
    backlog of texts yields the CPU to the requests the same server is answering.
    """
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)


class _Stopping(Exception):
    """Raised between two batches when the server asks the indexer to stop."""


class BackgroundIndexer:
    """A daemon thread running `index_pending` on a schedule until `stop()`."""

    def __init__(self, engine: Engine, *, model_name: str, interval_s: float = 30.0,
                 batch_documents: int = 64) -> None:
        self.engine = engine
        self.model_name = model_name
        self.interval_s = interval_s
        self.batch_documents = batch_documents
        self.indexed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)

    def start(self) -> BackgroundIndexer:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def run_once(self) -> int:
        """Index what is pending now; returns how many texts were (re)embedded."""
        try:
            stats = index_pending(self.engine, model_name=self.model_name, batch_documents=self.batch_documents,
                                  wait=False, on_progress=self._stop_if_asked)
        except SearchIndexBusyError:
            return 0  # `crm-assistant index` is at it; nothing is lost
        except _Stopping:
            return 0  # the server is shutting down: finished batches are committed, the rest stays pending
        self.indexed += stats.documents
        if stats.documents:
            _log.info("search index: %d texts embedded (%.1f/s)", stats.documents, stats.documents_per_s)
        return stats.documents

    def _stop_if_asked(self, _done: int, _total: int) -> None:
        """Called between batches: a shutdown need not wait for a whole backlog to be embedded."""
        if self._stop.is_set():
            raise _Stopping

    def _run(self) -> None:
        _lower_priority()
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a failed round must not end the thread; the texts stay pending
                _log.exception("background search indexing failed; retrying later")
            self._stop.wait(self.interval_s)
