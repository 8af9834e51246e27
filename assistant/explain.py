"""Words for an answer: the one-sentence summary, how it was calculated, a chart hint, follow-ups."""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.answer import ChartHint
from nlq.catalog import Catalog, Entity
from nlq.engine import NlqResult
from nlq.english import amount_text, article, defined_name
from nlq.guard import ScopeFilter
from nlq.plan import QueryPlan


def summarize(result: NlqResult, catalog: Catalog) -> str:
    plan, data = result.plan, result.result
    if data is None:
        return result.message
    n = data.row_count
    if plan is None:
        return f"The query returned {n:,} row{'s' if n != 1 else ''}."
    subject = plan.subject or catalog.entities[plan.entity].plural
    conditions = _condition_phrase(plan)
    if plan.measures and not plan.group_by:
        value = data.rows[0][-1] if data.rows else None
        measure = plan.measures[0]
        if measure.agg == "count":
            noun = subject if value != 1 else _one_of(subject, catalog.entities[plan.entity])
            return f"There {'is' if value == 1 else 'are'} {format_value(value, 'count')} {noun}{conditions}."
        label = _measure_label(plan, catalog)
        of = "" if subject == label or plan.measures[0].metric else f" of {subject}"
        texts = [t for t in plan.describe() if t and t not in plan.definitions]
        where = f" ({'; '.join(texts)})" if texts else ""
        if measure.agg == "share" and value is not None and measure.column:  # a part of a total
            plural = catalog.entities[plan.entity].plural
            return f"{format_value(value, 'percent')} of {subject}{where} is from {plural} that match " \
                   f"{_share_condition(measure)}."
        if measure.agg == "share" and value is not None:
            return f"{format_value(value, 'percent')} of {subject}{where} match {_share_condition(measure)}."
        if value is None and _is_total(measure, catalog):
            value = 0  # a total over nothing is zero
        if value is None:
            # an average, rate or extreme over no rows (or only empty values) does not exist
            plural = catalog.entities[plan.entity].plural
            if measure.column:
                column = catalog.entities[plan.entity].label_of(measure.column).lower()
                return f"There is no {label}{of}{where}: no {plural} with {article(column)} {column} match."
            return f"There is no {label}{of}{where}: no {plural} match."
        return f"The {label}{of}{where} is {format_value(value, measure_format(plan, catalog))}."
    if plan.group_by:
        label = _measure_label(plan, catalog)
        group = " and ".join(g.label or "group" for g in plan.group_by)
        if not data.rows:
            return f"No {subject} match{conditions}."
        lowest_first = bool(plan.order_by) and plan.order_by[0].target == "measure" and \
            not plan.order_by[0].descending
        label_at = 1 if data.columns and data.columns[0].name == "id" and len(data.columns) > 2 else 0
        of = "" if subject == label or plan.measures[0].of_total else f" of {subject}"
        if all(r[-1] is None for r in data.rows):
            # no group has a value ("average lead score by source" before any contact is scored): none is highest
            column = plan.measures[0].column
            what = catalog.entities[plan.entity].label_of(column).lower() if column else "value"
            return (f"{label.capitalize()}{of} by {group}{conditions}: {n:,} group{'s' if n != 1 else ''}, "
                    f"none with {article(what)} {what}.")
        valued = [r for r in data.rows if r[-1] is not None]
        # the rows with no value to group by ("(none)") are no contender while a real group is there
        valued = [r for r in valued if any(v is not None for v in r[label_at:label_at + len(plan.group_by)])] or valued
        pick = min if lowest_first else max
        top = pick(valued, key=lambda r: r[-1] or 0)
        keys = ", ".join(_key_text(v, g.grain) for v, g in zip(top[label_at:label_at + len(plan.group_by)],
                                                                 plan.group_by, strict=False))
        fmt = measure_format(plan, catalog)
        return (f"{label.capitalize()}{of} by {group}{conditions}: {n:,} group{'s' if n != 1 else ''}; "
                f"{'lowest' if lowest_first else 'highest'} is {keys} ({format_value(top[-1], fmt)}).")
    if n == 0:
        return f"No {subject} match{conditions}."
    noun = subject if n != 1 else _one_of(subject, catalog.entities[plan.entity])
    if data.truncated:
        return f"More than {n:,} {noun}{conditions}; showing the first {n:,} (ask 'how many' for the count)."
    return f"{n:,} {noun}{conditions}."


def _is_total(measure: Any, catalog: Catalog) -> bool:
    """A sum (or a metric that is one): over no rows it is zero, not missing."""
    if measure.agg == "sum":
        return True
    metric = catalog.metrics.get(measure.metric) if measure.metric else None
    return metric is not None and metric.expr.upper().replace("ROUND(", "").startswith("SUM(")


def _share_condition(measure: Any) -> str:
    """What a share counts, in the words of its conditions ("status won"); a named set's condition carries its
    definition ("won deals = deals with status won, …"), which the answer lists apart: its name is enough."""
    texts = [defined_name(c.text) for c in measure.conds if getattr(c, "text", "")]
    return " and ".join(texts) or "the condition"


def _key_text(value: Any, grain: str | None = None) -> str:
    """A group's key as read: rows without a value form the group "(none)"; a period by its grain ("April
    2026", "Q1 2026", "the week of 2026-05-11"), not the date it starts on."""
    if value is None:
        return "(none)"
    if isinstance(value, str) and grain:
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, date) and grain in ("month", "quarter", "year", "week"):
        if grain == "month":
            return f"{value:%B %Y}"
        if grain == "quarter":
            return f"Q{(value.month - 1) // 3 + 1} {value.year}"
        if grain == "year":
            return str(value.year)
        return f"the week of {value.isoformat()}"
    return str(value)


def explain(plan: QueryPlan | None, scope: ScopeFilter, actor_role: str) -> str:
    """How the answer was calculated, in words built from the plan, for a manager to check."""
    if plan is None:
        parts = ["ran the SQL as written, through the guard"]
    else:
        parts = list(plan.definitions)
        parts += [text for text in plan.describe() if text and text not in plan.definitions]
        if plan.group_by:
            parts.append("grouped by " + ", ".join(g.label or g.column or "group" for g in plan.group_by))
        if plan.limit:
            parts.append(f"top {plan.limit}")
    if scope.is_unrestricted:
        parts.append("all records (admin)")
    elif actor_role == "manager":
        parts.append("records owned by your team")
    else:
        parts.append("records you own")
    return "; ".join(dict.fromkeys(parts))


def chart_for(result: NlqResult) -> ChartHint | None:
    plan, data = result.plan, result.result
    if plan is None or data is None or not plan.group_by or not plan.measures or len(data.columns) < 2:
        return None
    if data.row_count < 2 or len(plan.group_by) > 1:
        return None  # two keys a row ("by rep and stage") read as a table, not one bar per row
    labels = [c.name for c in data.columns if c.name != "id"]
    x, y = labels[0], data.columns[-1].name
    # a series over time is a line; a few periods side by side ("revenue 2024 vs 2025") are bars to compare
    kind = "line" if plan.group_by[0].grain and data.row_count > 3 else "bar"
    return ChartHint(type=kind, x=x, y=y, title=f"{y.replace('_', ' ')} by {x.replace('_', ' ')}")


def suggestions_for(plan: QueryPlan | None, catalog: Catalog) -> list[str]:
    if plan is None:
        return []
    out: list[str] = []
    if not plan.measures:
        out.append("how many are there?")
        amount = catalog.amount_columns.get(plan.entity)
        if amount:
            out.append(f"sort them by {catalog.entities[plan.entity].label_of(amount).lower()}")
        out.append("by rep" if "owner" in catalog.entities[plan.entity].relations else "by month")
    elif not plan.group_by:
        out += ["by rep", "by month"]
        if plan.entity == "deals":
            out.append("by stage")
    else:
        out.append("show them as a list")
    return out[:3]


def format_value(value: Any, fmt: str) -> str:
    if value is None:
        return "not available"
    if fmt == "money":
        return amount_text(value, money=True, decimals=2)
    if fmt == "percent":
        return f"{float(value) * 100:.1f}%"
    if fmt == "days":
        return f"{float(value):,.1f} days"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def _condition_phrase(plan: QueryPlan) -> str:
    texts = [t for t in plan.describe() if t and t not in plan.definitions]
    return (" — " + "; ".join(texts)) if texts else ""


def _measure_label(plan: QueryPlan, catalog: Catalog) -> str:
    measure = plan.measures[0]
    if measure.of_total:
        whole = _measure_label(plan.model_copy(update={"measures": [measure.model_copy(update={"of_total": False})]}),
                               catalog)
        return "share of " + ((plan.subject or catalog.entities[plan.entity].plural) if whole == "count" else whole)
    if measure.metric:
        return measure.metric.replace("_", " ")
    if measure.agg == "count":
        return "count"
    if measure.agg == "share":
        return f"share with {_share_condition(measure)}"
    column = catalog.entities[plan.entity].label_of(measure.column or "").lower()
    return {"sum": "total", "avg": "average", "median": "median", "min": "minimum", "max": "maximum"}.get(measure.agg, "") + \
        f" {column}"


def measure_format(plan: QueryPlan, catalog: Catalog) -> str:
    measure = plan.measures[0]
    if measure.of_total:
        return "percent"
    if measure.metric:
        return catalog.metrics[measure.metric].format
    if measure.agg == "count":
        return "count"
    if measure.agg == "share":
        return "percent"
    if catalog.entities[plan.entity].column_type(measure.column or "") == "money":
        return "money"
    return "number"


def _one_of(subject: str, entity: Entity) -> str:
    """The subject for one row: "open deals" → "open deal", "customers" → "customer"; anything that is
    not a regular plural falls back to the entity's singular."""
    if subject.endswith(entity.plural):
        return subject[: -len(entity.plural)] + entity.singular
    last = subject.rsplit(" ", 1)[-1]
    if last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        return subject[:-1]
    return entity.singular
