"""The CSV columns of contacts and accounts, and how the headers of a file map onto them.

A header is matched after normalising it (case, spacing and punctuation are ignored, so
"First Name", "first_name" and "FIRSTNAME" are the same), in this order:

1. an exported column name (`email`, `account_name`, ...), exactly;
2. `custom_fields.KEY` / `cf_KEY`: always a custom field (an undefined KEY is then reported per row
   by the one validation path, never dropped);
3. the key or the label of a custom field defined for the entity;
4. a common synonym ("E-mail", "Company", "Job Title", "Website", ...).

Anything else is an `unknown-column` error on row 0, unless unknown columns are ignored.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from crm_core.errors import RowError

Entity = Literal["contacts", "accounts"]
ENTITIES: tuple[Entity, ...] = ("contacts", "accounts")
HEADER_ROW = 0
CUSTOM_PREFIX = "custom_fields."

# Columns in export order: id first, then the contract columns, each reference id followed by the
# name that makes it portable between databases (`account_name`, `owner_email`).
CONTACT_COLUMNS = (
    "id", "account_id", "account_name", "first_name", "last_name", "email", "phone", "job_title",
    "lifecycle_stage", "lead_source", "country", "state", "city", "timezone", "owner_id", "owner_email",
    "lead_score", "last_contacted_at", "do_not_email", "created_at",
)
ACCOUNT_COLUMNS = (
    "id", "name", "domain", "industry", "employee_count", "annual_revenue", "country", "state", "city",
    "owner_id", "owner_email", "parent_account_id", "parent_account_name", "created_at",
)
COLUMNS: dict[Entity, tuple[str, ...]] = {"contacts": CONTACT_COLUMNS, "accounts": ACCOUNT_COLUMNS}

# Columns that are read but never written as given: a record's id is assigned by the database.
IGNORED_ON_IMPORT = frozenset({"id"})
TIMESTAMP_COLUMNS = frozenset({"last_contacted_at", "created_at"})

_LOCATION = {
    "country": ("country", "country code", "country name", "nation"),
    "state": ("state", "province", "region", "state province", "state/province", "state or province",
              "state code", "subdivision"),
    "city": ("city", "town", "locality"),
}
_OWNER = ("owner", "owner email", "owner e-mail", "owner email address", "record owner", "assigned to")
_CREATED = ("created", "created at", "created date", "create date", "date created", "created on")

SYNONYMS: dict[Entity, dict[str, tuple[str, ...]]] = {
    "contacts": {
        "id": ("contact id", "record id"),
        "account_id": ("company id",),
        "account_name": ("company", "company name", "organisation", "organization", "organisation name",
                         "organization name", "account", "employer"),
        "first_name": ("first", "given name", "forename"),
        "last_name": ("last", "surname", "family name"),
        "email": ("e-mail", "email address", "e-mail address", "mail", "work email", "business email"),
        "phone": ("phone number", "telephone", "tel", "mobile", "mobile phone", "mobile number", "cell",
                  "cell phone", "work phone", "business phone"),
        "job_title": ("title", "job", "position"),
        "lifecycle_stage": ("stage", "lifecycle", "lifecycle stage"),
        "lead_source": ("source", "lead source", "original source"),
        "timezone": ("time zone", "tz"),
        "owner_email": (*_OWNER, "contact owner"),
        "lead_score": ("score",),
        "last_contacted_at": ("last contacted", "last contact", "last contact date", "last contacted date",
                              "last activity date"),
        "do_not_email": ("email opt out", "opted out", "unsubscribed", "do not contact by email"),
        "created_at": _CREATED,
        **_LOCATION,
    },
    "accounts": {
        "id": ("account id", "company id", "record id"),
        "name": ("account", "account name", "company", "company name", "organisation", "organization",
                 "organisation name", "organization name"),
        "domain": ("website", "web site", "url", "website url", "company domain", "web"),
        "industry": ("sector", "vertical"),
        "employee_count": ("employees", "number of employees", "no of employees", "headcount",
                           "employee number"),
        "annual_revenue": ("revenue", "annual revenue usd", "yearly revenue"),
        "owner_email": (*_OWNER, "account owner", "company owner"),
        "parent_account_name": ("parent", "parent account", "parent company", "parent organisation",
                                "parent organization"),
        "created_at": _CREATED,
        **_LOCATION,
    },
}

_PREFIXED = re.compile(r"^\s*(?:custom[\s_-]*fields?\s*[.:]|cf[\s_.:-])\s*(?P<key>.+?)\s*$", re.IGNORECASE)


def normalise(header: str) -> str:
    """The comparison form of a header: case-folded, letters and digits only ("E-mail" -> "email")."""
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def custom_key(text: str) -> str:
    """A custom field key spelled like the definitions spell them ("Deal Size" -> "deal_size")."""
    return re.sub(r"[^0-9a-z]+", "_", text.casefold()).strip("_")


@dataclass(frozen=True)
class Column:
    """One column of the file: its position, its header as written, and the field it fills."""

    index: int
    header: str
    target: str  # a column of COLUMNS, or "custom_fields.KEY"

    @property
    def custom_key(self) -> str | None:
        return self.target.removeprefix(CUSTOM_PREFIX) if self.target.startswith(CUSTOM_PREFIX) else None


def _lookup(entity: Entity, definitions: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    exact = {normalise(name): name for name in COLUMNS[entity]}
    custom: dict[str, str] = {}
    for key, definition in definitions.items():
        label = getattr(definition, "label", None) or key
        custom.setdefault(normalise(key), CUSTOM_PREFIX + key)
        custom.setdefault(normalise(label), CUSTOM_PREFIX + key)
    return exact, custom


def _synonyms(entity: Entity) -> dict[str, str]:
    return {normalise(alias): name for name, aliases in SYNONYMS[entity].items() for alias in aliases}


def match_header(header: str, entity: Entity, definitions: Mapping[str, Any]) -> str | None:
    """The target of one header, or None when it matches nothing.

    >>> match_header("E-mail Address", "contacts", {})
    'email'
    >>> match_header("cf_Deal Size", "contacts", {})
    'custom_fields.deal_size'
    """
    exact, custom = _lookup(entity, definitions)
    key = normalise(header)
    if key in exact:
        return exact[key]
    prefixed = _PREFIXED.match(header)
    if prefixed:
        wanted = prefixed.group("key")
        return custom.get(normalise(wanted)) or CUSTOM_PREFIX + custom_key(wanted)
    return custom.get(key) or _synonyms(entity).get(key)


def _suggestion(header: str, entity: Entity, definitions: Mapping[str, Any]) -> str:
    names = [n for n in COLUMNS[entity] if n not in IGNORED_ON_IMPORT]
    names += [CUSTOM_PREFIX + k for k in definitions]
    by_form = {normalise(n): n for n in names}
    close = difflib.get_close_matches(normalise(header), list(by_form), n=1, cutoff=0.75)
    return f" Did you mean '{by_form[close[0]]}'?" if close else ""


def map_headers(
    headers: Sequence[str],
    entity: Entity,
    definitions: Mapping[str, Any],
    *,
    ignore_unknown_columns: bool = False,
    blank_columns: frozenset[int] = frozenset(),
) -> tuple[list[Column], list[RowError]]:
    """Map every header of a file to its target; return the columns and the header problems (row 0).

    Args:
        headers: the header row as written in the file.
        entity: "contacts" or "accounts".
        definitions: the entity's custom field definitions by key (their `label` is matched too).
        ignore_unknown_columns: skip headers that match nothing instead of reporting them.
        blank_columns: positions whose cells are all empty; a nameless, empty column (the trailing
            delimiter Excel writes) is skipped silently.
    """
    columns: list[Column] = []
    problems: list[RowError] = []
    seen: dict[str, str] = {}
    noun = entity[:-1]
    for index, header in enumerate(headers):
        if not header.strip():
            if index not in blank_columns and not ignore_unknown_columns:
                problems.append(RowError(HEADER_ROW, f"column {index + 1}",
                                         f"Column {index + 1} has values but no header. Name it, or import "
                                         "again ignoring unknown columns.", "unknown-column"))
            continue
        target = match_header(header, entity, definitions)
        if target is None:
            if not ignore_unknown_columns:
                problems.append(RowError(
                    HEADER_ROW, header,
                    f"The column '{header}' does not match any {noun} field.{_suggestion(header, entity, definitions)}"
                    " Rename it, or import again ignoring unknown columns.", "unknown-column"))
            continue
        if target in seen:
            problems.append(RowError(HEADER_ROW, header,
                                     f"The columns '{seen[target]}' and '{header}' both give the {noun}'s "
                                     f"{target}; keep one of them.", "duplicate-column"))
            continue
        seen[target] = header
        columns.append(Column(index, header, target))
    return columns, problems
