"""Modifiers → plan conditions on one entity: values, comparisons, dates, presence, events, ownership,
and the relations they travel through."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from nlq.catalog import Catalog, Entity, days_ago
from nlq.dates import DateRange, latest_past
from nlq.english import amount_text, defined_name
from nlq.parsing.state import Mention, Modifier, ParseContext, ParseState
from nlq.parsing.words import (
    ABSENT_AFTER,
    ABSENT_WORDS,
    UNIT_SCALE,
    VERB_VALUES,
    column_for_valueset,
    date_column_word,
    title_case,
    word_before_column,
)
from nlq.plan import AVERAGE, AnyOf, Compare, Condition, Exists, dated_column, unworded


def narrowed(defined: list[Condition], said: list[Condition]) -> list[Condition]:
    """A definition's condition that the question itself contradicts gives way: "customers that have
    churned" are contacts in stage churned, not customers (stage customer) that are also churned."""
    said_values = {c.column: values for c in said if isinstance(c, Compare) and (values := _eq_values(c)) is not None}

    def contradicted(cond: Condition) -> bool:
        if not isinstance(cond, Compare):
            return False
        values = _eq_values(cond)
        return values is not None and cond.column in said_values and not values & said_values[cond.column]

    return [c for c in defined if not contradicted(c)]


def _eq_values(cond: Compare) -> set[Any] | None:
    """The values an equality or IN list allows; None for any other comparison."""
    if cond.op == "eq":
        return {cond.value}
    if cond.op == "in":
        return set(cond.value)
    return None


_COUNT_OP_WORDS = {"eq": "exactly ", "ne": "other than ", "gt": "more than ", "gte": "at least ",
                   "lt": "fewer than ", "lte": "at most "}


def count_text(op: str, value: int | list[int], noun: str) -> str:
    shown = f"{value[0]} to {value[1]}" if isinstance(value, list) else f"{_COUNT_OP_WORDS[op]}{value}"
    return f"with {shown} {noun}"


def fits(state: ParseState, entity: Entity, mod: Modifier) -> bool:
    """Whether a modifier can apply to an entity without guessing a relation."""
    catalog = state.ctx.catalog
    if mod.kind == "date":
        col_pos = mod.data.get("column_pos")
        hint = date_column_word(catalog, state.word(col_pos)) if col_pos is not None else None
        return hint is None or hint.startswith("@") or entity.has(hint)
    if mod.kind == "value":
        return any(column_for_valueset(entity, vs) or path_to_valueset(catalog, entity, vs)
                   for vs, _v in mod.data["options"])
    if mod.kind in ("event", "column"):
        return any(ent == entity.name for ent, _c in mod.data["columns"])
    if mod.kind == "compare":
        # "contacts at accounts in healthcare with a lead score above 80": the column the number follows
        named = next((m for m in state.modifiers if m.kind == "column" and 0 <= mod.pos - m.end <= 2), None)
        return named is None or fits(state, entity, named)
    return True


def subject_label(catalog: Catalog, mention: Mention) -> str:
    if mention.metric:
        return mention.metric.replace("_", " ")
    if mention.named:
        return catalog.named_filters[mention.named].noun
    return catalog.entities[mention.entity].plural


def belongs_to_subject(catalog: Catalog, subject: Mention, mod: Modifier, main: Mention) -> bool:
    """'my top 5 accounts by revenue', 'accounts owned by Lauren with the most pipeline': whose they are is said of
    the grouped rows, not of each deal the figure sums. (A place or a value reads the same either way through the
    relation — 'top 5 accounts in Texas by pipeline value' — so it stays with the figure's rows.)"""
    return mod.kind in ("owner", "user", "team") and mod.pos < main.pos and \
        catalog.entities[subject.entity].owner_column is not None


def named_filter_conds(where: list[dict[str, Any]], ctx: ParseContext, entity: Entity, text: str) -> list[Condition]:
    """A catalog `where` list as conditions (all must hold); `{any_of: [...]}` holds when one of its does,
    `{without: relation, where: [...]}` when no related row meets its own list. Values `@now`, `@today` and
    `@days_ago:N` are read against the question's clock."""
    conds: list[Condition] = []
    for i, spec in enumerate(where):
        if "any_of" in spec:
            conds.append(AnyOf(conds=named_filter_conds(spec["any_of"], ctx, entity, ""), text=text if i == 0 else ""))
            continue
        if "without" in spec:
            related = ctx.catalog.entities[entity.relations[spec["without"]].entity]
            conds.append(Exists(relation=spec["without"], negate=True, text=text if i == 0 else "",
                                conds=named_filter_conds(spec.get("where", []), ctx, related, "")))
            continue
        value = spec.get("value")
        if value == "@now":
            value = ctx.now.isoformat()
        elif value == "@today":
            value = ctx.now.date().isoformat()
        elif (back := days_ago(value)) is not None:
            value = (ctx.now - timedelta(days=back)).isoformat()
        conds.append(Compare(column=spec["column"], op=spec["op"], value=value, text=text if i == 0 else ""))
    return conds


def relation_to(catalog: Catalog, from_entity: str, to_entity: str) -> str | None:
    """The relation path from one entity to another: direct first, then two to-one hops."""
    entity = catalog.entities[from_entity]
    preferred = {("deals", "contacts"): "contact", ("contacts", "deals"): "deals", ("deals", "users"): "owner",
                 ("contacts", "users"): "owner", ("accounts", "users"): "owner", ("activities", "users"): "owner",
                 ("emails", "users"): "owner", ("notes", "users"): "owner"}
    name = preferred.get((from_entity, to_entity))
    if name and name in entity.relations:
        return name
    for relation in entity.relations.values():
        if relation.entity == to_entity:
            return relation.name
    for relation in entity.relations.values():
        if relation.remote != "id":
            continue
        middle = catalog.entities[relation.entity]
        for second in middle.relations.values():
            if second.entity == to_entity and second.remote == "id":
                return f"{relation.name}.{second.name}"
    return None


def nest(path: str, conds: list[Condition], *, negate: bool, text: str) -> Condition:
    """Exists over a relation path ("owner.team") with the conditions at its far end."""
    names = path.split(".")
    inner: list[Condition] = conds
    for name in reversed(names[1:]):
        inner = [Exists(relation=name, conds=inner, text=text)]
    return Exists(relation=names[0], conds=inner, negate=negate, text=text)


def relate_through(catalog: Catalog, entity_name: str, relation: str, conds: list[Condition], negate: bool,
                   text: str) -> Condition:
    return nest(relation, conds, negate=negate, text=text)


def modifier_conds(state: ParseState, entity: Entity, mods: list[Modifier], mention: Mention, metric: Any,
                   problems: list[str]) -> list[Condition]:
    _ctx, catalog = state.ctx, state.ctx.catalog
    conds: list[Condition | None] = []  # None: a modifier that asked back or says nothing here
    columns_named = [m for m in mods if m.kind == "column"]
    periods = [m for m in mods if m.kind == "date" and not m.data.get("negate")
               and m.data["range"].start is not None and m.data["range"].end is not None]
    if len(periods) > 1 and len({(m.data.get("column_pos") is None) for m in periods}) == 1:
        # "won this month vs last month": two periods for the same rows can't both hold
        first, second = (m.data["range"].phrase for m in periods[:2])
        state.ambiguous.append(f"Which period: {first} or {second}? Ask for one at a time, or ask by month "
                               f"to compare them side by side.")
    dated = _dated_deal_outcomes(state, entity, mods)
    for outcome, date_mod in dated:
        conds.append(_deal_outcome_in_period(state, entity, outcome, date_mod))
    handled = {id(m) for pair in dated for m in pair}
    # "contacts I called this week": the verb's value (a call) goes with the dated activities, not the contact
    related_verbs = {m.data["column_pos"] for m in mods if m.kind == "date" and m.data.get("column_pos") is not None
                     and _dated_elsewhere(state, entity, m.data["column_pos"]) is not None}
    handled |= {id(m) for m in mods if m.kind == "value" and m.pos in related_verbs}
    # "contacts I emailed this week": I sent the e-mails (the date's records take the owner); whose the
    # contacts are is not said ("leads I haven't called in 2 weeks" are still mine)
    done_verbs = {m.data["column_pos"] for m in mods if m.kind == "date" and m.data.get("column_pos") in related_verbs
                  and not m.data.get("negate")}
    handled |= {id(m) for m in mods if _doer_of(m, done_verbs)}
    for mod in mods:
        if id(mod) in handled:
            continue
        if mod.data.get("negate") and mod.kind in ("value", "stage", "pipeline", "owner", "user", "team"):
            positive = Modifier(mod.pos, mod.kind, {**mod.data, "negate": False}, mod.end)
            for cond in modifier_conds(state, entity, [positive], mention, metric, problems):
                conds.append(negated_condition(cond))
            continue
        if mod.kind == "value" and mod.data.get("stage") and (entity.name == "deals" or not fits(state, entity, mod)):
            # "deals in prospecting": on deals a stage name beats the lead source of the same words
            stage = _stage_value(catalog, mod.data["stage"])
            conds.append(_through(catalog, entity, "stage", Compare(column="name", op="eq", value=stage,
                                                                   text=f"in stage {stage}"), "deals", problems))
        elif mod.kind == "value":
            conds.append(_value_cond(state, entity, mod, problems))
        elif mod.kind == "compare":
            conds.append(_compare_cond(state, entity, mod, columns_named, problems))
        elif mod.kind == "date":
            conds += _date_conds(state, entity, mod, mention, metric, columns_named, problems)
        elif mod.kind == "owner":
            conds.append(_owner_cond(state, entity, mod.data["scope"], problems))
        elif mod.kind == "user":
            conds.append(_user_cond(state, entity, mod))
        elif mod.kind == "stage":
            conds.append(_through(catalog, entity, "stage", Compare(
                column="name", op="eq", value=_stage_value(catalog, mod.data["name"]),
                text=f"in stage {_stage_value(catalog, mod.data['name'])}"), "deals", problems))
        elif mod.kind == "pipeline":
            if "pipeline" in mod.data["phrase"] and state.measure == "sum" and entity.name == "deals" and \
                    not _has_status(state, mention):
                conds.append(Compare(column="status", op="eq", value="open", text="open"))
            conds.append(_through(catalog, entity, "pipeline", Compare(
                column="name", op="eq", value=title_case(mod.data["name"]),
                text=f"in the {mod.data['name'].title()} pipeline"), "deals", problems))
        elif mod.kind == "account":
            ids = mod.data["ids"]
            name = mod.data["name"]
            cond = Compare(column="id", op="in", value=ids, text=f"at {title_case(name)}")
            conds.append(_through(catalog, entity, "account", cond, "accounts", problems))
        elif mod.kind == "contact":
            conds.append(_contact_cond(catalog, entity, mod, problems))
        elif mod.kind == "team":
            name = state.ctx.catalog.team_names.get(mod.data["ref"]) or title_case(mod.data["name"])
            cond = _owner_in_team(state, entity, mod.data["ref"], f"on the {name} team")
            conds.append(cond)
        elif mod.kind == "event":
            conds.append(_event_cond(catalog, entity, mod, problems))
        elif mod.kind == "column":
            conds.append(_presence_cond(state, entity, mod, mods, problems))
        elif mod.kind == "text":
            own = [c for e, c in mod.data["columns"] if e == entity.name]
            if not own:
                problems.append(f"{entity.plural.capitalize()} have no {mod.data['phrase']}.")
            else:
                op, words = _TEXT_MATCHES[mod.data.get("match", "contains")]
                if len(own) > 1:  # "contacts named Smith": the first or the last name
                    conds.append(AnyOf(conds=[Compare(column=c, op=op, value=mod.data["value"]) for c in own],
                                       text=f"{mod.data['phrase']} {words} “{mod.data['value']}”"))
                else:
                    conds.append(Compare(column=own[0], op=op, value=mod.data["value"],
                                         text=f"{entity.label_of(own[0]).lower()} {words} “{mod.data['value']}”"))
    return merge_alternatives([c for c in conds if c is not None])
_PRESENT_WORDS = frozenset({"with", "has", "have", "having"})
# how a text value is matched ("whose name starts with A") → (the plan's op, how the answer says it)
_TEXT_MATCHES = {"contains": ("ilike", "contains"), "starts": ("starts", "starts with"), "ends": ("ends", "ends with")}


def each_of_both(state: ParseState, entity: Entity, mods: list[Modifier], mention: Mention, metric: Any,
                 problems: list[str]) -> list[list[Condition]] | None:
    """'accounts with deals in both negotiation and proposal', 'accounts with open and won deals': a related
    row for each value (a deal in negotiation and a deal in proposal), not one row in either — the conditions
    of each such row, or None when no two values are joined so."""
    for mod in mods:
        if mod.kind not in ("value", "stage") or state.word(mod.end) != "and":
            continue
        other = next((m for m in mods if m.kind in ("value", "stage") and m.pos == mod.end + 1), None)
        # "both X and Y", or "open and won deals" (two kinds of the related rows named before them)
        adjectives = other is not None and (other.end == mention.pos or mention.pos <= other.pos < mention.end)
        if other is None or state.word(mod.pos - 1) != "both" and not adjectives:
            continue
        shared = modifier_conds(state, entity, [m for m in mods if m is not mod and m is not other], mention,
                                metric, problems)
        return [shared + modifier_conds(state, entity, [one], mention, metric, problems) for one in (mod, other)]
    return None


def _presence_cond(state: ParseState, entity: Entity, mod: Modifier, mods: list[Modifier],
                   problems: list[str]) -> Condition | None:
    """A column named on its own: "without an email address" → email IS NULL, "with a phone number" →
    phone IS NOT NULL, a yes/no column as an adjective ("unsubscribed contacts") → true.

    Only when nothing else qualifies the column (a comparison, a value or a date next to it reads it).
    A column that no record in the question has ("accounts without a phone number") is a question back,
    not a condition quietly left out.
    """
    column = next((c for e, c in mod.data["columns"] if e == entity.name and c in entity.columns), None)
    if column is None:
        owners = {e for e, _c in mod.data["columns"]}
        k = word_before_column(state, mod)
        if not owners & {m.entity for m in state.mentions} and k >= 0 and \
                state.word(k) in ABSENT_WORDS | _PRESENT_WORDS:
            others = sorted(state.ctx.catalog.entities[e].plural for e in owners if e in state.ctx.catalog.entities)
            problems.append(f"{entity.plural.capitalize()} have no {mod.data.get('phrase', 'such field')}"
                            + (f" ({' and '.join(others)} do)." if others else "."))
        return None
    if any(o.kind == "text" and o.pos == mod.pos for o in mods):
        return None
    if state.tokens[mod.pos].original.lower() in ("named", "called") and entity.columns[column].type == "text" \
            and not any(t.kind == "word" for t in state.tokens[mod.end:]):
        # "accounts named %": a name with no letters in it
        problems.append(f"Named what? For example: {entity.plural} named Cobalt.")
        return None
    valueset = entity.columns[column].valueset

    def reads_column(other: Modifier) -> bool:
        if other.kind == "text":
            return True
        if other.kind == "value":
            return valueset is not None and any(vs == valueset for vs, _v in other.data["options"])
        return other.kind in ("compare", "date")

    def next_to(other: Modifier) -> bool:
        return 0 <= other.pos - mod.end <= 2 or 0 <= mod.pos - other.end <= 1

    if entity.columns[column].type == "boolean" and \
            any(o.kind == "date" and not o.data.get("negate") and next_to(o) for o in mods):
        # "contacts who unsubscribed this month": a yes/no has no date (was every contact created this month)
        problems.append(f"When {entity.plural} became “{mod.data.get('phrase', column)}” isn't recorded, only "
                        f"whether they are. Ask without the period: {mod.data.get('phrase', column)} "
                        f"{entity.plural}.")
        return None
    if any(other is not mod and reads_column(other) and next_to(other) for other in mods):
        return None
    k = word_before_column(state, mod)
    before = state.word(k) if k >= 0 else ""
    after = state.word(mod.end) if mod.end < len(state.tokens) else ""
    after_next = state.word(mod.end + 1) if mod.end + 1 < len(state.tokens) else ""
    # "deals that don't have a contact", "never had an email": having, negated
    negated_have = before in _PRESENT_WORDS - {"with"} and k >= 1 and state.word(k - 1) in ("not", "never")
    absent = before in ABSENT_WORDS or negated_have or \
        (before in ("not", "never") and entity.columns[column].type == "boolean") \
        or after in ABSENT_AFTER or (after in ("is", "are") and after_next in ABSENT_AFTER)
    label = entity.label_of(column).lower()
    if entity.columns[column].type == "boolean":
        _take_word(state, k, ABSENT_WORDS | _PRESENT_WORDS | {"not", "never"})
        return Compare(column=column, op="eq", value=not absent, text=label if not absent else f"not {label}")
    if absent:
        if negated_have:
            _take_word(state, k - 1, frozenset({"not", "never"}))
        _take_word(state, k, ABSENT_WORDS | (_PRESENT_WORDS if negated_have else frozenset()))
        return Compare(column=column, op="is_null", text=f"no {label}")
    if before in _PRESENT_WORDS:
        _take_word(state, k, _PRESENT_WORDS)
        return Compare(column=column, op="not_null", text=f"with {label}")
    return None


_INVERSE_OPS: dict[str, str] = {"eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in", "gt": "lte", "lte": "gt",
                                "gte": "lt", "lt": "gte", "is_null": "not_null", "not_null": "is_null"}


def negated_condition(cond: Condition) -> Condition:
    """The condition that holds exactly when `cond` does not ("not in negotiation", "not customers")."""
    text = f"not {defined_name(cond.text)}" if cond.text else ""
    if isinstance(cond, Compare) and cond.op in ("eq", "in"):
        # "customers not in Texas" includes those with no state (abroad): a missing value is not Texas either
        inverse = Compare(column=cond.column, op=_INVERSE_OPS[cond.op], value=cond.value)  # type: ignore[arg-type]
        return AnyOf(conds=[inverse, Compare(column=cond.column, op="is_null")], text=text)
    if isinstance(cond, Compare) and cond.op in ("gt", "gte", "lt", "lte"):
        # "deals not over 50k" keeps deals with no amount too: a missing figure is not over 50k either
        inverse = Compare(column=cond.column, op=_INVERSE_OPS[cond.op], value=cond.value)  # type: ignore[arg-type]
        return AnyOf(conds=[inverse, Compare(column=cond.column, op="is_null")], text=text)
    if isinstance(cond, Compare) and cond.op in _INVERSE_OPS:
        return Compare(column=cond.column, op=_INVERSE_OPS[cond.op], value=cond.value, text=text)  # type: ignore[arg-type]
    if isinstance(cond, Exists):
        return cond.model_copy(update={"negate": not cond.negate, "text": text})
    if isinstance(cond, AnyOf) and len(cond.conds) == 1:
        return negated_condition(cond.conds[0])
    if isinstance(cond, Compare) and cond.op == "between":
        low, high = cond.value
        return AnyOf(conds=[Compare(column=cond.column, op="lt", value=low), Compare(column=cond.column, op="gt",
                                                                                     value=high),
                            Compare(column=cond.column, op="is_null")], text=text)
    raise ValueError(f"cannot negate {cond!r}")


def negated_conjunction(conds: list[Condition], text: str) -> Condition:
    """NOT (a AND b AND …) = NOT a OR NOT b OR …: rows outside a definition ("contacts who are not hot leads")."""
    negated = [negated_condition(c) for c in conds]
    return negated[0] if len(negated) == 1 else AnyOf(conds=negated, text=text)


def _take_word(state: ParseState, k: int, words: frozenset[str]) -> None:
    if 0 <= k < len(state.tokens) and state.word(k) in words:
        state.used[k] = True


def contradiction(conds: list[Condition], entity: Entity) -> tuple[str, str] | None:
    """Two conditions on one column that no row meets together ("tasks completed late": done, and overdue,
    which means not done): their wordings, or None."""
    compares = [c for c in conds if isinstance(c, Compare)]
    for i, a in enumerate(compares):
        for b in compares[i + 1:]:
            if a.column != b.column:
                continue
            nulls = {a.op, b.op} == {"is_null", "not_null"}
            values_a, values_b = _eq_values(a), _eq_values(b)
            disjoint = values_a is not None and values_b is not None and not values_a & values_b
            if nulls or disjoint:
                return _worded(a, entity), _worded(b, entity)
    return None


def _worded(cond: Compare, entity: Entity) -> str:
    if cond.text:
        return cond.text
    label = entity.label_of(cond.column).lower()
    if cond.op in ("is_null", "not_null"):
        return f"{'not ' if cond.op == 'is_null' else ''}{label}"
    if isinstance(cond.value, list):
        return f"{label} {' or '.join(str(v) for v in cond.value)}"
    return f"{label} {cond.value}"


def without_repeats(conds: list[Condition]) -> list[Condition]:
    """One copy of each condition ("my deals that slipped past their close date" names 'open' twice);
    the first keeps its wording, or takes the repeat's when it has none or a shorter one ("pipeline at risk":
    the metric's 'open' comes first, unworded, and the wording "deals at risk" rides on the named set's 'open';
    "deals closing this week at risk": "deals at risk" says more than the 'open' that "closing" implies)."""
    seen: dict[str, int] = {}
    out: list[Condition] = []
    for cond in conds:
        key = unworded(cond)
        if key not in seen:
            seen[key] = len(out)
            out.append(cond)
        elif len(cond.text) > len(out[seen[key]].text):
            out[seen[key]] = out[seen[key]].model_copy(update={"text": cond.text})
    return out


def merge_alternatives(conds: list[Condition]) -> list[Condition]:
    """Equalities on one single-valued column are alternatives: "in California or Texas" (or "and": no
    contact is in both) → state IN ('CA', 'TX'); the same through one relation ("at accounts in Germany
    or France") merges inside it."""
    out: list[Condition] = []
    for cond in conds:
        clash = next((i for i, c in enumerate(out) if _disjoint_ranges(c, cond)), None)
        if clash is not None:
            out[clash] = AnyOf(conds=[out[clash], cond], text=f"{out[clash].text} or {cond.text}")
            continue
        key = _alternative_key(cond)
        twin = next((i for i, c in enumerate(out) if key is not None and _alternative_key(c) == key), None)
        if twin is None:
            out.append(cond)
        else:
            out[twin] = _join_alternatives(out[twin], cond)
    return out


def _disjoint_ranges(first: Condition, second: Condition) -> bool:
    """'over 20k or under 1k': a lower bound above an upper bound on one column can only mean either."""
    if not (isinstance(first, Compare) and isinstance(second, Compare)) or first.column != second.column:
        return False
    bounds = {c.op: c.value for c in (first, second)}
    low = bounds.get("gt", bounds.get("gte"))
    high = bounds.get("lt", bounds.get("lte"))
    return isinstance(low, (int, float)) and isinstance(high, (int, float)) and low >= high


def _alternative_key(cond: Condition) -> tuple[str, ...] | None:
    if isinstance(cond, Compare) and cond.op in ("eq", "in"):
        return ("cmp", cond.column)
    if isinstance(cond, Exists) and not cond.negate and len(cond.conds) == 1:
        inner = _alternative_key(cond.conds[0])
        return ("exists", cond.relation, *inner) if inner is not None else None
    return None


def _join_alternatives(first: Condition, second: Condition) -> Condition:
    if isinstance(first, Exists) and isinstance(second, Exists):
        inner = _join_alternatives(first.conds[0], second.conds[0])
        return Exists(relation=first.relation, conds=[inner], text=inner.text)
    assert isinstance(first, Compare) and isinstance(second, Compare)
    values = [*(first.value if first.op == "in" else [first.value]),
              *(second.value if second.op == "in" else [second.value])]
    values = list(dict.fromkeys(values))
    text = first.text if second.text in (first.text, "") else f"{first.text} or {second.text}"
    if len(values) == 1:
        return Compare(column=first.column, op="eq", value=values[0], text=text)
    return Compare(column=first.column, op="in", value=values, text=text)


def _contact_cond(catalog: Catalog, entity: Entity, mod: Modifier, problems: list[str]) -> Condition:
    """A named contact: the contact itself, or the rows linked to them (their deals, emails, notes)."""
    cond = Compare(column="id", op="in", value=mod.data["ids"], text=mod.data["phrase"])
    if entity.name == "contacts":
        return cond
    if "contact_id" in entity.columns:
        return Compare(column="contact_id", op="in", value=mod.data["ids"], text=f"for {mod.data['phrase']}")
    path = relation_to(catalog, entity.name, "contacts")
    if path is None:
        problems.append(f"{entity.plural.capitalize()} are not linked to contacts.")
        return cond
    return nest(path, [cond], negate=False, text=f"linked to {mod.data['phrase']}")


def _event_cond(catalog: Catalog, entity: Entity, mod: Modifier, problems: list[str]) -> Condition | None:
    """'opened emails' → opened_at IS NOT NULL; 'never contacted' → last_contacted_at IS NULL."""
    negate = mod.data["negate"]
    for ent_name, column in mod.data["columns"]:
        target = catalog.entities[ent_name]
        label = target.label_of(column).lower()
        phrase = mod.data["phrase"]
        # "unopened" says it already ("never unopened" read as its opposite)
        negated_text = phrase if phrase.startswith(("no ", "un", "not ", "never ")) else f"never {phrase}"
        cond = Compare(column=column, op="is_null" if negate else "not_null", text=negated_text if negate else label)
        if ent_name == entity.name:
            return cond
        path = relation_to(catalog, entity.name, ent_name)
        if path is not None and negate:
            # "contacts who never replied": none of their emails was replied to (not one that wasn't)
            return nest(path, [Compare(column=column, op="not_null", text=label)], negate=True, text=negated_text)
        if path is not None:
            return nest(path, [cond], negate=False, text=cond.text)
    problems.append(f"{entity.plural.capitalize()} can't be '{mod.data['phrase']}'.")
    return None


def _stage_value(catalog: Catalog, normalized: str) -> str:
    return {"closed won": "Closed Won", "closed lost": "Closed Lost"}.get(normalized, title_case(normalized))


def _through(catalog: Catalog, entity: Entity, relation: str, cond: Compare, target: str,
             problems: list[str]) -> Condition:
    """A condition on a related table: direct when the entity is the target, else via relation."""
    if entity.name == target:
        if relation in entity.computed:
            return Compare(column=relation, op=cond.op, value=cond.value, text=cond.text)
        return cond
    if relation in entity.relations:
        return Exists(relation=relation, conds=[cond], text=cond.text)
    # e.g. contacts "in negotiation" → their deals are in that stage
    path = relation_to(catalog, entity.name, target)
    if path is None:
        problems.append(f"{entity.plural.capitalize()} can't be filtered by {cond.text}.")
        return cond
    inner = catalog.entities[target]
    inner_cond: Condition = Compare(column=relation, op=cond.op, value=cond.value, text=cond.text) \
        if relation in inner.computed else cond
    if relation not in inner.computed and relation in inner.relations:
        inner_cond = Exists(relation=relation, conds=[cond], text=cond.text)
    return nest(path, [inner_cond], negate=False, text=cond.text)  # a path may take two hops


def _value_cond(state: ParseState, entity: Entity, mod: Modifier, problems: list[str]) -> Condition | None:
    catalog = state.ctx.catalog
    options: list[tuple[str, str]] = mod.data["options"]
    phrase = mod.data["phrase"]
    # values this entity (or a to-one neighbour) can hold
    if {"states", "countries"} <= {vs for vs, _ in options}:
        code = options[0][1]
        state.ambiguous.append(f"Do you mean the state {code} or the country {code}? "
                               f"Say e.g. 'in California' or 'in Canada'.")
        return None
    direct = [(vs, v) for vs, v in options if column_for_valueset(entity, vs)]
    if direct:
        vs, value = direct[0]
        column = column_for_valueset(entity, vs)
        assert column is not None
        return Compare(column=column, op="eq", value=value,
                       text=f"{entity.label_of(column).lower()} {catalog.value_label(vs, value)}")
    for vs, value in options:
        path = path_to_valueset(catalog, entity, vs)
        if path is not None:
            rel_path, column = path
            target_entity = _entity_at(catalog, entity, rel_path)
            text = f"{target_entity.label_of(column).lower()} {catalog.value_label(vs, value)}"
            cond: Condition = Compare(column=column, op="eq", value=value, text=text)
            for rel in reversed(rel_path.split(".")[1:]):
                cond = Exists(relation=rel, conds=[cond], text=text)
            return Exists(relation=rel_path.split(".")[0], conds=[cond], text=text)
    outcome = _deal_outcome(catalog, mod)
    to_deals = relation_to(catalog, entity.name, "deals") if outcome is not None else None
    if outcome is not None and to_deals is not None:
        # "accounts we lost": accounts with a lost deal
        return nest(to_deals, [outcome], negate=False, text=f"with a {outcome.text} deal")
    if phrase in VERB_VALUES:
        # "contacts I haven't emailed", "accounts we met": the e-mails sent to them, the meetings held with them
        valueset, value = VERB_VALUES[phrase]
        for relation in entity.relations.values():
            column = column_for_valueset(catalog.entities[relation.entity], valueset)
            if relation.remote != "id" and column is not None:
                return Exists(relation=relation.name, conds=[Compare(column=column, op="eq", value=value)],
                              text=phrase)
    problems.append(f"{entity.plural.capitalize()} can't be filtered by '{phrase}'.")
    return None


_DEAL_OUTCOME_STAGES = ("closed won", "closed lost", "renewed", "churned")


def _deal_outcome(catalog: Catalog, mod: Modifier) -> Compare | None:
    """The deal outcome a word names ('won', 'lost', 'churned', 'renewed') as a condition on deals."""
    if mod.kind == "value":
        status = next((v for vs, v in mod.data["options"] if vs == "deal_statuses" and v in ("won", "lost")), None)
        if status is not None:
            return Compare(column="status", op="eq", value=status, text=status)
        stage = mod.data.get("stage")
    elif mod.kind == "stage" and not mod.data.get("negate"):
        stage = mod.data["name"]
    else:
        return None
    if stage is None or stage.lower() not in _DEAL_OUTCOME_STAGES:
        return None
    name = _stage_value(catalog, stage)
    return Compare(column="stage", op="eq", value=name, text=name.lower())


def _dated_deal_outcomes(state: ParseState, entity: Entity, mods: list[Modifier]) -> list[tuple[Modifier, Modifier]]:
    """'accounts that churned this year', 'contacts we won last quarter': an outcome of their deals right
    before a period dates that outcome (the deal's close), not the account or contact."""
    if entity.name == "deals" or relation_to(state.ctx.catalog, entity.name, "deals") is None:
        return []
    pairs: list[tuple[Modifier, Modifier]] = []
    for date_mod in mods:
        if date_mod.kind != "date":
            continue
        outcome = next((m for m in mods if m.kind in ("value", "stage") and 0 <= date_mod.pos - m.end <= 1
                        and _deal_outcome(state.ctx.catalog, m) is not None), None)
        if outcome is not None and date_mod.data.get("column_pos") in (None, outcome.pos):
            pairs.append((outcome, date_mod))
    return pairs


def _deal_outcome_in_period(state: ParseState, entity: Entity, outcome: Modifier, date_mod: Modifier) -> Condition:
    catalog = state.ctx.catalog
    event = _deal_outcome(catalog, outcome)
    assert event is not None
    rng: DateRange = date_mod.data["range"]
    window = _window_conds(state, catalog.entities["deals"], "closed_at", rng)
    path = relation_to(catalog, entity.name, "deals")
    assert path is not None
    text = f"a deal {event.text} {_period_words(rng)}"
    return nest(path, [event, *window], negate=bool(date_mod.data.get("negate")), text=text)


def path_to_valueset(catalog: Catalog, entity: Entity, valueset: str) -> tuple[str, str] | None:
    """Breadth-first over to-one relations (account before contact before owner), two hops at most."""
    frontier: list[tuple[str, Entity]] = [("", entity)]
    for _depth in range(2):
        nxt: list[tuple[str, Entity]] = []
        for path, ent in frontier:
            for rel in ent.relations.values():
                if rel.remote != "id":
                    continue  # to-many: "deals in Texas" means the deal's account, not any contact
                target = catalog.entities[rel.entity]
                new_path = f"{path}.{rel.name}" if path else rel.name
                column = column_for_valueset(target, valueset)
                if column:
                    return new_path, column
                nxt.append((new_path, target))
        frontier = nxt
    return None


def _entity_at(catalog: Catalog, entity: Entity, path: str) -> Entity:
    for name in path.split("."):
        entity = catalog.entities[entity.relations[name].entity]
    return entity


def _compare_cond(state: ParseState, entity: Entity, mod: Modifier, columns_named: list[Modifier],
                  problems: list[str]) -> Condition | None:
    catalog = state.ctx.catalog
    data = mod.data
    column = None
    # a unit word after the number ("500 employees", "30 minutes") or a column named nearby
    unit_pos = data.get("unit_pos")
    if unit_pos is not None:
        unit = state.word(unit_pos)
        for col in entity.columns.values():
            if col.unit and (unit == col.unit or unit in col.synonyms):
                column = col.name
                state.used[unit_pos] = True
            elif col.unit and (unit, col.unit) in UNIT_SCALE:
                column = col.name
                state.used[unit_pos] = True
                scale = UNIT_SCALE[(unit, col.unit)]
                data = {**data, "value": [v * scale for v in data["value"]] if isinstance(data["value"], list)
                        else data["value"] * scale}
        if column is None:
            for m in columns_named:
                if m.pos == unit_pos:
                    column = pick_column(entity, m)
            if column is not None and entity.column_type(column) in ("timestamp", "date"):
                column = None  # "deals over 50k new": a date is no unit of a number ("new" dates the deals)
    near = [m for m in columns_named if abs(m.pos - mod.pos) <= 3]
    if column is None:
        for m in sorted(near, key=lambda m: abs(m.pos - mod.pos)):
            column = pick_column(entity, m)
            if column and entity.column_type(column) in ("money", "integer", "number"):
                break
            column = None
    if column is None and data.get("percent"):
        # "over 70%": the entity's percentage, never its amount
        column = entity.percent_column()
        if column is None:
            problems.append(f"I don't know which percentage of {entity.plural} '{_fmt_number(data['value'], False)}%' "
                            f"refers to.")
            return None
    if column is None:
        elsewhere = sorted({m.data["phrase"] if "phrase" in m.data else state.word(m.pos) for m in near
                            if m.pos < mod.pos and _numeric_elsewhere(catalog, m)})
        if elsewhere and not data.get("money"):
            # "accounts with lead score above 80": a number of another kind of record is not the amount
            problems.append(f"{entity.plural.capitalize()} have no {elsewhere[0]}.")
            return None
        column = catalog.amount_columns.get(entity.name)
    if column is None or not entity.has(column) or column == "id" or \
            (column in entity.columns and entity.columns[column].references):
        # a record's id or link is no quantity ("stages with pipeline over 100k" is not pipeline_id > 100000)
        problems.append(f"I don't know which number of {entity.plural} '{_fmt_number(data['value'], False)}' "
                        f"refers to.")
        return None
    op, value = data["op"], data["value"]
    label = entity.label_of(column).lower()
    if value == AVERAGE:
        return Compare(column=column, op=op, value=AVERAGE, text=f"{label} {OP_WORDS.get(op, op)} the average")
    shown = _fmt_number(value, entity.column_type(column) == "money")
    if entity.column_unit(column) == "percent":
        shown = f"{shown}%"
    text = f"{label} {OP_WORDS.get(op, op)} {shown}"
    if isinstance(value, list):
        value = [int_if_whole(v) for v in value]
    else:
        value = int_if_whole(value)
    return Compare(column=column, op=op, value=value, text=text)


#: How a comparison reads in an answer ("amount over $10,000", "pipeline value at least $100,000").
OP_WORDS = {"gt": "over", "gte": "at least", "lt": "under", "lte": "at most", "eq": "exactly", "ne": "not",
            "between": "between"}


def int_if_whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _fmt_number(value: Any, money: bool) -> str:
    if value == AVERAGE:
        return "the average"
    if isinstance(value, list):
        return " and ".join(_fmt_number(v, money) for v in value)
    return amount_text(value, money=money)


def _numeric_elsewhere(catalog: Any, mod: Modifier) -> bool:
    """The column modifier names a number column of some entity (which the current one may lack)."""
    for entity_name, column in mod.data["columns"]:
        entity = catalog.entities.get(entity_name)
        if entity is None or column == "id" or (column in entity.columns and entity.columns[column].references):
            continue
        if entity.column_type(column) in ("money", "integer", "number"):
            return True
    return False


def pick_column(entity: Entity, mod: Modifier) -> str | None:
    for ent_name, col in mod.data["columns"]:
        if ent_name == entity.name and entity.has(col):
            return str(col)
    return None


def _date_conds(state: ParseState, entity: Entity, mod: Modifier, mention: Mention, metric: Any,
                columns_named: list[Modifier], problems: list[str]) -> list[Condition]:
    catalog = state.ctx.catalog
    rng: DateRange = mod.data["range"]
    column = None
    col_pos = mod.data.get("column_pos")
    if col_pos is not None:
        hint = _date_hint(state, entity, col_pos)
        if hint == "close_date" and entity.name == "deals" and state.measure == "sum" and \
                state.word(col_pos) in ("close", "closed") and state.word(col_pos - 1) not in ("to", "will"):
            # "how much did we close this year": booked revenue, i.e. won deals by closed_at
            hint = "closed_at"
            mod.data["implies_won"] = True
        related = _dated_elsewhere(state, entity, col_pos)
        if hint and entity.has(hint):
            column = hint
        elif related is not None:
            # "customers who haven't opened an email in 60 days": the date belongs to their emails
            state.used[col_pos] = True
            path, target, target_column = related
            inner = catalog.entities[target]
            window = _window_conds(state, inner, target_column, rng)
            verb = state.word(col_pos)
            noun, done = inner.singular, inner.label_of(target_column).lower()  # "sent", "opened", "replied"
            if verb in VERB_VALUES:  # "haven't emailed": the e-mails we sent
                valueset, value = VERB_VALUES[verb]
                column = column_for_valueset(inner, valueset)
                window += [Compare(column=column, op="eq", value=value)] if column else []
                if column and valueset == "activity_types":  # "any meeting this quarter", not "any activity due"
                    noun, done = value, ""
            mine = any(_doer_of(m, {col_pos}) for m in state.modifiers) and inner.owner_column is not None
            if mine:  # "contacts I emailed": e-mails I sent
                window.append(Compare(column=inner.owner_column, op="eq", value=state.ctx.actor_id))
            text = " ".join(w for w in ("no" if mod.data.get("negate") else "any", noun, done, "by me" if mine else "",
                                        _period_words(rng)) if w)
            return [nest(path, window, negate=bool(mod.data.get("negate")), text=text)]
        elif hint == "last_contacted_at" and entity.name != "contacts":
            problems.append(f"'contacted' applies to contacts; ask about contacts not contacted {rng.phrase}.")
            return []
        state.used[col_pos] = True
    if column is None:
        for m in columns_named:
            col = pick_column(entity, m)
            if col and entity.column_type(col) in ("timestamp", "date") and abs(m.pos - mod.pos) <= 4:
                column = col
    if column is None and col_pos is None:
        # the verb before the noun dates it: "contacts who haven't *opened* any emails since March"
        k = mention.pos - 1
        while k >= 0 and state.word(k) in ("a", "an", "any", "the", "their", "our", "my", "some", "all"):
            k -= 1
        hint = _date_hint(state, entity, k) if k >= 0 else None
        if hint and entity.has(hint) and entity.column_type(hint) in ("timestamp", "date"):
            column = hint
            state.used[k] = True
    if column is None and mention.named:
        named = catalog.named_filters[mention.named]
        if named.undated and named.date_column is None and col_pos is None:
            # "churned customers last quarter": when they churned is not recorded (their creation date is not it)
            problems.append(f"{named.undated} Ask without the period, or by when they were created "
                            f"(“{named.noun} created {rng.phrase}”).")
            return []
        column = named.date_column
    if column is None and entity.name == "deals" and status_value(state) in ("won", "lost"):
        column = "closed_at"
    if column is None and metric is not None and metric.entity == entity.name:
        column = metric.date_column
    previous = state.ctx.previous
    if column is None and col_pos is None and previous is not None and previous.entity == entity.name:
        # "deals closing this month" → "and last month?": the period the last answer was dated by
        column = dated_column(previous)
    if column is None:
        column = catalog.date_columns.get(entity.name)
        # a period wholly in the future dates what is expected then: deals closing, tasks due
        if rng.start is not None and rng.start >= state.ctx.now and entity.name == "deals":
            column = "close_date"
    hint_word = state.word(col_pos) if col_pos is not None else ""
    if column == "close_date" or hint_word in ("due", "scheduled", "upcoming") or \
            (column == "due_at" and _asks_ahead(state.words)):
        rng = _looking_ahead(rng, state.ctx.now)
    else:
        rng = latest_past(rng, state.ctx.now)
    if column is None:
        problems.append(f"{entity.plural.capitalize()} have no date to filter by {rng.phrase}.")
        return []
    kind = entity.column_type(column)
    label = entity.label_of(column).lower()
    negate = mod.data.get("negate", False)
    conds: list[Condition] = []
    start = _date_value(rng.start, kind)
    own_date = catalog.date_columns.get(entity.name)
    if negate and column in catalog.outcome_columns.get(entity.name, ()) and own_date and entity.has(own_date):
        # "emails not opened in the last 2 weeks", "tasks not completed this week": the period dates the
        # e-mails or tasks themselves, and the outcome has not happened (was: not opened since, or never)
        conds = _window_conds(state, entity, own_date, rng)
        conds.append(Compare(column=column, op="is_null", text=f"not {label}"))
        return conds
    if negate:
        # "not contacted in 30 days" = never, or last before the start of the window
        parts: list[Condition] = [Compare(column=column, op="is_null")]
        if start is not None:
            parts.append(Compare(column=column, op="lt", value=start))
        verb = label.removeprefix("last ")
        since = f"since {start[:10]}" if start is not None else rng.phrase
        text = f"not {verb} {since} or never"
        forward = column == "close_date" or hint_word in ("due", "scheduled", "upcoming")
        if forward and rng.end is not None and not rng.upto_now:
            # "deals not closing this month": dates after the period are outside it too
            parts.append(Compare(column=column, op="gte", value=_date_value(rng.end, kind)))
            text = f"{label} not {rng.phrase}"
        conds.append(AnyOf(conds=parts, text=text))
        return conds
    conds += _window_conds(state, entity, column, rng)
    if mod.data.get("implies_won") and not _has_status(state, mention):
        conds.append(Compare(column="status", op="eq", value="won", text="won"))
    # "deals closing this month" are open deals (glossary); a figure that says its own status keeps it
    # ("revenue by close month": won deals, by the month they were due to close)
    metric_status = mention.metric is not None and metric is not None and \
        any(w.get("column") == "status" for w in metric.where)
    if entity.name == "deals" and column == "close_date" and not _has_status(state, mention) and not metric_status:
        conds.append(Compare(column="status", op="eq", value="open", text="open"))
    return conds



def _asks_ahead(words: list[str]) -> bool:
    """Whether the question looks forward: "what meetings do I have on Friday", "will I meet …",
    "calls coming up on Monday" (a weekday just past is then the coming one)."""
    return any(w in ("will", "upcoming", "planned") or (w == "coming" and words[k + 1:k + 2] == ["up"]) or
               (w in ("do", "does") and "have" in words[k + 1:k + 4]) for k, w in enumerate(words))


def _looking_ahead(rng: DateRange, now: datetime) -> DateRange:
    """A period read for a date that lies ahead (a close date, a due date): a bare window ("closing in 30
    days") counts forward, a weekday just past ("due Monday") is the coming one, an age ("closing in more
    than 30 days") starts after today plus the span."""
    if rng.kind == "bare":
        return DateRange(now, rng.start and now + (now - rng.start), rng.phrase.replace("the last", "the next"),
                         "future")
    if rng.kind == "weekday" and rng.start is not None and rng.start < now:
        day = rng.start + timedelta(days=7)
        return DateRange(day, day + timedelta(days=1), rng.phrase.split(" (")[0] + f" ({day.date().isoformat()})",
                         "weekday")
    if rng.kind == "age" and rng.end is not None:
        return DateRange(now + (now - rng.end), None, rng.phrase.replace(" ago", " from now"), "future")
    return rng


def _date_hint(state: ParseState, entity: Entity, pos: int) -> str | None:
    """The date column a word dates for this entity: 'opened' emails vs deals, 'due' deals close, a
    'logged' call happened when it was due."""
    word = state.word(pos)
    hint = date_column_word(state.ctx.catalog, word)
    if hint == "@opened":
        # emails are opened; a contact "who opened an email" did so through their emails; a deal is opened
        hint = "opened_at" if entity.name == "emails" else \
            ("created_at" if _event_elsewhere(state.ctx.catalog, entity, "opened") is None else None)
    if hint == "close_date" and entity.name == "activities":
        hint = "due_at"
    if hint == "due_at" and entity.name == "deals":
        hint = "close_date"
    if hint == "created_at" and word == "logged" and entity.has("due_at"):
        hint = "due_at"  # a logged call happened then
    return hint


def _period_words(rng: DateRange) -> str:
    """A period as it reads after a verb: 'this year', 'since March', 'in 2025', 'in the last 30 days'."""
    first = rng.phrase.split()[0].lower() if rng.phrase else ""
    if first in ("this", "last", "next", "previous", "since", "before", "after", "from", "until", "today",
                 "yesterday", "tomorrow"):
        return rng.phrase
    return f"in {rng.phrase}"


def _window_conds(state: ParseState, entity: Entity, column: str, rng: DateRange) -> list[Condition]:
    """`column` within the period: start ≤ column < end (open-ended sides left out)."""
    kind = entity.column_type(column)
    label = entity.label_of(column).lower()
    start, end = _date_value(rng.start, kind), _date_value(rng.end, kind)
    if rng.upto_now:
        end = None
    text = f"{label} {'in ' if rng.phrase.startswith('the ') else ''}{rng.phrase}"
    conds: list[Condition] = []
    if start is not None and end is not None:
        conds.append(Compare(column=column, op="gte", value=start, text=text))
        conds.append(Compare(column=column, op="lt", value=end))
    elif start is not None:
        conds.append(Compare(column=column, op="gte", value=start, text=text))
        if rng.upto_now:
            conds.append(Compare(column=column, op="lte", value=_date_value(state.ctx.now, kind)))
    elif end is not None:
        conds.append(Compare(column=column, op="lt", value=end, text=text))
    if rng.parts:
        # periods apart ("this quarter and the same quarter last year"): only their rows within the span
        last_moment = timedelta(days=1) if kind == "date" else timedelta(microseconds=1)
        conds.append(AnyOf(conds=[Compare(column=column, op="between",
                                          value=[_date_value(s, kind), _date_value(e - last_moment, kind)])
                                  for s, e in rng.parts]))
    return conds


def _doer_of(mod: Modifier, verbs: set[int]) -> bool:
    """Whether an "I" is the one doing a verb at one of `verbs` ("contacts I emailed", "I haven't called")."""
    return mod.kind == "owner" and bool(mod.data.get("subject")) and any(0 < v - mod.pos <= 4 for v in verbs)


def _dated_elsewhere(state: ParseState, entity: Entity, pos: int) -> tuple[str, str, str] | None:
    """The related records a date's verb dates when the entity has no such date of its own ("contacts I
    called this week": their activities); None when the entity's own column is meant."""
    hint = _date_hint(state, entity, pos)
    if hint and entity.has(hint):
        return None
    return _event_elsewhere(state.ctx.catalog, entity, state.word(pos))


def _event_elsewhere(catalog: Catalog, entity: Entity, word: str) -> tuple[str, str, str] | None:
    """An event word ('opened', 'replied', 'completed') of a related kind of record the entity lacks:
    (relation path, that entity, its date column)."""
    for target, columns in catalog.event_columns.items():
        if target == entity.name:
            continue
        for column, phrases in columns.items():
            if word in phrases and not entity.has(column):
                path = relation_to(catalog, entity.name, target)
                if path is not None:
                    return path, target, column
    return None


def status_value(state: ParseState) -> str | None:
    for m in state.modifiers:
        if m.kind == "value":
            for vs, value in m.data["options"]:
                if vs == "deal_statuses":
                    return str(value)
        if m.kind == "stage" and m.data["name"] in ("closed won", "renewed"):
            return "won"
        if m.kind == "stage" and m.data["name"] in ("closed lost", "churned"):
            return "lost"
    return None


def _has_status(state: ParseState, mention: Mention) -> bool:
    if mention.named in ("open_deals", "won_deals", "lost_deals"):
        return True
    return any(m.kind == "value" and any(vs == "deal_statuses" for vs, _ in m.data["options"])
               for m in state.modifiers)


def _date_value(value: datetime | None, kind: str) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if kind == "date" else value.astimezone(timezone.utc).isoformat()


def _owner_cond(state: ParseState, entity: Entity, scope: str, problems: list[str]) -> Condition | None:
    ctx = state.ctx
    if scope == "team":
        if ctx.actor_team_id is None:  # an admin: "my team" names no one, and "= NULL" would match nothing
            example = f" (for example “{entity.plural} on the {next(iter(sorted(ctx.catalog.teams)))} team”)" \
                if ctx.catalog.teams else ""
            problems.append(f"You are not on a team, so 'my team' names no one. Ask about everyone's "
                            f"{entity.plural}, or about a team by name{example}.")
            return None
        return _owner_in_team(state, entity, ctx.actor_team_id,
                              "on my team" if entity.name == "users" else "owned by my team")
    column = entity.owner_column or "owner_id"
    if scope == "others":
        if entity.name == "users":
            return Compare(column="id", op="ne", value=ctx.actor_id, text="other than me")
        return Compare(column=column, op="ne", value=ctx.actor_id, text="owned by someone else")
    if entity.name == "users":
        return Compare(column="id", op="eq", value=ctx.actor_id, text="me")
    return Compare(column=column, op="eq", value=ctx.actor_id, text="owned by me")


def _owner_in_team(state: ParseState, entity: Entity, team_id: int | None, text: str) -> Condition:
    if entity.name == "users":
        return Compare(column="team_id", op="eq", value=team_id, text=text)
    relation = "owner"
    return Exists(relation=relation, conds=[Compare(column="team_id", op="eq", value=team_id)], text=text)


def _user_cond(state: ParseState, entity: Entity, mod: Modifier) -> Condition:
    name = state.ctx.catalog.user_names.get(mod.data["ref"], mod.data["name"])
    if entity.name == "users":
        return Compare(column="id", op="eq", value=mod.data["ref"], text=name)
    if entity.owner_column is None and "users" in entity.relations:
        # "what team is Matthew Hughes on": the team whose people include him (teams have no owner)
        return Exists(relation="users", conds=[Compare(column="id", op="eq", value=mod.data["ref"])],
                      text=f"with {name}")
    column = entity.owner_column or "owner_id"
    return Compare(column=column, op="eq", value=mod.data["ref"], text=f"owned by {name}")
