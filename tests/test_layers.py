"""Imports only go rightwards: connectors → assistant → nlq → crm_core; evals → assistant, nlq."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "crm_core": {"crm_core"},
    "nlq": {"nlq", "crm_core"},
    "assistant": {"assistant", "nlq", "crm_core"},
    "connectors": {"connectors", "assistant", "nlq", "crm_core", "evals"},
    "evals": {"evals", "assistant", "nlq", "crm_core"},
}
PACKAGES = set(ALLOWED) | {"prompts"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PACKAGES


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layers_import_only_rightwards(package: str) -> None:
    bad = []
    for path in (ROOT / package).rglob("*.py"):
        for imported in _imports(path) - ALLOWED[package] - {"prompts"}:
            bad.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert not bad, bad
