"""Errors of the LLM translator, each with a stable code; nothing above nlq sees an openai or httpx error.

    NlqError
    └── LlmError                 (llm-error)
        ├── LlmUnavailableError  (llm-unavailable)  not configured: no API key, no chat model
        ├── LlmTimeoutError      (llm-timeout)      the model did not answer in time
        ├── LlmFailedError       (llm-failed)       the endpoint answered with an error, or not at all
        └── LlmReplyError        (llm-no-sql)       the reply held neither SQL nor a question back
"""

from __future__ import annotations

from nlq.errors import NlqError


class LlmError(NlqError):
    code = "llm-error"
    status = 502


class LlmUnavailableError(LlmError):
    code = "llm-unavailable"
    status = 503


class LlmTimeoutError(LlmError):
    code = "llm-timeout"
    status = 504


class LlmFailedError(LlmError):
    code = "llm-failed"
    status = 502


class LlmReplyError(LlmError):
    """A reply we cannot use; it goes back to the model like a guard error (it can repair it)."""

    code = "llm-no-sql"
    status = 422
