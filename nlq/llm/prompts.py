"""Prompt templates, read from files in `prompts/nlq/<version>/` once at start-up and checked there.

Each file is a langchain f-string template. Its variables must be exactly the ones the translator
fills in, so a template edited into a broken state stops the process at start-up, naming the file,
instead of failing on the first question.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from langchain_core.prompts import PromptTemplate

from nlq.errors import NlqError

# template name → the variables it must use
TEMPLATES: dict[str, frozenset[str]] = {
    "system": frozenset({"today", "weekday", "now", "row_cap", "scope", "catalog", "examples"}),
    "user": frozenset({"previous", "question"}),
    "repair": frozenset({"stage", "code", "message"}),
    "summary_system": frozenset(),
    "summary_user": frozenset({"question", "columns", "row_count", "truncated"}),
}


class PromptTemplateError(NlqError):
    code = "prompt-invalid"
    status = 500


@dataclass(frozen=True)
class PromptSet:
    """The loaded templates of one version."""

    version: str
    templates: dict[str, PromptTemplate]

    def render(self, name: str, **values: object) -> str:
        return self.templates[name].format(**values)


def prompts_root() -> Traversable:
    """The `prompts` package's folder (data only, shipped with the distribution)."""
    return resources.files("prompts")


def load_prompts(version: str, root: Traversable | Path | None = None) -> PromptSet:
    """Read and check every template of `version`.

    Raises `PromptTemplateError` (prompt-invalid) naming the file that is missing or wrong.
    """
    folder = (root or prompts_root()).joinpath("nlq", version)
    templates: dict[str, PromptTemplate] = {}
    for name, expected in TEMPLATES.items():
        source = folder.joinpath(f"{name}.txt")
        where = f"prompts/nlq/{version}/{name}.txt"
        if not source.is_file():
            raise PromptTemplateError(f"The prompt template {where} is missing; set CRM_ASSISTANT_LLM_PROMPT_VERSION "
                                      "to a version folder that has it.")
        try:
            template = PromptTemplate.from_template(source.read_text(encoding="utf-8"))
        except Exception as exc:  # an unbalanced brace, mostly
            raise PromptTemplateError(f"The prompt template {where} cannot be read: {exc}") from None
        found = frozenset(template.input_variables)
        if found != expected:
            missing, extra = sorted(expected - found), sorted(found - expected)
            raise PromptTemplateError(
                f"The prompt template {where} must use the variables {sorted(expected)}; "
                f"missing {missing}, unknown {extra}. (Write a literal brace as {{{{ or }}}}.)")
        templates[name] = template
    return PromptSet(version=version, templates=templates)
