"""The optional LLM translator: langchain chat models, prompts from files, schema pruning, repair.

`create_llm_translator()` assembles it from settings and the database. This module imports nothing
heavy: langchain is loaded only when the LLM translator is actually built, so the default
(parser-only) product pays nothing for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from crm_core.settings import Settings
from nlq.catalog import Catalog

if TYPE_CHECKING:
    from nlq.llm.prompts import PromptSet
    from nlq.llm.translator import LlmTranslator


def create_llm_translator(*, engine: Engine, settings: Settings, catalog: Catalog, chat_model: Any | None = None,
                          prompts: PromptSet | None = None) -> LlmTranslator:
    """The LLM translator for one database.

    `chat_model` is any langchain chat model; without one, a `ChatOpenAI` is built from settings
    (raising `LlmUnavailableError`, llm-unavailable, when no API key is configured).
    """
    from nlq.catalog import load_custom_fields
    from nlq.llm.catalog_text import build_chunks, load_database_terms
    from nlq.llm.client import build_chat_model
    from nlq.llm.examples import load_examples
    from nlq.llm.prompts import load_prompts
    from nlq.llm.retrieval import Retriever
    from nlq.llm.translator import LlmTranslator

    model = chat_model if chat_model is not None else build_chat_model(settings)
    chunks = build_chunks(catalog, custom_fields=load_custom_fields(engine), terms=load_database_terms(engine))
    retriever = Retriever(chunks, load_examples(settings.llm_examples_file), model_name=settings.embedding_model,
                          token_budget=settings.llm_catalog_token_budget, examples_k=settings.llm_examples)
    return LlmTranslator(chat_model=model, prompts=prompts or load_prompts(settings.llm_prompt_version),
                         retriever=retriever, catalog=catalog, settings=settings)
