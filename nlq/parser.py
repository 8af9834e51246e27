"""The built-in semantic parser: a question in plain English → a `QueryPlan`, offline and deterministic.

The grammar is small and general; everything it knows about the CRM comes from the catalog through
the lexicon. It reads a question in passes (refusals, top-N, dates, comparisons, grouping, measures,
phrases, ownership), attaches each modifier to the entity mention it qualifies, and builds a plan.
Whatever it cannot account for makes it ask back instead of guessing.

This module is the entry point and assembles the plan; its parts live in `nlq.parsing`: `screening`
(refusals before parsing), `reading` (the passes), `conditions` (modifiers → conditions), `measures`
(aggregates, sorting, grouping), `figures` (limits on a group's figure), `follow_ups` (folding a question
into the previous plan) and `completeness` (the checks that ask back rather than answer another question).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from nlq.catalog import Catalog, Entity, Metric
from nlq.dates import STEPS, DateRange, midnight, nearest_year
from nlq.english import article
from nlq.lexer import Token, tokenize
from nlq.lexicon import entity_named
from nlq.parsing.comparing import (
    compared_with,
    keep_groups,
    periods_relative_to,
    periods_within,
    previous_period,
    side_by_side,
)
from nlq.parsing.completeness import for_all, quantified_mention, unread_problem
from nlq.parsing.conditions import (
    belongs_to_subject,
    contradiction,
    count_text,
    each_of_both,
    fits,
    modifier_conds,
    named_filter_conds,
    narrowed,
    negated_conjunction,
    nest,
    relate_through,
    relation_to,
    subject_label,
    without_repeats,
)
from nlq.parsing.figures import against_average, figure_filter, figure_limits
from nlq.parsing.follow_ups import (
    SWITCH,
    WHO_OWNS,
    carry_over,
    drop_swapped_names,
    merge_plans,
    named_of,
    pin_shown,
    recount,
    replace_conflicting,
    shown_condition,
)
from nlq.parsing.measures import apply_measures, measurable, resolve_group, sort_column
from nlq.parsing.reading import (
    SERIES_WORDS,
    correct_typos,
    named_by_adjective,
    pass_account_short_names,
    pass_adding_up,
    pass_adjective_names,
    pass_comparisons,
    pass_contact_names,
    pass_dates,
    pass_grouping,
    pass_measures,
    pass_negations,
    pass_ownership,
    pass_phrases,
    pass_sorting,
    pass_top,
    past_tense_after_did,
)
from nlq.parsing.rewording import as_their, plain_wording
from nlq.parsing.screening import (
    CHART_ONLY,
    CHART_REQUEST,
    EXPORT_ONLY,
    FILE_FORMAT,
    FILTER_REMOVAL,
    IDENTITY_CLAIM,
    SQL_REQUEST,
    SQL_START,
    SQL_SYNTAX,
    screen_question,
)
from nlq.parsing.state import Mention, Modifier, ParseContext, ParseOutcome, ParseState
from nlq.parsing.words import (
    DEFAULT_TOP_N,
    GRAMMAR_FILLER,
    GROUP_WORDS,
    column_for_valueset,
    date_column_word,
    date_end,
    title_case,
)
from nlq.plan import (
    AnyOf,
    Compare,
    Condition,
    CountOf,
    Exists,
    GroupBy,
    Measure,
    OrderBy,
    QueryPlan,
    dated_column,
)

_VAGUE = {"stuff", "things", "thing", "something", "everything", "anything", "big", "good", "best",
          "important", "interesting", "relevant", "bad", "worst", "them", "those", "ones", "it", "this",
          "that", "these", "whatever", "hot", "stuffs", "numbers", "data", "info", "details", "update",
          "status", "latest"}


# --- entry point -----------------------------------------------------------------------------------

def parse_question(question: str, ctx: ParseContext) -> ParseOutcome:
    """Understand a question, or say why not (refuse) or what is unclear (clarify)."""
    refusal = screen_question(question)
    if refusal is not None:
        return refusal
    if ctx.previous is not None and (removal := FILTER_REMOVAL.match(question.strip())) is not None:
        return _without_conditions(ctx.previous, removal.group("what"))
    if SQL_START.match(question) or (SQL_SYNTAX.search(question) and re.search(
            r"\b(select|from|where|drop|delete|insert|update)\b", question, re.IGNORECASE)):
        return ParseOutcome("planned", raw_sql=question.strip())
    if ctx.previous is not None:  # "his deals", "email her": the last answer's records, as "their", "them"
        question, two_periods = periods_relative_to(as_their(question), ctx.previous, ctx.now.date())
        if two_periods and ctx.previous.group_by:
            beside = parse_question(question, ctx)
            return replace(beside, plan=keep_groups(ctx.previous, beside.plan)) \
                if beside.status == "planned" and beside.plan is not None else beside
    if ctx.previous is not None and (other := compared_with(question)) is not None:
        # "how does it compare to Lauren's?" after Riley's pipeline: both side by side
        swapped = parse_question(other, ctx)
        beside = side_by_side(ctx.catalog, ctx.previous, swapped.plan) \
            if swapped.status == "planned" and swapped.plan is not None else None
        if beside is not None:
            return ParseOutcome("planned", plan=beside, is_follow_up=True)
        if swapped.status == "planned":  # "compare with Matthew" after every open deal: not Matthew's alone
            return ParseOutcome("clarify", code="ambiguous", message=(
                f"Compare the last answer with {other} how? I can put it beside the same answer for another value "
                "of one of its filters (after “Lauren's pipeline”: compare to Matthew's) or for the period before "
                "(after “revenue last month”: compare with the month before)."),
                suggestions=_suggestions_for_comparing(ctx.previous))
    share = _SHARE.match(question.strip())
    # "what percentage of deals are won (by rep)": the share of rows meeting a condition (in each group)
    within = _share_of(share.group("base"), share.group("verb"), share.group("part"), ctx) if share else None
    if within is not None and within.status == "planned":
        return within
    bare = _SHARE_BARE.match(question.strip())
    # "share of revenue by industry", "what % of deals are in each stage": each group's part of the whole
    if bare is not None and (of_total := _share_of_total(bare.group("rest"), ctx)) is not None:
        return of_total
    if within is not None:
        return within
    if bare is not None:  # "percentage of deals lost to competitors": the base is the shortest noun that reads
        words = bare.group("rest").split()
        for k in range(1, min(4, len(words))):
            outcome = _share_of(" ".join(words[:k]), "are", " ".join(words[k:]), ctx)
            if outcome.status == "planned":
                return outcome
    named_rows = _THE_ROWS.fullmatch(question.strip().rstrip("?.!")) if ctx.previous is not None else None
    rows_named = {entity_named(ctx.catalog, m) for m in ctx.lexicon.lookup(named_rows.group("rows").lower())} \
        if named_rows is not None else set()
    if ctx.previous is not None and named_rows is not None:
        if ctx.previous.measures and ctx.previous.entity in rows_named:
            # "show me the deals" after a count or a breakdown of deals: the rows behind it
            question = "show them as a list"
        elif not ctx.previous.measures and named_rows.group("rows").lower() in _plural_names(ctx.catalog,
                                                                                                ctx.previous.entity):
            # "who are the contacts" right after contacts: those again (was every contact)
            return ParseOutcome("planned", plan=ctx.previous, is_follow_up=True)
        elif len(rows_named - {None}) == 1 and ctx.previous.entity not in rows_named and \
                relation_to(ctx.catalog, ctx.previous.entity, next(iter(rows_named - {None}))) is not None:
            # "who are the contacts" after deals: those deals' contacts (was every contact)
            question = f"show their {named_rows.group('rows')}"
    if ctx.previous is not None and (CHART_ONLY.fullmatch(question.strip().rstrip("?.!")) or
                                     EXPORT_ONLY.fullmatch(question.strip().rstrip("?.!"))):
        # "as a chart", "plot that", "export this": the same answer again (its chart is drawn wherever the
        # figures allow; every channel offers its rows as a CSV file)
        return ParseOutcome("planned", plan=ctx.previous, is_follow_up=True)
    if ctx.previous is not None and not ctx.previous.measures and \
            (shown := _columns_asked(question, ctx, ctx.previous)) is not None:
        # "show their phone numbers", "email addresses?" after a list: the same rows with those columns
        return ParseOutcome("planned", plan=ctx.previous.model_copy(
            update={"columns": list(dict.fromkeys([*ctx.previous.columns, *shown]))}), is_follow_up=True)
    if ctx.previous is not None and _CLAUSE_FOLLOW_UP.match(question):
        return _clause_follow_up(question, ctx, ctx.previous)
    if ctx.previous is not None:  # "which have open deals" right after accounts: which of those accounts
        question = _WHICH_OF_LAST.sub("which of them ", question, count=1)
    question = periods_within(plain_wording(question), ctx.now.date())
    spoken = CHART_REQUEST.sub(" ", FILE_FORMAT.sub(" ", SQL_REQUEST.sub(" ", IDENTITY_CLAIM.sub(" ", question))))
    tokens = tokenize(spoken, ctx.catalog.abbreviations)
    if not any(t.kind == "word" for t in tokens):
        return ParseOutcome("clarify", code="empty-question",
                            message="I could not find a question there. Ask about your contacts, "
                            "accounts, deals, activities, emails or notes.",
                            suggestions=_starter_suggestions(ctx))
    _who_as_reps(tokens)
    state = ParseState(tokens=tokens, used=[False] * len(tokens), ctx=ctx)
    letters = [ch for ch in question if ch.isalpha()]
    state.shouting = len(letters) > 6 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8
    pass_contact_names(state)
    pass_account_short_names(state)
    correct_typos(state)
    past_tense_after_did(state)
    for step in _PASSES:
        step(state)
    return _build(state, question)


_COLUMNS_ASKED = re.compile(r"^\s*(?:and\s+)?(?P<lead>(?:(?:show|give|list|include|display|what\s+are|what's|what\s+is)"
                            r"(?:\s+me|\s+us)?\s+)?(?:their|its|his|her|those)\s+|(?:show|give|list|include|"
                            r"display)(?:\s+me|\s+us)?\s+(?:the\s+)?)?(?P<columns>[a-z][a-z ,-]*?)"
                            r"(?:\s+(?:too|as\s+well|also|please))?\s*[?.!]*\s*$", re.IGNORECASE)


def _columns_asked(question: str, ctx: ParseContext, previous: QueryPlan) -> list[str] | None:
    """The columns of the last answer's rows a follow-up names and nothing else ("phone numbers?", "show their
    job titles and lead scores"), or None."""
    asked = _COLUMNS_ASKED.match(question)
    if asked is None or not asked.group("lead") and not asked.group("columns").rstrip().endswith("s"):
        return None  # a bare singular ("stage") may be a grouping; "phone numbers?" asks for the column
    columns = []
    for part in re.split(r"\s*(?:,|\band\b)\s*", asked.group("columns").lower()):
        said = [part.strip(), re.sub(r"(?:(?<=ss)es|s)$", "", part.strip())]  # "email addresses": address
        found = [m.name for phrase in said for m in ctx.lexicon.lookup(phrase)
                 if m.kind == "column" and m.extra == previous.entity]
        if not part.strip() or not found:
            return None
        columns.append(found[0])
    entity = ctx.catalog.entities[previous.entity]
    if any(entity.columns.get(c) is not None and entity.columns[c].references for c in columns):
        return None  # "show their accounts": the related rows, not a column of these
    return [c for c in columns if c not in entity.display]


def _suggestions_for_comparing(previous: QueryPlan) -> list[str]:
    """Comparisons the last answer allows: its period beside the one before."""
    period = previous_period(previous)
    return [f"compare with the {period[1]} before"] if period is not None else []


def _plural_names(catalog: Catalog, entity: str) -> set[str]:
    """The plain nouns for an entity's rows ("contacts", "people"), without any qualifier."""
    record = catalog.entities[entity]
    return {record.plural} | {s for s in record.synonyms if s.endswith("s") and s != record.singular}


def _without_conditions(previous: QueryPlan, what: str) -> ParseOutcome:
    """The last answer without the conditions whose words name `what` ("remove the Texas filter"), or
    without any ("clear all filters"); asked back, listing them, when none is named so."""
    words = [w for w in re.findall(r"[a-z0-9$%]+", what.lower()) if w not in ("the", "a", "an", "all", "of", "on")]
    described = [c for c in previous.conds if c.text]
    dropped = described if not words else \
        [c for c in described if all(w in c.text.lower() for w in words)]
    if not dropped:
        listed = "; ".join(c.text for c in described) or "none"
        return ParseOutcome("clarify", code="ambiguous", suggestions=[f"remove the {c.text} filter" for c in described][:3],
                            message=f"Which condition should go? The last answer's are: {listed}.")
    plan = previous.model_copy(deep=True)
    plan.conds = [c for c in plan.conds if c not in dropped]
    if any(c.text in plan.definitions for c in dropped):
        plan.subject = None  # "open deals" without their definition are deals
    plan.definitions = [d for d in plan.definitions if d not in {c.text for c in dropped}]
    return ParseOutcome("planned", plan=plan, is_follow_up=True)


_THE_ROWS = re.compile(r"(?:(?:show|list|give|get|see|display|pull up)(?:\s+me|\s+us)?\s+|(?:who|what|which)(?:\s+(?:are|were|is|was)|"
                       r"['’]s)\s+)?(?:all\s+)?(?:the|those|these)\s+(?:main\s+|primary\s+|key\s+)?"
                       r"(?P<rows>[a-z][a-z ]*?)(?:\s+please)?", re.IGNORECASE)


_WHICH_OF_LAST = re.compile(r"^\s*which\s+(?=(?:have|has|had|are|is|were|was|did|do|does)\b)", re.IGNORECASE)
# A follow-up that is the rest of a sentence about the last rows: "with deals over $10,000",
# "without any activity this month", "whose amount is over 50k", "that have more than 3 contacts".
# ("who has the most" is a question of its own, not a clause.)
_CLAUSE_FOLLOW_UP = re.compile(r"^\s*(and\s+)?(with|without|whose|where|having|that\s+(have|has|had|are|is)|except|"
                               r"excluding|other\s+than|but\s+not)\b", re.IGNORECASE)


def _clause_follow_up(question: str, ctx: ParseContext, previous: QueryPlan) -> ParseOutcome:
    """Read the clause after the last answer's record type ("contacts with deals over $10,000"), then keep
    the last answer's filters, figures and groups with the clause's conditions added."""
    clause = re.sub(r"^\s*and\s+", "", question, flags=re.IGNORECASE)
    outcome = parse_question(f"{ctx.catalog.entities[previous.entity].plural} {clause}",
                             replace(ctx, previous=None))
    if outcome.status != "planned" or outcome.plan is None:
        return outcome
    if outcome.plan.entity != previous.entity:
        # "accounts in software" → "with the most contacts": contacts counted by account, among those accounts
        # (were every account's)
        path = relation_to(ctx.catalog, outcome.plan.entity, previous.entity)
        if path is None or not previous.conds or not outcome.plan.group_by:
            return outcome
        plan = outcome.plan.model_copy(deep=True)
        plan.conds.append(nest(path, previous.conds, negate=False,
                               text=f"of the {previous.subject or previous.entity} {_ASKED_BEFORE}"))
        return ParseOutcome("planned", plan=plan, is_follow_up=True)
    return ParseOutcome("planned", plan=merge_plans(previous, outcome.plan), is_follow_up=True)


_SHARE = re.compile(
    r"^(?:what|which)?\s*(?:is\s+the\s+|'s\s+the\s+)?(?:percentage|percent|share|proportion|fraction|ratio|%)\s+of\s+"
    r"(?P<base>.+?)\s+(?P<verb>are|is|were|was|have|has|had|got|did|came|comes|come)\s+(?P<part>.+?)\s*\??$",
    re.IGNORECASE)


_SHARE_BARE = re.compile(
    r"^(?:what|which)?\s*(?:is\s+the\s+|'s\s+the\s+)?(?:percentage|percent|share|proportion|fraction|%)\s+of\s+"
    r"(?P<rest>.+?)\s*\??$", re.IGNORECASE)


def _share_of_total(rest: str, ctx: ParseContext) -> ParseOutcome | None:
    """'share of revenue by industry', 'what % of deals are in each stage': a figure by group, each group's
    part of the whole; None when the rest is no single figure by group (a share of rows is read next)."""
    outcome = parse_question(re.sub(r"^(.+?)\s+(?:comes?|came)\s+from\s+", r"\1 by ", rest, flags=re.IGNORECASE), ctx)
    plan = outcome.plan
    if outcome.status != "planned" or plan is None or len(plan.measures) != 1 or not plan.group_by or \
            plan.measures[0].agg == "share" or plan.having:
        return None
    plan = plan.model_copy(deep=True)
    plan.measures = [plan.measures[0].model_copy(update={"of_total": True, "label": "share"})]
    return ParseOutcome("planned", plan=plan)


def _share_of(base_text: str, verb: str, part: str, ctx: ParseContext) -> ParseOutcome:
    """'what percentage of deals are won': the rows of the first part, and the share of them that also meet
    the second — both parts read by the same parser, the share being what the second adds."""
    base = parse_question(base_text, ctx)
    whole = parse_question(f"{base_text} that {verb} {part}", ctx)
    if base.status != "planned" or base.plan is None:
        return base
    if whole.status != "planned" or whole.plan is None:
        return whole
    plan, extra = base.plan, whole.plan
    keys = {c.model_dump_json() for c in plan.conds}
    added = [c for c in extra.conds if c.model_dump_json() not in keys]
    # "what percentage of my pipeline is in negotiation": the part of a total held by some of its rows
    summed = _summed_column(ctx.catalog, plan) if len(plan.measures) == 1 and not plan.group_by else None
    whole_measured = extra.measures and not extra.group_by and (summed is None or extra.measures != plan.measures)
    if extra.entity != plan.entity or not added or (plan.measures and summed is None) or whole_measured:
        return ParseOutcome("clarify", code="ambiguous", message=f"A share of {base_text} that are what? For example: "
                            f"what percentage of deals are won.", suggestions=["what percentage of deals are won"])
    plan = plan.model_copy(deep=True)
    plan.measures = [Measure(agg="share", column=summed, conds=added,
                             label=f"share of {plan.subject}" if summed else "share")]
    plan.group_by, plan.order_by, plan.limit = extra.group_by, [], None
    plan.definitions = list(dict.fromkeys(plan.definitions + extra.definitions))
    return ParseOutcome("planned", plan=plan)


def _summed_column(catalog: Catalog, plan: QueryPlan) -> str | None:
    """The column a plan's one figure adds up ("pipeline value" sums the amount), or None for any other figure."""
    measure = plan.measures[0]
    if measure.agg == "sum":
        return measure.column
    metric = catalog.metrics.get(measure.metric or "") if measure.agg == "metric" else None
    return metric.summed_column if metric is not None and metric.entity == plan.entity else None


# --- assembling the plan -----------------------------------------------------------------------------

def _pass_versus(state: ParseState) -> None:
    """'won vs lost deals this year', 'deals in negotiation versus proposal', 'customers vs leads': two values
    of one field side by side — rows with either value, counted per value. Anything else around "vs" is
    asked back rather than read as both at once."""
    w = state.words
    _compare_people(state)
    _values_joined(state)
    _periods_joined(state)
    spots = [i for i, word in enumerate(w) if word in ("vs", "versus", "v")
             or (word == "compared" and i + 1 < len(w) and w[i + 1] in ("to", "with"))]
    if not spots:
        return
    catalog = state.ctx.catalog
    for spot in spots:
        after = spot + (2 if w[spot] == "compared" else 1)
        if _periods_side_by_side(state, spot, after):
            continue
        left, right = _side_at(state, end=spot), _side_at(state, start=after)
        if left is None or right is None:
            state.ambiguous.append("Compare what with what? I can put two values of one field side by side, "
                                   "for example: won vs lost deals this year, deals in negotiation vs proposal, "
                                   "or revenue this month vs last month.")
            return
        left_values, right_values = _as_values(catalog, left), _as_values(catalog, right)
        shared = set(left_values[0]) & set(right_values[0]) if left_values and right_values else set()
        if not shared or left_values is None or right_values is None:
            state.ambiguous.append("I can compare two values of one field, for example: won vs lost deals this "
                                   "year. Ask about each of these separately.")
            return
        _named_as_values(state, ((left, left_values), (right, right_values)))
        state.group_words.append((spot, [_field_of(catalog, sorted(shared)[0])]))
        state.measure = state.measure or "count"
        state.take(spot, after)
    _one_subject_per_entity(state)
    for i, word in enumerate(w):
        if word in ("compare", "comparing", "comparison"):
            state.take(i, i + 1)


def _named_as_values(state: ParseState,
                     sides: tuple[tuple[Modifier | Mention, tuple[list[str], list[Modifier]]], ...]) -> None:
    """'lost deals' beside 'won': the deals, and 'lost' as one of the values of the field."""
    catalog = state.ctx.catalog
    for side, (_sets, mods) in sides:
        if isinstance(side, Mention) and side.named:
            index = state.mentions.index(side)
            state.mentions[index] = Mention(side.pos, side.end, side.entity,
                                            phrase=catalog.entities[side.entity].plural)
            state.modifiers += mods


def _field_of(catalog: Catalog, valueset: str) -> str:
    """The group target of a value set: '@stage', or the 'entity.column' that holds its values."""
    return valueset if valueset.startswith("@") else next(
        f"{e.name}.{c.name}" for e in catalog.entities.values() for c in e.columns.values() if c.valueset == valueset)


def _one_subject_per_entity(state: ParseState) -> None:
    """Two mentions of the same rows ("customers vs leads", "won and lost deals") are one subject: the first."""
    firsts: dict[str, Mention] = {}
    for mention in state.mentions:
        firsts.setdefault(mention.entity, mention)
    state.mentions = list(firsts.values())


def _values_joined(state: ParseState) -> None:
    """'won and lost deals', 'won or lost deals', 'customers and leads': a named group beside another value of
    its field is one list of values (counted, each value on its own row), not two conditions that cannot both
    hold. (Plain values — "in Texas and California" — are one list already.)"""
    catalog = state.ctx.catalog
    for k, word in enumerate(state.words):
        if word not in ("and", "or") or state.used[k]:
            continue
        left, right = _side_at(state, end=k), _side_at(state, start=k + 1)
        if left is None or right is None:
            continue
        # "calls and meetings": nouns that are values of one field ("calls" = activities of type call)
        nouns = [next((m for m in state.mentions if m.pos == s.pos and not m.named), None) for s in (left, right)]
        two_nouns = nouns[0] is not None and nouns[1] is not None and nouns[0].entity == nouns[1].entity
        if not two_nouns and not any(isinstance(s, Mention) and s.named for s in (left, right)):
            continue
        related = [m for m in state.mentions if isinstance(left, Mention) and m.pos < left.pos
                   and m.entity != left.entity]
        if word == "and" and related:
            continue  # "accounts with won deals and lost deals": both kinds are there (each its own condition)
        left_values, right_values = _as_values(catalog, left), _as_values(catalog, right)
        shared = set(left_values[0]) & set(right_values[0]) if left_values and right_values else set()
        if not shared or left_values is None or right_values is None:
            continue
        _named_as_values(state, ((left, left_values), (right, right_values)))
        if state.measure == "count" and not state.group_words:  # "how many won and lost deals": each apart
            state.group_words.append((k, [_field_of(catalog, sorted(shared)[0])]))
        state.take(k, k + 1)
        _one_subject_per_entity(state)


def _compare_people(state: ParseState) -> None:
    """'compare Lauren and Matthew by revenue', 'who has more pipeline, Lauren or Matthew': each of the people
    (or teams) named, side by side."""
    w = state.words
    for i, word in enumerate(w):
        which_more = word in _MORE_WORDS and "than" not in w[i + 1:]
        if word not in ("compare", "comparing", "comparison") and not which_more:
            continue
        for kind, target in (("user", "@owner"), ("team", "@team")):
            if sum(m.kind == kind for m in state.modifiers) >= 2:
                state.take(i, i + 1)
                if not any(g == [target] for _p, g in state.group_words):
                    state.group_words.append((i, [target]))
                state.measure = state.measure or "count"
                state.side_by_side = which_more


_MORE_WORDS = frozenset({"more", "less", "fewer", "higher", "lower", "bigger", "larger", "better", "worse"})
_PERIOD_GRAINS = {"week": "@week", "month": "@month", "quarter": "@quarter", "year": "@year"}


def _periods_side_by_side(state: ParseState, spot: int, after: int) -> bool:
    """'revenue this month vs last month': one span over both periods, grouped by their grain (two rows);
    periods apart ('this quarter vs the same quarter last year') keep only their own rows."""
    dates = [m for m in state.modifiers if m.kind == "date" and not m.data.get("negate")]
    left = next((m for m in dates if date_end(state, m) == spot), None)
    right = next((m for m in dates if m.pos == after), None)
    if left is not None and right is None and state.word(after) in ("last", "previous", "prior") and \
            after + 1 == len(state.tokens) and left.data["range"].grain in _PERIOD_GRAINS and \
            left.data["range"].start is not None and left.data["range"].end is not None:
        # "revenue this month vs last": the period before, of the same grain
        rng, step = left.data["range"], STEPS[left.data["range"].grain]
        right = Modifier(after, "date", {"range": DateRange(rng.start - step, rng.end - step,
                                                            f"the {rng.grain} before", grain=rng.grain),
                                         "negate": False, "column_pos": None}, after + 1)
        state.modifiers.append(right)
        after += 1
    if left is None and right is not None and dates == [right] and state.word(after) in ("last", "previous", "prior") \
            and right.data["range"].grain in _PERIOD_GRAINS and right.data["range"].start is not None and \
            right.data["range"].end is not None:
        # "revenue vs last quarter": this one beside the one before
        rng, step = right.data["range"], STEPS[right.data["range"].grain]
        left = Modifier(spot, "date", {"range": DateRange(rng.start + step, rng.end + step, f"this {rng.grain}",
                                                          grain=rng.grain), "negate": False, "column_pos": None},
                        spot)
        state.modifiers.append(left)
    if left is None or right is None:
        return False
    first, second = left.data["range"], right.data["range"]
    if second.year_ago and first.grain and first.start is not None and first.end is not None:
        # "this time last year" beside a period: that period, a year back
        second = DateRange(first.start - relativedelta(years=1), first.end - relativedelta(years=1),
                           f"the same {first.grain} last year", grain=first.grain)
    grains = {rng.grain or rng.phrase.split()[-1] for rng in (first, second)}
    if len(grains) != 1 or next(iter(grains)) not in _PERIOD_GRAINS or None in (first.start, first.end,
                                                                                 second.start, second.end):
        return False
    _join_periods(state, left, right, first, second, "and")
    state.group_words.append((spot, [_PERIOD_GRAINS[next(iter(grains))]]))
    state.take(spot, after)
    return True


def _join_periods(state: ParseState, left: Modifier, right: Modifier, first: DateRange, second: DateRange,
                  joiner: str) -> None:
    """One date modifier (`left`) spanning both periods; periods apart keep only their own rows (`parts`)."""
    # (a period named without its year takes the year nearest the other's: "Q4 2025 vs Q3" is Q3 2025; two
    # such periods keep this year's for now, moved back together when what they date lies in the past)
    if first.implicit_year and not second.implicit_year:
        first = nearest_year(first, second)
    elif second.implicit_year and not first.implicit_year:
        second = nearest_year(second, first)
    assert first.start and first.end and second.start and second.end
    apart = first.end != second.start and second.end != first.start
    span = DateRange(min(first.start, second.start), max(first.end, second.end),
                     f"{first.phrase} {joiner} {second.phrase}", "period",
                     parts=((first.start, first.end), (second.start, second.end)) if apart else (),
                     implicit_year=first.implicit_year and second.implicit_year)
    left.data = {**left.data, "range": span}
    state.modifiers.remove(right)


def _periods_joined(state: ParseState) -> None:
    """'deals won in 2024 and 2025', 'contacts created in March or April': no row is dated in both, so two
    periods joined by "and" or "or" mean either — one span (only the periods' own rows when they lie apart),
    a total over both, not a comparison ("vs" puts them side by side)."""
    dates = [m for m in state.modifiers if m.kind == "date" and not m.data.get("negate")]
    for left in dates:
        spot = date_end(state, left)
        if state.word(spot) not in ("and", "or") or state.used[spot] and state.word(spot) != "and":
            continue
        k = spot + 1
        while state.word(k) in ("in", "during", "for", "the"):
            k += 1
        right = next((m for m in dates if m.pos == k and m is not left and m in state.modifiers), None)
        if right is None or left not in state.modifiers:
            continue
        first, second = left.data["range"], right.data["range"]
        if None in (first.start, first.end, second.start, second.end) or first.parts or second.parts or \
                right.data.get("column_pos") not in (None, left.data.get("column_pos")):
            continue
        _join_periods(state, left, right, first, second, state.word(spot))
        state.take(spot, spot + 1)


def _side_at(state: ParseState, *, start: int | None = None, end: int | None = None) -> Modifier | Mention | None:
    """The value, stage or named mention that ends right before (or starts right after) a "vs"."""
    items: list[Modifier | Mention] = [m for m in state.modifiers if m.kind in ("value", "stage", "user", "team")]
    items += [m for m in state.mentions if m.named]
    for item in items:
        if (start is not None and item.pos == start) or (end is not None and item.end == end):
            return item
    return None


def _as_values(catalog: Catalog, side: Modifier | Mention) -> tuple[list[str], list[Modifier]] | None:
    """The value sets a side's values belong to, and (for a named mention) the value modifiers it stands for."""
    if isinstance(side, Modifier):
        if side.kind in ("stage", "user", "team"):  # "Lauren vs Matthew": by rep
            return [{"stage": "@stage", "user": "@owner", "team": "@team"}[side.kind]], []
        sets = [vs for vs, _v in side.data["options"]]
        return sets + (["@stage"] if side.data.get("stage") else []), []
    named = catalog.named_filters[side.named or ""]
    if len(named.where) != 1 or "column" not in named.where[0]:
        return None
    spec = named.where[0]
    column = catalog.entities[named.entity].columns.get(spec["column"])
    if column is None or column.valueset is None or spec["op"] not in ("eq", "in"):
        return None
    values = spec["value"] if spec["op"] == "in" else [spec["value"]]
    mods = [Modifier(side.pos, "value", {"options": [(column.valueset, str(v))], "phrase": str(v)}, side.end)
            for v in values]
    return [column.valueset], mods


_PASSES = (pass_top, pass_dates, pass_comparisons, pass_sorting, pass_grouping, pass_ownership,
           pass_adding_up, pass_phrases, pass_adjective_names, pass_measures, pass_negations, _pass_versus)


def _build(state: ParseState, question: str) -> ParseOutcome:
    ctx = state.ctx
    catalog = ctx.catalog
    # a dating verb with no period after it says nothing more ("how much revenue did we book"), nor does a
    # size word next to a figure ("big deals over 100k")
    sized = any(m.kind == "compare" for m in state.modifiers)
    leftovers = [t for k, t in enumerate(state.tokens) if not state.used[k] and t.kind == "word"
                 and t.text not in catalog.filler and t.text not in GRAMMAR_FILLER
                 and date_column_word(catalog, t.text) is None and not (sized and t.text in _SIZE_WORDS)]
    follow_up = ctx.previous is not None and _looks_like_follow_up(state, question)
    untracked = _not_recorded(state, leftovers)
    if untracked is not None and (state.mentions or not _asks_for_unknown_data(state, leftovers)):
        return untracked  # ("show me the invoices table" is refused as data the CRM does not hold)
    if (two := _two_questions(state)) is not None:
        return two
    if state.unknown:
        return _not_supported(state)
    if ctx.previous is not None and state.superlative is not None and len(state.mentions) == 1 and \
            _names_a_group_of(state, state.mentions[0], ctx.previous):
        # "which rep has the least" after a figure by rep: the noun names those groups, not new rows
        _names_groups(state, state.mentions.pop())
        rows = catalog.entities[ctx.previous.entity]
        if state.measure is None and any(m.kind == "column" and any(e == rows.name and measurable(rows, c)
                                                                     for e, c in m.data["columns"])
                                         for m in state.modifiers):
            state.measure = "sum"  # "which stage has the most value" after deals by stage: their total amount
        return _read_in_full(state, _refine(state, ctx.previous, leftovers, question))
    if not state.mentions:
        if follow_up and ctx.previous is not None:
            return _read_in_full(state, _refine(state, ctx.previous, leftovers, question))
        if leftovers:
            if _asks_for_unknown_data(state, leftovers):
                return ParseOutcome("refuse", code="unknown-subject",
                                    message=f"I don't have data about '{' '.join(t.original for t in leftovers)}'. "
                                            f"I can answer questions about {_entity_list(catalog)}.")
            return _clarify(state, leftovers, "I'm not sure what you want to see.")
        inferred = _infer_subject(state)
        if inferred is None:
            if state.modifiers or state.measure:
                return _clarify(state, [], "What would you like to see: contacts, accounts, deals, activities?")
            return _clarify(state, [], "I didn't catch what you're asking about.")
        state.mentions.append(inferred)
    if leftovers:
        return _clarify(state, leftovers, "")
    return _read_in_full(state, _assemble(state, follow_up))


def _read_in_full(state: ParseState, outcome: ParseOutcome) -> ParseOutcome:
    """A plan is answered only when no word the readings left aside would make it answer another question."""
    if outcome.status != "planned":
        return outcome
    every = quantified_mention(state)
    if every is not None and outcome.plan is not None:
        universal = for_all(state, outcome.plan, every)
        if universal is not None:  # "accounts where all deals are won": some deals, and none that are not won
            outcome = replace(outcome, plan=universal)
            every = None
    problem = unread_problem(state, every)
    if problem is None:
        return outcome
    code, message = problem
    return ParseOutcome("clarify", code=code, message=message, suggestions=_suggestions(state))


def _names_rows_of(catalog: Catalog, mention: Mention, metric: Metric) -> bool:
    """'the weighted value of my pipeline': a second figure over the same rows names those rows, not another
    figure (pipeline value and weighted pipeline both sum open deals)."""
    other = catalog.metrics[mention.metric or ""]
    return other.entity == metric.entity and other.where == metric.where


_CONTACT_VERBS = frozenset({"reply", "replied", "respond", "responded", "answer", "answered", "opened"})
_DONE_TO_CONTACTS = frozenset({"contacted", "emailed", "called", "reached", "touched", "phoned", "met"})


def _who_as_reps(tokens: list[Token]) -> None:
    """'who has no open deals', 'who on my team hasn't logged a call this week': "who" asks for reps. (Without
    a negation "who" may ask for a record's owner or rank reps; those readings stay as they are.)"""
    words = [t.text for t in tokens]
    if words[:1] == ["who"] and {"not", "no", "never", "without", "none"} & set(words) and \
            not {"owns", "owned", "manages", "handles"} & set(words):
        # ("who hasn't replied to my emails": what contacts do to e-mails asks for contacts, as does what is
        # done to them: "who hasn't been contacted in 30 days")
        passive = any(w == "been" and words[k + 1:k + 2] and words[k + 1] in _DONE_TO_CONTACTS
                      for k, w in enumerate(words))
        tokens[0].text = "contacts" if _CONTACT_VERBS & set(words) or passive else "reps"
    for k, word in enumerate(words):
        # "how many people are on my team", "members of the West team": a team's people are its reps
        if word in ("people", "members", "folks", "persons") and "team" in words[k + 1:k + 5] and \
                {"on", "in", "of"} & set(words[k + 1:k + 4]):
            tokens[k].text = "reps"


_HOLDING_WORDS = frozenset({"with", "without", "that", "which", "have", "has", "had", "having", "no", "any"})


def _right_after(state: ParseState, noun: Mention, mod: Modifier) -> bool:
    """Whether a modifier follows a noun directly, or past more values joined to it ("calls and meetings
    this week": the period is the activities')."""
    k = noun.end
    while k < mod.pos and (state.word(k) in ("and", "or", ",") or
                           any(o.kind == "value" and o.pos <= k < o.end for o in state.modifiers)):
        k += 1
    return k == mod.pos


def _end_of_adjectives(state: ParseState, mod: Modifier) -> int:
    """Where the noun after a value stands when more values of the same field are joined to it by "or" or
    "and" ("won or lost deals": either kind of deal): past them all; else right after the value. ("accounts
    with open and won deals" have both kinds: `each_of_both` gives each value its own related row.)"""
    if mod.kind != "value":
        return mod.end
    fields = {vs for vs, _v in mod.data["options"]}
    k = mod.end
    while state.word(k) in ("or", ",", "and"):
        nxt = next((o for o in state.modifiers if o.kind == "value" and o.pos == k + 1 and
                    fields & {vs for vs, _v in o.data["options"]}), None)
        if nxt is None:
            break
        k = nxt.end
    return k


def _joined_definition(state: ParseState, mention: Mention, mentions: list[Mention]) -> Mention | None:
    """The definition of the same rows joined to this one by "or" / "and" alone ("VPs or directors",
    "VPs and directors": either kind of person)."""
    for other in mentions:
        between = state.words[other.end:mention.pos]
        if other is not mention and other.named and other.entity == mention.entity and not other.negated and \
                between and set(between) <= {"or", "and", ","}:
            return other
    return None


def _held_by_previous(state: ParseState, main: Mention, mentions: list[Mention]) -> dict[int, Mention]:
    """Mentions that qualify the to-one record named right before them ("contacts at accounts without open
    deals": the accounts' deals), keyed by id."""
    catalog = state.ctx.catalog
    ordered = sorted(mentions, key=lambda m: m.pos)
    held: dict[int, Mention] = {}
    for before, m in zip(ordered, ordered[1:], strict=False):
        if before is main or m is main or before.negated or before.named:
            continue
        outer = relation_to(catalog, main.entity, before.entity)
        inner = relation_to(catalog, before.entity, m.entity)
        if outer is None or inner is None or "." in inner or before.entity == m.entity:
            continue
        to_one = "." in outer or catalog.entities[main.entity].relations[outer].remote == "id"
        to_many = catalog.entities[before.entity].relations[inner].remote != "id"
        between = range(before.end, m.pos)
        if to_one and to_many and between and state.word(between[0]) in _HOLDING_WORDS and \
                all(state.word(k) in _HOLDING_WORDS or state.used[k] for k in between):
            held[id(m)] = before
    return held


def _definition_conds(state: ParseState, mention: Mention, definitions: list[str]) -> list[Condition]:
    """A related named group's own conditions ("open deals": status open), its definition listed for the answer."""
    if not mention.named:
        return []
    named = state.ctx.catalog.named_filters[mention.named]
    definitions.append(named.definition)
    return named_filter_conds(named.where, state.ctx, state.ctx.catalog.entities[mention.entity], named.definition)


def _not_supported(state: ParseState) -> ParseOutcome:
    """A figure the grammar reads but the plans cannot compute: say so rather than answer another one."""
    return ParseOutcome("clarify", code="not-supported",
                        message=f"I can't compute {state.unknown[0]} yet. I can give averages, totals, "
                        f"counts and comparisons with a number, for example:",
                        suggestions=_suggestions(state))


def _qualified(details: str) -> str:
    """What a related record is qualified by, as it reads after its noun: "with amount over $10,000",
    "in the Renewals pipeline", "created in the last 30 days" (a place, a stage or a date needs no "with")."""
    if not details:
        return ""
    return f" {details}" if details.split(" ", 1)[0] in _READS_AFTER_A_NOUN else f" with {details}"


_READS_AFTER_A_NOUN = frozenset({"in", "at", "on", "from", "owned", "not", "created", "closed", "sent", "due",
                                 "completed", "logged", "opened", "replied", "clicked", "contacted", "last"})


def _measured_on_related_rows(state: ParseState, subject: Mention) -> None:
    """'which rep has the highest total amount', 'top stages by total amount', 'which stage has the most value':
    a figure of a column the subject does not have is the total of its related rows' column ("amount" is
    the deals'), grouped by the subject and ranked — never a count of the subject's rows."""
    catalog = state.ctx.catalog
    ranked = state.most or state.superlative is not None or state.limit is not None
    if subject.metric is not None or not ranked or state.measure == "count":
        return
    found: tuple[int, str, str] | None = None  # (position, entity, column)
    for mod in state.modifiers:
        if mod.kind == "column" and mod.pos > subject.pos:
            owners = {e for e, _c in mod.data["columns"]}
            if subject.entity not in owners and len(mod.data["columns"]) == 1:
                found = (mod.pos, *mod.data["columns"][0])
    if found is None and not state.measure:
        return
    for k, (pos, words) in enumerate(state.group_words):
        # "top stages by total amount": by a figure of the deals, not grouped by each amount
        if found is None and pos > subject.pos and len(words) == 1 and "." in words[0] and \
                not words[0].startswith(subject.entity + "."):
            entity_name, column = words[0].split(".", 1)
            found = (pos, entity_name, column)
            del state.group_words[k]
            break
    if found is None:
        return
    pos, entity_name, column = found
    entity = catalog.entities.get(entity_name)
    if entity is None or not measurable(entity, column) or relation_to(catalog, entity_name, subject.entity) is None:
        return
    state.most = True
    state.measure = state.measure or "sum"
    if not any(m.entity == entity_name for m in state.mentions[1:]):
        state.mentions.insert(1, Mention(pos, pos, entity_name, phrase=entity.plural))


def _names_groups(state: ParseState, noun: Mention) -> None:
    """A noun that names the groups ("which rep has …") is not also a value ("role rep")."""
    state.modifiers = [m for m in state.modifiers if not noun.pos <= m.pos < noun.end]


def _names_a_group_of(state: ParseState, mention: Mention, previous: QueryPlan) -> bool:
    """Whether a noun ("rep", "stage", "source") names one of the previous answer's groups."""
    words = GROUP_WORDS.get(mention.phrase) or GROUP_WORDS.get(mention.phrase.rstrip("s"))
    if not words or not previous.group_by:
        return False
    group = resolve_group(state.ctx.catalog, state.ctx.catalog.entities[previous.entity], words, None)
    return group is not None and any((g.column, g.relation, g.grain) == (group.column, group.relation, group.grain)
                                     for g in previous.group_by)


_SIZE_WORDS = frozenset({"big", "bigger", "large", "larger", "huge", "sizable", "sizeable", "small", "smaller", "tiny"})
_LIST_VERBS = {"show", "list", "give", "get", "pull", "find", "display", "export", "fetch", "see"}


def _asks_for_unknown_data(state: ParseState, leftovers: list[Token]) -> bool:
    """'show me the invoices table', 'list all tickets': a request for data the CRM does not hold."""
    words = set(state.words)
    if words & {"table", "tables", "database", "schema", "column", "columns"}:
        return True
    if any(t.text in _VAGUE for t in leftovers) or len(leftovers) > 2:
        return False
    return bool(words & _LIST_VERBS) and any(t.text.endswith("s") and len(t.text) > 3 for t in leftovers)


def _infer_subject(state: ParseState) -> Mention | None:
    """With no noun, a value or date column that belongs to one entity names it:
    "what's in negotiation" → deals, "how many subscribers" → contacts, "what's closing" → deals,
    "the average lead score" → contacts."""
    catalog = state.ctx.catalog
    candidates: list[str] = []
    for mod in sorted(state.modifiers, key=lambda m: m.pos):
        if mod.kind in ("stage", "pipeline"):
            candidates.append("deals")
        elif mod.kind == "contact":
            candidates.append("contacts")
        elif mod.kind == "account":
            candidates.append("accounts")
        elif mod.kind == "value":
            owners = {e.name for e in catalog.entities.values() for vs, _v in mod.data["options"]
                      if column_for_valueset(e, vs)}
            if len(owners) == 1:
                candidates.append(owners.pop())
        elif mod.kind == "event":
            candidates += [ent for ent, _c in mod.data["columns"]][:1]
        elif mod.kind == "column" and any(m.kind == "user" for m in state.modifiers) and \
                any(ent == "users" for ent, _c in mod.data["columns"]):
            candidates.append("users")  # "Lauren's email address": the rep's own column
        elif mod.kind == "column" and (state.measure is not None or state.superlative is not None):
            # "the average lead score": a figure of a column that only one entity has
            owners = {ent for ent, _c in mod.data["columns"] if ent not in ("users", "teams")}
            if len(owners) == 1:
                candidates.append(owners.pop())
        elif mod.kind == "date" and mod.data.get("column_pos") is not None:
            hint = (date_column_word(state.ctx.catalog, state.word(mod.data["column_pos"])) or "")
            owners = {e.name for e in catalog.entities.values()
                      if hint in e.columns and e.name not in ("users", "teams")}
            if hint == "close_date":
                owners = {"deals"}
            if len(owners) == 1:
                candidates.append(owners.pop())
    for _pos, targets in state.group_words:
        for target in targets:
            if not target.startswith("@"):
                candidates.append(target.split(".", 1)[0])
    if not candidates and "who" in state.words and any(m.kind == "owner" and m.data["scope"] == "team"
                                                       for m in state.modifiers):
        candidates.append("users")
    if not candidates:
        return None
    entity = catalog.entities[candidates[0]]
    return Mention(-1, -1, entity.name, phrase=entity.plural)


def _looks_like_follow_up(state: ParseState, question: str) -> bool:
    text = question.strip().lower()
    starters = ("only", "just", "and ", "what about", "how about", "now ", "also", "of those", "of them",
                "those", "them", "same", "but ", "filter", "exclude", "sort", "order", "how many are",
                "how many of", "show only", "limit", "restrict", "narrow", "group", "break", "which of",
                "then ", "ok ", "okay", "and,", "instead", "what if")
    if text.startswith(starters):
        return True
    if not state.mentions:
        return True
    pronouns = {"ones", "it", "him", "her"}
    return (bool(pronouns & set(state.words)) or _refers_back(state.words)) and len(state.mentions) <= 1


_HOLDERS = frozenset({"contacts", "accounts", "users", "deals"})  # records that hold activities, emails, notes, …
_ACTIONS = frozenset({"emails", "activities", "notes"})  # records someone does: sent, logged, written
_GROUP_QUALIFIERS = frozenset({"with", "whose", "that", "having", "where", "by"})
NEW_WINDOW_DAYS = 30


def _new_means_recent(state: ParseState, subject: Mention) -> None:
    """'new deals', 'new customers' with no period said: created in the last 30 days (the answer says so),
    never every row; so are the related rows of "revenue from new customers" (the period there is theirs)."""
    today = state.ctx.now.date()
    for mention in state.mentions:
        k = mention.pos - 1
        if k < 0 or state.word(k) != "new" or mention.negated or \
                mention is subject and any(m.kind == "date" for m in state.modifiers) or \
                not state.ctx.catalog.entities[mention.entity].has("created_at"):
            continue
        rng = DateRange(midnight(today - timedelta(days=NEW_WINDOW_DAYS)), None, f"the last {NEW_WINDOW_DAYS} days",
                        "rolling", upto_now=True)
        # (the word is no column of its own: "accounts with new deals" is not "accounts with a creation date")
        state.modifiers = [m for m in state.modifiers if not (m.kind == "column" and m.pos <= k < m.end)]
        state.modifiers.append(Modifier(k, "date", {"range": rng, "negate": False, "column_pos": k,
                                                    "adjective": mention is not subject}, k + 1))
        state.used[k] = True


def _direction_of_emails(state: ParseState, plan: QueryPlan, mentions: list[Mention]) -> None:
    """'emails from customers' are the ones they sent us (inbound), 'emails to customers' ours (outbound)."""
    if plan.entity != "emails" or any(isinstance(c, Compare) and c.column == "direction" for c in plan.conds):
        return
    # a person named ("emails from Jacob Green") reads as contacts described ("from Cobalt Materials" is any
    # e-mail with that account's people)
    starts = [m.pos for m in mentions if m.entity == "contacts" and not m.negated] + \
        [mod.pos for mod in state.modifiers if mod.kind == "contact"]
    for pos in sorted(starts):
        direction = {"from": "inbound", "to": "outbound"}.get(state.word(pos - 1)) if pos > 0 else None
        if direction is not None:
            plan.conds.append(Compare(column="direction", op="eq", value=direction, text=f"direction {direction}"))
            return


_LAST_ROWS = frozenset({"them", "those", "these", "ones"})
_HAVING = frozenset({"have", "has", "had", "having", "with", "without", "that", "who", "which"})


_ASKED_BEFORE = "asked about before"  # how a condition on the last answer's records reads


def _held_by_earlier_rows(catalog: Catalog, entity: Entity, plan: QueryPlan) -> str | None:
    """The to-one relation a figure reaches the last answer's records through ("contacts of the accounts
    asked about before": account), when its rows were nested under them."""
    for cond in plan.conds:
        if isinstance(cond, Exists) and not cond.negate and cond.text.endswith(_ASKED_BEFORE) and \
                cond.relation in entity.relations and entity.relations[cond.relation].remote == "id":
            return cond.relation
    return None


def _narrows(state: ParseState) -> bool:
    """"which are overdue" after tasks due this week: those of them, so both periods hold ("what about
    last week" swaps the period instead)."""
    return state.words[:1] == ["which"]


def _refers_back(words: list[str]) -> bool:
    """Whether the question points at the last answer's records: "their", "them", "those", or a "there"
    that is a place ("the contacts there"), not "are there any …"."""
    if {"their", "them", "those", "these", "they", "its", "it"} & set(words):
        return True
    return any(w == "there" and words[k - 1:k] not in (["are"], ["is"], ["were"], ["was"]) and
               words[k + 1:k + 2] not in (["are"], ["is"], ["any"], ["were"], ["was"]) for k, w in enumerate(words))


def _people_in_view(state: ParseState, plan: QueryPlan) -> None:
    """"Which reps have no open deals" asked by a manager is about their team: another team's deals are out
    of sight, so its reps would read as having none. A lack (or a count) of records is asked of the people
    whose records the asker sees; naming people ("reps on the West team", "Lauren") keeps them."""
    ctx = state.ctx
    if plan.entity != "users" or ctx.actor_role == "admin" or \
            any(isinstance(c, Compare) and c.column in ("id", "team_id") for c in plan.conds):
        return
    if any(isinstance(c, CountOf) or isinstance(c, Exists) and c.negate for c in plan.conds):
        plan.conds.append(Compare(column="team_id", op="eq", value=ctx.actor_team_id, text="on my team")
                          if ctx.actor_role == "manager" and ctx.actor_team_id is not None else
                          Compare(column="id", op="eq", value=ctx.actor_id, text="just me"))


def _pronoun_for_last_rows(state: ParseState) -> int | None:
    """Where "them" stands for the last answer's rows as the subject ("which of them have no open deals",
    "those with won deals"), not as the owner of new ones ("show their deals")."""
    first = min(m.pos for m in state.mentions)
    for k in range(first):
        if state.word(k) in _LAST_ROWS and any(state.word(j) in _HAVING for j in range(k + 1, first)):
            return k
    return None


def _entity_list(catalog: Catalog) -> str:
    return "contacts, accounts, deals, activities (calls, meetings, tasks), emails, notes, reps and teams"


def _two_questions(state: ParseState) -> ParseOutcome | None:
    """'show me open deals and overdue tasks', 'revenue and pipeline this quarter': two subjects joined by "and"
    are two questions — answering one list or one figure would drop the other (or relate them). Asked back,
    each offered on its own. ("customers with deals and activities" relates both to the customers: no.)"""
    words = [t.original for t in state.tokens]
    for k in range(2, len(words) - 2):
        # "how many deals did each rep close and what's the total value": a second question after "and",
        # which reads as a follow-up once the first is answered
        if state.word(k) == "and" and state.word(k + 1) in ("what", "how", "which", "who", "when") and \
                any(m.pos < k for m in state.mentions):
            return _one_at_a_time([" ".join(words[:k])], then=" ".join(words[k + 1:]))
    for k in range(1, len(words) - 1):  # "total and average deal size": two figures of the same rows
        pair = (state.word(k - 1), state.word(k + 1))
        if state.word(k) == "and" and set(pair) <= _AGGREGATE_WORDS and pair[0] != pair[1]:
            return _one_at_a_time([" ".join(words[:k - 1] + [words[j]] + words[k + 2:]) for j in (k - 1, k + 1)])
    mentions = sorted(state.mentions, key=lambda m: m.pos)
    if len(mentions) < 2 or mentions[0].pos < 0:
        return None
    first, second = mentions[0], mentions[1]
    gap = state.words[first.end:second.pos]
    if not gap or gap[0] != "and" or any(w not in ("and", "the", "all", "our", "my", "also", "total") for w in gap) \
            or (first.entity == second.entity and not (first.metric and second.metric)):
        return None
    return _one_at_a_time([" ".join(words[:first.pos] + words[m.pos:m.end] + words[second.end:])
                           for m in (first, second)])


def _one_at_a_time(offers: list[str], then: str | None = None) -> ParseOutcome:
    """Two questions asked back: each offered, or the first offered and the second to ask after it."""
    second = f"then ask: {then}" if then is not None else f"then: {offers[1]}"
    return ParseOutcome("clarify", code="ambiguous", suggestions=offers,
                        message=f"That is two questions; I answer one at a time. Try: {offers[0]} — {second}.")


# words that name a figure: "total and average deal size" asks for two
_AGGREGATE_WORDS = frozenset({"total", "sum", "average", "avg", "mean", "median", "minimum", "maximum", "min", "max",
                              "count", "number", "highest", "lowest", "smallest", "largest", "biggest"})


def _not_recorded(state: ParseState, leftovers: list[Token]) -> ParseOutcome | None:
    """'my quota attainment', 'lead to customer conversion': what the CRM does not record, said so, with the
    nearest question it answers — before anything else is asked back about the rest."""
    untracked = next((state.ctx.catalog.not_tracked[t.text] for t in leftovers
                      if t.text in state.ctx.catalog.not_tracked), None)
    if untracked is None:
        return None
    return ParseOutcome("clarify", code="not-supported", message=f"{untracked.message} Try: {untracked.offer}.",
                        suggestions=[untracked.offer])


def _clarify(state: ParseState, leftovers: list[Token], lead: str) -> ParseOutcome:
    if (untracked := _not_recorded(state, leftovers)) is not None:
        return untracked
    words = " ".join(t.original for t in leftovers)
    message = lead or f"I'm not sure what you mean by '{words}'."
    if not lead and _in_unknown_stage(state, leftovers):
        # "deals stuck in discovery": say which stages there are
        names = list(dict.fromkeys(title_case(n) for n in state.ctx.catalog.stage_names))
        message += f" The deal stages are {', '.join(names)}."
    suggestions = _suggestions(state)
    series = next((t for t in leftovers if t.text in SERIES_WORDS), None)
    if series is not None and not lead:
        # "revenue growth": a figure per period shows it; offer the series that answer
        asked = " ".join(t.original for t in state.tokens)
        offers = [f"{asked} {grain}" for grain in ("month over month", "by quarter")]
        period = next((m.data["range"] for m in state.modifiers if m.kind == "date" and m.data["range"].grain
                       and m.data["range"].phrase.startswith("last ")), None)
        figure = next((m.phrase for m in state.mentions if m.metric), None)
        if period is not None and figure is not None:
            # "how did revenue change from last quarter": this quarter beside that one
            offers = [f"{figure} this {period.grain} vs {period.phrase}"] + offers
        offers = [o for o in offers if parse_question(o, replace(state.ctx, similar_phrases=None)).status == "planned"]
        if offers:
            return ParseOutcome("clarify", code="not-understood", suggestions=(offers + suggestions)[:3],
                                message=f"{series.original.capitalize()} over which periods? I can show the figure "
                                        f"for each period side by side. Try: {offers[0]}.")
    if leftovers and state.ctx.similar_phrases is not None and len(leftovers) <= 3:
        # offer the question with each unknown word replaced by the catalog phrase closest in meaning
        replaced = {id(t): state.ctx.similar_phrases(t.text)[:1] for t in leftovers}
        if any(replaced.values()):
            offer = " ".join((replaced[id(t)][0] if replaced.get(id(t)) else t.original)
                             for t in state.tokens if id(t) not in replaced or replaced[id(t)])
            # offered only when it is a question this parser answers ("revenue date over date" is not)
            if parse_question(offer, replace(state.ctx, similar_phrases=None)).status == "planned":
                suggestions = list(dict.fromkeys([offer] + suggestions))[:3]
                message += f" Did you mean: {offer}?"
    return ParseOutcome("clarify", code="not-understood", message=message, suggestions=suggestions)


def _in_unknown_stage(state: ParseState, leftovers: list[Token]) -> bool:
    """Whether an unknown word sits where deals' stage would ("deals in discovery", "at the pitch stage")."""
    if not any(m.entity == "deals" for m in state.mentions):
        return False
    at = {id(t): k for k, t in enumerate(state.tokens)}

    def stage_like(k: int) -> bool:
        after = state.word(k + 1) if k + 1 < len(state.tokens) else ""
        return after in ("stage", "phase") or state.word(k - 1) in ("in", "at") and \
            after in ("", "and", "or", "with", "for", "by", "this", "last", "next", "over", "under")

    return any(stage_like(at[id(t)]) for t in leftovers if id(t) in at)


def _suggestions(state: ParseState) -> list[str]:
    """Concrete rephrasings built from what was understood."""
    out = []
    mention = state.mentions[0] if state.mentions else None
    if mention is not None:
        # a definition's own name where it reads well ("customers in Texas"); deals and figures by the plural
        # ("open deals over $50,000", never "open revenue" or "open deals won")
        plural = state.ctx.catalog.entities[mention.entity].plural
        noun = mention.phrase if mention.named and mention.entity != "deals" and mention.phrase else plural
        if mention.entity == "deals":
            out += [f"open {noun} over $50,000", f"{noun} closing this month", f"{noun} by stage"]
        elif mention.entity == "contacts":
            out += [f"{noun} not contacted in 30 days", f"{noun} in Texas", f"how many {noun} by lead source"]
        elif mention.entity == "accounts":
            out += [f"{noun} in the Software industry", f"top 5 {noun} by pipeline value"]
        else:
            out += [f"{noun} in the last 7 days", f"how many {noun} by rep"]
    return (out + _starter_suggestions(state.ctx))[:3]


def _starter_suggestions(ctx: ParseContext) -> list[str]:
    return ["open deals over $50,000", "customers not contacted in 30 days", "pipeline value by stage"]


def _assemble(state: ParseState, follow_up: bool) -> ParseOutcome:
    ctx, catalog = state.ctx, state.ctx.catalog
    ranks = state.most or (state.superlative is not None and any(m.metric for m in state.mentions))
    names_rows = state.word(1) in ("are", "is", "were", "was") and any(m.metric is None for m in state.mentions)
    if ranks and state.words[:1] == ["who"] and not any(m.entity == "users" for m in state.mentions) and \
            not names_rows:  # ("who are my top 5 customers by revenue": the customers)
        # "who owns the most accounts", "who closed the most deals", "who has the highest win rate": a rep
        state.mentions.insert(0, Mention(0, 1, "users", phrase="rep"))
    if len(state.mentions) > 1 and state.mentions[0].entity == "users" and not state.most and \
            state.mentions[1].pos == state.mentions[0].end:
        state.mentions.pop(0)  # "every rep's open deals": the deals are the subject
    elif len(state.mentions) > 1 and state.mentions[0].entity == "users" and not state.most and \
            state.superlative is not None and state.mentions[1].metric is None and state.mentions[1].named is None and \
            state.mentions[0].end <= state.superlative[0] < state.mentions[1].pos and not state.group_words and \
            state.measure is None:
        # "who is the owner of the biggest deal": that deal, which names its owner ("which rep": any owner; "which
        # rep has the highest average deal amount" ranks the reps)
        owner = state.mentions.pop(0)
        state.modifiers = [m for m in state.modifiers if not (m.kind == "value" and owner.pos <= m.pos < owner.end)]
    last_rows = _pronoun_for_last_rows(state) if follow_up and ctx.previous is not None else None
    shown_entity = ctx.previous.shown.entity if ctx.previous is not None and ctx.previous.shown else None
    if last_rows is not None and ctx.previous is not None and \
            state.mentions[0].entity != (shown_entity or ctx.previous.entity):
        # "which of them have no open deals" after contacts: those contacts, qualified by their deals
        rows_of = shown_entity or ctx.previous.entity
        state.mentions.insert(0, Mention(last_rows, last_rows + 1, rows_of, phrase=catalog.entities[rows_of].plural))
    else:
        last_rows = None
    subject = state.mentions[0]
    _new_means_recent(state, subject)
    _measured_on_related_rows(state, subject)
    if state.superlative is not None and subject.metric and not state.group_words and \
            any(m.kind == "column" and m.pos < subject.pos for m in state.modifiers):
        state.most = True  # "which industries have the highest win rate": rank the industries by it
    if subject.metric and not state.group_words and not state.most:
        # "industries with revenue over 1m", "industries by revenue": the figure of each industry
        plural = next((m for m in state.modifiers if m.kind == "column" and m.end <= subject.pos
                       and state.word(m.end - 1).endswith("s") and state.word(m.end) in _GROUP_QUALIFIERS), None)
        if plural is not None:
            state.group_words.append((plural.pos, [f"{e}.{c}" for e, c in plural.data["columns"]]))
    if state.most and not state.group_words:
        # "which lead source brought in the most customers": rank the values of that column
        column_mod = next((m for m in state.modifiers if m.kind == "column" and m.pos < subject.pos), None)
        if column_mod is not None:
            state.group_words.append((column_mod.pos, [f"{e}.{c}" for e, c in column_mod.data["columns"]]))
            state.measure = state.measure or "count"
            if state.word(column_mod.pos - 1) in ("which", "what") and state.limit is None:
                # "which industry" is one; "which industries" are the first few
                state.limit = DEFAULT_TOP_N if state.word(column_mod.end - 1).endswith("s") else 1
    metric_mentions = [m for m in state.mentions if m.metric]
    # "top 5 accounts by pipeline value" → the metric's entity grouped by the subject
    group_by_subject = None
    if subject.metric is None and metric_mentions and subject.entity != metric_mentions[0].entity:
        relation = relation_to(catalog, metric_mentions[0].entity, subject.entity)
        if relation is None:
            return _clarify(state, [], f"I can't relate {subject.phrase} to {metric_mentions[0].phrase}.")
        group_by_subject = GroupBy(relation=relation, label=catalog.entities[subject.entity].singular)
        main = metric_mentions[0]
        mentions = [main] + [m for m in state.mentions if m is not main and m is not subject]
        subject_mention = subject
    elif subject.metric is None and state.most and len(state.mentions) > 1 and \
            state.mentions[1].entity != subject.entity and \
            relation_to(catalog, state.mentions[1].entity, subject.entity):
        # "which rep has the most won deals" → won deals grouped by rep, counted, highest first
        main = state.mentions[1]
        relation = relation_to(catalog, main.entity, subject.entity)
        group_by_subject = GroupBy(relation=relation, label=catalog.entities[subject.entity].singular)
        mentions = [main] + state.mentions[2:]
        subject_mention = subject
        if state.measure is None:
            state.measure = "count"
    else:
        main = subject
        mentions = state.mentions
        subject_mention = None
    if group_by_subject is not None:
        _names_groups(state, subject)
    entity = catalog.entities[main.entity]
    plan = QueryPlan(entity=entity.name, subject=subject_label(catalog, main))
    definitions: list[str] = []

    # the main mention's own meaning
    if main.named:
        named = catalog.named_filters[main.named]
        plan.conds += named_filter_conds(named.where, ctx, entity, named.definition)
        definitions.append(named.definition)
    metric = catalog.metrics.get(main.metric or "")
    for m in mentions:
        if m.metric and m is not main and (metric is None or not _names_rows_of(catalog, m, metric)):
            metric = catalog.metrics[m.metric]
    if metric is not None:
        plan.conds += named_filter_conds(metric.where, ctx, entity, "")
        definitions.append(metric.definition)
    # "reps with over $500k in pipeline": a figure's limit keeps groups, it does not filter each deal
    limits = figure_limits(state, metric) if metric is not None and (group_by_subject or state.group_words) else []

    # attach modifiers to the mention they follow
    groups: dict[int, list[Modifier]] = {id(m): [] for m in mentions}
    anchors = sorted([m for m in mentions if m.metric is None or m is main], key=lambda m: m.pos)
    for mod in state.modifiers:
        if mod.kind == "sort":
            continue
        target = anchors[0]
        for m in anchors:
            if m.pos <= mod.pos:
                target = m
        # an adjective right before a noun qualifies that noun: "software companies", "$50k deals"
        noun_at = _end_of_adjectives(state, mod)  # ("won or lost deals": both words are the deals')
        following = next((m for m in anchors if m.pos == noun_at or mod.end < noun_at and m.pos < noun_at <= m.end or
                          m.pos == mod.end + 1 and m.negated and state.word(mod.end) in ("a", "an", "any", "the")),
                         None)  # ("never won a deal": the deal is won, and ruled out)
        if following is not None and (mod.kind in ("value", "compare", "stage", "account", "pipeline") or
                                      mod.kind == "date" and (mod.data.get("column_pos") is None or
                                                              mod.data.get("adjective")) or
                                      mod.kind == "owner" and not mod.data.get("subject") and mod.end == following.pos
                                      and catalog.entities[following.entity].owner_column is not None):
            # (and "deals with upcoming activities": a period as the noun's adjective; "contacts at my
            # accounts": the accounts are mine, not the contacts)
            target = following
        if subject_mention is not None and (target is subject_mention or mod.pos < main.pos):
            target = subject_mention if belongs_to_subject(catalog, subject_mention, mod, main) else main
        if target is not main and mod.kind == "date" and mod.data.get("column_pos") is None and \
                not mod.data.get("adjective") and \
                not target.negated and not (_right_after(state, target, mod) and main.entity in _HOLDERS) and \
                mod.end != target.pos:
            # "emails to customers in the last 30 days": the emails' date ("no activity in 60 days" keeps it, as
            # does a period right after what a contact or account holds: "contacts with activities this month")
            target = main
        if target is not main and not fits(state, catalog.entities[target.entity], mod) and \
                fits(state, catalog.entities[main.entity], mod):
            target = main  # "customers with 10k+ deals not contacted in 30 days": contacted is the customers'
        if mod.kind == "owner" and mod.data.get("subject"):
            # "which contacts did I send emails to": I sent the e-mails; whose the contacts are is not said
            target = next((m for m in anchors if m is not main and 0 < m.pos - mod.pos <= 4 and not m.negated and
                           m.entity in _ACTIONS), target)
        groups.setdefault(id(target), []).append(mod)

    problems: list[str] = []
    holders = _held_by_previous(state, main, mentions)
    for m in mentions:
        conds = modifier_conds(state, catalog.entities[m.entity], groups.get(id(m), []), m, metric, problems)
        holder = holders.get(id(m))
        if holder is not None:
            # "contacts at accounts without open deals": the account's deals, not the contact's own
            inner_relation = relation_to(catalog, holder.entity, m.entity)
            outer_relation = relation_to(catalog, main.entity, holder.entity)
            assert inner_relation is not None and outer_relation is not None
            details = " and ".join(c.text for c in conds if c.text)
            inner_text = (f"without any {m.phrase}" if m.negated else
                          count_text(*m.count, m.phrase) if m.count is not None else f"with {m.phrase}") + \
                _qualified(details)
            held = _definition_conds(state, m, definitions) + conds
            inner: Condition = relate_through(catalog, holder.entity, inner_relation, held, m.negated, "") \
                if m.count is None else \
                CountOf(relation=inner_relation, conds=held, op=m.count[0], value=m.count[1], text="")
            # ("contacts at accounts with over 3 open deals": the accounts' deals counted)
            plan.conds.append(relate_through(catalog, main.entity, outer_relation, [inner], False,
                                             f"at {holder.phrase} {inner_text}"))
            continue
        if m is main:
            kept = narrowed(plan.conds, conds)
            if len(kept) < len(plan.conds) and main.named:
                # the definition gave way ("open deals that are won"): the rows are the entity's, not "open deals"
                plan.subject = catalog.entities[main.entity].plural
                definition = catalog.named_filters[main.named].definition
                plan.definitions = [d for d in plan.definitions if d != definition]
            plan.conds = kept + conds
            continue
        if m.metric is not None and m.entity == main.entity:
            plan.conds += conds
            continue
        if m.entity == main.entity and m.negated and m.named:
            # "contacts who are not customers": the same rows outside that definition
            named = catalog.named_filters[m.named]
            plan.conds.append(negated_conjunction(named_filter_conds(named.where, ctx, entity, named.definition),
                                                  f"not {m.phrase}"))
            continue
        if m.entity == main.entity and not m.negated:
            # "tasks ... late", "contacts whose stage is customer": a second name for the same rows
            joined = _joined_definition(state, m, mentions) if m.named else None
            if joined is not None and joined.named and m.named:
                # "VPs or directors", "contacts who are VPs and directors": rows of either definition (was both)
                either = [named_filter_conds(catalog.named_filters[n].where, ctx, entity, "") for n in (joined.named,
                                                                                                       m.named)]
                if any(len(c) != 1 for c in either):
                    problems.append(f"Either {joined.phrase} or {m.phrase} — ask for each on its own.")
                    continue
                # the earlier definition's condition, however it was worded, gives way to the pair
                plan.conds = [c for c in plan.conds if c.model_copy(update={"text": ""}) not in either[0]]
                plan.conds.insert(0, AnyOf(conds=[c[0] for c in either],
                                           text=f"{catalog.named_filters[joined.named].noun} or "
                                                f"{catalog.named_filters[m.named].noun}"))
                plan.subject = catalog.entities[main.entity].plural
                definitions.append(catalog.named_filters[m.named].definition)
            elif m.named:
                # the definition is listed apart; the summary names the rows ("537 contacts — customers")
                named = catalog.named_filters[m.named]
                plan.conds += named_filter_conds(named.where, ctx, entity, named.noun)
                definitions.append(named.definition)
            plan.conds += conds
            continue
        relation = relation_to(catalog, main.entity, m.entity)
        if relation is None:
            problems.append(f"I can't relate {main.phrase or entity.plural} to {m.phrase}.")
            continue
        named_conds = _definition_conds(state, m, definitions)
        to_one = "." in relation or catalog.entities[main.entity].relations[relation].remote == "id"
        if m.count is not None:
            if to_one:
                problems.append(f"Each {entity.singular} has one {catalog.entities[m.entity].singular} at most; "
                                f"I can't count them.")
                continue
            op, value = m.count
            details = " and ".join(c.text for c in conds if c.text)
            plan.conds.append(CountOf(relation=relation, conds=named_conds + conds, op=op, value=value,
                                      text=count_text(op, value, m.phrase) + _qualified(details)))
            continue
        if to_one and not m.negated and not conds and not named_conds:
            continue  # "contacts at companies": every contact's company qualifies
        related = catalog.entities[m.entity]
        each = None if m.negated or to_one else each_of_both(state, related, groups.get(id(m), []), m, metric,
                                                                problems)
        for part in each or []:
            details = " and ".join(c.text for c in part if c.text)
            plan.conds.append(relate_through(catalog, main.entity, relation, named_conds + part, False,
                                             f"with at least one {related.singular}" + _qualified(details)))
        if each:
            continue
        details = " and ".join(c.text for c in conds if c.text)
        if m.negated:
            # "never bought anything": without any won deals (the group's name, not the verb that named it)
            noun = catalog.named_filters[m.named].noun if m.named else m.phrase
            text = f"without any {noun}" + _qualified(details)
        else:
            # a deal has one account: "at an account with industry Software", not "with at least one account"
            text = (f"linked to {catalog.named_filters[m.named].noun}" if m.named else
                    f"owned by {article(related.singular)} {related.singular}" if relation == "owner" else
                    f"at {article(related.singular)} {related.singular}" if to_one else
                    f"with at least one {related.singular}") + _qualified(details)
        plan.conds.append(relate_through(catalog, main.entity, relation, named_conds + conds, m.negated, text))
    if subject_mention is not None and group_by_subject is not None and group_by_subject.relation:
        # "my top 5 customers by revenue": the grouped rows are customers, and mine — through the grouping
        own = modifier_conds(state, catalog.entities[subject_mention.entity], groups.get(id(subject_mention), []),
                             subject_mention, None, problems)
        named_conds = _definition_conds(state, subject_mention, definitions)
        if own or named_conds:
            words = [catalog.named_filters[subject_mention.named].noun] if subject_mention.named else \
                [catalog.entities[subject_mention.entity].plural]
            text = " ".join(words + [c.text for c in own if c.text])
            plan.conds.append(relate_through(catalog, main.entity, group_by_subject.relation, named_conds + own,
                                             False, text))
    if problems:
        return ParseOutcome("clarify", code="not-understood", message=problems[0], suggestions=_suggestions(state))
    if state.ambiguous:
        return ParseOutcome("clarify", code="ambiguous", message=state.ambiguous[0], suggestions=_suggestions(state))

    _direction_of_emails(state, plan, mentions)
    _people_in_view(state, plan)
    plan.conds = without_repeats(plan.conds)
    clash = contradiction(plan.conds, entity)
    if clash is not None:
        return ParseOutcome("clarify", code="ambiguous", suggestions=_suggestions(state),
                            message=f"“{clash[0]}” and “{clash[1]}” can't both hold. Which one did you mean?")
    # measures, groups, order, limit
    apply_measures(state, plan, entity, main, metric, group_by_subject)
    if state.unknown:
        return _not_supported(state)
    if limits and metric is not None:
        plan.having = [figure_filter(plan, metric, mod) for mod in limits]
    if state.ambiguous:
        return ParseOutcome("clarify", code="ambiguous", message=state.ambiguous[0], suggestions=_suggestions(state))
    plan.definitions = list(dict.fromkeys(d for d in definitions if d))
    previous = ctx.previous
    if follow_up and previous is not None and previous.shown is not None and _refers_back(state.words):
        # "show their contacts" after the top 3 deals, "which of them have open deals" after the top 5
        # accounts by revenue: the records shown, not every record the earlier conditions select
        pick = shown_condition(catalog, main.entity, previous.shown)
        if pick is not None:
            plan.conds.insert(0, pick)
            return ParseOutcome("planned", plan=plan, is_follow_up=True)
    if follow_up and previous is not None and main.entity == previous.entity and \
            (len(state.mentions) == 1 or last_rows is not None):
        return ParseOutcome("planned", plan=drop_swapped_names(catalog, merge_plans(previous, plan,
                                                                                keep_periods=_narrows(state))),
                            is_follow_up=True)
    if follow_up and previous is not None and main.entity != previous.entity and _refers_back(state.words):
        # "show their open deals" after a list of accounts: deals of those accounts
        path = relation_to(catalog, main.entity, previous.entity)
        earlier = f"of the {previous.subject or previous.entity} {_ASKED_BEFORE}"
        to_account, back = relation_to(catalog, main.entity, "accounts"), relation_to(catalog, "accounts",
                                                                                       previous.entity)
        if "there" in state.words and previous.entity not in ("accounts", main.entity) and previous.conds and \
                to_account is not None and back is not None and "." not in to_account:
            # "any open deals there?" after the contacts of some accounts: the deals at those accounts
            rows = nest(back, previous.conds, negate=False, text="")
            plan.conds.append(nest(to_account, [rows], negate=False, text=f"at the accounts {earlier}"))
            return ParseOutcome("planned", plan=plan, is_follow_up=True)
        if path is not None and previous.conds:
            plan.conds.append(nest(path, previous.conds, negate=False, text=earlier))
            return ParseOutcome("planned", plan=plan, is_follow_up=True)
    if follow_up and previous is not None and main.entity != previous.entity and \
            SWITCH.match(" ".join(state.words)) and not plan.group_by and not previous.group_by:
        return ParseOutcome("planned", plan=carry_over(catalog, previous, plan), is_follow_up=True)
    return ParseOutcome("planned", plan=plan)


# --- follow-ups --------------------------------------------------------------------------------------

def _refine(state: ParseState, previous: QueryPlan, leftovers: list[Token], question: str) -> ParseOutcome:
    """Apply a follow-up ("only the ones in Texas", "how many?", "sort by amount") to the last plan."""
    catalog = state.ctx.catalog
    entity = catalog.entities[previous.entity]
    # "which of them are hot" after leads: the rows' own definition that the word names ("hot leads")
    nouns = list(dict.fromkeys(n for n in (previous.subject, entity.plural) if n))
    described = {id(t): named for t in leftovers for named in [named_by_adjective(state, t.text, entity.name, nouns)]
                 if named}
    leftovers = [t for t in leftovers if id(t) not in described]
    adjective_conds = [c for named in described.values()
                       for c in named_filter_conds(named.where, state.ctx, entity, named.noun)]
    if leftovers and not state.modifiers and state.measure is None and state.sort is None and not described:
        return _clarify(state, leftovers, "")
    if previous.shown is not None and previous.shown.entity == previous.entity and state.limit is None and \
            (_refers_back(state.words) or _narrows(state)) and not WHO_OWNS.search(question.lower()):
        # "sort them by close date", "which of them are won" after the top 3 deals: those three
        previous = pin_shown(catalog, previous)
    original = previous
    recounted = recount(state, previous, entity)
    if recounted is not None:  # "accounts with more than 10 contacts" → "and more than 20"
        previous = previous.model_copy(update={"conds": [recounted if isinstance(c, CountOf) else c
                                                         for c in previous.conds]})
    pseudo = Mention(0, 0, entity.name, phrase=entity.plural, named=named_of(catalog, previous))
    metric = catalog.metrics.get(previous.measures[0].metric or "") if previous.measures else None
    problems: list[str] = []
    # "which are below average" after a breakdown: the groups against the mean of the groups' figures
    averaged = [m for m in state.modifiers if m.kind == "compare" and m.data.get("average")] \
        if previous.measures and previous.group_by else []
    conds = adjective_conds + modifier_conds(state, entity, [m for m in state.modifiers if m.kind != "sort" and
                                                             m not in averaged], pseudo, metric, problems)
    if problems:
        return ParseOutcome("clarify", code="not-understood", message=problems[0], suggestions=_suggestions(state))
    if state.ambiguous:
        return ParseOutcome("clarify", code="ambiguous", message=state.ambiguous[0], suggestions=_suggestions(state))
    plan = drop_swapped_names(catalog, previous.model_copy(deep=True, update={
        "conds": replace_conflicting(previous.conds, conds, keep_periods=_narrows(state))}))
    plan.having += [against_average(0, m.data["op"], previous.measures[0].metric or previous.measures[0].label or
                                    "figure") for m in averaged]
    text = question.lower()
    as_list = re.search(r"\b(as a list|list them|list those|show (me )?(them|those|the (rows|records)))\b", text) \
        and state.measure is None and not state.group_words
    if previous.having and (as_list or state.measure in ("count", "sum", "avg", "median")):
        # the groups kept by "pipeline value over $100,000" have no rows or count of their own in a plan
        message = (f"I can't count or list what stands behind groups kept by a figure limit "
                   f"({'; '.join(h.text for h in previous.having)}) yet. The answer above lists those groups.")
        return ParseOutcome("clarify", code="not-supported", message=message, suggestions=_suggestions(state))
    if metric is not None and (as_list or state.measure == "count"):
        # the rows of "pipeline value" are open deals: say what the metric's own conditions are ("how many":
        # 241 deals with status open, not "241 pipeline value")
        plan.subject = ""
        plan.conds = [c.model_copy(update={"text": f"{entity.label_of(c.column).lower()} {c.value}"})
                      if isinstance(c, Compare) and not c.text and c.op == "eq" else c for c in plan.conds]
    if as_list:
        # "show them as a list": the rows behind a count or a breakdown (of the groups shown, after a pick)
        plan.measures, plan.group_by, plan.order_by, plan.limit = [], [], [], None
        pick = shown_condition(catalog, entity.name, previous.shown) if previous.shown is not None else None
        if pick is not None:
            plan.conds.append(pick)
        return ParseOutcome("planned", plan=plan, is_follow_up=True)
    shown = original.shown
    if WHO_OWNS.search(text) and not state.group_words and shown is not None and shown.ids and \
            shown.entity != entity.name and "owner" in catalog.entities[shown.entity].relations:
        # "top account by revenue" → "who owns it": that account, with its owner (not revenue by rep)
        records = QueryPlan(entity=shown.entity)
        records.conds = [c for c in [shown_condition(catalog, shown.entity, shown)] if c is not None]
        return ParseOutcome("planned", plan=records, is_follow_up=True)
    if WHO_OWNS.search(text) and not state.group_words and "owner" in entity.relations and \
            previous.limit is not None and not previous.measures:
        # "which is the biggest" → "who owns it": those rows again, each with its owner (a count by owner would
        # count every row the limit left out)
        return ParseOutcome("planned", plan=plan, is_follow_up=True)
    if WHO_OWNS.search(text) and not state.group_words and "owner" in entity.relations:
        # "who owns them": the same rows by owner
        state.group_words.append((0, GROUP_WORDS["rep"]))
    if state.measure == "count":
        plan.measures = [Measure(agg="count", label="count")]
        plan.order_by, plan.limit = [], None
        plan.group_by = plan.group_by if state.group_words else []
    elif state.measure in ("sum", "avg", "median"):
        column = catalog.amount_columns.get(entity.name)
        if column:
            plan.measures = [Measure(agg=state.measure, column=column, label=f"{state.measure}_{column}")]  # type: ignore[arg-type]
            plan.order_by, plan.limit = [], None
    if state.group_words:
        named = named_of(catalog, previous)
        date_column = (metric.date_column if metric is not None else None) or \
            (catalog.named_filters[named].date_column if named else None) or dated_column(previous)
        groups = [resolve_group(catalog, entity, g, date_column) for _p, g in state.group_words]
        plan.group_by = [g for g in groups if g is not None]
        if not plan.measures:
            plan.measures = [Measure(agg="count", label="count")]
        plan.order_by = []
    if plan.measures and not plan.group_by and all(m.agg == "count" for m in plan.measures) and \
            state.measure is None and not state.group_words and \
            (state.sort is not None or state.limit is not None) and not state.most:
        plan.measures, plan.order_by, plan.limit = [], [], None  # "how many" → "sort them by …": the rows
    if state.sort is not None and not plan.measures:
        column = sort_column(state, entity, state.sort[0])
        if column:
            plan.order_by = [OrderBy(column=column, descending=state.sort[1])]
    elif state.superlative is not None and not plan.measures:
        column = catalog.amount_columns.get(entity.name, "id")
        plan.order_by = [OrderBy(column=column, descending=state.superlative[1])]
        # "which of them is the biggest", "the biggest one": one row; "the biggest ones": the first few
        plan.limit = state.limit or (1 if re.search(r"\b(is|was|one)\b", " ".join(state.words)) else DEFAULT_TOP_N)
    elif (state.superlative is not None or state.most) and plan.measures and not plan.group_by and \
            (held_by := _held_by_earlier_rows(catalog, entity, plan)) is not None:
        # "how many contacts do they have" (of the accounts before) → "which has the most": those accounts,
        # ranked by the figure
        plan.group_by = [GroupBy(relation=held_by, label=catalog.entities[entity.relations[held_by].entity].singular)]
        descending = state.superlative[1] if state.superlative is not None else True
        plan.order_by = [OrderBy(target="measure", descending=descending)]
        plan.limit = state.limit or (1 if re.search(r"\b(which|what|who)\b", text) else DEFAULT_TOP_N)
    elif state.superlative is not None and plan.measures and plan.group_by:
        # "which source has the most", "which one has the fewest": the groups ranked by the figure
        plan.order_by = [OrderBy(target="measure", descending=state.superlative[1])]
        plan.limit = state.limit or (1 if re.search(r"\b(which|what|who)\b", text) else DEFAULT_TOP_N)
    if state.limit is not None:
        plan.limit = state.limit
        if plan.measures and plan.group_by and not plan.order_by:
            plan.order_by = [OrderBy(target="measure", descending=True)]
    if not conds and plan == original and "all" not in text:
        return _clarify(state, leftovers, "How should I change the last answer?")
    return ParseOutcome("planned", plan=plan, is_follow_up=True)
