"""The checks that stop a plan answering another question than the one asked.

The passes read what they can; a word they left aside may still change the meaning. A plan is answered
only when no such word would: an "or" across kinds of condition, "all" of related rows no plan can say,
a "not", a "than" or "the same … as", a number, or a period counted from another date. Each check names
the problem (a stable code and a sentence); the parser turns it into a question back.
"""

from __future__ import annotations

from nlq.dates import calendar_date
from nlq.parsing.conditions import negated_conjunction
from nlq.parsing.state import Mention, Modifier, ParseState
from nlq.parsing.words import date_end
from nlq.plan import Exists, QueryPlan

Problem = tuple[str, str]  # (code, message)


def unread_problem(state: ParseState, every: Mention | None) -> Problem | None:
    """The first reason the plan would answer another question, or None."""
    return (_unread_either(state) or _every_problem(state, every) or _unread_negation(state)
            or _unread_comparison(state) or _period_from_another_date(state) or _unread_number(state))


def _unread_either(state: ParseState) -> Problem | None:
    """An "or" between two different kinds of condition ("deals in Texas or over 50k"): the plans join
    conditions with "and" (values of one kind become a list), so answering would narrow where the question
    widens."""
    # a named noun counts as a condition too ("deals won" = won deals)
    named = [Modifier(m.pos, "named", {"name": m.named}, m.end) for m in state.mentions if m.named]
    conditions = [*state.modifiers, *named]
    for k, tok in enumerate(state.tokens):
        if tok.text != "or" or state.used[k]:
            continue
        before = [m for m in conditions if m.end <= k and k - m.end <= 1]
        after = [m for m in conditions if m.pos > k and m.pos - k <= 3]
        if not before or not after:
            continue
        left, right = max(before, key=lambda m: m.end), min(after, key=lambda m: m.pos)
        if _one_list(left, right):
            continue
        words = " ".join(t.original for t in state.tokens[left.pos:right.end])
        return "ambiguous", (f"I can combine different conditions only when all of them must hold, so '{words}' "
                             f"(either one) is not something I can answer as one list. Ask for each side on its "
                             f"own, or for rows that meet both.")
    return None


def _one_list(left: Modifier, right: Modifier) -> bool:
    """Two modifiers an "or" joins into one condition: values of one kind ("Texas or Ohio", "won or lost")."""
    if left.kind != right.kind:
        return False
    if left.kind == "value":
        return bool({vs for vs, _ in left.data["options"]} & {vs for vs, _ in right.data["options"]})
    # figures either side of "or" are read as one either-or condition ("over 20k or under 1k")
    return left.kind in ("stage", "named", "account", "contact", "user", "team", "pipeline", "compare")


_EVERY = frozenset({"all", "every", "only", "exclusively", "entirely"})


def quantified_mention(state: ParseState) -> Mention | None:
    """The related noun an unread "all", "every" or "only" qualifies: 'accounts where all deals are won',
    'contacts with only won deals', 'accounts whose deals are all lost'."""
    for related in state.mentions[1:]:
        if related.negated:
            continue
        k = related.pos - 1
        while k >= 0 and state.word(k) in ("the", "their", "its", "of"):
            k -= 1
        before = k >= 0 and state.word(k) in _EVERY and not state.used[k]
        # "whose deals are all lost", "deals all won"
        j = related.end + (1 if state.word(related.end) in ("are", "were", "is", "was") else 0)
        after = j < len(state.tokens) and state.word(j) in _EVERY and not state.used[j]
        if before or after:
            return related
    return None


def for_all(state: ParseState, plan: QueryPlan, related: Mention) -> QueryPlan | None:
    """The plan with its one "has a related row meeting C" turned into "has related rows, and none that
    fails C"; None when the plan has no such single condition to turn."""
    relations = state.ctx.catalog.entities[plan.entity].relations
    found = [i for i, c in enumerate(plan.conds) if isinstance(c, Exists) and not c.negate and c.conds
             and c.relation in relations and relations[c.relation].entity == related.entity]
    if len(found) != 1:
        return None
    some = plan.conds[found[0]]
    assert isinstance(some, Exists)
    plural = state.ctx.catalog.entities[related.entity].plural
    try:
        failing = negated_conjunction(some.conds, "")
    except ValueError:
        return None
    details = "; ".join(c.text for c in some.conds if c.text)
    turned = [Exists(relation=some.relation, conds=[], text=""),
              Exists(relation=some.relation, conds=[failing], negate=True, text=f"all their {plural}: {details}")]
    return plan.model_copy(update={"conds": [*plan.conds[:found[0]], *turned, *plan.conds[found[0] + 1:]]})


def _every_problem(state: ParseState, related: Mention | None) -> Problem | None:
    """An "all" of related rows the plan could not be turned for: answering would widen "all" to "any"."""
    if related is None:
        return None
    noun = state.ctx.catalog.entities[related.entity].plural
    return "not-supported", (f"I can check whether any of the {noun} meets a condition, not whether all of them "
                             f"do here. Ask for those with at least one, or for those without any that don't (for "
                             f"example “accounts without any deals that are not won”).")


_NEGATIONS = frozenset({"not", "never", "without", "no", "none", "neither", "nor"})


def _unread_negation(state: ParseState) -> Problem | None:
    """A "not" no reading took: answering without it would answer the opposite question."""
    for k, tok in enumerate(state.tokens):
        if tok.kind == "word" and tok.text in _NEGATIONS and not state.used[k]:
            words = " ".join(t.original for t in state.tokens[k:k + 4])
            return "negation-unclear", (f"I couldn't tell what '{words}' rules out, and answering without it would "
                                        f"give the opposite rows. Could you say it another way?")
    return None


def _unread_comparison(state: ParseState) -> Problem | None:
    """A "than" no figure took ("accounts with more contacts than deals"), or "the same … as" ("deals in the
    same stage as …"): two things compared with each other, which answering the rest would drop."""
    for k, tok in enumerate(state.tokens):
        same = tok.text == "same" and "as" in state.words[k + 1:k + 5]
        if tok.kind == "word" and (tok.text == "than" or same) and not state.used[k]:
            words = " ".join(t.original for t in state.tokens[max(0, k - 2):k + 3])
            return "not-supported", (f"I can compare a figure with a number (for example “accounts with more than "
                                     f"5 contacts”), not two figures with each other ('{words}').")
    return None


def _unread_number(state: ParseState) -> Problem | None:
    """A number no reading took ("deals 50000 Texas"): answering without it drops a limit or a figure."""
    for k, tok in enumerate(state.tokens):
        before = state.word(k - 1)
        if tok.original.lower() == "one" and (before.endswith("est") or before in _ONE_AS_PRONOUN):
            continue  # "the biggest one", "which one": a pronoun, not a number
        if tok.kind == "date" and not state.used[k] and calendar_date(tok.text) is None:
            return "not-understood", (f"'{tok.original}' is not a date on the calendar. Write it as year-month-day "
                                      f"(for example “contacts created on 2026-02-28” or “created in February”).")
        if tok.kind in ("number", "date", "quarter") and not state.used[k]:
            return "not-understood", (f"I couldn't tell what '{tok.original}' refers to here. Could you say it "
                                      f"another way (for example “deals over {tok.original}” or “top {tok.original} "
                                      f"deals”)?")
    return None


_ONE_AS_PRONOUN = frozenset({"the", "which", "this", "that", "last", "first", "next", "other", "each", "any",
                             "every", "no", "new", "old", "big", "small", "largest", "latest"})
_ANCHOR_WORDS = frozenset({"of", "after", "before", "from"})
_ANCHOR_LEAD_INS = frozenset({"being", "been", "they", "it", "were", "was", "their", "its", "the", "a", "an", "them"})


def _period_from_another_date(state: ParseState) -> Problem | None:
    """A period counted from another date of the same row ("closed within 30 days of being created"), not
    from today: answering with the period alone would date the rows from today."""
    for mod in state.modifiers:
        if mod.kind != "date":
            continue
        k = date_end(state, mod)
        if k >= len(state.tokens) or state.word(k) not in _ANCHOR_WORDS or state.used[k]:
            continue
        j = k + 1
        while j < len(state.tokens) and state.word(j) in _ANCHOR_LEAD_INS:
            j += 1
        anchored = any(m.kind == "column" and m.pos == j for m in state.modifiers) or \
            any(m.pos == j for m in state.mentions)
        if anchored:
            words = " ".join(t.original for t in state.tokens[mod.pos:j + 1])
            hint = (" The sales cycle (days from a won deal's creation to its close) is a figure I can give."
                    if state.mentions and state.mentions[0].entity == "deals" else "")
            return "not-supported", (f"I can count periods from today, not from another date of the same "
                                     f"record ('{words}').{hint}")
    return None
