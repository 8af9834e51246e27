"""Follow-up questions folded into the previous plan: merging conditions, recounts, who owns them."""

from __future__ import annotations

import re
from typing import Any

from nlq.catalog import Catalog, Entity
from nlq.parsing.conditions import count_text, nest, relation_to
from nlq.parsing.state import ParseState
from nlq.parsing.words import count_value
from nlq.plan import Compare, Condition, CountOf, Exists, QueryPlan, Shown, dated_column

WHO_OWNS = re.compile(r"\bwho (owns|has|handles|manages|is handling|is working on|wrote|created|sent|logged|made) "
                      r"(them|those|these|it|that)\b|"
                      r"\bwhose (are|is) (they|those|these|it)\b")


def recount(state: ParseState, previous: QueryPlan, entity: Entity) -> CountOf | None:
    """A bare number after a plan that counts related rows changes that count, not some numeric column."""
    counted = [c for c in previous.conds if isinstance(c, CountOf)]
    bare = [m for m in state.modifiers if m.kind == "compare" and not m.data.get("money")
            and not m.data.get("percent")]
    names_own_column = any(m.kind == "column" and any(e == entity.name for e, _c in m.data["columns"])
                           for m in state.modifiers)
    if len(counted) != 1 or len(bare) != 1 or names_own_column:
        return None
    mod = bare[0]
    value = count_value(mod.data["value"])
    if value is None:
        return None
    state.modifiers.remove(mod)
    target = state.ctx.catalog.entities[entity.relations[counted[0].relation].entity]
    return counted[0].model_copy(update={"op": mod.data["op"], "value": value,
                                         "text": count_text(mod.data["op"], value, target.plural)})


def named_of(catalog: Catalog, plan: QueryPlan) -> str | None:
    """The named filter a plan applied (so a follow-up dates 'won deals' by closed_at)."""
    for named in catalog.named_filters.values():
        if named.entity == plan.entity and named.definition in plan.definitions:
            return named.name
    return None


def drop_swapped_names(catalog: Catalog, plan: QueryPlan) -> QueryPlan:
    """'won deals last month' → 'and the lost ones?': a named group whose condition a follow-up swapped no
    longer names the rows (they are lost deals, not "won deals")."""
    for named in catalog.named_filters.values():
        if named.entity != plan.entity or named.definition not in plan.definitions:
            continue
        kept = all(any(isinstance(c, Compare) and (c.column, c.op, c.value) == (spec["column"], spec["op"],
                                                                                 spec.get("value"))
                       for c in plan.conds)
                   for spec in named.where if "column" in spec and not str(spec.get("value")).startswith("@"))
        if not kept:
            plan.definitions = [d for d in plan.definitions if d != named.definition]
            if plan.subject == named.noun:
                plan.subject = catalog.entities[plan.entity].plural
    return plan


def merge_plans(previous: QueryPlan, new: QueryPlan, *, keep_periods: bool = False) -> QueryPlan:
    """A refinement keeps the earlier filters, replaced where the new ones speak of the same column."""
    plan = previous.model_copy(deep=True)
    plan.conds = replace_conflicting(plan.conds, new.conds, keep_periods=keep_periods)
    if new.measures:
        plan.measures = new.measures
        plan.group_by = new.group_by or plan.group_by
        if not new.group_by and not previous.group_by:
            plan.order_by, plan.limit = [], None
    if new.order_by:
        plan.order_by = new.order_by
    if new.limit is not None:
        plan.limit = new.limit
    if new.having:
        plan.having = new.having
    plan.definitions = list(dict.fromkeys(previous.definitions + new.definitions))
    if new.subject and new.subject != previous.entity:
        plan.subject = new.subject
    return plan


def _condition_key(cond: Condition) -> str:
    if isinstance(cond, Compare):
        return f"cmp:{cond.column}"
    if isinstance(cond, Exists) and cond.relation == "owner" and not cond.negate:
        return "cmp:owner_id"  # whose rows they are, by team or by person: "and for my team?" after "my deals"
    if isinstance(cond, Exists):
        inner = ",".join(_condition_key(c) for c in cond.conds)
        return f"exists:{cond.relation}:{inner}"
    if isinstance(cond, CountOf):
        return f"count:{cond.relation}"
    return "or:" + ",".join(_condition_key(c) for c in cond.conds)


def replace_conflicting(old: list[Condition], new: list[Condition], *, keep_periods: bool = False) -> list[Condition]:
    """New conditions replace old ones on the same column ('what about won ones?' swaps the status); with
    `keep_periods` an earlier period or bound stays beside the new one (both hold)."""
    new_keys = {_condition_key(c) for c in new}
    kept = [c for c in old if _condition_key(c) not in new_keys or keep_periods and _is_range_part(c)]
    return kept + new


def _is_range_part(cond: Condition) -> bool:
    return isinstance(cond, Compare) and cond.op in ("gte", "lt", "gt", "lte")


# "what about calls?", "and for tasks?", "how about notes": the same question about another record type
SWITCH = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\b|^and\s+(?:for\s+)?(?:the\s+)?\w+$")


def carry_over(catalog: Catalog, previous: QueryPlan, plan: QueryPlan) -> QueryPlan:
    """'my emails this week' → 'what about calls?': my calls this week. Whose rows they are, the period and a
    newest-first pick carry over to the other record type, unless the follow-up says its own."""
    old, new = catalog.entities[previous.entity], catalog.entities[plan.entity]
    plan = plan.model_copy(deep=True)
    said = {c.column for c in plan.conds if isinstance(c, Compare)}
    if old.owner_column and new.owner_column and new.owner_column not in said:
        plan.conds += [c.model_copy(update={"column": new.owner_column}) for c in previous.conds
                       if isinstance(c, Compare) and c.column == old.owner_column]
    old_date, new_date = dated_column(previous), catalog.date_columns.get(new.name)
    if old_date and new_date and new.has(new_date) and dated_column(plan) is None:
        old_label, new_label = old.label_of(old_date).lower(), new.label_of(new_date).lower()
        plan.conds += [c.model_copy(update={"column": new_date, "text": new_label + c.text[len(old_label):]
                                            if c.text.startswith(old_label) else c.text})
                       for c in previous.conds if isinstance(c, Compare) and c.column == old_date]
        newest = previous.order_by[:1] if previous.order_by and previous.order_by[0].column == old_date else []
        if newest and previous.limit and not plan.order_by and plan.limit is None and not plan.measures:
            plan.order_by = [newest[0].model_copy(update={"column": new_date})]
            plan.limit = previous.limit
    return plan


SHOWN_CAP = 200  # a pick longer than this is no "them" anyone reads one by one


def remember_shown(catalog: Catalog, plan: QueryPlan, columns: list[str], rows: list[list[Any]]) -> QueryPlan:
    """The plan with the records its answer showed, when they were a pick: a top N of records, or of
    groups that are records ("top 5 accounts by revenue" shows five accounts). A list of every match
    needs nothing: its conditions select the same rows again."""
    if plan.limit is None or not rows or len(rows) > SHOWN_CAP or not columns:
        return plan
    if len(plan.group_by) == 1 and plan.group_by[0].column and not plan.group_by[0].relation and \
            not plan.group_by[0].grain:
        # "which stage has the most": the values of the groups shown (the group of rows with none has no value)
        values = [row[0] for row in rows if row[0] is not None]
        shown = Shown(entity=plan.entity, column=plan.group_by[0].column, values=values)
        return plan.model_copy(update={"shown": shown}) if values else plan
    if columns[0] != "id":
        return plan
    if plan.group_by:
        relations = [g.relation for g in plan.group_by if g.relation and g.column is None]
        if len(plan.group_by) != 1 or len(relations) != 1 or "." in relations[0]:
            return plan
        entity = catalog.entities[plan.entity].relations[relations[0]].entity
    elif plan.measures:
        return plan
    else:
        entity = plan.entity
    ids = [row[0] for row in rows if isinstance(row[0], int)]
    return plan.model_copy(update={"shown": Shown(entity=entity, ids=ids)}) if ids else plan


def shown_condition(catalog: Catalog, entity: str, shown: Shown) -> Condition | None:
    """"Show their contacts" after the top 3 deals: the rows of `entity` that go with the records shown."""
    target = catalog.entities[shown.entity]
    if shown.column is not None:  # groups by a column: the same rows, of those values
        label = target.label_of(shown.column).lower()
        return Compare(column=shown.column, op="in", value=shown.values,
                       text=f"{label} {' or '.join(str(v) for v in shown.values)}") if entity == shown.entity else None
    noun = target.singular if len(shown.ids) == 1 else target.plural
    pick = Compare(column="id", op="in", value=shown.ids, text=f"of the {len(shown.ids)} {noun} shown before")
    if entity == shown.entity:
        return pick
    path = relation_to(catalog, entity, shown.entity)
    return nest(path, [pick], negate=False, text=pick.text) if path is not None else None


def pin_shown(catalog: Catalog, plan: QueryPlan) -> QueryPlan:
    """A top N plan narrowed to the records it showed, with no limit left to pick others."""
    assert plan.shown is not None
    pick = shown_condition(catalog, plan.entity, plan.shown)
    return plan.model_copy(update={"conds": [*plan.conds, pick] if pick else plan.conds, "limit": None,
                                   "shown": None})

