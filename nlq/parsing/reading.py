"""The reading passes: tokens → entity mentions and modifiers (top-N, dates, comparisons, sorting,
grouping, measures, ownership, phrases, negations), each pass marking the words it accounts for."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from nlq.catalog import Catalog, NamedFilter
from nlq.dates import UNITS, DateRange, bounded_range, match_date
from nlq.english import english_words
from nlq.lexer import Token
from nlq.lexicon import Meaning, entity_named
from nlq.parsing.state import Mention, Modifier, ParseState
from nlq.parsing.words import (
    ABSENT_AFTER,
    ABSENT_WORDS,
    DEFAULT_TOP_N,
    GRAMMAR_FILLER,
    GROUP_WORDS,
    VERB_VALUES,
    column_for_valueset,
    count_value,
    date_column_word,
    singular_nouns,
    title_case,
    word_before_column,
)
from nlq.plan import AVERAGE


def pass_account_short_names(state: ParseState) -> None:
    """A capitalised name the vocabulary does not know that starts account names: "contacts at Northwind"
    for Northwind Systems and Northwind Capital (people shorten company names; the full names are catalog
    phrases already). Not in a question typed in capitals, where every word looks like a name."""
    if state.shouting:
        return
    lex, catalog, toks = state.ctx.lexicon, state.ctx.catalog, state.tokens
    covered = _in_known_phrases(state)  # "Foster Goods" is a full name already; "Lauren Stewart" a person

    def unknown_capitalised(k: int) -> bool:
        tok = toks[k]
        return tok.kind == "word" and tok.original[:1].isupper() and not lex.lookup(tok.text) \
            and tok.text not in catalog.filler and tok.text not in GRAMMAR_FILLER and not state.used[k] \
            and k not in covered

    def inside_a_name(k: int) -> bool:  # "Shah" of "Lakshmi Shah" starts no company name
        return k > 0 and toks[k - 1].kind == "word" and toks[k - 1].original[:1].isupper() and k - 1 > 0

    k = 0
    while k < len(toks):
        if not unknown_capitalised(k) or inside_a_name(k):
            k += 1
            continue
        end = k
        while end < len(toks) and end - k < 3 and (end == k or toks[end].original[:1].isupper()) \
                and toks[end].kind == "word":
            end += 1
        for stop in range(end, k, -1):  # the longest run that starts account names
            phrase = " ".join(t.text for t in toks[k:stop])
            ids = catalog.accounts_starting(phrase) if len(phrase) >= 3 and phrase not in catalog.users else []
            if ids:
                _record_account(state, k, stop, phrase, ids)
                state.take(k, stop)
                k = stop
                break
        else:
            k += 1


def pass_contact_names(state: ParseState) -> None:
    """Two- or three-word runs the vocabulary does not know may be a contact's name ("Caleb Thompson")."""
    resolve = state.ctx.resolve_contacts
    if resolve is None:
        return
    lex, catalog = state.ctx.lexicon, state.ctx.catalog
    known = set(lex.vocabulary) | set(catalog.filler)

    def candidate(tok: Token) -> bool:
        return tok.kind == "word" and tok.text not in catalog.filler and tok.text not in GRAMMAR_FILLER \
            and not any(m.kind not in ("user", "account") for m in lex.lookup(tok.text))

    spans: dict[str, tuple[int, int]] = {}
    toks = state.tokens
    covered = _in_known_phrases(state)
    for i in range(len(toks)):
        if i in covered:
            continue
        for n in (3, 2):
            run = toks[i:i + n]
            if len(run) == n and all(candidate(t) for t in run) and any(t.text not in known for t in run):
                phrase = " ".join(t.text for t in run)
                if not lex.lookup(phrase):
                    spans.setdefault(phrase, (i, i + n))
    if not spans:
        return
    found = resolve(list(spans))
    for phrase, (start, end) in sorted(spans.items(), key=lambda kv: -len(kv[0])):
        ids = found.get(phrase, [])
        # A capitalised name we cannot see answers as a contact with no rows: the same reply whether the
        # person is unknown or belongs to someone else's scope, so nothing leaks.
        looks_like_name = all(t.original[:1].isupper() and t.original[1:].islower() for t in toks[start:end])
        if (ids or looks_like_name) and not any(state.used[start:end]):
            state.modifiers.append(Modifier(start, "contact", {"ids": sorted(ids), "phrase": title_case(phrase)}, end))
            state.take(start, end)


def _in_known_phrases(state: ParseState, kinds: frozenset[str] | None = None) -> set[int]:
    """Positions covered by a multi-word catalog phrase (an account, a person, a value), or only by one
    with a meaning of `kinds` ("days to close" is the sales-cycle metric, not a date)."""
    lex, toks = state.ctx.lexicon, state.tokens
    covered: set[int] = set()
    for i in range(len(toks)):
        for n in range(min(lex.max_words, len(toks) - i), 1, -1):
            meanings = lex.lookup(" ".join(t.text for t in toks[i:i + n]))
            if meanings and (kinds is None or any(m.kind in kinds for m in meanings)):
                covered.update(range(i, i + n))
                break
    return covered


def correct_typos(state: ParseState) -> None:
    lex = state.ctx.lexicon
    known = set(lex.vocabulary)
    toks = state.tokens
    protected = _in_known_phrases(state)  # "Stonehaven Medical Group" is a name, not typos
    for k, tok in enumerate(toks):
        if k in protected or tok.kind != "word" or tok.text in known or tok.text in state.ctx.catalog.filler \
                or tok.text in _OWNER_VERBS or date_column_word(state.ctx.catalog, tok.text) or tok.text in ABSENT_AFTER \
                or tok.text in ABSENT_WORDS or tok.text in SERIES_WORDS:
            continue  # real words the grammar reads ("did I write", "pipeline change") are never typos of catalog words
        meanings = lex.lookup(tok.text)
        if meanings and not (all(m.extra == "cities" for m in meanings) and not _reads_as_place(state, k, [tok])) \
                or _after_free_text_column(state, k):
            continue  # (a city's name read where no place can be — "how many leeds" — may still be a typo)
        if not meanings and tok.text in english_words():
            continue  # a real word meant as written: "contract" is not "contact", "spending" not "pending"
        fixed = lex.correct(tok.text)
        if fixed:
            tok.text = fixed


def _after_free_text_column(state: ParseState, k: int) -> bool:
    """Whether token k may be the text looked for in a free-text column ("job title director"): such a
    word is taken as written, never corrected into a catalog word ("direction")."""
    return _free_text_column_before(state, k) is not None


def _free_text_column_before(state: ParseState, k: int) -> str | None:
    """The free-text column named right before token k (leading words such as "is" or "contains" apart)."""
    catalog, lex = state.ctx.catalog, state.ctx.lexicon
    j = k - 1
    while j >= 0 and state.word(j) in _TEXT_VALUE_LEADS:
        j -= 1
    for n in (1, 2, 3):
        if j - n + 1 < 0:
            break
        for meaning in lex.lookup(" ".join(state.word(i) for i in range(j - n + 1, j + 1))):
            column = catalog.entities[meaning.extra].columns.get(meaning.name) if meaning.kind == "column" else None
            if column is not None and column.type == "text" and not column.valueset:
                return column.name
    return None


def _filters_column(where: list[dict[str, Any]], column: str) -> bool:
    """Whether a named filter's `where` reads `column` (in any of its alternatives)."""
    return any(_filters_column(spec["any_of"], column) if "any_of" in spec else spec.get("column") == column
               for spec in where if "without" not in spec)


def _only_filters_on(catalog: Catalog, meanings: list[Meaning], columns: set[str]) -> bool:
    """Whether every meaning is a named filter read from one of `columns` ("VP" after "job title" is the text
    to look for there, not the VPs definition)."""
    return all(m.kind == "named" and any(_filters_column(catalog.named_filters[m.name].where, c) for c in columns)
               for m in meanings)


# In sales, what a rep "did close" was won; "close" alone is the expected close date of open deals.
_PAST_FORMS = {"close": "won", "win": "won", "lose": "lost", "sign": "signed", "book": "booked", "sell": "sold", "buy": "bought",
               "send": "sent", "reply": "replied", "respond": "replied", "create": "created",
               "write": "wrote", "complete": "completed", "schedule": "scheduled", "log": "logged"}
# verbs that are also nouns ("a call", "an email"): past only right after "did I/we"
_PAST_AFTER_DID_I = {"call": "called", "email": "emailed", "meet": "met", "phone": "phoned", "contact": "contacted"}


def past_tense_after_did(state: ParseState) -> None:
    """'how many deals did each rep close last month': after "did", "close" is what they won (dated by
    closed_at), not the expected close date of open deals. Compounds ("close-win") keep their words."""
    w = state.words
    for i, word in enumerate(w):
        compound = (i + 1 < len(w) and w[i + 1] in _PAST_FORMS) or (i > 0 and w[i - 1] in _PAST_FORMS)
        if word in _PAST_FORMS and not compound and any(w[k] in ("did", "didn't") for k in range(max(0, i - 8), i)):
            state.tokens[i].text = _PAST_FORMS[word]
        elif word in _PAST_AFTER_DID_I and i >= 2 and w[i - 1] in ("i", "we") and w[i - 2] in ("did", "didn't"):
            state.tokens[i].text = _PAST_AFTER_DID_I[word]  # "which contacts did I call": the ones I called
        elif word in _PAST_AFTER_DID_I and word != "contact" and i >= 3 and w[i - 1] == "last" and \
                w[i - 2] in ("i", "we") and w[i - 3] in ("did", "didn't") and not {"each", "every", "all"} & set(w):
            # "who did I last email", "when did we last meet": the newest one that happened ("when did I last
            # contact each customer" is each one's last contact date)
            state.tokens[i].text = _PAST_AFTER_DID_I[word]
            _pick_in_time(state, i - 1, ahead=False)


def _pick_in_time(state: ParseState, k: int, *, ahead: bool) -> None:
    """The word at `k` ("last", "next") picks the newest row up to now, or the soonest from now on: it reads as
    that superlative, with the period it implies (the last meeting is one that happened)."""
    state.tokens[k].text = "earliest" if ahead else "latest"
    rng = DateRange(state.ctx.now, None, "from now on", "since") if ahead else \
        DateRange(None, state.ctx.now, "up to now", "before")
    state.modifiers.append(Modifier(k, "date", {"range": rng, "negate": False, "column_pos": None}, k + 1))


def pass_top(state: ParseState) -> None:
    """'top 5', 'first 10', '5 largest', 'the largest deal', 'bottom 3'."""
    lex = state.ctx.lexicon
    tail, before = state.tokens[-1], state.word(len(state.tokens) - 2)
    if tail.text == "last" and (before.endswith("ed") or before in ("met", "won", "lost", "sent", "spoke")):
        _pick_in_time(state, len(state.tokens) - 1, ahead=False)  # "who did I email last": the newest
    for i, tok in enumerate(state.tokens[:-1]):
        # "the last email to Foster Goods", "my last meeting", "my last 3 calls": the newest ones up to now;
        # "my next meeting": the soonest from now on ("last week", "next 3 months" are periods)
        if tok.text not in ("last", "next"):
            continue
        j = i + 1
        if state.tokens[j].kind == "number" and state.word(j + 1) not in UNITS:
            j += 1  # the number is read as how many ("latest 3 calls")
        noun = state.word(j)
        if noun in UNITS or not any(m.kind in ("entity", "named") for m in lex.lookup(noun)) or \
                lex.lookup(f"{tok.text} {noun}"):  # ("last name" is a column)
            continue
        if tok.text == "last" and any(m.kind in ("entity", "named") for k in range(i) for m in lex.lookup(state.word(k))):
            # "contacts who opened my last email": the newest of related rows is not a plan's to pick
            state.ambiguous.append(f"I can find your last {noun} itself, not what is linked to it, "
                                   f"yet. Ask for the last {noun} first, then about it.")
        _pick_in_time(state, i, ahead=tok.text == "next")
    w = state.words
    for i, word in enumerate(w):
        if word in ("top", "first", "bottom", "best", "worst") and i + 1 < len(w) and state.tokens[i + 1].kind == "number":
            _none_asked(state, state.tokens[i + 1])
            state.limit = int(state.tokens[i + 1].value or DEFAULT_TOP_N)
            state.superlative = (i, word not in ("bottom", "worst"))
            state.take(i, i + 2)
        elif word in ("top", "bottom") and not state.used[i]:
            # "the top account by revenue": one; "top accounts": the first few
            one = i + 1 < len(w) and w[i + 1] in singular_nouns(state.ctx.catalog)
            state.limit = state.limit or (1 if one else DEFAULT_TOP_N)
            state.superlative = (i, word == "top")
            state.take(i, i + 1)
        elif _counts_rows(state, i):
            _none_asked(state, state.tokens[i])
            state.limit = int(state.tokens[i].value or DEFAULT_TOP_N)
            state.take(i, i + 1)


def _none_asked(state: ParseState, number: Token) -> None:
    """'top 0 deals' asks for nothing: ask back rather than show the default ten."""
    if number.value is not None and number.value < 1:
        state.ambiguous.append("How many? Ask for at least one, for example: top 5 deals.")


_COUNT_LEADS = frozenset({"which", "what", "latest", "newest", "oldest", "biggest", "largest", "first", "last", "me",
                          "show", "list", "give", "get", "pull", "find", "any", "recent", "smallest", "earliest",
                          "my", "our", "the"})


def _counts_rows(state: ParseState, i: int) -> bool:
    """A small number that says how many rows: "which 3 deals", "latest 5 emails", "5 biggest deals"."""
    tok, w = state.tokens[i], state.words
    if tok.kind != "number" or tok.is_money:
        return False
    before_noun = (tok.value or 0) < 1000 and (i == 0 or w[i - 1] in _COUNT_LEADS) and \
        any(m.kind in ("entity", "named") for skip in (1, 2) for n in (1, 2, 3) if i + skip + n <= len(w)
            for m in state.ctx.lexicon.lookup(" ".join(w[i + skip:i + skip + n])))  # "show 5 upcoming meetings"
    before_superlative = i + 1 < len(w) and w[i + 1] in _SUPERLATIVES and \
        (i == 0 or w[i - 1] in ("the", "top", "show", "me", "list", "give", "get", "my", "our"))
    return before_noun or before_superlative

_SUPERLATIVES = {
    "largest": True, "biggest": True, "highest": True, "greatest": True, "most": True, "max": True,
    "maximum": True, "smallest": False, "lowest": False, "least": False, "fewest": False, "min": False,
    "minimum": False, "newest": True, "latest": True, "oldest": False, "earliest": False, "recent": True,
    "longest": True, "shortest": False, "best": True, "worst": False,
}


def pass_dates(state: ParseState) -> None:
    toks, ctx = state.tokens, state.ctx
    i = 0
    while i < len(toks):
        if state.used[i]:
            i += 1
            continue
        word = toks[i].text
        span = _date_span(state, i) if word in ("between", "from") else _date_span(state, i - 1, lead=False)
        if span is not None:  # "between January and March", "from May 1 to May 15", "January through March"
            rng, end = span
            negate, col_pos = _date_negation_and_column(state, i)
            state.take(i, end)
            state.modifiers.append(Modifier(i, "date", {"range": rng, "negate": negate, "column_pos": col_pos}))
            i = end
            continue
        age = _age_at(state, i)
        lead = word in ("since", "after", "before", "until", "from", "by") and i + 1 < len(toks)
        start = i + 1 if lead else i
        found = age[:2] if age is not None else _date_at(toks, start, ctx.today)
        if found is None:
            i += 1
            continue
        rng, used = found
        end = start + used
        if lead and not (word == "from" and _names_a_period(rng)):
            rng = bounded_range(rng, word, ctx.today)
        negate, col_pos = _date_negation_and_column(state, i)
        if age is not None and negate and rng.kind == "age":
            rng = age[2]  # "not contacted in more than 30 days" = not in the last 30 days
        # "in the last 30 days" / "within" / "during" / "over the past" — the lead-in words are grammar
        k = i - 1
        while k >= 0 and toks[k].text in ("in", "the", "within", "during", "over", "for", "of", "from") and \
                not state.used[k]:
            state.used[k] = True
            k -= 1
        state.take(i, end)
        state.modifiers.append(Modifier(i, "date", {"range": rng, "negate": negate, "column_pos": col_pos}))
        i = end


_LONGER = frozenset({"older", "more", "longer", "greater", "over"})
_SHORTER = frozenset({"less", "fewer", "newer", "younger", "under", "shorter"})


def _age_at(state: ParseState, i: int) -> tuple[DateRange, int, DateRange] | None:
    """An age: "older than 90 days", "more than 30 days ago", "for over 60 days", "at least 2 weeks old"
    (dated before today minus the span: kind "age"), "less than a week ago", "under 30 days old" (within
    the span, as a bare window). Returns the range, the tokens used and the bare window of the span.
    """
    toks, word = state.tokens, state.word
    k = i
    if word(k) == "at" and word(k + 1) in ("least", "most"):
        longer, k = word(k + 1) == "least", k + 2
    elif word(k) in _LONGER or word(k) in _SHORTER:
        longer, k = word(k) in _LONGER, k + 1
        if word(k) == "than":
            k += 1
    else:
        return None
    if k + 1 >= len(toks) or toks[k].kind != "number" or toks[k].is_money or word(k + 1) not in UNITS:
        return None
    found = match_date(toks[:k + 2], k, state.ctx.today)  # the bare window of the span ("30 days")
    if found is None:
        return None
    if word(i - 1) in ("no", "not") and not state.used[i - 1]:  # "no more than 30 days ago"
        longer = not longer
        state.used[i - 1] = True
    window = found[0]
    end = k + 2 + (word(k + 2) in ("ago", "old"))
    if not longer:
        return window, end - i, window
    amount, unit = toks[k].original, word(k + 1)
    return DateRange(None, window.start, f"more than {amount} {unit} ago", "age"), end - i, window


def _date_span(state: ParseState, i: int, *, lead: bool = True) -> tuple[DateRange, int] | None:
    """'between <date> and <date>' / 'from <date> to <date>' (the lead word at `i`), or '<date> through
    <date>' after `i` (no lead: "and" there joins two periods): one period from the first's start to the
    second's end (the position after it is returned too)."""
    toks, today = state.tokens, state.ctx.today
    first = _date_at(toks, i + 1, today)
    if first is None:
        return None
    k = i + 1 + first[1]
    if k >= len(toks) or toks[k].text not in (("and", "to", "through", "thru", "until", "-") if lead else
                                              ("to", "through", "thru", "until")):
        return None
    second = _date_at(toks, k + 1, today)
    if second is None or first[0].start is None or second[0].end is None or first[0].start >= second[0].end:
        return None
    phrase = f"{first[0].phrase} to {second[0].phrase}"
    return DateRange(first[0].start, second[0].end, phrase, "period"), k + 1 + second[1]


def _date_at(toks: list[Token], i: int, today: date) -> tuple[DateRange, int] | None:
    if i >= len(toks):
        return None
    if toks[i].text in ("the",) and i + 1 < len(toks):
        found = match_date(toks, i + 1, today)
        return (found[0], found[1] + 1) if found else None
    return match_date(toks, i, today)


def _names_a_period(rng: DateRange) -> bool:
    """'deals from last month', 'emails from yesterday' mean that period; 'from May 1' means since that day."""
    if rng.start is None or rng.end is None:
        return False
    one_day = rng.end - rng.start <= timedelta(days=1)
    return not (one_day and any(ch.isdigit() for ch in rng.phrase))


def _date_negation_and_column(state: ParseState, i: int) -> tuple[bool, int | None]:
    """Look left of a date phrase for the column it dates and a negation ('not contacted in')."""
    negate = False
    col_pos = None
    in_metrics = _in_known_phrases(state, frozenset({"metric"}))
    for k in range(i - 1, max(-1, i - 7), -1):
        word = state.word(k)
        if state.tokens[k].kind != "word":
            break
        if col_pos is None and _column_words(state, k) and k not in in_metrics:
            col_pos = k
            if not any(m.kind in ("value", "named", "stage") for m in state.ctx.lexicon.lookup(word)):
                state.used[k] = True
        if word in ("not", "no", "never", "without", "nobody", "none") and col_pos is not None:
            negate = True
            state.used[k] = True
            break
        if word in ("with", "who", "that", "which") and col_pos is not None:
            break
        if col_pos is not None and k < col_pos and \
                any(m.kind in ("entity", "named") for m in state.ctx.lexicon.lookup(word)):
            break  # "accounts with no deals closing this month": the "no" is the deals', not the date's
    if col_pos is None:
        # "60 days without contact", "30 days since last contact"
        end = i + 1
        while end < len(state.tokens) and state.used[end]:
            end += 1
        for k in range(end, min(end + 3, len(state.tokens))):
            word = state.word(k)
            if word in ("contact", "contacted", "touch", "touched"):
                col_pos = k
                state.used[k] = True
                for j in range(end, k):
                    if state.word(j) in ("without", "no", "since", "last", "any", "of"):
                        negate = negate or state.word(j) in ("without", "no")
                        state.used[j] = True
                break
    return negate, col_pos


def _column_words(state: ParseState, k: int) -> bool:
    word = state.word(k)
    return date_column_word(state.ctx.catalog, word) is not None


def pass_comparisons(state: ParseState) -> None:
    toks = state.tokens
    for i, tok in enumerate(toks):
        # "an hour" after a comparator reads as "1 hour"
        if tok.text in ("a", "an", "one") and i + 1 < len(toks) and toks[i + 1].text in ("hour", "day", "week"):
            tok.kind, tok.value = "number", 1.0
    for i, tok in enumerate(toks):
        if tok.kind != "number" or state.used[i]:
            continue
        op, start = _comparator_before(state, i)
        if op == "between_low":
            continue
        if op is None:
            # a bare number next to a column ("score 80") or money ("$50k deals") is an equality/min
            if tok.is_money or tok.at_least:  # "10+ contacts"
                op, start = "gte", i
            else:
                continue
        value: Any = tok.value
        end = i + 1
        if op == "approx":  # "deals around 50k": within a tenth either side, said as a range in the answer
            op, value = "between", [round((tok.value or 0) * (1 - APPROX_SHARE), 2),
                                    round((tok.value or 0) * (1 + APPROX_SHARE), 2)]
        elif op == "between":
            j = i + 1
            if j < len(toks) and toks[j].text in ("and", "to", "-") and j + 1 < len(toks) and toks[j + 1].kind == "number":
                high = toks[j + 1]
                low_v, high_v = tok.value or 0, high.value or 0
                # "between 20 and 50k", "between 10 and 20 thousand": the magnitude of the second applies to the first
                if (high.is_money or high.magnified) and not tok.is_money and not tok.magnified and low_v < 1000 <= high_v:
                    low_v *= 1000 if high_v < 1e6 else 1e6
                value = [low_v, high_v]
                tok.is_money = tok.is_money or high.is_money
                end = j + 2
            else:
                continue
        unit_pos = end if end < len(toks) else None
        if unit_pos is not None and toks[unit_pos].text in ("hour", "hours", "minute", "minutes", "min", "mins"):
            state.used[unit_pos] = True
        if unit_pos is not None and toks[unit_pos].text in ("percent", "pct", "percentage"):
            tok.is_percent = True  # "60 percent" is "60%"
            state.used[unit_pos] = True
            unit_pos = unit_pos + 1 if unit_pos + 1 < len(toks) else None
        state.take(start, end)
        state.modifiers.append(Modifier(start, "compare", {
            "op": op, "value": value, "money": tok.is_money, "percent": tok.is_percent,
            "unit_pos": unit_pos, "number_pos": i,
        }, end))


APPROX_SHARE = 0.1  # "around 50k" is 45k-55k


_COMPARATORS = [
    # "greater than or equal to", "less than or equal to" (the longest phrase wins)
    *[((word, "than", "or", "equal", "to"), op) for word, op in (
        ("greater", "gte"), ("more", "gte"), ("higher", "gte"), ("bigger", "gte"), ("larger", "gte"),
        ("less", "lte"), ("fewer", "lte"), ("lower", "lte"), ("smaller", "lte"))],
    (("greater", "or", "equal", "to"), "gte"), (("less", "or", "equal", "to"), "lte"),
    (("more", "than"), "gt"), (("greater", "than"), "gt"), (("bigger", "than"), "gt"), (("larger", "than"), "gt"),
    (("higher", "than"), "gt"), (("over",), "gt"), (("above",), "gt"), (("exceeding",), "gt"), (("exceeds",), "gt"),
    (("north", "of"), "gt"), (("at", "least"), "gte"), (("minimum", "of"), "gte"), (("min",), "gte"),
    (("or", "more"), "gte"), (("plus",), "gte"), (("less", "than"), "lt"), (("fewer", "than"), "lt"),
    (("smaller", "than"), "lt"), (("lower", "than"), "lt"), (("under",), "lt"), (("below",), "lt"),
    (("at", "most"), "lte"), (("up", "to"), "lte"), (("no", "more", "than"), "lte"), (("maximum", "of"), "lte"),
    (("max",), "lte"), (("between",), "between"), (("exactly",), "eq"), (("equal", "to"), "eq"),
    (("only",), "eq"), (("just",), "eq"),  # "accounts with only one deal"
    # "deals not over 50k": at most (a negated comparison, read as its opposite)
    (("not", "over"), "lte"), (("not", "above"), "lte"), (("not", "more", "than"), "lte"),
    (("not", "greater", "than"), "lte"), (("not", "exceeding"), "lte"), (("not", "under"), "gte"),
    (("not", "below"), "gte"), (("not", "less", "than"), "gte"), (("not", "fewer", "than"), "gte"),
    (("around",), "approx"), (("about",), "approx"), (("approximately",), "approx"), (("roughly",), "approx"),
    (("approx",), "approx"), (("circa",), "approx"), (("nearly",), "approx"), (("almost",), "approx"),
    (("equals",), "eq"), ((">",), "gt"), ((">=",), "gte"), (("<",), "lt"), (("<=",), "lte"), (("=",), "eq"),
    (("worth", "more", "than"), "gt"), (("worth", "over"), "gt"), (("worth",), "gte"),
    (("more", "then"), "gt"), (("less", "then"), "lt"), (("longer", "than"), "gt"), (("shorter", "than"), "lt"),
    (("greater", "then"), "gt"), (("fewer", "then"), "lt"), (("bigger", "then"), "gt"), (("over", "then"), "gt"),
]


_COMPARATORS_LONGEST_FIRST = sorted(_COMPARATORS, key=lambda p: -len(p[0]))


def _comparator_ending(words: list[str], end: int) -> tuple[str, int] | None:
    """The ordering comparator ("more than", "above", "not over", "below") whose words end at `end`, and where
    it starts ("deals above average"); None when there is none."""
    for phrase, op in _COMPARATORS_LONGEST_FIRST:
        n = len(phrase)
        if op in ("gt", "gte", "lt", "lte") and end - n >= 0 and tuple(words[end - n:end]) == phrase:
            return op, end - n
    return None


def _comparator_before(state: ParseState, i: int) -> tuple[str | None, int]:
    words = state.words
    # "between 20k and 50k": the second number belongs to the first
    if i >= 2 and words[i - 1] in ("and", "to") and state.tokens[i - 2].kind == "number":
        for k in range(i - 3, max(-1, i - 6), -1):
            if words[k] in ("between", "from"):
                return "between_low", i
    # "from 10k to 20k": a range ("from" alone before a number says nothing)
    if i >= 1 and words[i - 1] == "from" and i + 2 < len(words) and words[i + 1] == "to" and \
            state.tokens[i + 2].kind == "number":
        return "between", i - 1
    for phrase, op in _COMPARATORS_LONGEST_FIRST:
        n = len(phrase)
        if i - n >= 0 and tuple(words[i - n:i]) == phrase:
            # "10k or more"
            return op, i - n
    if i + 2 < len(words) and (words[i + 1], words[i + 2]) in (("or", "more"), ("or", "above"), ("and", "up"),
                                                               ("or", "higher"), ("plus",)):
        state.take(i + 1, i + 3)
        return "gte", i
    if i + 1 < len(words) and words[i + 1] == "plus":
        state.take(i + 1, i + 2)
        return "gte", i
    if i + 2 < len(words) and (words[i + 1], words[i + 2]) in (("or", "less"), ("or", "fewer"), ("or", "below")):
        state.take(i + 1, i + 3)
        return "lte", i
    # "where the amount is 0", "a lead score of 80", "amount 0": a column's value, exactly
    linked = i >= 1 and words[i - 1] in ("is", "of", "was", "are", "at")
    column_end = i - linked
    names_column = any(m.kind == "column" for n in (1, 2) if column_end - n >= 0
                       for m in state.ctx.lexicon.lookup(" ".join(words[column_end - n:column_end])))
    year_like = 1900 <= (state.tokens[i].value or 0) <= 2100 and not state.tokens[i].magnified  # "revenue 2025"
    if names_column and not state.tokens[i].is_money and not year_like:
        return "eq", i - linked
    return None, i


def pass_sorting(state: ParseState) -> None:
    w = state.words
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        if word in ("sort", "sorted", "order", "ordered", "rank", "ranked") and i + 1 < len(w):
            j = i + 1
            while j < len(w) and w[j] in ("the", "their", "its", "them", "those", "these", "it", "by", "on",
                                          "that", "this"):
                j += 1
            state.take(i, j)
            descending = None
            k = j
            phrase_words = []
            while k < len(w) and w[k] not in ("desc", "descending", "asc", "ascending", "highest", "lowest",
                                              "biggest", "smallest", "newest", "oldest", "first", "then", "and"):
                phrase_words.append(w[k])
                k += 1
            for k2 in range(k, min(k + 3, len(w))):
                if w[k2] in ("desc", "descending", "highest", "biggest", "largest", "newest", "latest", "most"):
                    descending = True
                    state.take(k2, k2 + 2 if k2 + 1 < len(w) and w[k2 + 1] == "first" else k2 + 1)
                elif w[k2] in ("asc", "ascending", "lowest", "smallest", "oldest", "earliest", "least"):
                    descending = False
                    state.take(k2, k2 + 2 if k2 + 1 < len(w) and w[k2 + 1] == "first" else k2 + 1)
            if descending is None:  # a ranking puts the most first; a sort does when the key is a figure
                descending = word in ("rank", "ranked") or _default_desc(phrase_words)
            state.sort = (" ".join(phrase_words[:3]) or None, descending)
            state.modifiers.append(Modifier(j, "sort", {"words": phrase_words[:3]}))
        elif word in ("newest", "latest", "oldest", "earliest", "highest", "largest", "biggest", "smallest",
                      "lowest") and i + 1 < len(w) and w[i + 1] == "first":
            state.sort = (word, word in ("newest", "latest", "highest", "largest", "biggest"))
            state.modifiers.append(Modifier(i, "sort", {"words": [word]}))
            state.take(i, i + 2)
        elif word in ("alphabetically", "alphabetical") and state.sort is None:
            # "accounts alphabetically", "contacts in alphabetical order": by name, A first
            state.sort = ("name", False)
            state.modifiers.append(Modifier(i, "sort", {"words": ["name"]}))
            state.take(i, i + 1 + (state.word(i + 1) == "order"))
        elif word in _SIZE_ORDER and state.sort is None and _sized_noun_follows(state, i):
            # "any big deals closing this week" with no amount said: all of them, the biggest first
            state.sort = (None, _SIZE_ORDER[word])  # (no words: by the amount)
            state.modifiers.append(Modifier(i, "sort", {"words": []}))
            state.take(i, i + 1)


_SIZE_ORDER = {"big": True, "large": True, "huge": True, "sizable": True, "sizeable": True, "major": True,
               "small": False, "tiny": False}


def _sized_noun_follows(state: ParseState, i: int) -> bool:
    """A size word right before records that have an amount ("big deals", "large opportunities"), with no
    amount said ("big deals over 100k" reads the number)."""
    if any(m.kind == "compare" for m in state.modifiers) or state.superlative is not None:
        return False
    catalog, lex = state.ctx.catalog, state.ctx.lexicon

    def has_money_amount(entity: str | None) -> bool:
        amount = catalog.amount_columns.get(entity or "")
        return amount is not None and catalog.entities[entity or ""].column_type(amount) == "money"

    previous = state.ctx.previous
    if state.word(i + 1) in ("ones", "one") and previous is not None:  # "just the big ones" after deals
        return has_money_amount(previous.entity)
    return any(has_money_amount(entity_named(catalog, m)) for n in (2, 1) if i + n < len(state.words)
               for m in lex.lookup(" ".join(state.words[i + 1:i + 1 + n])))


def _default_desc(words: list[str]) -> bool:
    return any(w in _FIGURE_WORDS for w in words)


# sort keys that are sizes or counts: sorting by them puts the biggest first unless told otherwise
_FIGURE_WORDS = frozenset({"amount", "value", "size", "revenue", "score", "employees", "recent", "newest", "probability",
                           "pipeline", "rate", "count", "number", "total", "bookings", "sales", "deals", "activities",
                           "calls", "emails", "meetings", "contacts", "accounts", "wins"})


# "MoM", "QoQ", "YoY": a series by that period
_OVER_GRAINS = {"mom": "@month", "qoq": "@quarter", "yoy": "@year"}
_PERIOD_TARGETS = frozenset({"@day", "@week", "@month", "@quarter", "@year"})
# what a series by period shows: "revenue growth month over month", "pipeline trend by quarter"
SERIES_WORDS = frozenset({"growth", "trend", "trends", "trajectory", "evolution", "change", "changes", "increase",
                          "decrease", "difference", "delta"})


def _pass_period_series(state: ParseState) -> None:
    """'month over month', 'week over week', 'YoY': the figure by that period, oldest first (beside any
    grouping by period, 'growth' and 'trend' name what the series shows: `_take_series_words`)."""
    w = state.words
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        grain = GROUP_WORDS.get(word, [None])[0] if i + 2 < len(w) and w[i + 1] == "over" and w[i + 2] == word \
            else _OVER_GRAINS.get(word)
        if grain not in _PERIOD_TARGETS:
            continue
        used = 3 if w[i + 1:i + 2] == ["over"] else 1
        state.take(i, i + used)
        state.group_words.append((i, [grain]))


def _take_series_words(state: ParseState) -> None:
    if any(target and target[0] in _PERIOD_TARGETS for _, target in state.group_words):
        for i, word in enumerate(state.words):
            if word in SERIES_WORDS and not state.used[i]:
                state.take(i, i + 1)


def pass_grouping(state: ParseState) -> None:
    _pass_period_series(state)
    w = state.words
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        lead = None
        if word in ("per", "across") or word == "by" and not (
                i > 0 and w[i - 1] in ("owned", "assigned", "managed", "handled", "created", "written", "sent",
                                       "logged")):
            lead = i + 1
        elif word == "for" and i + 1 < len(w) and w[i + 1] in ("each", "every"):
            lead = i + 2
        elif word == "each" and i + 1 < len(w) and not (i > 0 and w[i - 1] in ("for",)):
            lead = i + 1
        elif word in ("leaderboard", "leaderboards", "scoreboard") and not state.group_words:
            # "revenue leaderboard this year", "calls leaderboard": the figure by rep, highest first
            state.group_words.append((i, ["@owner"]))
            state.sort = state.sort or (None, True)
            state.take(i, i + 1)
            continue
        elif _names_values_of_what_follows(state, i):
            # "why did we lose deals", "reasons for lost deals", "the top reasons we lose deals": by reason
            target, _used = _group_target_at(state, [word])
            assert target is not None
            state.take(i, i + 1 + (i + 1 < len(w) and w[i + 1] in ("for", "behind", "of")))
            state.group_words.append((i, target))
            continue
        elif word in ("breakdown", "broken", "break", "grouped", "split", "group"):
            j = i + 1
            while j < len(w) and w[j] in ("down", "by", "per", "into", "of", "that", "it", "this", "them", "those",
                                          "the", "up"):
                j += 1
            lead = j
        if lead is None or lead >= len(w):
            continue
        j = lead
        while j < len(w) and w[j] in ("the", "their", "each", "every", "deal", "lead", "sales", "its"):
            if w[j] in ("deal", "lead", "sales") and j + 1 < len(w) and w[j + 1] in ("stage", "source", "rep", "reps",
                                                                                  "owner", "person", "team"):
                j += 1
                continue
            j += 1
        phrase = w[j:j + 3]
        if phrase[:2] in (["my", "team"], ["our", "team"]):
            continue  # "deals won by my team": whose deals, not one row per team
        ordering = _ordering_phrase(state, phrase)
        if ordering and word == "by":
            continue
        target, used = _group_target_at(state, phrase)
        dated_by = date_column_word(state.ctx.catalog, phrase[0]) if len(phrase) > 1 else None
        if dated_by and not dated_by.startswith("@") and phrase[1] in ("month", "quarter", "week", "year", "day"):
            target, used = [f"@{phrase[1]}:{dated_by}"], 2  # "pipeline by close month": the close date's month
        skipped = 0
        if target is None and len(phrase) > 1:
            # "call outcomes": group by outcome, and 'call' still filters
            target, used = _group_target_at(state, phrase[1:])
            skipped = 1
        if target is None:
            continue
        state.take(i, j)
        state.take(j + skipped, j + skipped + used)
        state.group_words.append((i, target))
        # "by owner and stage": a second grouping
        k = j + skipped + used
        if k + 1 < len(w) and w[k] in ("and", "then") and not state.used[k + 1]:
            k2 = k + 1
            while k2 < len(w) and w[k2] in ("the", "their", "by", "per", "deal", "lead", "sales") and \
                    not (w[k2] in ("deal", "lead", "sales") and k2 + 1 < len(w) and
                         w[k2 + 1] in ("stage", "source", "rep", "reps", "owner", "team")):
                k2 += 1
            second, second_used = _group_target_at(state, w[k2:k2 + 3])
            if second is not None and second != target:
                state.take(k, k2 + second_used)
                state.group_words.append((k, second))
    _take_series_words(state)


def _names_values_of_what_follows(state: ParseState, i: int) -> bool:
    """A value set's column asked of the rows after it, as a list of its values: "why" or "the reasons"
    before "we lose deals", "the sources of our leads" (a column with a value set, said in the plural or
    as "why", and followed by what it qualifies)."""
    w = state.words
    word, nxt = w[i], (w[i + 1] if i + 1 < len(w) else "")
    if not (word == "why" and i == 0 or word.endswith("s") and nxt in ("for", "behind", "we", "of", "why")):
        return False
    if word != "why" and any(t.kind == "word" and not state.used[k] and t.text not in (
            "what", "are", "were", "is", "was", "the", "top", "main", "common", "most", "biggest", "show", "me", "list")
                             for k, t in enumerate(state.tokens[:i])):
        return False
    target, _used = _group_target_at(state, [word])
    if target is None or word != "why" and not _rows_follow(state, i + 2):
        return False
    entities = state.ctx.catalog.entities
    columns = [(entities[e].columns.get(c) if e in entities else None) for e, _, c in (t.partition(".") for t in target)]
    return all(column is not None and column.valueset for column in columns)


def _rows_follow(state: ParseState, k: int) -> bool:
    """Whether records are named within the next few words ("reasons we lose deals", "sources of our
    leads"), not a pipeline ("the stages of the sales pipeline" are its stages)."""
    lex, w = state.ctx.lexicon, state.words
    for start in range(k, min(k + 4, len(w))):
        for n in (3, 2, 1):
            meanings = lex.lookup(" ".join(w[start:start + n])) if start + n <= len(w) else []
            if any(m.kind == "pipeline" for m in meanings):
                return False
            if any(entity_named(state.ctx.catalog, m) not in (None, "pipelines", "deal_stages") for m in meanings):
                return True
    return False


def _ordering_phrase(state: ParseState, phrase: list[str]) -> bool:
    """'by pipeline value', 'by revenue', 'by amount' after top/most: a measure to rank by, not a group."""
    lex = state.ctx.lexicon
    ranks = state.limit is not None or state.superlative is not None or \
        any(w in _SUPERLATIVES or w == "top" for w in state.words)
    for n in range(min(3, len(phrase)), 0, -1):
        meanings = lex.lookup(" ".join(phrase[:n]))
        if any(m.kind == "metric" for m in meanings) and (ranks or not any(m.kind == "named" for m in meanings)):
            return True  # ("top 3 accounts by pipeline": its value; "deals by pipeline": Sales or Renewals)
        if ranks and any(m.kind == "column" and m.name in ("amount", "annual_revenue", "employee_count",
                                                           "lead_score", "duration_minutes") for m in meanings):
            return True
    return False


def _group_target_at(state: ParseState, phrase: list[str]) -> tuple[list[str] | None, int]:
    if not phrase:
        return None, 0
    phrase = [p[:-1] if p.endswith("es") and p[:-2] in ("outcom", "typ", "stag", "sourc") else p for p in phrase]
    lex = state.ctx.lexicon
    for n in range(min(3, len(phrase)), 0, -1):
        key = " ".join(phrase[:n])
        if n == 1 and key in GROUP_WORDS:
            return GROUP_WORDS[key], 1
        meanings = [m for m in lex.lookup(key) if m.kind == "column"]
        if meanings:
            return [f"{m.extra}.{m.name}" for m in meanings], n
        if key in GROUP_WORDS:
            return GROUP_WORDS[key], n
        if n == 1 and key.endswith("s") and key[:-1] in GROUP_WORDS:
            return GROUP_WORDS[key[:-1]], 1
    return None, 0


_TIME_BETWEEN = re.compile(r"\bhow (?:many|much) (?:days|weeks|months|years|hours|time)\b.*\b(?:since|ago|until|till|"
                           r"left|before|after|between)\b|\bhow long (?:since|ago|until|till|has it been|before|after|"
                           r"between|did it take|does it take|it took)\b")


def pass_adding_up(state: ParseState) -> None:
    """"add the amounts", "what do they add up to": a total (before "add" can read as a creation date)."""
    w = state.words
    for i, word in enumerate(w):
        if word == "add" and not state.used[i] and ("up" in w[i + 1:i + 4] or w[i + 1:i + 2] in (["the"], ["their"],
                                                                                                  ["all"])):
            state.measure = state.measure or "sum"
            state.take(i, i + 1)
            if "up" in w[i + 1:i + 4]:
                up = w.index("up", i + 1)
                state.take(up, up + 1 + (w[up + 1:up + 2] == ["to"]))


def pass_measures(state: ParseState) -> None:
    w = state.words
    text = " ".join(w)
    per_record = re.search(r"\b(?:average|avg|mean)\s+(\w+)\s+(?:per|for each|each)\b", text)
    counted = per_record is not None and {m.kind for m in state.ctx.lexicon.lookup(per_record.group(1))} == {"entity"}
    if counted or re.search(r"\b(average|avg|mean)\s+(number|count|amount)\s+of\s+\w+\s+(per|for each|each)\b|"
                            r"\b(number of|how many)\b.*\b(per|each)\b.*\bon average\b", text):
        # "average emails per contact": an average of counts, not a count per contact
        state.unknown.append("an average number per record (e.g. activities per deal)")
    if _TIME_BETWEEN.search(text):
        # "how many days since I last contacted Foster Goods": a difference of dates (was a count of its contacts)
        state.unknown.append("the time between two dates (days since, until or between)")
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if word == "how" and nxt in ("many", "much"):
            state.measure = "count" if nxt == "many" else state.measure or "sum"
            if nxt == "many" and _counted_column_at(state, i + 2):
                state.measure = "sum"  # "how many employees does Foster Goods have": the number it holds
            state.take(i, i + 2)
        elif word in ("number", "count", "counts", "#", "tally", "amount") and nxt == "of":
            if word == "amount":
                continue
            after = w[i + 2] if i + 2 < len(w) else ""
            meanings = state.ctx.lexicon.lookup(after)
            if i > 0 and w[i - 1] == "by" and meanings and all(m.kind == "column" for m in meanings):
                # "accounts by number of employees": a column that already holds the number — sort by it
                state.sort = (after, True)
                state.take(i - 1, i + 3)
                continue
            state.measure = "count"
            state.take(i, i + 2)
            if i > 0 and w[i - 1] == "by":
                state.most = True  # "top 3 accounts by number of deals"
                state.used[i - 1] = True
        elif word in ("count", "counts"):
            state.measure = "count"
            state.take(i, i + 1)
        elif word in ("total", "sum", "combined", "aggregate", "overall") and nxt not in ("number", "count"):
            state.measure = state.measure or "sum"
            state.take(i, i + 1)
            if nxt == "of":
                state.take(i + 1, i + 2)
        elif word in ("average", "avg", "mean", "typical") and \
                (beside := _comparator_ending(w, i - (i >= 1 and w[i - 1] == "the"))) is not None:
            # "deals above average", "deals worth more than the average amount": each row against the average
            # of the rows asked about (the compiler's subquery)
            op, start = beside
            state.take(start, i + 1)
            state.modifiers.append(Modifier(start, "compare", {
                "op": op, "value": AVERAGE, "money": False, "percent": False, "average": True,
                "unit_pos": i + 1 if i + 1 < len(w) else None, "number_pos": i}, i + 1))
        elif word in ("average", "avg", "mean", "typical"):
            state.measure = "avg"
            state.take(i, i + 1)
        elif word == "median":
            state.measure = "median"
            state.take(i, i + 1)
        elif word in ("more", "fewer", "less") and "than" not in w[i + 1:] and {"which", "who"} & set(w) and \
                not state.used[i]:
            # "which team has more open deals, …": the most of them, as a ranking
            state.most = True
            state.superlative = (i, word == "more")
            state.take(i, i + 1)
        elif word in _SUPERLATIVES and not state.used[i]:
            if word in ("most", "least", "fewest") and nxt not in ("recent", "recently"):
                state.most = True
            state.superlative = (i, _SUPERLATIVES[word])
            state.take(i, i + 1)
            if word in ("most", "least") and nxt in ("recent", "recently"):
                state.take(i + 1, i + 2)


def _counted_column_at(state: ParseState, k: int) -> bool:
    """A column that holds a number of things starts at `k` ("employees": employee_count)."""
    catalog = state.ctx.catalog
    return any(m.kind == "column" and m.pos == k and all(
        catalog.entities[e].column_type(c) == "integer" and c.endswith("_count") for e, c in m.data["columns"])
        for m in state.modifiers)


_OWNER_VERBS = {"own", "have", "manage", "handle", "am", "wrote", "write", "created", "logged", "log", "sent", "sold", "sell",
                "send", "closed", "won", "lost", "called", "emailed", "met", "booked", "added", "made", "make",
                "had", "held", "scheduled", "completed", "finished", "ran", "run", "took", "worked", "meet",
                "phoned"}


_OWNER_NEGATIONS = frozenset({"not", "never"})
_OWNER_LEAD_INS = frozenset({"owned", "by", "on", "in", "the", "a", "of", "is", "are", "been", "managed", "handled",
                             "from", "to", "for", "belonging", "belong", "assigned", "worked"})


def _negate_owners(state: ParseState) -> None:
    """'deals not owned by me', 'users not on the Enterprise team', 'accounts not managed by Dana': the
    owner, user or team rules rows out."""
    for mod in state.modifiers:
        if mod.kind in ("owner", "user", "team") and not mod.data.get("negate") and not mod.data.get("subject") and \
                _negation_before(state, mod.pos, _OWNER_NEGATIONS, _OWNER_LEAD_INS, reuse=False, reach=5):
            mod.data["negate"] = True


def pass_ownership(state: ParseState) -> None:
    w = state.words
    for i, word in enumerate(w):
        if state.used[i]:
            continue
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if word in ("my", "mine") and i >= 2 and w[i - 2] == "not" and w[i - 1] in ("just", "only"):
            state.take(i - 2, i + 1)  # "everyone's deals, not just mine": no owner filter
            continue
        if word in ("my", "our") and nxt in ("team", "teams", "group", "squad", "org"):
            state.modifiers.append(Modifier(i, "owner", {"scope": "team"}, i + 2))
            state.take(i, i + 2)
        elif word in ("other", "others", "others'") and \
                (_names_people(state, i + 1) or word.startswith("others")) and \
                not any(m.kind == "owner" for m in state.modifiers):
            # "deals of other reps", "others' deals": rows someone else owns (the scope still applies)
            state.modifiers.append(Modifier(i, "owner", {"scope": "others"}, i + 1))
            state.take(i, i + 1)
        elif word in ("someone", "somebody", "anyone", "anybody") and nxt == "else":
            # "deals owned by someone else": rows another rep owns
            state.modifiers.append(Modifier(i, "owner", {"scope": "others"}, i + 2))
            state.take(i, i + 2)
        elif word == "my" and _names_people(state, i + 1):
            # "my reps", "my top 3 reps": the people on my team, not rows I own
            state.modifiers.append(Modifier(i, "owner", {"scope": "team"}, i + 1))
            state.take(i, i + 1)
        elif word in ("my", "mine", "myself") or (word == "me" and i > 0 and w[i - 1] in ("to", "by", "for", "owned")):
            state.modifiers.append(Modifier(i, "owner", {"scope": "me"}))
            state.take(i, i + 1)
        elif word == "i" and (verb_at := _owner_verb_after(w, i)) is not None:
            # "I called", "did I call", "I haven't called" (the negation stays for the date, or the verb)
            state.modifiers.append(Modifier(i, "owner", {"scope": "me", "subject": True}))
            verb = w[verb_at]
            meaningful = any(m.kind in ("value", "named", "stage", "event") for m in state.ctx.lexicon.lookup(verb))
            state.take(i, i + 1)
            if verb in VERB_VALUES:
                valueset, value = VERB_VALUES[verb]
                # "contacts I haven't emailed", "which leads haven't I called": none of them (a period after the
                # verb takes the "not" instead: "haven't called in a month")
                nots = [k for k in range(max(0, i - 2), verb_at) if w[k] in ("not", "never") and not state.used[k]]
                dated = any(m.kind == "date" and m.pos > verb_at for m in state.modifiers)
                negate = bool(nots) and not dated
                for k in nots if negate else []:
                    state.used[k] = True
                state.modifiers.append(Modifier(verb_at, "value", {"options": [(valueset, value)], "phrase": verb,
                                                                   "negate": negate}))
                state.take(verb_at, verb_at + 1)
            elif not meaningful and date_column_word(state.ctx.catalog, verb) is None:
                state.take(i, verb_at + 1)
        elif word == "we" and (verb_at := _owner_verb_after(w, i)) is not None and w[verb_at] in VERB_VALUES:
            # "who did we call last week": the company's calls (no owner), still calls
            valueset, value = VERB_VALUES[w[verb_at]]
            state.modifiers.append(Modifier(verb_at, "value", {"options": [(valueset, value)], "phrase": w[verb_at]}))
            state.take(verb_at, verb_at + 1)
        elif word == "our" and nxt not in ("team",):
            state.take(i, i + 1)  # "our customers" in a company means the company's: no owner filter


def _names_people(state: ParseState, k: int) -> bool:
    """Whether the words from `k` on (past "top N") name users: "reps", "sales reps", "top 3 sellers"."""
    w = state.words
    while k < len(w) and (w[k] in ("top", "best", "bottom", "worst") or state.tokens[k].kind == "number"):
        k += 1
    lex = state.ctx.lexicon
    return any(any(m.kind == "entity" and m.name == "users" for m in lex.lookup(" ".join(w[k:k + n])))
               for n in (2, 1) if k + n <= len(w))


def _owner_verb_after(w: list[str], i: int) -> int | None:
    """Where the verb of "I …" is: right after it, or after an auxiliary and a negation ("I have not
    called", "I did not email"); None when the next words are no such verb."""
    k = i + 1
    if k < len(w) and w[k] in ("did", "do", "have", "had") and k + 1 < len(w) and w[k + 1] not in _OWNER_VERBS:
        k += 1
    if k < len(w) and w[k] in ("not", "never") and k > i + 1:
        k += 1
    if k < len(w) and w[k] in ("latest", "just", "recently", "already", "ever", "also"):
        k += 1  # "did I last email" (read as "latest"), "I just called"
    if k < len(w) and w[k] in _OWNER_VERBS:
        return k
    return i + 1 if i + 1 < len(w) and w[i + 1] in ("have", "had") else None  # "what meetings do I have on Friday"


def pass_phrases(state: ParseState) -> None:
    """Longest match of catalog phrases over the tokens not yet used."""
    lex = state.ctx.lexicon
    toks = state.tokens
    i = 0
    while i < len(toks):
        if state.used[i] or toks[i].kind not in ("word",):
            i += 1
            continue
        predicative = _predicative_name(state, i)
        if predicative is not None:
            phrase, meanings, end = predicative
            _record(state, i, end, phrase, meanings)
            state.take(i, end)
            i = end
            continue
        matched = False
        for n in range(min(lex.max_words, len(toks) - i), 0, -1):
            span = toks[i:i + n]
            if any(state.used[i + k] or t.kind != "word" for k, t in enumerate(span)):
                continue
            phrase = " ".join(t.text for t in span)
            meanings = lex.lookup(phrase)
            if not meanings and n == 1 and span[0].is_upper_code and not state.shouting:
                meanings = _state_code(state, span[0])
            if meanings and not _reads_as_place(state, i, span):
                meanings = [m for m in meanings if m.extra != "cities"]
            if not meanings:
                continue
            column = _free_text_column_before(state, i)
            if column and _only_filters_on(state.ctx.catalog, meanings, {column}):
                continue  # "job title vice president": the text to look for, not the VPs definition
            _record(state, i, i + n, phrase, meanings)
            state.take(i, i + n)
            i += n
            i = _title_area(state, i, meanings)
            matched = True
            break
        if not matched:
            i += 1


def _title_area(state: ParseState, k: int, meanings: list[Meaning]) -> int:
    """'VP of Sales', 'directors of finance': after a named filter read from a free-text column, "of" and
    the words up to the next noun narrow that column to the area ("job title contains 'Sales'"). Returns
    where reading goes on."""
    catalog, lex = state.ctx.catalog, state.ctx.lexicon
    named = next((catalog.named_filters[m.name] for m in meanings if m.kind == "named"), None)
    if named is None or state.word(k) != "of" or state.used[k]:
        return k
    entity = catalog.entities[named.entity]
    columns = [c for c in entity.columns.values()
               if c.type == "text" and not c.valueset and _filters_column(named.where, c.name)]
    if not columns:
        return k
    end = k + 1
    while end < len(state.tokens) and end - k <= 2 and not state.used[end] and state.tokens[end].kind == "word" \
            and state.word(end) not in catalog.filler and state.word(end) not in GRAMMAR_FILLER \
            and not any(m.kind in ("entity", "named") for m in lex.lookup(state.word(end))):
        end += 1
    if end == k + 1:
        return k
    area = " ".join(t.original for t in state.tokens[k + 1:end])
    state.modifiers.append(Modifier(k, "text", {"columns": [(entity.name, columns[0].name)], "value": area,
                                                "phrase": columns[0].label.lower()}, end))
    state.take(k, end)
    return end


_PLACE_LEAD_INS = frozenset({"in", "at", "from", "near", "around", "of", "based", "to", "outside", "city"})


def _reads_as_place(state: ParseState, i: int, span: list[Token]) -> bool:
    """A city name is a city when written as a name ("Leeds") or after "in", "from", "near"…; otherwise
    "how many leeds" stays a typo of leads."""
    return span[0].original[:1].isupper() or (i > 0 and state.tokens[i - 1].text in _PLACE_LEAD_INS)


_COPULAS = frozenset({"is", "are"})


def named_by_adjective(state: ParseState, word: str, entity: str, nouns: list[str]) -> NamedFilter | None:
    """The definition of `entity`'s records that "<word> <noun>" names for one of `nouns` ("overdue" with
    deals: slipped deals; "hot" after leads: hot leads), if any."""
    catalog = state.ctx.catalog
    return next((catalog.named_filters[m.name] for noun in nouns for m in state.ctx.lexicon.lookup(f"{word} {noun}")
                 if m.kind == "named" and entity_named(catalog, m) == entity), None)


def pass_adjective_names(state: ParseState) -> None:
    """A definition's bare word said of other rows names theirs when they have one: "are any deals
    overdue", "deals past due" are slipped deals (the deals' "overdue deals"), not deals linked to overdue
    tasks; "contacts with overdue tasks" keeps the tasks (contacts have no "overdue contacts")."""
    catalog = state.ctx.catalog
    for bare in [m for m in state.mentions if m.named and " " not in m.phrase.strip()]:
        for other in state.mentions:
            if other is bare or other.named or other.metric or other.entity == bare.entity or other.negated:
                continue
            own = named_by_adjective(state, bare.phrase, other.entity, [catalog.entities[other.entity].plural])
            if own is not None:
                other.named = own.name
                state.mentions.remove(bare)
                break


def _predicative_name(state: ParseState, i: int) -> tuple[str, list[Meaning], int] | None:
    """A two-word name said as a sentence: "renewals are due" is the stage "Renewal Due", "deals that are
    overdue" are the overdue deals (not deals linked to overdue tasks). Returns the phrase, its meanings
    and where the sentence ends."""
    toks = state.tokens
    copula = i + 1 + (state.word(i + 1) in ("that", "which", "who"))
    tail_at = copula + 1
    while state.word(tail_at) in ("still", "now", "already", "currently"):
        tail_at += 1  # "deals that are still past due"
    if tail_at >= len(toks) or any(state.used[k] or toks[k].kind != "word" for k in range(i, tail_at + 1)):
        return None
    if toks[copula].text not in _COPULAS:
        return None
    head, tail = toks[i].text, toks[tail_at].text
    lex = state.ctx.lexicon
    for form in dict.fromkeys((head, head[:-1] if head.endswith("s") else head, head[:-2] if head.endswith("es")
                               else head)):
        phrase = f"{form} {tail}"
        meanings = [m for m in lex.lookup(phrase) if m.kind in ("stage", "value")]
        if meanings:
            return phrase, meanings, tail_at + 1
    for end in (tail_at + 2, tail_at + 1):  # "deals that are past due", "deals that are overdue"
        if end > len(toks) or any(state.used[k] or toks[k].kind != "word" for k in range(tail_at, end)):
            continue
        phrase = f"{' '.join(t.text for t in toks[tail_at:end])} {head}"
        meanings = [m for m in lex.lookup(phrase) if m.kind == "named"]
        if meanings:
            return phrase, meanings, end
    return None


_HAPPENING = frozenset({"happened", "held", "occurred", "happen", "taken place"})


def _is_link(catalog: Catalog, meaning: Meaning) -> bool:
    """Whether a column meaning is a link to another record (contacts.account_id), not a value of its own."""
    column = catalog.entities[meaning.extra].columns.get(meaning.name)
    return column is not None and bool(column.references)


def _state_code(state: ParseState, tok: Token) -> list[Meaning]:
    code = tok.original.upper()
    catalog = state.ctx.catalog
    states = catalog.valuesets.get("states", {})
    countries = catalog.valuesets.get("countries", {})
    out = []
    if code in states:
        out.append(Meaning("value", code, extra="states"))
    if code in countries and code not in ("IN",):
        out.append(Meaning("value", code, extra="countries"))
    return out


def _record(state: ParseState, start: int, end: int, phrase: str, meanings: list[Meaning]) -> None:
    kinds = {m.kind for m in meanings}
    catalog = state.ctx.catalog
    value_set = _valueset_of_column_before(state, start) or _valueset_of_column_after(state, end)
    if value_set is not None:
        # "whose lifecycle stage is lead": after a column, its value, not the 'leads' definition
        values = [m for m in meanings if m.kind == "value" and m.extra == value_set]
        if values:
            state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in values],
                                                             "phrase": phrase}, end))
            return
    if "value" in kinds and not {"named", "metric", "entity"} & kinds and \
            (_value_negated(state, start, end) or _continues_negated_values(state, start, meanings)):
        # "deals that are not won" (lost ones too, not "never closed"), "contacts not in Texas"
        # the stage a word also names stays its other reading, as when not ruled out ("not in Prospecting")
        values = [m for m in meanings if m.kind == "value"]
        stages = [m for m in meanings if m.kind == "stage"]
        state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in values],
                                                         "phrase": phrase, "stage": stages[0].name if stages else None,
                                                         "negate": True}, end))
        return
    if "event" in kinds and kinds <= {"event", "column", "value"}:
        events = [m for m in meanings if m.kind == "event"]
        negated = events[0].ref == -1 or _negated_before(state, start)
        state.modifiers.append(Modifier(start, "event", {"columns": [(m.extra, m.name) for m in events],
                                                         "negate": negated, "phrase": phrase}, end))
        return
    if "metric" in kinds and "column" in kinds and state.mentions:
        entity_names = {m.entity for m in state.mentions}
        own = [m for m in meanings if m.kind == "column" and m.extra in entity_names and m.extra != "deals"]
        # "revenue over 100m", "over 100m revenue": a figure compared is the record's own column
        compared = any(mod.kind == "compare" and (0 <= mod.pos - end <= 2 or 0 <= start - mod.end <= 1)
                       for mod in state.modifiers)
        if own and compared:
            state.modifiers.append(Modifier(start, "column", {"columns": [(m.extra, m.name) for m in own],
                                                              "phrase": phrase}, end))
            return
    if "metric" in kinds and ("named" in kinds or "entity" in kinds):
        # "pipeline": the metric when asked for a figure, else the open deals themselves
        metric = next(m for m in meanings if m.kind == "metric")
        # "which accounts have the most pipeline": an amount of it, not a number of open deals
        quantity = start > 0 and state.words[start - 1] in ("most", "least", "more", "less")
        wants_figure = state.measure in ("sum", None) and (_asks_for_figure(state, end) or quantity)
        if wants_figure or "named" not in kinds and "entity" not in kinds:
            state.mentions.append(Mention(start, end, catalog.metrics[metric.name].entity, metric=metric.name,
                                          phrase=phrase))
            return
        meanings = [m for m in meanings if m.kind != "metric"]
        kinds = {m.kind for m in meanings}
    if "named" in kinds:
        named = next(m for m in meanings if m.kind == "named")
        entity = catalog.named_filters[named.name].entity
        state.mentions.append(Mention(start, end, entity, named=named.name, phrase=phrase))
        return
    if "metric" in kinds:
        metric = next(m for m in meanings if m.kind == "metric")
        state.mentions.append(Mention(start, end, catalog.metrics[metric.name].entity, metric=metric.name,
                                      phrase=phrase))
        return
    mentioned = {m.entity for m in state.mentions}
    nullable = [m for m in meanings if m.kind == "column" and m.extra in mentioned and m.name != "id"
                and _column_type(catalog, m.extra, m.name) != "boolean"]  # "not unsubscribed" is false
    # (the negation is taken only when it applies: "no scheduled meetings" leaves the "no" to the meetings)
    if "column" in kinds and nullable and _negated_before(state, start):
        if phrase in _HAPPENING:  # "meetings that haven't happened yet": those still to come, not a missing date
            state.modifiers.append(Modifier(start, "date", {
                "range": DateRange(state.ctx.now, None, "not yet (from now on)", "since"), "negate": False,
                "column_pos": start}, end))
            return
        state.modifiers.append(Modifier(start, "event", {"columns": [(m.extra, m.name) for m in nullable],
                                                         "negate": True, "phrase": f"no {phrase}"}, end))
        return
    if "entity" in kinds and "column" in kinds and state.word(start - 1) in ("whose", "their", "its") and \
            state.word(end) in ("is", "are", "was", "were", "has", "have") and state.mentions and \
            all(_is_link(catalog, m) for m in meanings if m.kind == "column" and m.extra == state.mentions[0].entity):
        # "contacts whose account is in Texas": the account is in Texas, not the contact
        entity = next(m for m in meanings if m.kind == "entity")
        state.mentions.append(Mention(start, end, entity.name, phrase=phrase))
        return
    linked = [m for m in meanings if m.kind == "column" and m.extra in mentioned]
    if "entity" in kinds and linked and all(_is_link(catalog, m) for m in linked) and \
            (state.word(start - 1) in ("a", "an", "any", "one") or
             any(mod.kind == "value" and mod.end == start for mod in state.modifiers)):
        # "customers with no activity … and an open deal over 10k": the deal itself, not the activities' link
        linked = []
    if kinds == {"column"} or ("column" in kinds and "entity" in kinds and linked):
        columns = [m for m in meanings if m.kind == "column"]
        state.modifiers.append(Modifier(start, "column", {"columns": [(m.extra, m.name) for m in columns],
                                                          "phrase": phrase}, end))
        return
    if "entity" in kinds:
        entity = next(m for m in meanings if m.kind == "entity")
        state.mentions.append(Mention(start, end, entity.name, phrase=phrase))
        own_values = [m for m in meanings if m.kind == "value"
                      and column_for_valueset(catalog.entities[entity.name], m.extra)]
        if own_values:
            state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in own_values],
                                                             "phrase": phrase}, end))
        return
    values = [m for m in meanings if m.kind == "value"]
    stages = [m for m in meanings if m.kind == "stage"]
    if values:
        state.modifiers.append(Modifier(start, "value", {"options": [(m.extra, m.name) for m in values],
                                                         "phrase": phrase,
                                                         "stage": stages[0].name if stages else None}, end))
        return
    if stages and _value_negated(state, start, end):  # "open deals not in negotiation"
        state.modifiers.append(Modifier(start, "stage", {"name": stages[0].name, "ref": stages[0].ref,
                                                         "phrase": phrase, "negate": True}, end))
        return
    for kind in ("stage", "pipeline", "user", "team", "account"):
        found = [m for m in meanings if m.kind == kind]
        if kind == "account" and found:
            _record_account(state, start, end, found[0].name)
            return
        if found:
            negate = kind == "pipeline" and _value_negated(state, start, end)  # "deals not in the Sales pipeline"
            noun_at = end - 1 if kind == "pipeline" and end - start > 1 and state.word(end - 1) == "deals" else end
            if kind == "stage" and state.word(end) == "stage" and not state.used[end]:
                end = noun_at = end + 1  # "proposal stage deals": the word names the value's kind, no stages
                state.used[end - 1] = True
            state.modifiers.append(Modifier(start, kind, {"name": found[0].name, "ref": found[0].ref,
                                                          "phrase": phrase, "negate": negate}, noun_at))
            if noun_at < end:  # "accounts with renewal deals closing next quarter": the deals are rows too
                state.mentions.append(Mention(noun_at, end, "deals", phrase="deals"))
            return
    if "column" in kinds:
        columns = [m for m in meanings if m.kind == "column"]
        state.modifiers.append(Modifier(start, "column", {"columns": [(m.extra, m.name) for m in columns],
                                                          "phrase": phrase}))


def _record_account(state: ParseState, start: int, end: int, name: str, ids: list[int] | None = None) -> None:
    """An account by name (or the accounts a short name starts), among the accounts the user may see.

    An account outside the user's scope reads exactly like a name the CRM does not know (a contact
    with no rows), so neither the answer nor the SQL shown tells that it exists.
    """
    ids = state.ctx.catalog.accounts.get(name, []) if ids is None else ids
    if state.ctx.visible_accounts is not None:
        ids = state.ctx.visible_accounts(ids)
    if ids:
        state.modifiers.append(Modifier(start, "account", {"name": name, "ids": ids, "phrase": name}, end))
    else:
        state.modifiers.append(Modifier(start, "contact", {"ids": [], "phrase": title_case(name)}, end))


def _valueset_of_column_before(state: ParseState, start: int) -> str | None:
    if not state.modifiers or state.modifiers[-1].kind != "column":
        return None
    prev = state.modifiers[-1]
    between = [state.word(k) for k in range(prev.end, start)]
    if len(between) > 2 or any(w not in ("is", "are", "=", "equals", "of", "in", "was") for w in between):
        return None
    for ent_name, col in prev.data["columns"]:
        column = state.ctx.catalog.entities[ent_name].columns.get(col)
        if column is not None and column.valueset:
            return column.valueset
    return None


def _valueset_of_column_after(state: ParseState, end: int) -> str | None:
    lex, catalog = state.ctx.lexicon, state.ctx.catalog
    for n in (3, 2, 1):
        phrase = " ".join(state.word(k) for k in range(end, end + n))
        for m in lex.lookup(phrase):
            if m.kind == "column":
                column = catalog.entities[m.extra].columns.get(m.name)
                if column is not None and column.valueset:
                    return column.valueset
    return None


_VALUE_LEAD_INS = frozenset({"in", "at", "from", "the", "a", "an", "is", "are", "been", "located", "based", "yet",
                             "on"})
_VERB_LEAD_INS = frozenset({"been", "have", "has", "had", "was", "were", "yet", "ever", "be", "is", "are", "got",
                            "get"})


def _continues_negated_values(state: ParseState, start: int, meanings: list[Any]) -> bool:
    """'not in Texas or Ohio', 'not won or lost': a value listed right after a ruled-out value of the same
    kind is ruled out too (neither), not required."""
    k = start - 1
    while k >= 0 and state.word(k) in _VALUE_LEAD_INS:
        k -= 1
    if k < 1 or state.word(k) not in ("or", "nor", "and", ","):
        return False
    previous = next((m for m in reversed(state.modifiers) if m.kind == "value" and m.data.get("negate")
                     and m.end == k), None)
    if previous is None:
        return False
    kinds_of_value = {valueset for valueset, _ in previous.data["options"]}
    return any(m.kind == "value" and m.extra in kinds_of_value for m in meanings)


def _value_negated(state: ParseState, start: int, end: int) -> bool:
    """'not in negotiation', 'not won', 'aren't in Texas': a "not" just before a value (marked used).

    A negation before a value that qualifies a noun ("contacts without an open deal", "not in an open deal")
    is left to the noun: no such deal at all, not a deal that is not open.
    """
    if end < len(state.tokens) and any(m.kind == "entity" for m in state.ctx.lexicon.lookup(state.word(end))):
        return False
    return _negation_before(state, start, _VALUE_NEGATIONS, _VALUE_LEAD_INS, reuse=False)


# "not in Texas", "excluding software", "except Texas"
_VALUE_NEGATIONS = frozenset({"not", "excluding", "exclude", "except", "without"})


def _negated_before(state: ParseState, start: int) -> bool:
    """'never contacted', 'has no phone': a negation a few grammar words before a column or event."""
    return _negation_before(state, start, frozenset({"not", "never", "no", "without", "nobody", "none"}),
                            _VERB_LEAD_INS, reuse=True)


def _negation_before(state: ParseState, start: int, negations: frozenset[str], lead_ins: frozenset[str], *,
                     reuse: bool, reach: int = 3) -> bool:
    """Whether one of `negations` stands at most `reach` words before `start`, only `lead_ins` between
    (marked used when found; `reuse=False` skips a negation another phrase already took)."""
    for k in range(start - 1, max(-1, start - 1 - reach), -1):
        word = state.word(k)
        if word in negations and (reuse or not state.used[k]):
            state.used[k] = True
            return True
        if word not in lead_ins:
            return False
    return False


def _asks_for_figure(state: ParseState, end: int | None = None) -> bool:
    """'my team's pipeline', 'bookings last month' are figures; 'show my pipeline', 'what's in it' are rows.
    `end`: where the phrase asked about ends; "pipeline of stale deals" is a figure of those deals."""
    words = state.words
    text = " ".join(words)
    if any(w in ("total", "value", "much", "sum", "worth", "size", "by", "per") for w in words):
        return True
    if end is not None and end < len(words) and words[end] in ("of", "for", "from"):
        words = words[:end]  # the records after "of" are what the figure is of, not rows asked for
    listing = {"show", "list", "which", "display", "pull", "deals", "opportunities", "opps", "give", "see"}
    return not (set(words) & listing or re.search(r"\bwhat is in\b|\bin (my|our|the)\b", text))


def _drop_adjective_dates(state: ParseState) -> None:
    """'no scheduled meetings', 'without logged calls': a date column's word used as an adjective of the rows
    that have that date says nothing more, and must not take the "no" meant for the noun."""
    catalog = state.ctx.catalog
    for mod in list(state.modifiers):
        if mod.kind != "column":
            continue
        noun = next((m for m in state.mentions if m.pos == mod.end), None)
        if noun is None or not all(e == noun.entity and catalog.entities[e].column_type(c) in ("timestamp", "date")
                                   for e, c in mod.data["columns"]):
            continue
        state.modifiers.remove(mod)


def pass_negations(state: ParseState) -> None:
    """'without deals', 'with no open deals', 'who have no activities', 'never emailed', 'not owned by me'."""
    _negate_owners(state)
    _lift_date_negations(state)
    _held_own_kind(state)
    _read_counts(state)
    _read_text_values(state)
    _drop_adjective_dates(state)
    for mod in state.modifiers:  # "missing a phone", "whose phone is blank": read by _presence_cond
        if mod.kind == "column":
            k = mod.end + (1 if state.word(mod.end) in ("is", "are") else 0)
            if k < len(state.tokens) and state.word(k) in ABSENT_AFTER:
                state.take(mod.end, k + 1)
            k = word_before_column(state, mod)
            if k >= 0 and state.word(k) in ABSENT_WORDS:
                state.used[k] = True
    w = state.words
    for m in state.mentions:
        k = m.pos - 1
        steps = 0
        # a period said as an adjective of the noun ("no upcoming activity") stands between the "no" and it
        dated = next((d for d in state.modifiers if d.kind == "date" and d.end == m.pos
                      and d.data.get("column_pos") is None), None)
        if dated is not None:
            k = dated.pos - 1
        while k >= 0 and steps < 4:
            word = w[k]
            previous = next((p for p in reversed(state.mentions) if p.end <= m.pos and p is not m), None)
            if word in ("or", "nor") and k + 1 == m.pos and m.named and previous is not None and \
                    previous.negated and previous.named and previous.entity == m.entity and previous.end == k:
                m.negated = True  # "contacts who are not customers or leads": neither
                state.used[k] = True
                break
            if word in ("without", "no", "zero", "lacking", "never") and not state.used[k] or \
                    word == "not" and k + 1 < len(w) and w[k + 1] in ("have", "having", "had", "has", "with", "in",
                                                                      "on") or \
                    word in ("not", "except", "excluding") and not state.used[k] and k + 1 == m.pos and m.named \
                    and m is not state.mentions[0]:  # "contacts except customers"
                m.negated = True
                state.used[k] = True
                break
            adjective = date_column_word(state.ctx.catalog, word) is not None  # "no scheduled meetings"
            if state.used[k] and word not in ("open", "won", "lost") and not adjective:
                break
            if word not in ("any", "with", "have", "has", "having", "had", "do", "does", "did", "not", "a",
                            "an", "the", "open", "who", "that", "which", "they", "in", "on") and not adjective:
                break
            k -= 1
            steps += 1


_TEXT_VALUE_LEADS = frozenset({"is", "=", "contains", "containing", "like", "named", "called", "equals",
                               "includes", "including", "with"})


_TEXT_EDGES = {"starts": "starts", "start": "starts", "starting": "starts", "begins": "starts", "begin": "starts",
               "beginning": "starts", "ends": "ends", "end": "ends", "ending": "ends"}
_COLUMN_NOUNS = frozenset({"number", "numbers", "address", "addresses", "field", "fields"})


_NAME_COLUMNS = frozenset({"name", "full_name", "first_name", "last_name"})


def _names_by(state: ParseState, k: int, mention: Mention) -> bool:
    """Whether the word at `k` introduces a name of the rows before it: "named" always; "called" when a name
    follows, in capitals or quoted ("contacts called Jessica", not "contacts I called this week")."""
    word = state.word(k)
    if word == "named":
        return True
    nxt = state.tokens[k + 1].original if k + 1 < len(state.tokens) else ""
    return word == "called" and k == mention.end and (nxt[:1].isupper() or nxt[:1] in "\"'“‘")


def _free_for_text(state: ParseState, k: int) -> None:
    """A person's name read at `k` as a user (a rep called Jessica) is text to match when another record's
    name is meant; the user reading is dropped and its words freed."""
    for mod in [m for m in state.modifiers if m.pos == k and m.kind == "user"]:
        state.modifiers.remove(mod)
        for j in range(mod.pos, mod.end):
            state.used[j] = False


def _read_text_values(state: ParseState) -> None:
    """'contacts with job title vice president', 'whose email contains acme': words after a free-text column that the
    catalog does not know are the text to look for (a case-insensitive substring match)."""
    lex, catalog = state.ctx.lexicon, state.ctx.catalog
    for k in range(len(state.tokens)):  # "accounts named Cobalt", "contacts at Foster Goods named Smith"
        mention = max((m for m in state.mentions if 0 <= m.end <= k), key=lambda m: m.end, default=None)
        if mention is None or state.used[k] or not _names_by(state, k, mention):
            continue
        entity = catalog.entities[mention.entity]
        names = [c for c in ("name", "full_name") if c in entity.columns][:1] or \
            [c for c in ("first_name", "last_name") if c in entity.columns]
        if names and entity.name == "users" and any(m.kind == "user" and m.pos == k + 1 for m in state.modifiers):
            state.used[k] = True  # "reps named Jessica": the rep read by name already
        elif names:
            _free_for_text(state, k + 1)  # "contacts named Jessica": a contact's name, not the user Jessica
            state.modifiers.append(Modifier(k, "column", {"columns": [(entity.name, c) for c in names],
                                                          "phrase": "name"}, k + 1))
            state.used[k] = True
    for mod in list(state.modifiers):
        if mod.kind != "column":
            continue
        columns = [(e, c) for e, c in mod.data["columns"]
                   if (col := catalog.entities[e].columns.get(c)) is not None and col.type == "text"
                   and not col.valueset and c != "id"]
        if not columns:
            continue
        k = mod.end
        if state.word(k) in _COLUMN_NOUNS and not state.used[k]:
            # "telephone number", "e-mail address": the column's own noun, not text to look for
            state.take(k, k + 1)
            mod.end = k = k + 1
        while k < len(state.tokens) and state.word(k) in _TEXT_VALUE_LEADS and not state.used[k]:
            k += 1
        match = "contains"  # "whose name starts with A", "emails ending with .io"
        if state.word(k + 1) == "with" and state.word(k) in _TEXT_EDGES and not state.used[k]:
            match, k = _TEXT_EDGES[state.word(k)], k + 2
        names = {c for _e, c in columns} <= _NAME_COLUMNS and all(e != "users" for e, _c in columns)
        if names:
            _free_for_text(state, k)  # "contacts whose first name is Jessica": not the rep Jessica
        words: list[Token] = []
        if match != "contains" and k < len(state.tokens) and not state.used[k]:
            words.append(state.tokens[k])  # "starts with A": even a word that is filler elsewhere
            k += 1
        while k < len(state.tokens) and len(words) < 4 and not state.used[k] and \
                state.tokens[k].kind in ("word", "number") and state.word(k) not in catalog.filler and \
                state.word(k) not in GRAMMAR_FILLER and \
                (names and (state.tokens[k].original[:1].isupper() or
                            all(m.kind == "user" for m in lex.lookup(state.word(k)))) or
                 _only_filters_on(catalog, lex.lookup(state.word(k)), {c for _e, c in columns})):
            words.append(state.tokens[k])
            k += 1
        if not words:
            continue
        state.take(mod.end, k)
        state.modifiers.append(Modifier(mod.pos, "text", {"columns": columns, "value": " ".join(t.original for t in words),
                                                          "phrase": mod.data["phrase"], "match": match}, k))


def _held_own_kind(state: ParseState) -> None:
    """'accounts that have subsidiaries': records of the rows' own kind that each row would hold are not
    linked in the catalog; asked back (the subsidiaries themselves were answered instead)."""
    if len(state.mentions) < 2:
        return
    main = min(state.mentions, key=lambda m: m.pos)
    for m in state.mentions:
        k = m.pos - 1
        while k >= 0 and state.word(k) in ("any", "a", "an", "some", "no"):
            k -= 1
        names_records = m.phrase.split()[-1].endswith("s")  # "subsidiaries", not a state ("have gone quiet")
        if m is not main and m.named and m.metric is None and m.entity == main.entity and names_records and \
                state.word(k) in ("have", "has", "had", "having", "with", "without"):
            state.ambiguous.append(_own_kind_held(main, m))


def _own_kind_held(main: Mention, held: Mention) -> str:
    return (f"I can't tell which {main.phrase} have {held.phrase}: {held.phrase} are {main.phrase} themselves, "
            f"not linked to others. Ask for the {held.phrase}.")


def _read_counts(state: ParseState) -> None:
    """'accounts with more than 10 contacts': a bare number right before a related record's noun
    counts those records (it is not a value of one of their columns)."""
    if len(state.mentions) < 2:
        return
    main = min(state.mentions, key=lambda m: m.pos)
    for mod in list(state.modifiers):
        if mod.kind != "compare" or mod.data.get("money") or mod.data.get("percent"):
            continue
        value = mod.data["value"]
        gap = range(mod.end, len(state.tokens))
        k = next((j for j in gap if state.word(j) not in ("or", "more", "plus", "fewer", "less", "and", "up",
                                                          "open", "won", "lost")
                  or any(m.pos == j for m in state.mentions)), None)
        counted = next((m for m in state.mentions if k is not None and m.pos == k and m is not main
                        and m.metric is None and m.entity != main.entity), None)
        own_kind = next((m for m in state.mentions if k is not None and m.pos == k and m is not main
                         and m.metric is None and m.entity == main.entity and m.named), None)
        if counted is None and own_kind is not None:
            # "accounts with more than 2 subsidiaries": records of their own kind held by each are not linked
            # in the catalog (the number was read as an annual revenue of $2)
            state.ambiguous.append(_own_kind_held(main, own_kind))
            state.modifiers.remove(mod)
            continue
        if counted is None:
            continue
        how_many = count_value(value)
        if how_many is None:
            # "accounts with more than 1.5 contacts": no number of records (was a lead score over 2)
            state.ambiguous.append(f"How many {counted.phrase}? A number of records is a whole number.")
            state.modifiers.remove(mod)
            continue
        counted.count = (mod.data["op"], how_many)
        state.modifiers.remove(mod)


def _lift_date_negations(state: ParseState) -> None:
    """'reps who haven't logged a call this week': the negation is of the call, not of the date.

    A negated date phrase whose verb comes before a related record's noun ("not logged | a call |
    this week") means there is no such record in that period: NOT EXISTS (call this week).
    """
    main = min(state.mentions, key=lambda m: m.pos) if state.mentions else None
    for mod in state.modifiers:
        if mod.kind != "date" or not mod.data.get("negate") or mod.data.get("column_pos") is None:
            continue
        between = [m for m in state.mentions if m is not main and mod.data["column_pos"] <= m.pos < mod.pos
                   and not m.negated]
        if between:
            between[0].negated = True
            mod.data["negate"] = False
            mod.data["column_pos"] = None  # the record's own date, inside the existence


def _column_type(catalog: Catalog, entity_name: str, column: str) -> str | None:
    col = catalog.entities[entity_name].columns.get(column)
    return col.type if col is not None else None
