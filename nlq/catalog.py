"""The catalog (semantic layer): YAML data about tables, columns, phrasings, definitions and metrics.

`load_catalog()` reads `catalog.yaml`; `Catalog.refresh_from_database()` merges in the values that
live in the data (stage names, industries, regions, pipelines, user and account names) so the
vocabulary never goes stale.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, text

from crm_core.geo import AU_STATES, CA_PROVINCES, US_STATES
from crm_core.models import INDUSTRIES

_log = logging.getLogger(__name__)

CATALOG_PATH = Path(__file__).resolve().parent / "catalog.yaml"


def normalize(phrase: str) -> str:
    """Lower-case, unify apostrophes and hyphens, collapse spaces: the form phrases are matched in."""
    phrase = phrase.lower().replace("’", "'").replace("-", " ")
    phrase = re.sub(r"[^\w' ]+", " ", phrase)
    return re.sub(r"\s+", " ", phrase).strip()


LEGAL_SUFFIXES = frozenset({
    "inc", "llc", "ltd", "gmbh", "corp", "co", "plc", "ag", "sa", "bv", "nv", "pty", "limited", "corporation",
    "incorporated", "kk", "srl", "sas", "oy", "ab", "as", "lp", "llp", "pte",
})


def strip_legal_suffix(name: str) -> str:
    """'silverpoint biosciences llc' → 'silverpoint biosciences': people drop the legal form."""
    words = name.split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass
class Column:
    name: str
    type: str
    label: str
    synonyms: list[str] = field(default_factory=list)
    valueset: str | None = None
    references: str | None = None
    unit: str | None = None
    json_key: str | None = None  # a custom field: `custom_fields ->> json_key`, typed, not a column of the table


@dataclass(frozen=True)
class CustomField:
    """A custom field definition (`custom_field_definitions`): a key in an entity's `custom_fields`."""

    entity: str
    key: str
    label: str
    field_type: str
    choices: tuple[str, ...] = ()


# a custom field's type as the catalog's column types
_CUSTOM_TYPES = {"text": "text", "choice": "enum", "number": "number", "integer": "integer", "boolean": "boolean",
                 "date": "date"}


def load_custom_fields(engine: Engine) -> list[CustomField]:
    """Custom field definitions of the database (none when the table does not exist yet)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT entity, key, label, field_type, choices FROM custom_field_definitions ORDER BY entity, key"
            )).all()
    except Exception:  # an older schema without custom fields: the catalog simply has none
        _log.info("no custom field definitions readable; the catalog has none")
        return []
    return [CustomField(entity=r[0], key=r[1], label=r[2], field_type=r[3], choices=tuple(_choices(r[4])))
            for r in rows]


def days_ago(value: Any) -> int | None:
    """N of a definition's `@days_ago:N` value (a time counted back from the question's clock), else None."""
    if isinstance(value, str) and value.startswith("@days_ago:"):
        return int(value.split(":", 1)[1])
    return None


def _choices(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return [raw]
    return [str(c) for c in raw] if isinstance(raw, list) else []


@dataclass
class Computed:
    """A column of a related table read as this entity's own (a deal's stage name, its stage's probability)."""

    name: str
    expr: str
    via: str
    label: str
    type: str = "text"
    synonyms: list[str] = field(default_factory=list)
    unit: str | None = None
    lexicon: bool = True   # False: shown in lists only (a deal's account name), never read from a question


@dataclass
class Relation:
    name: str
    entity: str
    local: str
    remote: str


@dataclass
class Entity:
    name: str
    table: str
    singular: str
    plural: str
    synonyms: list[str]
    owner_column: str | None
    title: str
    display: list[str]
    default_order: dict[str, str]
    columns: dict[str, Column]
    computed: dict[str, Computed]
    relations: dict[str, Relation]

    def has(self, column: str) -> bool:
        return column in self.columns or column in self.computed

    @property
    def stored_columns(self) -> dict[str, Column]:
        """The table's own columns (custom fields live inside `custom_fields`, not beside it)."""
        return {name: c for name, c in self.columns.items() if c.json_key is None}

    def field(self, column: str) -> Column | Computed | None:
        """A column of the entity's own table or one it reads through a relation (computed)."""
        return self.columns.get(column) or self.computed.get(column)

    def label_of(self, column: str) -> str:
        found = self.field(column)
        return found.label if found is not None else column.replace("_", " ")

    def column_type(self, column: str) -> str:
        found = self.field(column)
        return found.type if found is not None else "text"

    def column_unit(self, column: str) -> str | None:
        found = self.field(column)
        return found.unit if found is not None else None

    def percent_column(self) -> str | None:
        """The one column measured in percent, if there is exactly one ("deals over 70%": the probability)."""
        found = [c.name for c in [*self.columns.values(), *self.computed.values()] if c.unit == "percent"]
        return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class NotTracked:
    """Something the CRM does not record ("quota"), what to say about it and the nearest question to offer."""
    message: str
    offer: str


@dataclass
class NamedFilter:
    name: str
    entity: str
    phrases: list[str]
    where: list[dict[str, Any]]
    definition: str
    date_column: str | None = None
    label: str | None = None   # how answers name the rows ("MQLs"); default: the name in words
    undated: str | None = None  # said when a period is asked of rows whose defining date is not recorded
    rank_by: str | None = None  # what "the top ones" of these rows are ranked by ("top 10 hot leads": score)

    @property
    def noun(self) -> str:
        return self.label or self.name.replace("_", " ")


@dataclass
class Metric:
    name: str
    entity: str
    phrases: list[str]
    expr: str
    where: list[dict[str, Any]]
    definition: str
    format: str = "number"
    via: list[str] = field(default_factory=list)
    date_column: str | None = None

    @property
    def summed_column(self) -> str | None:
        """The entity's column this figure adds up when it is a plain (rounded) sum ("pipeline value":
        `ROUND(SUM(deals.amount), 2)` → amount), else None: what a share of the figure is a share of."""
        import sqlglot
        from sqlglot import exp

        tree = sqlglot.parse_one(self.expr, read="postgres")
        if isinstance(tree, exp.Round):
            tree = tree.this
        if isinstance(tree, exp.Sum) and isinstance(tree.this, exp.Column) and tree.this.table in ("", self.entity):
            return tree.this.name
        return None


@dataclass(eq=False)  # identity hash: caches key on the loaded catalog
class Catalog:
    entities: dict[str, Entity]
    valuesets: dict[str, dict[str, list[str]]]
    named_filters: dict[str, NamedFilter]
    metrics: dict[str, Metric]
    date_columns: dict[str, str]
    amount_columns: dict[str, str]
    filler: frozenset[str]
    rank_columns: dict[str, str] = field(default_factory=dict)
    event_columns: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # what happens to a record after its own date ("not opened in the last 2 weeks": those weeks' e-mails)
    outcome_columns: dict[str, frozenset[str]] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    not_tracked: dict[str, NotTracked] = field(default_factory=dict)  # a word → what the CRM says about it
    users: dict[str, int] = field(default_factory=dict)           # normalised full/first name -> id
    user_names: dict[int, str] = field(default_factory=dict)
    accounts: dict[str, list[int]] = field(default_factory=dict)  # normalised account name -> ids
    stage_names: dict[str, list[int]] = field(default_factory=dict)
    pipelines: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    team_names: dict[int, str] = field(default_factory=dict)      # id -> the name as written ("NA East")

    @cached_property
    def event_words(self) -> dict[str, str]:
        """One-word phrases of the event columns → the timestamp they date ("replied" → replied_at)."""
        return {phrase: column for columns in self.event_columns.values() for column, phrases in columns.items()
                for phrase in phrases if " " not in phrase}

    def accounts_starting(self, phrase: str) -> list[int]:
        """Ids of the accounts named `phrase` (normalised) or `phrase …`: "northwind" → Northwind Systems,
        Northwind Capital. A sorted name list searched by bisection, rebuilt when the names are reloaded."""
        index = self.__dict__.get("_account_index")
        if index is None or index[0] is not self.accounts:
            index = (self.accounts, sorted(self.accounts))
            self.__dict__["_account_index"] = index
        names = index[1]
        ids: set[int] = set(self.accounts.get(phrase, []))
        position = bisect.bisect_left(names, phrase + " ")
        while position < len(names) and names[position].startswith(phrase + " "):
            ids.update(self.accounts[names[position]])
            position += 1
        return sorted(ids)

    @property
    def tables(self) -> dict[str, Entity]:
        return {e.table: e for e in self.entities.values()}

    def value_label(self, valueset: str, value: str) -> str:
        phrases = self.valuesets.get(valueset, {}).get(value) or []
        if valueset == "states":
            return phrases[0].title() if phrases else value
        return value

    def refresh_from_database(self, engine: Engine) -> None:
        """Merge values that live in the database into the vocabulary."""
        with engine.connect() as conn:
            industries = [r[0] for r in conn.execute(text(
                "SELECT DISTINCT industry FROM accounts WHERE industry IS NOT NULL ORDER BY 1"))]
            stages = conn.execute(text("SELECT id, name FROM deal_stages ORDER BY id")).all()
            pipelines = conn.execute(text("SELECT id, name FROM pipelines ORDER BY id")).all()
            regions = [r[0] for r in conn.execute(text("SELECT DISTINCT region FROM teams ORDER BY 1"))]
            teams = conn.execute(text("SELECT id, name FROM teams ORDER BY id")).all()
            users = conn.execute(text("SELECT id, full_name, email FROM users ORDER BY id")).all()
            accounts = conn.execute(text("SELECT id, name FROM accounts ORDER BY id")).all()
            # the most common cities first, so a cap keeps the ones people ask about
            cities = [r[0] for r in conn.execute(text(
                "SELECT city FROM (SELECT city FROM accounts UNION ALL SELECT city FROM contacts) AS c "
                "WHERE city IS NOT NULL AND city <> '' GROUP BY city ORDER BY count(*) DESC, city LIMIT :n"),
                {"n": MAX_CITIES})]
        self.valuesets["cities"] = {city: [city.lower()] for city in cities}
        self.add_custom_fields(load_custom_fields(engine))
        self._merge_values("industries", industries)
        self._merge_values("regions", regions)
        self.stage_names = {}
        for stage_id, name in stages:
            self.stage_names.setdefault(normalize(name), []).append(stage_id)
        self.pipelines = {normalize(name): pid for pid, name in pipelines}
        self.teams = {normalize(name): tid for tid, name in teams}
        self.team_names = {tid: name for tid, name in teams}
        self._index_users(users)
        self.accounts = {}
        for account_id, name in accounts:
            for key in {normalize(name), strip_legal_suffix(normalize(name))}:
                if key:
                    self.accounts.setdefault(key, []).append(account_id)

    def add_custom_fields(self, fields: list[CustomField]) -> None:
        """Custom fields as columns of their entity ("accounts in the gold tier", "deals with over 100 seats"):
        the label is how they are asked about, a choice field's choices are its values."""
        for custom in fields:
            entity = self.entities.get(custom.entity)
            if entity is None:
                continue
            name = custom.key if custom.key not in entity.columns and custom.key not in entity.computed \
                else f"custom_{custom.key}"
            if name in entity.columns and entity.columns[name].json_key is None:
                continue
            valueset = None
            if custom.field_type == "choice" and custom.choices:
                valueset = f"custom:{custom.entity}.{custom.key}"
                self.valuesets[valueset] = {choice: [choice.lower()] for choice in custom.choices}
            entity.columns[name] = Column(
                name=name, type=_CUSTOM_TYPES.get(custom.field_type, "text"), label=custom.label,
                synonyms=[custom.label.lower(), custom.key.replace("_", " ")], valueset=valueset, json_key=custom.key)

    def _merge_values(self, valueset: str, values: list[str]) -> None:
        known = self.valuesets.setdefault(valueset, {})
        for value in values:
            phrases = known.setdefault(value, [])
            for phrase in (value.lower(), value.lower().rstrip("s")):
                if phrase not in phrases:
                    phrases.append(phrase)

    def _index_users(self, users: list[Any]) -> None:
        self.users, self.user_names = {}, {}
        first_names: dict[str, list[int]] = {}
        for user_id, full_name, email in users:
            self.user_names[user_id] = full_name
            self.users[normalize(full_name)] = user_id
            if email:  # "deals owned by rep@demo.crm"
                self.users[normalize(email)] = user_id
            first_names.setdefault(normalize(full_name.split()[0]), []).append(user_id)
        for first, ids in first_names.items():
            if len(ids) == 1 and first not in self.users:
                self.users[first] = ids[0]


MAX_CITIES = 5_000

# What the vocabulary read from the database depends on: names of accounts, users, teams, stages and
# pipelines, industries and regions, and the custom field definitions. One cheap statement tells whether any
# of them changed since the vocabulary was built.
_VOCABULARY_SIGNATURE = text(
    "SELECT md5(concat_ws('|', "
    "(SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM accounts), "
    "(SELECT string_agg(DISTINCT industry, ',') FROM accounts), "
    "(SELECT string_agg(id || ':' || full_name || ':' || coalesce(email, ''), ',' ORDER BY id) FROM users), "
    "(SELECT string_agg(id || ':' || name || ':' || region, ',' ORDER BY id) FROM teams), "
    "(SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM deal_stages), "
    "(SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM pipelines), "
    "(SELECT string_agg(entity || '.' || key || ':' || label || ':' || field_type || ':' || coalesce(choices::text, ''),"
    " ',' ORDER BY entity, key) FROM custom_field_definitions)))")


def vocabulary_signature(engine: Engine) -> str:
    """A digest of every database value the vocabulary holds; it changes when one of them does."""
    with engine.connect() as conn:
        return str(conn.execute(_VOCABULARY_SIGNATURE).scalar_one())


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read the catalog YAML into typed objects (no database access)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entities = {}
    for name, spec in raw["entities"].items():
        columns = {c: Column(name=c, **_column_fields(cspec)) for c, cspec in spec["columns"].items()}
        computed = {c: Computed(name=c, **cspec) for c, cspec in (spec.get("computed") or {}).items()}
        relations = {r: Relation(name=r, **rspec) for r, rspec in (spec.get("relations") or {}).items()}
        entities[name] = Entity(
            name=name, table=spec["table"], singular=spec["singular"], plural=spec["plural"],
            synonyms=spec.get("synonyms", []), owner_column=spec.get("owner_column"), title=spec["title"],
            display=spec["display"], default_order=spec["default_order"], columns=columns,
            computed=computed, relations=relations,
        )
    valuesets = {k: {str(v): list(p) for v, p in (vals or {}).items()} for k, vals in raw["valuesets"].items()}
    states: dict[str, list[str]] = {}
    for code, state_name in {**US_STATES, **CA_PROVINCES, **AU_STATES}.items():
        states.setdefault(code, []).append(state_name.lower())
    valuesets["states"] = states
    valuesets["industries"] = {i: [i.lower(), *valuesets.get("industries", {}).get(i, [])] for i in INDUSTRIES}
    catalog = Catalog(
        entities=entities,
        valuesets=valuesets,
        named_filters={k: NamedFilter(name=k, **v) for k, v in raw["named_filters"].items()},
        metrics={k: Metric(name=k, **v) for k, v in raw["metrics"].items()},
        date_columns=raw["date_columns"],
        amount_columns=raw["amount_columns"],
        filler=frozenset(raw["filler"]),
        rank_columns=raw.get("rank_columns", {}),
        event_columns=raw.get("event_columns", {}),
        outcome_columns={entity: frozenset(columns) for entity, columns in raw.get("outcome_columns", {}).items()},
        abbreviations={str(k): str(v) for k, v in (raw.get("abbreviations") or {}).items()},
        not_tracked={word: NotTracked(message=item["message"], offer=item["offer"])
                     for item in raw.get("not_tracked") or [] for word in item["words"]},
    )
    catalog._merge_values("industries", list(INDUSTRIES))
    return catalog


def _column_fields(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": spec["type"], "label": spec.get("label", ""), "synonyms": spec.get("synonyms", []),
        "valueset": spec.get("valueset"), "references": spec.get("references"), "unit": spec.get("unit"),
    }
