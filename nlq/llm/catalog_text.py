"""The catalog as small text chunks a prompt can pick from: one per table, business definition, metric
and custom field.

Chunks are what retrieval ranks, so each says one thing and names the tables it needs. Their text
holds configuration only (tables, columns, value sets, definitions, stage and team names); records
and people's names never go in, because everything here may be sent to a model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text
from sqlglot import exp

from nlq.catalog import Catalog, CustomField, Entity, Metric, NamedFilter, days_ago
from nlq.compiler import contains

_log = logging.getLogger(__name__)

NOW_PLACEHOLDER = "@now"
PG_TYPES = {"integer": "int", "money": "numeric", "timestamp": "timestamptz", "date": "date",
            "boolean": "bool", "json": "jsonb", "enum": "text", "text": "text"}
# Value sets too long to list in full are described instead.
DESCRIBED_VALUESETS = {
    "states": "subdivision code without country prefix, e.g. 'TX', 'CA', 'NY', 'ON', 'NSW'; null outside US/CA/AU",
    "cities": "city name as written, e.g. 'Chicago', 'London'",
}


@dataclass(frozen=True)
class DatabaseTerms:
    """Configuration values read from the database: stage, pipeline and team names."""

    stages: tuple[tuple[str, str], ...] = ()      # (pipeline name, stage name) in pipeline order
    pipelines: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of the catalog.

    `text` goes into the prompt; `search_text` (the text plus synonyms and phrasings) is what the
    question is compared with; `tables` are the tables the text refers to.
    """

    id: str
    kind: str                 # table | definition | metric | custom_field
    text: str
    search_text: str
    tables: frozenset[str] = field(default_factory=frozenset)
    joins: frozenset[str] = field(default_factory=frozenset)   # tables a table's foreign keys point to
    is_lookup: bool = False   # a small table everyone sees (users, teams, stages, pipelines)


def load_database_terms(engine: Engine) -> DatabaseTerms:
    """Stage, pipeline and team names, exactly as stored (they are compared case-sensitively)."""
    with engine.connect() as conn:
        stages = conn.execute(text(
            "SELECT p.name, s.name FROM deal_stages s JOIN pipelines p ON p.id = s.pipeline_id "
            "ORDER BY p.id, s.position")).all()
        pipelines = [r[0] for r in conn.execute(text("SELECT name FROM pipelines ORDER BY id"))]
        teams = [r[0] for r in conn.execute(text("SELECT name FROM teams ORDER BY name"))]
    return DatabaseTerms(stages=tuple((p, s) for p, s in stages), pipelines=tuple(pipelines), teams=tuple(teams))




def build_chunks(catalog: Catalog, *, custom_fields: Sequence[CustomField] = (),
                 terms: DatabaseTerms | None = None) -> list[Chunk]:
    """Every chunk of the catalog, in a stable order."""
    terms = terms or DatabaseTerms()
    chunks = [_table_chunk(catalog, entity, terms) for entity in catalog.entities.values()]
    chunks += [_definition_chunk(catalog, f) for f in catalog.named_filters.values()]
    chunks += [_metric_chunk(catalog, m) for m in catalog.metrics.values()]
    chunks += [_custom_field_chunk(catalog, f) for f in custom_fields if f.entity in catalog.entities]
    return chunks


def _table_chunk(catalog: Catalog, entity: Entity, terms: DatabaseTerms) -> Chunk:
    columns = []
    for column in entity.stored_columns.values():
        if column.references:
            target = catalog.entities[column.references].table
            piece = f"{column.name} → {target}.id"
            if column.references == "deal_stages" and terms.stages:
                piece += " (stage names: " + ", ".join(_stage_names(terms)) + ")"
            elif column.references == "pipelines" and terms.pipelines:
                piece += " (" + ", ".join(terms.pipelines) + ")"
            elif column.references == "teams" and terms.teams:
                piece += " (" + ", ".join(terms.teams) + ")"
        else:
            piece = f"{column.name} {PG_TYPES.get(column.type, 'text')}"
            if column.valueset in DESCRIBED_VALUESETS:
                piece += f" ({DESCRIBED_VALUESETS[column.valueset]})"
            elif column.valueset:
                values = list(catalog.valuesets.get(column.valueset, {}))
                piece += ": " + "|".join(values)
            if column.unit:
                piece += f" ({column.unit})"
            if column.type == "money":
                piece += " USD"
        columns.append(piece)
    if entity.table == "deal_stages" and terms.stages:
        columns.append("names: " + ", ".join(f"{s} ({p})" for p, s in terms.stages))
    if entity.table == "teams" and terms.teams:
        columns.append("names: " + ", ".join(terms.teams))
    owner = f"; owner column {entity.owner_column}" if entity.owner_column else "; visible to everyone"
    header = f"table {entity.table} ({', '.join(entity.synonyms[:6])}{owner})"
    body = header + "\n  " + "; ".join(columns)
    search = " ".join([entity.table.replace("_", " "), *entity.synonyms,
                       *(c.label for c in entity.stored_columns.values()),
                       *(s for c in entity.stored_columns.values() for s in c.synonyms)])
    joins = frozenset(catalog.entities[c.references].table for c in entity.stored_columns.values()
                      if c.references and c.references != entity.name)
    return Chunk(id=f"table:{entity.table}", kind="table", text=body, search_text=search,
                 tables=frozenset({entity.table}), joins=joins, is_lookup=entity.owner_column is None)


def _stage_names(terms: DatabaseTerms) -> list[str]:
    return list(dict.fromkeys(s for _p, s in terms.stages))


def _definition_chunk(catalog: Catalog, named: NamedFilter) -> Chunk:
    entity = catalog.entities[named.entity]
    where = _where_sql(catalog, entity, named.where)
    dated = f"; dated by {entity.table}.{named.date_column}" if named.date_column else ""
    phrase = named.phrases[0] if named.phrases else named.name.replace("_", " ")
    body = f"{phrase}: {entity.table} WHERE {where}{dated}"
    tables = {entity.table} | {catalog.entities[entity.relations[c["without"]].entity].table
                               for c in named.where if "without" in c}
    return Chunk(id=f"definition:{named.name}", kind="definition", text=body,
                 search_text=" ".join([*named.phrases, named.definition]), tables=frozenset(tables))


def _metric_chunk(catalog: Catalog, metric: Metric) -> Chunk:
    entity = catalog.entities[metric.entity]
    tables = {entity.table}
    joins = []
    for via in metric.via:
        relation = entity.relations[via]
        target = catalog.entities[relation.entity].table
        tables.add(target)
        joins.append(f" JOIN {target} ON {target}.{relation.remote} = {entity.table}.{relation.local}")
    where = _where_sql(catalog, entity, metric.where)
    dated = f"; dated by {entity.table}.{metric.date_column}" if metric.date_column else ""
    phrase = metric.phrases[0] if metric.phrases else metric.name.replace("_", " ")
    body = f"{phrase}: SELECT {metric.expr} FROM {entity.table}{''.join(joins)} WHERE {where}{dated}"
    return Chunk(id=f"metric:{metric.name}", kind="metric", text=body,
                 search_text=" ".join([*metric.phrases, metric.definition]), tables=frozenset(tables))


def _custom_field_chunk(catalog: Catalog, custom: CustomField) -> Chunk:
    table = catalog.entities[custom.entity].table
    kind = custom.field_type
    if custom.choices:
        kind += ": " + "|".join(custom.choices)
    body = f"{table}.custom_fields->>'{custom.key}' — {custom.label} ({kind})"
    return Chunk(id=f"custom_field:{table}.{custom.key}", kind="custom_field", text=body,
                 search_text=f"{custom.label} {custom.key.replace('_', ' ')} {' '.join(custom.choices)}",
                 tables=frozenset({table}))


def _where_sql(catalog: Catalog, entity: Entity, conditions: list[dict[str, Any]]) -> str:
    """A catalog `where` list as SQL text, built as a sqlglot tree so values are quoted correctly."""
    parts = [_condition_sql(catalog, entity, cond) for cond in conditions]
    return exp.and_(*parts).sql("postgres") if parts else "TRUE"


def _condition_sql(catalog: Catalog, entity: Entity, cond: dict[str, Any]) -> exp.Expression:
    if "any_of" in cond:
        return exp.paren(exp.or_(*[_condition_sql(catalog, entity, c) for c in cond["any_of"]]))
    if "without" in cond:  # NOT EXISTS (SELECT 1 FROM related WHERE related.remote = entity.local AND …)
        relation = entity.relations[cond["without"]]
        related = catalog.entities[relation.entity]
        link = exp.EQ(this=exp.column(relation.remote, table=related.table),
                      expression=exp.column(relation.local, table=entity.table))
        inner = [_condition_sql(catalog, related, c) for c in cond.get("where", [])]
        query = exp.select("1").from_(related.table).where(exp.and_(link, *inner))
        return exp.not_(exp.Exists(this=query))
    column = exp.column(cond["column"])
    op = cond["op"]
    value: Any = cond.get("value")
    if op == "is_null":
        return column.is_(exp.null())
    if op == "not_null":
        return exp.not_(column.is_(exp.null()))
    if op == "in":
        return column.isin(*[_literal(v) for v in value])
    if op == "between":
        return column.between(_literal(value[0]), _literal(value[1]))
    if op in ("ilike", "like"):  # contains, as the compiler reads it
        return contains(column, str(value), case_sensitive=op == "like")
    builders: dict[str, type[exp.Expression]] = {
        "eq": exp.EQ, "ne": exp.NEQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE}
    return builders[op](this=column, expression=_literal(value))


def _literal(value: Any) -> exp.Expression:
    """A value as SQL; the clock's placeholders stay relative to `@now`, which the translator pins."""
    if value == "@today":
        return exp.cast(exp.Literal.string(NOW_PLACEHOLDER), "date")
    if (days := days_ago(value)) is not None:
        return exp.Sub(this=exp.cast(exp.Literal.string(NOW_PLACEHOLDER), "timestamptz"),
                       expression=exp.Interval(this=exp.Literal.string(str(days)), unit=exp.var("DAY")))
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))
