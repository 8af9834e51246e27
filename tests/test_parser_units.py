"""Pieces of the parser that need no database: numbers, relative dates, plans rendered for other engines."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlglot

from nlq.catalog import load_catalog
from nlq.compiler import compile_plan
from nlq.dates import grain_of, match_date, period_phrase
from nlq.lexer import tokenize
from nlq.lexicon import build_lexicon
from nlq.parsing.comparing import periods_within
from nlq.parsing.rewording import as_their, plain_wording
from nlq.parsing.screening import screen_question
from nlq.plan import AnyOf, Compare, Exists, GroupBy, Measure, QueryPlan

TODAY = date(2026, 5, 15)


@pytest.mark.parametrize(("text", "value", "money"), [
    ("10k", 10_000, True), ("$1.5M", 1_500_000, True), ("over 50,000", 50_000, False), ("$ 25,000", 25_000, True),
    ("2.5 million", 2_500_000, False), ("five", 5, False), ("30%", 30, False), ("$10,000.50", 10_000.5, True),
    ("over half a million", 500_000, True), ("over a quarter of a million", 250_000, True),
])
def test_lexer_reads_numbers(text: str, value: float, money: bool) -> None:
    number = next(t for t in tokenize(text) if t.kind == "number")
    assert number.value == pytest.approx(value)
    assert number.is_money is money


def _utc(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("this month", _utc(2026, 5, 1), _utc(2026, 6, 1)),
    ("last month", _utc(2026, 4, 1), _utc(2026, 5, 1)),
    ("next month", _utc(2026, 6, 1), _utc(2026, 7, 1)),
    ("this quarter", _utc(2026, 4, 1), _utc(2026, 7, 1)),
    ("last quarter", _utc(2026, 1, 1), _utc(2026, 4, 1)),
    ("next quarter", _utc(2026, 7, 1), _utc(2026, 10, 1)),
    ("this year", _utc(2026, 1, 1), _utc(2027, 1, 1)),
    ("last year", _utc(2025, 1, 1), _utc(2026, 1, 1)),
    ("last 30 days", _utc(2026, 4, 15), None),
    ("q3", _utc(2026, 7, 1), _utc(2026, 10, 1)),
    ("q3 2025", _utc(2025, 7, 1), _utc(2025, 10, 1)),
    ("april", _utc(2026, 4, 1), _utc(2026, 5, 1)),
    ("yesterday", _utc(2026, 5, 14), _utc(2026, 5, 15)),
    ("this week", _utc(2026, 5, 11), _utc(2026, 5, 18)),
    ("May 1", _utc(2026, 5, 1), _utc(2026, 5, 2)),
    ("march 3rd 2025", _utc(2025, 3, 3), _utc(2025, 3, 4)),
    ("20th of May", _utc(2026, 5, 20), _utc(2026, 5, 21)),
    ("last 30d", _utc(2026, 4, 15), None),
    ("soon", _utc(2026, 5, 15), _utc(2026, 6, 15)),
    ("the start of the year", _utc(2026, 1, 1), _utc(2026, 1, 2)),
    ("end of month", _utc(2026, 5, 31), _utc(2026, 6, 1)),
    ("the beginning of next quarter", _utc(2026, 7, 1), _utc(2026, 7, 2)),
    ("the end of last year", _utc(2025, 12, 31), _utc(2026, 1, 1)),
    ("Monday", _utc(2026, 5, 11), _utc(2026, 5, 12)),        # today is a Friday: the Monday just past
    ("last Friday", _utc(2026, 5, 8), _utc(2026, 5, 9)),
    ("next Tuesday", _utc(2026, 5, 19), _utc(2026, 5, 20)),
    ("this Wednesday", _utc(2026, 5, 13), _utc(2026, 5, 14)),
    ("last fortnight", _utc(2026, 5, 1), None),
    ("next fortnight", _utc(2026, 5, 15), _utc(2026, 5, 30)),
    ("2 fortnights", _utc(2026, 4, 17), None),
    ("past fortnight", _utc(2026, 5, 1), None),              # "in the past fortnight" (was "in the past" and a word)
    ("weekend", _utc(2026, 5, 9), _utc(2026, 5, 11)),        # "over the weekend": the one just past
    ("this weekend", _utc(2026, 5, 16), _utc(2026, 5, 18)),
    ("next weekend", _utc(2026, 5, 23), _utc(2026, 5, 25)),
    ("3 months ago", None, _utc(2026, 2, 15)),                # by the calendar, as "the last 3 months"
    ("a year ago", None, _utc(2025, 5, 15)),
    ("10 days ago", None, _utc(2026, 5, 5)),
    ("this time last year", _utc(2025, 5, 1), _utc(2025, 6, 1)),
    ("the same quarter last year", _utc(2025, 4, 1), _utc(2025, 7, 1)),
    ("this week last year", _utc(2025, 5, 12), _utc(2025, 5, 19)),  # the week holding 2025-05-15, Monday first
    ("week of May 6", _utc(2026, 5, 4), _utc(2026, 5, 11)),          # the week holding that day
    ("week of 2026-04-29", _utc(2026, 4, 27), _utc(2026, 5, 4)),
    ("month before last", _utc(2026, 3, 1), _utc(2026, 4, 1)),
    ("quarter before last", _utc(2025, 10, 1), _utc(2026, 1, 1)),
    ("q4", _utc(2026, 10, 1), _utc(2027, 1, 1)),                     # this year's, until what it dates is known
], ids=lambda v: v if isinstance(v, str) else None)
def test_dates_resolve_around_pinned_today(text: str, start: datetime, end: datetime | None) -> None:
    found = match_date(tokenize(text), 0, TODAY)
    assert found is not None
    rng, _used = found
    assert (rng.start, rng.end) == (start, end)


PLAN = QueryPlan(
    entity="contacts",
    conds=[Compare(column="lifecycle_stage", op="eq", value="customer"),
           AnyOf(conds=[Compare(column="last_contacted_at", op="is_null"),
                        Compare(column="last_contacted_at", op="lt", value="2026-04-15T00:00:00+00:00")]),
           Exists(relation="deals", conds=[Compare(column="amount", op="gt", value=10000)])],
)


@pytest.mark.parametrize("dialect", ["postgres", "duckdb", "snowflake", "bigquery", "mysql"])
def test_plan_renders_for_other_engines(dialect: str) -> None:
    sql = compile_plan(PLAN, load_catalog()).sql(dialect)
    assert sqlglot.parse_one(sql, read=dialect) is not None
    assert "EXISTS" in sql.upper()


def test_compiled_sql_has_no_string_built_parts() -> None:
    plan = QueryPlan(entity="deals", conds=[Compare(column="name", op="eq", value="x' OR 1=1 --")],
                     measures=[Measure(agg="count")], group_by=[GroupBy(relation="owner", label="rep")])
    sql = compile_plan(plan, load_catalog()).sql("postgres")
    assert "'x'' OR 1=1 --'" in sql  # the value stays one quoted literal


def test_new_synonym_and_metric_are_yaml_changes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A team adds its own phrase and metric to the catalog file; the parser understands them."""
    import yaml

    from nlq.catalog import CATALOG_PATH
    from nlq.lexicon import build_lexicon
    from nlq.parser import ParseContext, parse_question

    raw = yaml.safe_load(CATALOG_PATH.read_text())
    raw["named_filters"]["open_deals"]["phrases"].append("deal flow")
    raw["metrics"]["largest_deal"] = {
        "entity": "deals", "phrases": ["largest deal size", "max deal"], "expr": "MAX(deals.amount)",
        "where": [], "definition": "largest deal size = the biggest amount of any deal", "format": "money"}
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(raw))
    catalog = load_catalog(path)
    ctx = ParseContext(catalog=catalog, lexicon=build_lexicon(catalog), today=TODAY, actor_id=1, actor_team_id=None,
                       actor_role="admin")
    flow = parse_question("how many deals are in the deal flow", ctx)
    assert flow.plan is not None and "status = 'open'" in compile_plan(flow.plan, catalog).sql("postgres")
    largest = parse_question("what is the largest deal size this year", ctx)
    assert largest.plan is not None
    assert "MAX(deals.amount)" in compile_plan(largest.plan, catalog).sql("postgres")


@pytest.mark.parametrize(("question", "refused"), [
    # a command writes, whatever its politeness
    ("change the owner of deal 5", True),
    ("can you add a contact", True),
    ("show my deals and change the owner", True),  # was read as a question: "show" came first
    ("let's move the deal to negotiation", True),
    ("I want to update the amount", True),
    ("contacts delete", True),
    # the same words as nouns, or asked about, read
    ("pipeline change since last month", False),  # was refused as a write
    ("stage update this week", False),
    ("owner changes last month", False),
    ("how many deals did we add this week", False),
    ("deals created last month", False),
])
def test_write_commands_are_told_from_nouns(question: str, refused: bool) -> None:
    outcome = screen_question(question)
    assert (outcome is not None and outcome.code == "write-not-allowed") == refused, outcome


def test_english_words_come_from_the_packaged_vocabulary() -> None:
    from nlq.english import english_words

    words = english_words()
    assert len(words) > 15_000
    assert {"contract", "spending", "reviewed", "conversation"} <= words  # meant as written
    assert not {"opne", "custmers", "revnue", "pipline"} & words  # typos the parser may correct


@pytest.mark.parametrize(("text", "words"), [
    ("deals 10-20k", ["deals", "between", "10", "and", "20k"]),
    ("$10k-$20k deals", ["between", "$10k", "and", "$20k", "deals"]),
    ("deals created 2026-05-01", ["deals", "created", "2026-05-01"]),  # a date, not a range
])
def test_lexer_reads_dashed_ranges(text: str, words: list[str]) -> None:
    assert [t.text for t in tokenize(text)] == words


@pytest.mark.parametrize(("question", "plain"), [
    ("Jacob Green's email", "Jacob Green's email address"),
    ("Jacob Green's emails", "Jacob Green's emails"),
    ("the most active reps this month", "the reps with the most activities this month"),
    ("how is my team doing this quarter", "revenue by rep this quarter"),
    ("how are we doing?", "how are we doing?"),  # names nobody: asked back
    ("total call time this week", "total call duration this week"),
    ("what did I do yesterday", "my activities yesterday"),
    ("contacts called Jessica", "contacts named Jessica"),
    ("contacts called yesterday", "contacts called yesterday"),  # the contacts someone called
    ("who works at Foster Goods", "contacts at Foster Goods"),
    ("contacts who work at accounts in Texas", "contacts at accounts in Texas"),
    ("contacts not linked to any account", "contacts without any account"),
    ("who sends the most emails", "who sent the most emails"),
    ("who closes the most deals", "who closed the most deals"),
    ("contacts who clicked a link this month", "contacts who clicked this month"),
    ("and for the team?", "and for my team?"),
    ("the team's pipeline", "my team's pipeline"),
    ("deals closed by the whole team", "deals closed by my team"),
    ("deals for the West team", "deals for the West team"),  # one team by name
    ("what's on my plate today", "what's on my agenda today"),
    ("top 5 reps by won deals this year", "top 5 reps by number of won deals this year"),
    ("top accounts by calls made", "top accounts by number of calls made"),
    ("top 5 deals by amount", "top 5 deals by amount"),
    ("how is Riley doing this quarter", "Riley's revenue this quarter"),
    ("how is it doing", "how is it doing"),
    ("how many emails did Jacob Green send us", "how many emails from Jacob Green"),
    ("customers who bought more than once", "customers with more than 1 won deals"),
    ("emails with no opens in the last 2 weeks", "emails not opened in the last 2 weeks"),
    ("emails without any clicks", "emails not clicked"),
    ("emails sent yesterday that got no reply", "emails sent yesterday not replied"),
    ("accounts without any open deals", "accounts without any open deals"),
    ("accounts that have purchased twice", "accounts with at least 2 won deals"),
    ("customers who bought 3 times", "customers with at least 3 won deals"),
    ("which contacts have I called the most", "which contacts have the most calls owned by me"),
    ("which accounts have we emailed the least", "which accounts have the least emails"),
    ("top contacts by number of my calls", "top contacts by number of calls owned by me"),
    ("accounts up for renewal next quarter", "accounts with open deals in the renewals pipeline closing next quarter"),
    ("any deals closing this week I should worry about?", "any deals closing this week at risk?"),
    ("which accounts spent the most with us", "which accounts with the most revenue"),
    ("customers who have spent the least money", "customers with the least revenue"),
    ("how much has Northwind spent with us?", "revenue from Northwind?"),
    ("how much did Foster Goods pay us last year", "revenue from Foster Goods last year"),
    ("show me everything due tomorrow", "show me activities due tomorrow"),
    ("anything that's overdue", "activities overdue"),
    ("everything about Northwind", "everything about Northwind"),  # the record's texts, not activities
    ("when did we last meet with Foster Goods", "our last meeting with Foster Goods"),  # were its notes and e-mails
    ("when did I last email Joseph Lee?", "my last email to Joseph Lee?"),
    ("when did we last call them", "our last call with them"),
    ("deals created this year compared with 2025", "deals created this year vs 2025"),
    ("how long does it take to close a deal", "average sales cycle of deals"),  # was "time between two dates"
    ("how many days on average do my deals stay open?", "average sales cycle of my deals?"),
    ("how long do software deals take to close", "average sales cycle of software deals"),
    ("how long have deals been open on average", "how long have deals been open on average"),  # their age
    ("list reps and their open pipeline", "list open pipeline by rep"),  # was the reps with open deals
    ("show accounts and their revenue this year", "show revenue by account this year"),
    ("industries and their number of open deals", "number of open deals by industry"),
    ("reps and their deals", "reps and their deals"),  # rows, not a figure
])
def test_plain_wording(question: str, plain: str) -> None:
    assert plain_wording(question) == plain


@pytest.mark.parametrize(("question", "plain"), [
    ("his deals", "their deals"), ("email him", "email them"), ("her open deals", "their open deals"),
    ("what did we send her last month", "what did we send them last month"),
])
def test_personal_pronouns_point_at_the_last_records(question: str, plain: str) -> None:
    assert as_their(question) == plain


@pytest.mark.parametrize(("start", "end", "grain", "phrase"), [
    (date(2026, 5, 14), date(2026, 5, 15), "day", "2026-05-14"),
    (date(2026, 5, 4), date(2026, 5, 11), "week", "the week of 2026-05-04"),
    (date(2026, 5, 6), date(2026, 5, 13), None, ""),          # seven days from a Wednesday: no calendar week
    (date(2026, 4, 1), date(2026, 5, 1), "month", "April 2026"),
    (date(2026, 4, 1), date(2026, 7, 1), "quarter", "Q2 2026"),
    (date(2026, 2, 1), date(2026, 5, 1), None, ""),           # three months, not a quarter
    (date(2025, 1, 1), date(2026, 1, 1), "year", "in 2025"),
    (date(2026, 4, 15), date(2026, 5, 15), None, ""),         # "the last 30 days": no calendar unit
])
def test_a_period_reads_back_as_its_calendar_unit(start: date, end: date, grain: str | None, phrase: str) -> None:
    assert grain_of(start, end) == grain
    if grain is not None:
        said = tokenize(period_phrase(start, grain))  # read where it starts ("in 2025", "the week of …")
        rng = next(found[0] for i in range(len(said)) if (found := match_date(said, i, TODAY)) is not None)
        assert (rng.start, rng.end) == (_utc(start.year, start.month, start.day),
                                                            _utc(end.year, end.month, end.day))
        assert period_phrase(start, grain) == phrase


@pytest.mark.parametrize(("word", "meant"), [
    ("opne", "open"),          # a swapped pair (the closest by ratio is "one")
    ("custmers", "customers"),
    ("pipline", "pipeline"),
    ("healthcre", "healthcare"),
    ("stale", None),           # a real word near "sale" is no typo of it
    ("losing", None),          # nor "closing"
])
def test_typos_are_corrected_to_the_closest_catalog_word(word: str, meant: str | None) -> None:
    lexicon = build_lexicon(load_catalog())
    fixed = lexicon.correct(word) if word not in lexicon.vocabulary else None
    assert fixed == meant


@pytest.mark.parametrize(("question", "spelled"), [
    ("emails last month compared to the month before", "emails last month vs March 2026"),
    ("revenue this quarter vs the previous quarter", "revenue this quarter vs Q1 2026"),
    ("deals created this year versus the year before", "deals created this year vs 2025"),
    ("revenue last month vs the day before", "revenue last month vs the day before"),  # finer than a month
    ("the month before", "the month before"),  # no period to step back from
    ("revenue last month and the month before", "revenue last month and the month before"),  # not set beside
])
def test_period_before_is_spelled_against_the_question_s_own(question: str, spelled: str) -> None:
    assert periods_within(question, TODAY) == spelled


def test_catalog_column_lists_name_real_columns() -> None:
    """The catalog's per-entity column lists (dates, amounts, rankings, events, outcomes) name columns the
    entity has: a misspelt one would silently read as no column."""
    catalog = load_catalog()
    listed = [(e, c) for lists in (catalog.date_columns, catalog.amount_columns, catalog.rank_columns)
              for e, c in lists.items()]
    listed += [(e, c) for e, columns in catalog.event_columns.items() for c in columns]
    listed += [(e, c) for e, columns in catalog.outcome_columns.items() for c in columns]
    assert catalog.outcome_columns, "outcome columns are read from the catalog"
    assert [(e, c) for e, c in listed if not catalog.entities[e].has(c)] == []
