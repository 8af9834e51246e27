"""The crm-assistant CLI through typer's runner: errors exit non-zero, answers render."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors import cli
from crm_core.settings import Settings


@pytest.fixture
def runner(test_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setattr(cli, "get_settings", lambda: test_settings)
    return CliRunner()


def test_cli_ask_json(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["ask", "how many customers are in Texas?", "--json", "--as", "rep@demo.crm"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["status"] == "answered"
    assert "lifecycle_stage = 'customer'" in answer["sql"]


def test_cli_ask_table(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["ask", "open deals over 50k"])
    assert result.exit_code == 0, result.output
    assert "How:" in result.output and "SELECT" in result.output


def test_cli_unknown_user_exits_nonzero(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["ask", "open deals", "--as", "nobody@nowhere.test"])
    assert result.exit_code == 1
    assert "unknown-user" in result.output


def test_cli_api_key_create(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["api-key", "create", "--user", "rep@demo.crm"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("crm_")


def test_cli_db_upgrade(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["db", "upgrade"])
    assert result.exit_code == 0
    assert "revision" in result.output


@pytest.mark.xdist_group("search")  # the indexer's upkeep touches the search tables test_search builds on
def test_cli_index_with_no_budget_says_what_is_still_pending(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["index", "--limit", "0", "--kind", "email"])
    assert result.exit_code == 0, result.output
    assert "Embedded nothing (--limit 0);" in result.output and "emails still pending" in result.output


def test_an_empty_setting_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """'CRM_ASSISTANT_DATA_DIR=' must not start the embedded server in the current directory."""
    monkeypatch.setenv("CRM_ASSISTANT_DATA_DIR", "")
    monkeypatch.setenv("DATABASE_URL", "")
    settings = Settings()
    assert settings.data_dir == Path(".pgdata") and settings.database_url is None
