"""What a plan computes and in what order: aggregates, shares, superlatives, sorting and grouping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nlq.catalog import Catalog, Entity
from nlq.parsing.conditions import path_to_valueset, pick_column, status_value
from nlq.parsing.state import Mention, ParseState
from nlq.parsing.words import DEFAULT_TOP_N, RECORD_SUPERLATIVES, date_column_word, singular_nouns
from nlq.plan import Compare, GroupBy, Measure, OrderBy, QueryPlan, dated_column


def apply_measures(state: ParseState, plan: QueryPlan, entity: Entity, main: Mention, metric: Any,
                   group_by_subject: GroupBy | None) -> None:
    catalog = state.ctx.catalog
    # "deals closing next quarter by month": by the month of the date the question dates them by
    dated = dated_column(plan)
    date_column = (dated if dated and entity.has(dated) else None) or \
        (metric.date_column if metric is not None else None) or \
        (catalog.named_filters[main.named].date_column if main.named else None) or \
        ("closed_at" if entity.name == "deals" and status_value(state) in ("won", "lost") else None)
    if entity.name == "users" and metric is None and any(g == ["@owner"] for _pos, g in state.group_words):
        # "rep leaderboard": reps ranked by which figure?
        state.ambiguous.append("Ranked by what? For example: revenue leaderboard this quarter, won deals by rep, "
                               "or calls by rep this week.")
        return
    resolved = (resolve_group(catalog, entity, g, date_column) for _pos, g in state.group_words)
    if group_by_subject is not None:
        resolved = (group_by_subject, *resolved)
    # "by rep by owner", "which rep …, Lauren or Matthew": each grouping once, whatever its label
    groups = list({(g.relation, g.column, g.grain): g for g in resolved if g is not None}.values())
    if state.measure == "count" and not groups:
        groups = _and_which(state, entity)
    amount = catalog.amount_columns.get(entity.name)
    measure_column = None
    for mod in state.modifiers:
        if mod.kind == "column":
            col = pick_column(entity, mod)
            if col and measurable(entity, col):
                measure_column = col
    if metric is not None:
        plan.measures = [Measure(agg="metric", metric=metric.name, label=metric.name)]
    elif state.measure == "count":
        plan.measures = [Measure(agg="count", label="count")]
    elif state.measure in ("sum", "avg", "median", "min", "max"):
        column = measure_column or amount
        if column and not measure_column and state.measure == "sum" and entity.column_type(column) != "money":
            column = None  # "the total of leads" counts them; a score is summed only when named
        if column and not measure_column and _asks_how_long(state):
            # "how long have deals been open on average": a time, never the amount
            state.unknown.append(f"how long {entity.plural} have been open (their age)")
            return
        if column:
            label = f"{'total' if state.measure == 'sum' else state.measure}_{column}"
            plan.measures = [Measure(agg=state.measure, column=column, label=label)]  # type: ignore[arg-type]
        else:
            plan.measures = [Measure(agg="count", label="count")]
    elif groups:
        plan.measures = [Measure(agg="count", label="count")]
    plan.group_by = groups
    if groups and state.superlative is not None and state.measure is None and metric is None and \
            state.word(state.superlative[0]) in RECORD_SUPERLATIVES and state.superlative[0] < main.pos and \
            not any(0 < pos - state.superlative[0] <= 2 for pos, _g in state.group_words):
        # "the largest account in each industry", "top 3 deals per stage": records ranked within each group,
        # not a count per group ("the top reasons we lose deals" rank the reasons)
        plan.limit_per, plan.measures, plan.group_by = groups[0], [], []
    if plan.measures and groups:
        if state.superlative is not None or state.limit is not None or state.most:
            descending = state.superlative[1] if state.superlative else True
            plan.order_by = [OrderBy(target="measure", descending=descending)]
            if (state.sort is None or state.superlative is not None or state.limit is not None) and \
                    not state.side_by_side:
                # "accounts by number of deals" are the top ones; "sorted by number of deals" all of them
                plan.limit = state.limit or (1 if _asks_for_one(state) else DEFAULT_TOP_N)
        elif state.sort is not None:
            plan.order_by = [OrderBy(target="measure", descending=state.sort[1])]
        return
    if plan.measures:
        return
    # a list: superlatives and sorting order it
    if state.superlative is not None:
        pos, descending = state.superlative
        word = state.word(pos)
        if word in ("most", "least") and pos + 1 < len(state.tokens) and state.word(pos + 1) in ("recent", "recently"):
            word = "recent"  # "the 5 most recent notes"
        named = catalog.named_filters[main.named] if main.named else None
        column = measure_column or (named.rank_by if named else None) or catalog.rank_columns.get(entity.name)
        if word in ("newest", "latest", "oldest", "earliest", "recent"):
            # by the date the question names ("least recently contacted", "closed most recently"), the one its
            # rows are dated by ("the 5 most recent won deals": closed), else the entity's own
            named = next((c for w in state.words if (c := date_column_word(catalog, w)) and entity.has(c)), None)
            column = named or (date_column if date_column and entity.has(date_column) else None) or \
                catalog.date_columns.get(entity.name, "created_at")
        if word in ("longest", "shortest"):  # a length of time: the entity's duration, if it has one
            column = next((c.name for c in entity.columns.values() if c.unit in ("minutes", "hours", "days")), None)
            if column is None and entity.has("created_at"):
                # "the deals open the longest": the oldest first (the newest for "shortest")
                column, descending = "created_at", word == "shortest"
        if column is None and state.sort is not None:
            plan.limit = state.limit or DEFAULT_TOP_N  # "the first 5 contacts alphabetically": the sort says how
        elif column is None:
            state.ambiguous.append(f"Top {entity.plural} by what? For example by pipeline value, by revenue or "
                                   f"by number of deals.")
            return
        else:
            plan.order_by = [OrderBy(column=column, descending=descending)]
            plan.limit = state.limit or (1 if _asks_for_one(state) else
                                         PER_GROUP_TOP_N if plan.limit_per else DEFAULT_TOP_N)
            if plan.limit_per is not None:  # "33 deals (the 3 largest per stage)", "(the top 2 per pipeline)"
                count = "" if plan.limit == 1 else str(plan.limit)
                ranked = f"top {count}" if word == "top" else f"{count} {word}"
                plan.subject = f"{entity.plural} (the {ranked.strip()} per {plan.limit_per.label or 'group'})"
            if column not in entity.display:
                plan.columns.append(column)
    elif state.limit is not None:
        column = measure_column or catalog.rank_columns.get(entity.name) or \
            (catalog.date_columns.get(entity.name) if entity.name != "users" else None) or "id"
        plan.order_by = [OrderBy(column=column, descending=column != "id")]
        plan.limit = state.limit
    if state.sort is not None:
        words, descending = state.sort
        column = sort_column(state, entity, words)
        if column:
            plan.order_by = [OrderBy(column=column, descending=descending)]
    if state.superlative is None and state.sort is None and _looks_ahead(state, plan, entity):
        # "upcoming meetings", "tasks due next week": the soonest first, not the entity's newest-first default
        plan.order_by = [OrderBy(column=entity.default_order["column"], descending=False)]
    # a list shows the columns the question names ("lost deals and their reasons", "with probability over 70%")
    for mod in state.modifiers:
        column = pick_column(entity, mod) if mod.kind in ("column", "text") else None
        if column and column not in entity.display and column not in plan.columns and column != "id" and \
                entity.column_type(column) != "json":
            plan.columns.append(column)


PER_GROUP_TOP_N = 3  # "the biggest deals in each stage": three of each (a number said wins)


def _looks_ahead(state: ParseState, plan: QueryPlan, entity: Entity) -> bool:
    """Whether the rows are dated from today on by the column they are listed by (newest first by default)."""
    order = entity.default_order
    if order.get("direction") != "desc":
        return False
    today = state.ctx.now.date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    dated = [c for c in plan.conds if isinstance(c, Compare) and c.column == order["column"]
             and isinstance(c.value, str) and c.value[:4].isdigit()]
    starts = [c.value[:10] for c in dated if c.op in ("gte", "gt")]
    ends = [c.value[:10] for c in dated if c.op in ("lt", "lte")]
    # from today on, further than today alone ("upcoming", "next week", "the next 2 weeks"; not "today")
    return bool(starts) and min(starts) >= today.isoformat() and all(end > tomorrow for end in ends)


def _and_which(state: ParseState, entity: Entity) -> list[GroupBy]:
    """'how many deals did we lose last month and why?', 'how many contacts and their lifecycle stages': a
    count with a field of a few values after "and" is a count per value."""
    for mod in state.modifiers:
        before = state.word(mod.pos - 1)
        after_and = before == "and" or before in ("their", "its") and state.word(mod.pos - 2) == "and"
        if mod.kind != "column" or not after_and:
            continue
        column = pick_column(entity, mod)
        found = entity.columns.get(column or "")
        if found is not None and found.valueset:
            return [GroupBy(column=found.name, label=found.label.lower())]
    return []


def _asks_how_long(state: ParseState) -> bool:
    """'how long', 'average age', 'time in stage': a span of time is asked for."""
    words = state.words
    return any(w in ("age", "ages", "duration", "time") for w in words) or \
        any(w == "how" and k + 1 < len(words) and words[k + 1] == "long" for k, w in enumerate(words))


def measurable(entity: Entity, column: str) -> bool:
    """A number worth adding up or averaging: money or a count, not an id ("total amount of deals in
    proposal stage" sums the amount, never the stage's id)."""
    found = entity.field(column)
    return entity.column_type(column) in ("money", "integer") and column != "id" and \
        getattr(found, "references", None) is None


def _asks_for_one(state: ParseState) -> bool:
    """'the biggest deal', 'which rep': a singular subject asks for one row."""
    if not state.mentions:
        return False
    if state.mentions[0].pos < 0:  # no noun: "who did I last email", "when did I last call Foster Goods"
        return bool({"who", "whom", "when"} & set(state.words))
    last = state.mentions[0].phrase.split()[-1]
    return last in singular_nouns(state.ctx.catalog)



def sort_column(state: ParseState, entity: Entity, words: str | None) -> str | None:
    if not words:
        return state.ctx.catalog.amount_columns.get(entity.name) or "id"
    lex = state.ctx.lexicon
    for n in range(3, 0, -1):
        key = " ".join(words.split()[:n])
        for m in lex.lookup(key):
            if m.kind == "column" and m.extra == entity.name:
                return m.name
    for word in words.split():
        col = date_column_word(state.ctx.catalog, word)
        if col and entity.has(col):
            return col
    if any(w in ("date", "recent", "time", "newest", "oldest", "latest", "earliest") for w in words.split()):
        return state.ctx.catalog.date_columns.get(entity.name)
    return None


def resolve_group(catalog: Catalog, entity: Entity, targets: list[str],
                  date_column: str | None = None) -> GroupBy | None:
    for target in targets:
        if target.startswith("@"):
            group = _special_group(catalog, entity, target[1:], date_column)
            if group is not None:
                return group
            continue
        ent_name, column = target.split(".", 1)
        if ent_name == entity.name and entity.has(column):
            if column in entity.columns and entity.columns[column].references:
                rel = next((r.name for r in entity.relations.values() if r.local == column and r.remote == "id"),
                           None)
                if rel:
                    return GroupBy(relation=rel, label=entity.label_of(column).lower())
            grain = "month" if entity.column_type(column) in ("timestamp", "date") else None
            return GroupBy(column=column, grain=grain, label=entity.label_of(column).lower())
    for target in targets:
        if target.startswith("@"):
            continue
        ent_name, column = target.split(".", 1)
        target_entity = catalog.entities[ent_name]
        col = target_entity.columns.get(column)
        if col is not None and col.valueset:
            path = path_to_valueset(catalog, entity, col.valueset)
            if path:
                return GroupBy(column=path[1], relation=path[0], label=target_entity.label_of(column).lower())
    return None


def _special_group(catalog: Catalog, entity: Entity, what: str, date_column: str | None = None) -> GroupBy | None:
    if what == "owner" and "owner" in entity.relations:
        return GroupBy(relation="owner", label="rep")
    if what == "team" and "owner" in entity.relations:
        return GroupBy(relation="owner.team", label="team")
    if what == "team" and "team" in entity.relations:
        return GroupBy(relation="team", label="team")
    if what == "region":
        if "owner" in entity.relations:
            return GroupBy(relation="owner.team", column="region", label="region")
        if "team" in entity.relations:
            return GroupBy(relation="team", column="region", label="region")
    what, _, named_column = what.partition(":")  # "month:close_date": the month of that date
    if named_column and not entity.has(named_column):
        return None
    if what in ("month", "quarter", "week", "year", "day"):
        column = named_column or date_column or catalog.date_columns.get(entity.name)
        if column:
            return GroupBy(column=column, grain=what, label=what)  # type: ignore[arg-type]
    if what in ("account", "contact", "pipeline") and what in entity.relations:
        return GroupBy(relation=what, label=what)
    if what == "stage":
        if "stage" in entity.computed:
            return GroupBy(column="stage", label="stage")
        if "lifecycle_stage" in entity.columns:
            return GroupBy(column="lifecycle_stage", label="lifecycle stage")
    return None
