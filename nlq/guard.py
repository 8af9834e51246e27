"""The guard: every SQL statement, whoever wrote it, passes these checks before it runs.

    parse → one statement → read-only → known tables → known columns → allowed functions
          → row cap → scope rewrite

Scope is enforced by rewriting every reference to an owned table into a subquery that keeps only
the rows the acting user may see, so subqueries, CTEs and joins cannot reach around it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlglot
from rapidfuzz import fuzz, process
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify

from nlq.catalog import Catalog, Entity
from nlq.errors import (
    FunctionNotAllowedError,
    MultipleStatementsError,
    SqlParseError,
    UnknownColumnError,
    UnknownTableError,
    WriteNotAllowedError,
)

DIALECT = "postgres"

# Statement and clause types that write, lock, change session state or leave SQL.
FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name) for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "AlterColumn", "TruncateTable",
        "Command", "Into", "Lock", "Transaction", "Commit", "Rollback", "Set", "SetItem", "Pragma", "Use",
        "Copy", "LoadData", "Grant", "Revoke", "Analyze", "Cache", "Uncache", "Refresh", "Describe",
        "Kill", "Comprehension", "Declare", "DeclareItem", "Execute", "ExecuteSql", "Summarize", "Show",
        "Return",
    ) if hasattr(exp, name)
)

# Aggregates, arithmetic, text and date functions a reporting query needs; nothing with side effects.
ALLOWED_FUNCTIONS = frozenset({
    "Count", "Sum", "Avg", "Min", "Max", "Round", "Coalesce", "Nullif", "Cast", "TryCast", "DateTrunc",
    "TimestampTrunc", "Extract", "Lower", "Upper", "Concat", "ConcatWs", "Abs", "Greatest", "Least", "Case",
    "If", "Length", "Substring", "Trim", "CurrentDate", "CurrentTimestamp", "Floor", "Ceil", "Div", "Mod",
    "Sqrt", "Pow", "Ln", "Log", "Exp", "Sign", "Left", "Right", "Initcap", "StrPosition", "Replace",
    "DatetimeDiff", "DateDiff", "Age", "DateAdd", "DateSub", "TimeToStr", "ToChar", "StddevSamp", "Stddev",
    "StddevPop", "Variance", "VariancePop", "Median", "PercentileCont", "PercentileDisc", "ArrayAgg",
    "StringAgg", "GroupConcat", "CountIf", "Filter", "RowNumber", "Rank", "DenseRank", "Lag", "Lead",
    "FirstValue", "LastValue", "NthValue", "Ntile", "PercentRank", "CumeDist", "Window", "Interval",
    "JSONExtract", "JSONExtractScalar", "JSONBExtract", "JSONBExtractScalar", "Split", "SplitPart",
    "Date", "ToDate", "StrToDate", "StrToTime", "DayOfWeek", "DayOfMonth", "DayOfYear", "WeekOfYear",
    "Month", "Year", "Quarter", "Day", "Week", "Hour", "Minute", "Now", "Localtimestamp",
    "CurrentTime", "CurrentDatetime", "Lpad", "Rpad", "Reverse", "Repeat", "Ascii", "Chr",
    "UnixToTime", "TimeStrToTime", "ApproxDistinct", "LogicalOr", "LogicalAnd", "BoolOr", "BoolAnd",
    "Bracket", "Array", "ToNumber", "Exists", "Any", "All", "Paren", "Distinct", "AnyValue",
    # pgvector's cosine_distance(a, b) (semantic filters write it as the operator, see ALLOWED_OPERATORS).
    # It reads only its arguments, and the tables with vectors are scoped like every owned table.
    "CosineDistance",
    # full-text match (tsv @@ tsquery): a semantic filter matches a text not embedded yet by its words
    "MatchAgainst",
})
#: Operators written as OPERATOR(op): pgvector's cosine distance, which semantic filters order by so
#: that PostgreSQL walks the HNSW index (the function form computes every distance).
ALLOWED_OPERATORS = frozenset({"<=>"})
ALLOWED_ANONYMOUS = frozenset({
    "date_part", "to_char", "age", "initcap", "split_part", "justify_interval", "btrim", "ltrim", "rtrim",
    "position", "strpos", "date", "now", "extract", "nullif", "coalesce", "greatest", "least", "trunc",
    "width_bucket", "round", "abs", "ceil", "floor", "length", "char_length", "lower", "upper", "concat",
    "make_date", "make_timestamptz", "to_date", "to_timestamp", "percentile_cont", "mode", "every",
    # pgvector's l2_normalize(v): a semantic filter's feedback direction is a mean vector scaled to unit length
    "l2_normalize",
    # the tsquery of a semantic filter's phrase, for texts not embedded yet
    "plainto_tsquery",
})


@dataclass(frozen=True)
class ScopeFilter:
    """Owner ids the acting user may see; None means no restriction (admin)."""

    owner_ids: frozenset[int] | None

    @property
    def is_unrestricted(self) -> bool:
        return self.owner_ids is None


@dataclass
class GuardContext:
    catalog: Catalog
    scope: ScopeFilter
    row_cap: int
    tree: exp.Expression | None = None
    cte_names: frozenset[str] = frozenset()


Check = Callable[[GuardContext], None]


def _statement(sql: str) -> exp.Expression:
    if "\x00" in sql:
        raise SqlParseError("The SQL contains a NUL character.")
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" (line {first.get('line')}, column {first.get('col')})" if first else ""
        raise SqlParseError(f"The SQL could not be parsed{where}: {first.get('description', exc)}.") from None
    except Exception as exc:  # sqlglot raises a few other types on hostile input (TokenError, ...)
        raise SqlParseError(f"The SQL could not be parsed: {exc}.") from None
    if len(statements) != 1:
        raise MultipleStatementsError(
            f"Exactly one statement is allowed; this has {len(statements)}.")
    return statements[0]


def check_read_only(ctx: GuardContext) -> None:
    tree = ctx.tree
    assert tree is not None
    if not isinstance(tree, (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery)):
        kind = type(tree).__name__.upper()
        raise WriteNotAllowedError(f"Only SELECT queries may run here; this is a {kind} statement.")
    for node in tree.walk():
        if isinstance(node, FORBIDDEN_NODES):
            raise WriteNotAllowedError(
                f"Only reading is allowed; the query contains {type(node).__name__.upper()}.")
        if isinstance(node, exp.Select) and node.args.get("locks"):
            raise WriteNotAllowedError("Row locking clauses (FOR UPDATE/SHARE) are not allowed.")


def known_tables(catalog: Catalog) -> dict[str, Entity]:
    """The catalog's tables plus the search table that semantic filters join (nlq.search.schema)."""
    from nlq.search.schema import guarded_search_tables

    return {**catalog.tables, **guarded_search_tables()}


def check_tables(ctx: GuardContext) -> None:
    tree = ctx.tree
    assert tree is not None
    known = known_tables(ctx.catalog)
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    for name in ctes:
        if name in known:
            raise UnknownTableError(f"A CTE may not be named like the table '{name}'; choose another name.")
    ctx.cte_names = frozenset(ctes)
    for table in tree.find_all(exp.Table):
        name = table.name.lower()
        if isinstance(table.this, exp.Func) or not name:
            raise FunctionNotAllowedError("Table functions are not allowed in FROM.")
        schema = (table.db or "").lower()
        if table.catalog or schema not in ("", "public"):
            raise UnknownTableError(f"Only the CRM tables may be queried; '{table.sql()}' is not one of them.")
        if name in ctes and not schema:
            continue
        if name not in known:
            raise UnknownTableError(f"There is no table '{name}'. {_suggest(name, list(known), 'table')}")


def check_columns(ctx: GuardContext) -> None:
    tree = ctx.tree
    assert tree is not None
    schema = catalog_schema(ctx.catalog)
    aliases: dict[str, str] = {}
    clash = False  # one alias naming two tables: only full qualification can tell which is meant
    for table in tree.find_all(exp.Table):
        if table.name.lower() in schema:
            alias = (table.alias or table.name).lower()
            clash = clash or aliases.get(alias, table.name.lower()) != table.name.lower()
            aliases[alias] = table.name.lower()
    every_column_resolved = not ctx.cte_names and not clash and not tree.find(exp.Star) and \
        all(isinstance(sub.this, exp.Select) for sub in tree.find_all(exp.Subquery))
    for column in tree.find_all(exp.Column):
        qualifier = column.table.lower()
        name = column.name.lower()
        if qualifier and qualifier in aliases and not isinstance(column.this, exp.Star):
            table = aliases[qualifier]
            if name not in schema[table]:
                entity = known_tables(ctx.catalog)[table]
                raise UnknownColumnError(
                    f"{entity.plural.capitalize()} have no column '{column.name}'. "
                    f"{_suggest_column(name, [entity])}")
        else:
            every_column_resolved = False
    if every_column_resolved:
        return  # each column names a catalog table in scope and exists there: nothing left to resolve
    try:
        qualify(tree.copy(), schema=schema, dialect=DIALECT, validate_qualify_columns=True,
                quote_identifiers=False, identify=False)
    except OptimizeError as exc:
        message = str(exc).split(". Line")[0]
        bad = _quoted_name(message)
        used = {aliases[a] for a in aliases} or set(schema)
        hint = _suggest_column(bad, [known_tables(ctx.catalog)[t] for t in sorted(used)]) if bad else ""
        raise UnknownColumnError(f"{message}. {hint}".strip()) from None
    except Exception as exc:  # a query sqlglot cannot resolve is not one we run
        raise UnknownColumnError(f"The query's columns could not be checked: {exc}") from None


def check_functions(ctx: GuardContext) -> None:
    tree = ctx.tree
    assert tree is not None
    for operator in tree.find_all(exp.Operator):
        name = str(operator.args.get("operator") or "").strip().lower()
        if name not in ALLOWED_OPERATORS:
            raise FunctionNotAllowedError(f"The operator OPERATOR({name}) is not allowed in queries.")
    for node in tree.find_all(exp.Func):
        if isinstance(node, exp.Anonymous):
            name = str(node.this).lower()
            if name not in ALLOWED_ANONYMOUS:
                raise FunctionNotAllowedError(f"The function '{name}' is not allowed in queries.")
        elif type(node).__name__ not in ALLOWED_FUNCTIONS and not isinstance(node, (exp.Binary, exp.Unary)):
            raise FunctionNotAllowedError(f"The function '{node.sql_name()}' is not allowed in queries.")


def cap_rows(ctx: GuardContext) -> None:
    """Add a LIMIT, or lower one that exceeds the cap.

    The cap is one row over `row_cap` so the executor can tell a full answer from a cut one.
    """
    tree = ctx.tree
    assert tree is not None
    limit = tree.args.get("limit")
    current = None
    if limit is not None:
        value = limit.expression if isinstance(limit, exp.Limit) else limit
        try:
            current = int(value.this) if isinstance(value, exp.Literal) and value.is_int else None
        except (TypeError, ValueError):
            current = None
    if current is None or current > ctx.row_cap + 1:
        ctx.tree = tree.limit(ctx.row_cap + 1, copy=False) if hasattr(tree, "limit") else tree


def apply_scope(ctx: GuardContext) -> None:
    """Replace each owned table with a subquery of the rows in the user's scope."""
    tree = ctx.tree
    assert tree is not None
    if ctx.scope.is_unrestricted:
        return
    for table in list(tree.find_all(exp.Table)):
        name = table.name.lower()
        if name in ctx.cte_names:
            continue
        entity = known_tables(ctx.catalog).get(name)
        if entity is None or entity.owner_column is None:
            continue
        inner = _scoped_rows(ctx.catalog, entity.table, ctx.scope.owner_ids or frozenset()).copy()
        alias = table.alias or table.name
        table.replace(exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias))))


@lru_cache(maxsize=512)
def _scoped_rows(catalog: Catalog, table: str, owner_ids: frozenset[int]) -> exp.Select:
    """SELECT <catalog columns> FROM table WHERE owner IN (...), built once per table and scope."""
    entity = known_tables(catalog)[table]
    columns = [exp.column(c) for c in entity.stored_columns]
    owner = exp.column(entity.owner_column or "owner_id")
    ids = sorted(owner_ids)
    allowed = owner.isin(*[exp.Literal.number(i) for i in ids]) if ids else exp.false()
    return exp.select(*columns).from_(exp.to_table(entity.table)).where(allowed)


CHECKS: tuple[Check, ...] = (check_read_only, check_tables, check_columns, check_functions, cap_rows, apply_scope)


def guard_sql(sql: str | exp.Expression, *, catalog: Catalog, scope: ScopeFilter, row_cap: int) -> exp.Expression:
    """Validate a statement and return the tree to execute (capped and scoped).

    Raises an `NlqError` subclass with a stable code for anything that may not run.
    """
    # a tree from our compiler is checked as is (it is ours to mutate); text is parsed first
    tree = _statement(sql) if isinstance(sql, str) else sql
    ctx = GuardContext(catalog=catalog, scope=scope, row_cap=row_cap, tree=tree)
    for check in CHECKS:
        check(ctx)
    assert ctx.tree is not None
    return ctx.tree


_SCHEMA_CACHE: dict[int, dict[str, dict[str, str]]] = {}


def catalog_schema(catalog: Catalog) -> dict[str, dict[str, str]]:
    """Table → column → type, for sqlglot's qualifier; only catalog columns are queryable."""
    key = id(catalog)
    if key not in _SCHEMA_CACHE:
        types = {"integer": "INT", "money": "NUMERIC", "timestamp": "TIMESTAMPTZ", "date": "DATE",
                 "boolean": "BOOLEAN", "json": "JSONB", "vector": "VECTOR(384)"}
        _SCHEMA_CACHE[key] = {
            e.table: {c.name: types.get(c.type, "TEXT") for c in e.stored_columns.values()}
            for e in known_tables(catalog).values()
        }
    return _SCHEMA_CACHE[key]


def _quoted_name(message: str) -> str | None:
    if "'" in message:
        parts = message.split("'")
        return parts[1] if len(parts) > 2 else None
    if "Unknown column:" in message:
        return message.split("Unknown column:", 1)[1].strip().split()[0]
    return None


def _suggest(name: str, choices: list[str], kind: str) -> str:
    matches = process.extract(name, choices, scorer=fuzz.ratio, limit=3, score_cutoff=60)
    if not matches:
        return f"Known {kind}s: {', '.join(sorted(choices)[:12])}."
    names = " or ".join(f"'{m[0]}'" for m in matches)
    return f"Did you mean {names}?"


def _suggest_column(name: str, entities: list[Any]) -> str:
    """Closest real columns by spelling and by the catalog's synonyms ('revenue' → 'amount')."""
    phrases: dict[str, str] = {}
    for entity in entities:
        for column in entity.stored_columns.values():
            phrases.setdefault(column.name, column.name)
            for synonym in column.synonyms:
                phrases.setdefault(synonym.replace(" ", "_"), column.name)
    matches = process.extract(name.lower(), list(phrases), scorer=fuzz.ratio, limit=6, score_cutoff=60)
    names = list(dict.fromkeys(phrases[m[0]] for m in matches))[:3]
    if not names:
        known = sorted({c for e in entities for c in e.stored_columns})
        return f"Known columns: {', '.join(known)}."
    return "Did you mean " + " or ".join(f"'{n}'" for n in names) + "?"


def describe_scope(scope: ScopeFilter) -> dict[str, Any]:
    return {"restricted": not scope.is_unrestricted, "owner_ids": sorted(scope.owner_ids or [])}
