"""Compile a `QueryPlan` into a sqlglot SELECT expression (never by string concatenation).

The tree is rendered for PostgreSQL by the executor; the same tree can be rendered for other
engines by sqlglot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from nlq.catalog import Catalog, Column, Entity
from nlq.plan import (
    AVERAGE,
    AnyOf,
    Compare,
    Condition,
    CountOf,
    Exists,
    FigureFilter,
    GroupBy,
    Measure,
    QueryPlan,
    SemanticMatch,
)

DIALECT = "postgres"


class CompileError(ValueError):
    """A plan refers to something the catalog does not have (a translator bug, not user input)."""


@dataclass
class _Scope:
    """One FROM level: its entity, alias, and the to-one joins it needs."""

    entity: Entity
    alias: str
    joins: dict[str, exp.Join] = field(default_factory=dict)


@dataclass
class _Compiler:
    catalog: Catalog
    used_aliases: set[str] = field(default_factory=set)
    # alias → the conditions its rows were asked with: what "above average" averages over
    basis: dict[str, list[Condition]] = field(default_factory=dict)

    def scope(self, entity_name: str) -> _Scope:
        entity = self.catalog.entities[entity_name]
        alias, n = entity.table, 1
        while alias in self.used_aliases:
            n += 1
            alias = f"{entity.table}_{n}"
        self.used_aliases.add(alias)
        return _Scope(entity, alias)

    # -- columns ---------------------------------------------------------------------------------

    def column(self, scope: _Scope, name: str) -> exp.Expression:
        stored = scope.entity.columns.get(name)
        if stored is not None and stored.json_key is not None:
            return _custom_value(scope.alias, stored)
        if stored is not None:
            return exp.column(name, table=scope.alias)
        computed = scope.entity.computed.get(name)
        if computed is None:
            raise CompileError(f"{scope.entity.plural} have no column '{name}'")
        join_alias = self.join(scope, computed.via)
        target_column = computed.expr.split(".", 1)[1]
        return exp.column(target_column, table=join_alias)

    def join(self, scope: _Scope, path: str) -> str:
        """Join a to-one relation path ("account", "owner.team") once per scope; return its alias."""
        if path in scope.joins:
            return str(scope.joins[path].this.alias_or_name)
        entity, alias = scope.entity, scope.alias
        walked: list[str] = []
        for relation_name in path.split("."):
            walked.append(relation_name)
            key = ".".join(walked)
            relation = entity.relations.get(relation_name)
            if relation is None:
                raise CompileError(f"{entity.plural} have no relation '{relation_name}'")
            if key not in scope.joins:
                target = self.scope(relation.entity)
                on = exp.column(relation.remote, table=target.alias).eq(exp.column(relation.local, table=alias))
                table = exp.to_table(target.entity.table)
                if target.alias != target.entity.table:
                    table = exp.alias_(table, target.alias, table=True)
                scope.joins[key] = exp.Join(this=table, on=on, side="LEFT")
            alias = str(scope.joins[key].this.alias_or_name)
            entity = self.catalog.entities[relation.entity]
        return alias

    # -- conditions ------------------------------------------------------------------------------

    def condition(self, scope: _Scope, cond: Condition) -> exp.Expression:
        if isinstance(cond, Compare):
            return self.compare(scope, cond)
        if isinstance(cond, AnyOf):
            parts = [self.condition(scope, c) for c in cond.conds]
            return exp.paren(exp.or_(*parts))
        if isinstance(cond, Exists):
            return self.exists(scope, cond)
        if isinstance(cond, CountOf):
            return self.count_of(scope, cond)
        if isinstance(cond, SemanticMatch):
            return self.semantic(scope, cond)
        raise CompileError(f"unknown condition {cond!r}")

    def semantic(self, scope: _Scope, cond: SemanticMatch) -> exp.Expression:
        """EXISTS (negated: NOT EXISTS) a passage of this note/email close in meaning to the phrase."""
        from nlq.search.semantic_filter import TEXT_KINDS, semantic_exists

        if scope.entity.table not in TEXT_KINDS:
            raise CompileError(f"a semantic match applies to notes or emails, not {scope.entity.plural}")
        found = semantic_exists(cond, record=exp.column("id", table=scope.alias), alias=self.scope_table,
                                kind=TEXT_KINDS[scope.entity.table])
        return exp.Not(this=found) if cond.negate else found

    def scope_table(self, table: str) -> str:
        """A fresh alias for a table outside the catalog (the search index)."""
        alias, n = table, 1
        while alias in self.used_aliases:
            n += 1
            alias = f"{table}_{n}"
        self.used_aliases.add(alias)
        return alias

    def compare(self, scope: _Scope, cond: Compare) -> exp.Expression:
        col = self.column(scope, cond.column)
        kind = scope.entity.column_type(cond.column)
        op, value = cond.op, cond.value
        if op == "is_null":
            return col.is_(exp.null())
        if op == "not_null":
            return exp.not_(col.is_(exp.null()))
        if op in ("in", "not_in"):
            if not value:  # IN () matches nothing; NOT IN () everything
                return exp.false() if op == "in" else exp.true()
            values = [literal(v, kind) for v in value]
            expr = col.isin(*values)
            return exp.not_(expr) if op == "not_in" else expr
        if op in ("ilike", "like"):
            return contains(col, str(value), case_sensitive=op == "like")
        if op in ("starts", "ends"):
            return contains(col, str(value), at="start" if op == "starts" else "end")
        if value == AVERAGE and op in _COMPARISONS:
            return _COMPARISONS[op](this=col, expression=self.average(scope, cond))
        return compared(col, op, value, kind)

    def average(self, scope: _Scope, cond: Compare) -> exp.Expression:
        """(SELECT AVG(column) FROM the same table WHERE the conditions before this one): "deals above
        average" compares each deal with the deals asked about, not with one fixed number; a condition added
        after it ("which of them close this month") narrows the list without moving the average."""
        inner = self.scope(scope.entity.name)
        basis = self.basis.get(scope.alias, [])
        before = next((basis[:k] for k, c in enumerate(basis) if c is cond), basis)
        conds = [c for c in before if not (isinstance(c, Compare) and c.value == AVERAGE)]
        self.basis[inner.alias] = conds
        where = [self.condition(inner, c) for c in conds]
        return exp.Subquery(this=self.select_from(inner, exp.Avg(this=self.column(inner, cond.column)), where))

    def exists(self, scope: _Scope, cond: Exists) -> exp.Expression:
        sub = self.related(scope, cond.relation, cond.conds, exp.Literal.number(1))
        expr: exp.Expression = exp.Exists(this=sub)
        return exp.not_(expr) if cond.negate else expr

    def count_of(self, scope: _Scope, cond: CountOf) -> exp.Expression:
        """(SELECT count(*) FROM related WHERE link AND conds) op value."""
        counted = exp.Subquery(this=self.related(scope, cond.relation, cond.conds, exp.Count(this=exp.Star())))
        if cond.op == "between":
            low, high = cond.value
            return counted.between(literal(low, "integer"), literal(high, "integer"))
        return _COMPARISONS[cond.op](this=counted, expression=literal(cond.value, "integer"))

    def related(self, scope: _Scope, relation_name: str, conds: list[Condition],
                projection: exp.Expression) -> exp.Select:
        """SELECT projection FROM the related table WHERE it links to the current row AND conds."""
        relation = scope.entity.relations.get(relation_name)
        if relation is None:
            raise CompileError(f"{scope.entity.plural} have no relation '{relation_name}'")
        inner = self.scope(relation.entity)
        self.basis[inner.alias] = conds
        where: list[exp.Expression] = [
            exp.column(relation.remote, table=inner.alias).eq(exp.column(relation.local, table=scope.alias))
        ]
        where += [self.condition(inner, c) for c in conds]
        return self.select_from(inner, projection, where)

    def select_from(self, scope: _Scope, projection: exp.Expression, where: list[exp.Expression]) -> exp.Select:
        """SELECT projection FROM the scope's table and the joins its columns needed WHERE all of `where`."""
        sub = exp.select(projection).from_(self.table(scope))
        for join in scope.joins.values():
            sub = sub.join(join)
        return sub.where(exp.and_(*where)) if where else sub

    def table(self, scope: _Scope) -> exp.Expression:
        table = exp.to_table(scope.entity.table)
        return exp.alias_(table, scope.alias, table=True) if scope.alias != scope.entity.table else table

    # -- measures and groups ---------------------------------------------------------------------

    def measure(self, scope: _Scope, measure: Measure) -> exp.Expression:
        if measure.of_total:
            # ROUND(figure / NULLIF(SUM(figure) OVER (), 0), 4): the group's part of all the groups' figure
            figure = self.measure(scope, measure.model_copy(update={"of_total": False}))
            whole = exp.Window(this=exp.Sum(this=figure.copy()))
            ratio = exp.Div(this=exp.cast(figure, "numeric"), expression=exp.func("NULLIF", whole, exp.Literal.number(0)))
            return exp.func("ROUND", exp.cast(ratio, "DECIMAL"), exp.Literal.number(4), dialect=DIALECT)
        if measure.agg == "count":
            return exp.Count(this=exp.Star())
        if measure.agg == "share":
            # ROUND(COUNT(*) FILTER (WHERE …) * 1.0 / NULLIF(COUNT(*), 0), 4), like the catalog's rates
            # (of a column: SUM(col) FILTER (WHERE …) over SUM(col), "the share of the pipeline in negotiation")
            met = exp.and_(*[self.condition(scope, c) for c in measure.conds])

            def total() -> exp.Expression:
                return exp.Sum(this=self.column(scope, measure.column)) if measure.column else exp.Count(this=exp.Star())

            part = exp.Filter(this=total(), expression=exp.Where(this=met))
            if measure.column:  # a sum over no matching rows is no part of the whole: 0, not NULL
                part = exp.func("COALESCE", part, exp.Literal.number(0))
            ratio = exp.Div(this=exp.Mul(this=part, expression=exp.Literal.number("1.0")),
                            expression=exp.func("NULLIF", total(), exp.Literal.number(0)))
            return exp.func("ROUND", exp.cast(ratio, "DECIMAL"), exp.Literal.number(4), dialect=DIALECT)
        if measure.agg == "metric":
            metric = self.catalog.metrics[measure.metric or ""]
            for relation in metric.via:
                self.join(scope, relation)
            return _parsed(metric.expr).copy()
        col = self.column(scope, measure.column or "")
        if measure.agg == "count_distinct":
            return exp.Count(this=exp.Distinct(expressions=[col]))
        if measure.agg == "median":  # PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY col), rounded like AVG
            middle = exp.WithinGroup(this=exp.PercentileCont(this=exp.Literal.number("0.5")),
                                     expression=exp.Order(expressions=[exp.Ordered(this=col)]))
            return exp.func("ROUND", exp.cast(middle, "numeric"), exp.Literal.number(2), dialect=DIALECT)
        agg = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}[measure.agg]
        built = agg(this=col)
        if measure.agg in ("sum", "avg"):
            return exp.func("ROUND", built, exp.Literal.number(2), dialect=DIALECT)
        return built

    def group(self, scope: _Scope, group: GroupBy) -> tuple[exp.Expression, list[exp.Expression]]:
        """The selected expression of a group and what to GROUP BY."""
        entity, alias = scope.entity, scope.alias
        if group.relation:
            alias = self.join(scope, group.relation)
            for name in group.relation.split("."):
                entity = self.catalog.entities[entity.relations[name].entity]
        if group.column is None:
            title = _title(entity.title, alias)
            return title, [exp.column("id", table=alias), title]
        col = exp.column(group.column, table=alias) if group.relation else self.column(scope, group.column)
        if group.grain:
            trunc = exp.func("DATE_TRUNC", exp.Literal.string(group.grain), col, dialect=DIALECT)
            expr = exp.cast(trunc, "date")
            return expr, [expr]
        return col, [col]


_CUSTOM_CASTS = {"number": "numeric", "integer": "numeric", "boolean": "boolean", "date": "date"}


def _custom_value(alias: str, column: Column) -> exp.Expression:
    """A custom field read from the row's `custom_fields`: `custom_fields ->> 'key'`, cast to its type."""
    raw = exp.JSONExtractScalar(this=exp.column("custom_fields", table=alias),
                                 expression=exp.Literal.string(column.json_key or column.name))
    cast = _CUSTOM_CASTS.get(column.type)
    return exp.cast(raw, cast) if cast else raw


_COMPARISONS: dict[str, type[exp.Binary]] = {
    "eq": exp.EQ, "ne": exp.NEQ, "gt": exp.GT, "gte": exp.GTE, "lt": exp.LT, "lte": exp.LTE,
}


@lru_cache(maxsize=256)
def _parsed(sql: str) -> exp.Expression:
    """A catalog expression parsed once (callers copy it: trees are mutable)."""
    return sqlglot.parse_one(sql, read=DIALECT)


def literal(value: Any, kind: str) -> exp.Expression:
    """A typed SQL literal for a plan value."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if kind == "timestamp":
        return exp.cast(exp.Literal.string(str(value)), "timestamptz")
    if kind == "date":
        return exp.cast(exp.Literal.string(str(value)[:10]), "date")
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _average_of_groups(plan: QueryPlan, limit: FigureFilter, catalog: Catalog) -> exp.Expression:
    """(SELECT AVG(figure) FROM (the same breakdown, every group) AS groups): "reps with a win rate above
    average" keeps the reps above the mean of the reps' win rates."""
    every = plan.model_copy(update={"having": [], "order_by": [], "limit": None, "limit_per": None,
                                    "measures": [plan.measures[limit.measure_index]]})
    inner = compile_plan(every, catalog)
    alias = inner.selects[-1].alias_or_name
    return exp.Subquery(this=exp.select(exp.Avg(this=exp.column(alias, table="every_group")))
                        .from_(exp.alias_(exp.Subquery(this=inner), "every_group", table=True)))


def compared(expr: exp.Expression, op: str, value: Any, kind: str) -> exp.Expression:
    """`expr op value` for a comparison or a range ("between": value is [low, high]) — a column's or a figure's."""
    if op == "between":
        low, high = value
        return expr.between(literal(low, kind), literal(high, kind))
    return _COMPARISONS[op](this=expr, expression=literal(value, kind))


def contains(column: exp.Expression, text: str, *, case_sensitive: bool = False,
             at: str = "anywhere") -> exp.Expression:
    """`column` contains `text` (LIKE / ILIKE '%text%', the pattern characters in `text` escaped), or starts
    (`at="start"`: 'text%') or ends (`at="end"`: '%text') with it."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = exp.Literal.string(("" if at == "start" else "%") + escaped + ("" if at == "end" else "%"))
    return exp.Like(this=column, expression=pattern) if case_sensitive else exp.ILike(this=column, expression=pattern)


def compile_plan(plan: QueryPlan, catalog: Catalog) -> exp.Select:
    """Turn a plan into a SELECT tree.

    >>> from nlq.catalog import load_catalog
    >>> plan = QueryPlan(entity="deals", conds=[Compare(column="amount", op="gt", value=10000)],
    ...                  measures=[Measure(agg="count")])
    >>> compile_plan(plan, load_catalog()).sql("postgres")
    'SELECT COUNT(*) AS count FROM deals WHERE deals.amount > 10000'
    """
    compiler = _Compiler(catalog)
    scope = compiler.scope(plan.entity)
    compiler.basis[scope.alias] = plan.conds
    where = [compiler.condition(scope, c) for c in plan.conds]
    select_list: list[exp.Expression] = []
    group_exprs: list[exp.Expression] = []
    having: list[exp.Expression] = []
    order: list[exp.Ordered] = []

    if plan.measures:
        for group in plan.group_by:
            expr, keys = compiler.group(scope, group)
            if group.column is None:
                # grouped by records (accounts, reps): rows without one are not a group
                where.append(exp.not_(keys[0].is_(exp.null())))
                if len(plan.group_by) == 1:  # and each row carries the record's id
                    select_list.append(exp.alias_(keys[0], "id"))
            elif plan.limit is not None and not group.grain and any(o.target == "measure" for o in plan.order_by):
                # "which state has the most customers" picks among states: rows with none are no contender
                where.append(exp.not_(keys[0].is_(exp.null())))
            select_list.append(exp.alias_(expr, _alias(group.label or group.column or "group")))
            group_exprs += keys
        measure_aliases = []
        for measure in plan.measures:
            alias = _alias(measure.label or measure.metric or measure.agg)
            measure_aliases.append(alias)
            select_list.append(exp.alias_(compiler.measure(scope, measure), alias))
        for limit in plan.having:  # the figure itself, not its alias: PostgreSQL's HAVING cannot see aliases
            figure = compiler.measure(scope, plan.measures[limit.measure_index])
            if limit.value == AVERAGE and limit.op in _COMPARISONS:
                having.append(_COMPARISONS[limit.op](this=figure, expression=_average_of_groups(plan, limit, catalog)))
            else:
                having.append(compared(figure, limit.op, limit.value, "number"))
        for ob in plan.order_by:
            if ob.target == "measure":
                target: exp.Expression = exp.column(measure_aliases[ob.measure_index])
            else:
                target = exp.column(select_list[0].alias) if plan.group_by else compiler.column(scope, ob.column or "id")
            order.append(exp.Ordered(this=target, desc=ob.descending, nulls_first=False))
        if plan.group_by and not plan.order_by:
            first_label = next(e for e in select_list if e.alias != "id")
            order.append(exp.Ordered(this=exp.column(first_label.alias), desc=False))
    else:
        names = list(dict.fromkeys(scope.entity.display + plan.columns))
        for name in names:
            if scope.entity.has(name):
                read = compiler.column(scope, name)  # a related or custom field is named like a column
                select_list.append(read if isinstance(read, exp.Column) and read.name == name else
                                   exp.alias_(read, name))
        orders = plan.order_by or [_default_order(scope.entity)]
        for ob in orders:
            col = compiler.column(scope, ob.column or "id")
            order.append(exp.Ordered(this=col, desc=ob.descending, nulls_first=False))
        if not any(o.column == "id" for o in orders):
            # a unique tie-breaker keeps pages and "top N" answers stable
            order.append(exp.Ordered(this=compiler.column(scope, "id"), desc=False))

    ranked_within = None
    if plan.limit_per is not None and not plan.measures and plan.limit is not None:
        # the top rows of each group: ROW_NUMBER() OVER (PARTITION BY group ORDER BY …), filtered outside
        expr, keys = compiler.group(scope, plan.limit_per)
        shown = next((e.alias_or_name for e in select_list if (e.this if isinstance(e, exp.Alias) else e) == expr), None)
        label = shown or _alias(plan.limit_per.label or plan.limit_per.column or "group")
        if shown is None:  # the group's value beside each row, unless the row shows it already (stage, owner)
            select_list.append(exp.alias_(expr, label))
        rank = exp.Window(this=exp.RowNumber(), partition_by=keys, order=exp.Order(expressions=order))
        select_list.append(exp.alias_(rank, RANK_IN_GROUP))
        ranked_within, order = label, []
    query = exp.select(*select_list).from_(compiler.table(scope))
    for join in scope.joins.values():
        query = query.join(join)
    if where:
        query = query.where(exp.and_(*where))
    if group_exprs:
        query = query.group_by(*_dedupe(group_exprs))
    if having:
        query = query.having(exp.and_(*having))
    if order:
        query = query.order_by(*order)
    if ranked_within is not None:
        outer = exp.select(*[exp.column(e.alias_or_name) for e in select_list]).from_(query.subquery("ranked"))
        within = exp.LTE(this=exp.column(RANK_IN_GROUP), expression=exp.Literal.number(plan.limit))
        return outer.where(within).order_by(exp.Ordered(this=exp.column(ranked_within), nulls_first=False),
                                            exp.column(RANK_IN_GROUP))
    if plan.limit is not None:
        query = query.limit(plan.limit)
    return query


RANK_IN_GROUP = "rank_in_group"


def _default_order(entity: Entity) -> Any:
    from nlq.plan import OrderBy

    spec = entity.default_order
    return OrderBy(column=spec["column"], descending=spec.get("direction") == "desc")


def _alias(label: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in label.lower()).strip("_")
    return cleaned or "value"


def _dedupe(exprs: list[exp.Expression]) -> list[exp.Expression]:
    seen: set[str] = set()
    out = []
    for e in exprs:
        key = e.sql()
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _title(title: str, alias: str) -> exp.Expression:
    """A record's title: a column ("name") or an expression of columns ("first_name || ' ' || last_name"),
    its columns read from `alias`."""
    if title.isidentifier():
        return exp.column(title, table=alias)
    tree = _parsed(title).copy()
    for column in tree.find_all(exp.Column):
        column.set("table", exp.to_identifier(alias))
    return tree
