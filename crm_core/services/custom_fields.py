"""Validation of `custom_fields` against their definitions: the rule every write path shares."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import FieldProblem
from crm_core.models import CustomFieldDefinition


def load_definitions(session: Session, entity: str) -> dict[str, CustomFieldDefinition]:
    rows = session.scalars(select(CustomFieldDefinition).where(CustomFieldDefinition.entity == entity))
    return {d.key: d for d in rows}


def validate_custom_fields(
    values: dict[str, Any] | None,
    definitions: dict[str, CustomFieldDefinition],
    *,
    is_create: bool,
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Check and normalise custom field values; return (clean values, problems).

    Unknown keys are rejected (a typo must not silently create a new field), values are coerced to
    the declared type, and required fields must be present when a record is created.
    """
    values = dict(values or {})
    clean: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for key, raw in values.items():
        definition = definitions.get(key)
        name = f"custom_fields.{key}"
        if definition is None:
            known = ", ".join(sorted(definitions)) or "none are defined"
            problems.append(FieldProblem(name, f"unknown custom field (known: {known})", "unknown-field"))
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if definition.is_required:
                problems.append(FieldProblem(name, "is required", "missing-value"))
            continue
        try:
            clean[key] = _coerce(definition, raw)
        except ValueError as exc:
            problems.append(FieldProblem(name, str(exc)))
    if is_create:
        for key, definition in definitions.items():
            if definition.is_required and key not in clean and not any(p.field.endswith(key) for p in problems):
                problems.append(FieldProblem(f"custom_fields.{key}", "is required", "missing-value"))
    return clean, problems


def _coerce(definition: CustomFieldDefinition, raw: Any) -> Any:
    kind = definition.field_type
    if kind == "text":
        value = str(raw).strip()
        if definition.max_length is not None and len(value) > definition.max_length:
            raise ValueError(f"is longer than {definition.max_length} characters")
        return value
    if kind in ("number", "integer"):
        if isinstance(raw, bool):
            raise ValueError(f"expected a {kind}, got a yes/no value")
        try:
            number = float(str(raw).replace(",", "").strip()) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"expected a {kind}, got '{raw}'") from None
        if kind == "integer":
            if number != int(number):
                raise ValueError(f"expected a whole number, got '{raw}'")
            number = int(number)
        if definition.min_value is not None and number < definition.min_value:
            raise ValueError(f"must be at least {definition.min_value:g}")
        if definition.max_value is not None and number > definition.max_value:
            raise ValueError(f"must be at most {definition.max_value:g}")
        return number
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "yes", "y", "1"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
        raise ValueError(f"expected yes/no, got '{raw}'")
    if kind == "date":
        try:
            return (raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip()[:10])).isoformat()
        except ValueError:
            raise ValueError(f"expected an ISO date (YYYY-MM-DD), got '{raw}'") from None
    if kind == "choice":
        choices = definition.choices or []
        for choice in choices:
            if str(raw).strip().lower() == choice.lower():
                return choice
        raise ValueError(f"'{raw}' is not one of: {', '.join(choices)}")
    raise ValueError(f"unsupported field type {kind}")
