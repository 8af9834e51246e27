"""Follow-ups that step back from or compare with the last answer: "and the month before?", "compare with the
month before", "how does it compare to Lauren's?"."""

from __future__ import annotations

import re
from datetime import date, datetime

from nlq.catalog import Catalog
from nlq.dates import GRAINS, STEPS, grain_of, match_date, period_phrase, step_back
from nlq.english import defined_name
from nlq.lexer import tokenize
from nlq.parsing.measures import resolve_group
from nlq.plan import Compare, Condition, Exists, Measure, QueryPlan, dated_column, unworded

# "the month before", "the previous quarter", "a year earlier", "the one before that": one step back from the last
# answer's period (read alone, "the previous month" is last month, counted from today)
_UNIT = r"(?:day|week|month|quarter|year)"
_BEFORE = re.compile(rf"\b(?:the\s+)?(?:(?:previous|prior|preceding)\s+(?P<u1>{_UNIT})|(?P<u2>{_UNIT})\s+"
                     rf"(?:before|prior|earlier)(?!\s+last\b)(?:\s+that)?|(?:a|one)\s+(?P<u3>{_UNIT})\s+"
                     rf"(?:before|earlier)(?:\s+that)?|(?P<one>one|period)\s+before(?:\s+that)?)\b", re.IGNORECASE)
# "compare with the month before", "how does that compare to March", "vs last quarter": the last answer's
# period beside another
_COMPARE_WITH = re.compile(r"^\s*(?:and\s+)?(?:(?:how\s+(?:does|did|do)\s+(?:it|that|this|they|those)\s+)?"
                           r"compared?s?|comparing|(?:and\s+)?(?:vs\.?|versus)|compared)\s+"
                           r"(?:it\s+|that\s+|this\s+|them\s+|those\s+)?(?:(?:with|to|against)\s+)?(?P<other>.+?)"
                           r"\s*[?.!]*\s*$", re.IGNORECASE)


def previous_period(previous: QueryPlan) -> tuple[date, str] | None:
    """The start and calendar unit of the one period the last plan was filtered to ("last month")."""
    column = dated_column(previous)
    bounds = {c.op: c.value for c in previous.conds if isinstance(c, Compare) and c.column == column
              and c.op in ("gte", "lt") and isinstance(c.value, str)}
    if set(bounds) != {"gte", "lt"}:
        return None
    try:
        start, end = (datetime.fromisoformat(bounds[op]).date() for op in ("gte", "lt"))
    except ValueError:
        return None
    grain = grain_of(start, end)
    return (start, grain) if grain is not None else None


def periods_relative_to(question: str, previous: QueryPlan, today: date) -> tuple[str, bool]:
    """The question with "the month before" and "compare with …" spelled against the last answer's period:
    after "revenue last month" (April), "and the month before?" → "and March 2026?", "compare with the
    month before" → "April 2026 vs March 2026". A unit finer than that period ("the day before" a month) is
    left as said. Also whether the question became two periods side by side."""
    period = previous_period(previous)
    if period is None:
        return question, False
    start, grain = period

    def before(match: re.Match[str]) -> str:
        unit = (match.group("u1") or match.group("u2") or match.group("u3") or grain).lower()
        if GRAINS.index(unit) < GRAINS.index(grain):
            return match.group(0)
        return period_phrase(step_back(start, unit), grain)

    question = _BEFORE.sub(before, question)
    compare = _COMPARE_WITH.match(question)
    if compare is not None and _names_a_period(compare.group("other"), today):
        other = re.sub(r"^in\s+(?=\d)", "", compare.group("other"))
        if grain != "year" and re.fullmatch(r"(?:the\s+same\s+\w+\s+)?last\s+year", other, re.IGNORECASE):
            other = "this time last year"  # "revenue in March" compared to last year: March a year back
        return f"{period_phrase(start, grain)} vs {other}", True
    return question, False


_SET_BESIDE = re.compile(r"\b(?:vs\.?|versus|compared\s+(?:to|with)|against)\s+$", re.IGNORECASE)


def periods_within(question: str, today: date) -> str:
    """'emails sent last month compared to the month before': the second period spelled against the first
    one of the same question ("… last month vs March 2026"), which then reads as two periods side
    by side. A unit finer than the first period, or no period before it, leaves the words as said."""
    match = _BEFORE.search(question)
    beside = _SET_BESIDE.search(question[:match.start()]) if match is not None else None
    if match is None or beside is None:
        return question
    tokens = tokenize(question[:match.start()])
    for i in range(len(tokens)):
        found = match_date(tokens, i, today)
        if found is None or found[0].start is None or found[0].end is None:
            continue
        start, end = found[0].start.date(), found[0].end.date()
        # "this year" runs to today: the calendar unit it is the start of
        grain = grain_of(start, end) or next((g for g in GRAINS if grain_of(start, start + STEPS[g]) == g
                                              and start + STEPS[g] >= end), None)
        unit = (match.group("u1") or match.group("u2") or match.group("u3") or grain or "").lower()
        if grain is None or unit not in GRAINS or GRAINS.index(unit) < GRAINS.index(grain):
            return question
        phrase = re.sub(r"^in\s+(?=\d)", "", period_phrase(step_back(start, unit), grain))  # "vs 2025"
        return f"{question[:beside.start()]}vs {phrase}{question[match.end():]}"
    return question


def keep_groups(previous: QueryPlan, plan: QueryPlan) -> QueryPlan:
    """Two periods side by side after a breakdown ("won deals by rep", then "compare with last quarter"): each
    group of the breakdown, then each period (was the periods alone)."""
    if not previous.group_by or any(g in plan.group_by for g in previous.group_by):
        return plan
    return plan.model_copy(update={"group_by": [*previous.group_by, *plan.group_by], "limit": None,
                                   "order_by": []})


def _names_a_period(text: str, today: date) -> bool:
    tokens = tokenize(text)
    return any(match_date(tokens, i, today) is not None for i in range(len(tokens)))


def compared_with(question: str) -> str | None:
    """What a follow-up compares the last answer with ("compare to Lauren's" → "Lauren's"), or None."""
    compare = _COMPARE_WITH.match(question)
    return compare.group("other").strip() or None if compare is not None else None


def side_by_side(catalog: Catalog, previous: QueryPlan, other: QueryPlan) -> QueryPlan | None:
    """The last plan beside the same plan with one value swapped ("Riley's pipeline", then "how does it compare
    to Lauren's?"): rows with either value, the figure per value. None unless exactly one equality differs."""
    before, after = {unworded(c): c for c in previous.conds}, {unworded(c): c for c in other.conds}
    removed = [c for k, c in before.items() if k not in after]
    added = [c for k, c in after.items() if k not in before]
    if len(removed) != 1 or len(added) != 1 or previous.group_by or other.group_by or \
            previous.measures != other.measures:
        return None
    old, new = removed[0], added[0]
    entity, relation = catalog.entities[previous.entity], None
    if isinstance(old, Exists) and isinstance(new, Exists) and old.relation == new.relation and not old.negate \
            and not new.negate and len(old.conds) == len(new.conds) == 1:
        relation, old_inner, new_inner = old.relation, old.conds[0], new.conds[0]
    else:
        old_inner, new_inner = old, new
    if not (isinstance(old_inner, Compare) and isinstance(new_inner, Compare) and old_inner.column == new_inner.column
            and old_inner.op == new_inner.op == "eq"):
        return None
    either = Compare(column=old_inner.column, op="in", value=[old_inner.value, new_inner.value],
                     text=f"{defined_name(old.text or old_inner.text)} or {defined_name(new.text or new_inner.text)}")
    if relation is not None:
        group = resolve_group(catalog, entity, [f"{entity.relations[relation].entity}.{either.column}"])
        either_cond: Condition = Exists(relation=relation, conds=[either.model_copy(update={"text": ""})],
                                        text=either.text)
    else:
        targets = ["@owner"] if either.column == entity.owner_column else []
        group = resolve_group(catalog, entity, targets + [f"{entity.name}.{either.column}"])
        either_cond = either
    if group is None:
        return None
    plan = previous.model_copy(deep=True)
    plan.conds = [either_cond if unworded(c) == unworded(old) else c for c in plan.conds]
    plan.group_by, plan.order_by, plan.limit = [group], [], None
    plan.measures = plan.measures or [Measure(agg="count", label="count")]
    if defined_name(old.text) != old.text:  # "open deals" beside "lost deals": deals, by status
        plan.subject = entity.plural
    return plan
