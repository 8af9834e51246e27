"""The chat model: built from settings (any OpenAI-compatible endpoint through langchain-openai) and
called with every provider error turned into one of ours.

Hosted APIs and local servers (Ollama, vLLM, llama.cpp) that speak the chat-completions protocol
all work through `ChatOpenAI` with a base URL; any other langchain chat model can be passed to the
engine directly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from crm_core.settings import Settings
from nlq.llm.errors import LlmError, LlmFailedError, LlmTimeoutError, LlmUnavailableError

NO_KEY_MESSAGE = (
    "The LLM translator is off: no API key is configured. Set CRM_ASSISTANT_OPENAI_API_KEY (or OPENAI_API_KEY), "
    "and CRM_ASSISTANT_OPENAI_BASE_URL for a local or self-hosted model (local servers accept any key), "
    "or use the built-in parser."
)


def is_configured(settings: Settings) -> bool:
    key = settings.openai_api_key
    return key is not None and bool(key.get_secret_value().strip())


def build_chat_model(settings: Settings) -> Any:
    """A `ChatOpenAI` at temperature 0 with the configured endpoint, model, key, timeout and retries.

    Raises `LlmUnavailableError` (llm-unavailable) when no key is configured.
    """
    if not is_configured(settings):
        raise LlmUnavailableError(NO_KEY_MESSAGE)
    from langchain_openai import ChatOpenAI  # a heavy import, paid only when the LLM is configured

    assert settings.openai_api_key is not None
    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        temperature=0,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_http_retries,
    )


def call_model(model: Any, messages: Sequence[Any], *, timeout_s: float, base_url: str | None = None,
               model_name: str = "") -> tuple[str, float]:
    """Send the messages; return the reply text and the time the call took, in milliseconds."""
    started = time.perf_counter()
    try:
        reply = model.invoke(list(messages))
    except Exception as exc:
        raise model_error(exc, timeout_s=timeout_s, base_url=base_url, model_name=model_name) from None
    elapsed_ms = (time.perf_counter() - started) * 1000
    content = getattr(reply, "content", reply)
    if isinstance(content, list):  # content blocks: keep the text parts
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return str(content), elapsed_ms


def model_error(exc: BaseException, *, timeout_s: float, base_url: str | None, model_name: str) -> LlmError:
    """A provider's exception as an `LlmError` with a message that names the way out."""
    if _is_timeout(exc):
        return LlmTimeoutError(
            f"The language model did not answer within {timeout_s:g} s. Try again, or use the built-in parser.")
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    where = f" at {base_url}" if base_url else ""
    if status in (401, 403):
        return LlmFailedError(f"The language model endpoint{where} refused the API key (HTTP {status}). "
                              "Check CRM_ASSISTANT_OPENAI_API_KEY.")
    if status == 404:
        return LlmFailedError(f"The language model endpoint{where} does not know the model '{model_name}' "
                              "(HTTP 404). Check CRM_ASSISTANT_LLM_MODEL and CRM_ASSISTANT_OPENAI_BASE_URL.")
    if status == 429:
        return LlmFailedError("The language model endpoint is rate-limiting us (HTTP 429). Try again shortly.")
    if isinstance(status, int):
        return LlmFailedError(f"The language model endpoint{where} failed (HTTP {status}). Try again later, "
                              "or use the built-in parser.")
    if "connection" in " ".join(t.__name__.lower() for t in type(exc).__mro__):
        return LlmFailedError(f"The language model endpoint{where} could not be reached. Check "
                              "CRM_ASSISTANT_OPENAI_BASE_URL, or use the built-in parser.")
    return LlmFailedError(f"The language model call failed ({type(exc).__name__}). Try again, or use the "
                          "built-in parser.")


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or any("timeout" in t.__name__.lower() for t in type(exc).__mro__)
