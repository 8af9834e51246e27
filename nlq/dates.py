"""Relative and calendar date phrases → concrete ranges around a (possibly pinned) today.

Ranges are half-open [start, end) in UTC; `end` None means "up to now", `start` None "since ever".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

from dateutil.relativedelta import relativedelta

from nlq.lexer import Token

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
UNITS = {"hour": 1 / 24, "hours": 1 / 24, "day": 1, "days": 1, "week": 7, "weeks": 7, "fortnight": 14, "fortnights": 14, "month": 30, "months": 30,
         "year": 365, "years": 365, "quarter": 91, "quarters": 91}
_CALENDAR_UNITS = {"week", "month", "quarter", "year"}


@dataclass
class DateRange:
    start: datetime | None
    end: datetime | None
    phrase: str
    kind: str = "period"   # period | since | before | rolling | future | bare | age | weekday
    upto_now: bool = False
    grain: str | None = None        # a calendar period's unit ("month" for "last month")
    year_ago: bool = False          # "this time last year": the grain is the other side's, when compared
    parts: tuple[tuple[datetime, datetime], ...] = ()  # periods apart ("this month vs this time last year")
    implicit_year: bool = False     # a month or quarter named without its year ("in December"): this year's, for now

    def describe(self) -> str:
        return self.phrase


def unit_delta(amount: float, unit: str) -> relativedelta:
    """N of a calendar unit ("3 months", "2 weeks") as a span: months and years by the calendar."""
    if unit in ("month", "months"):
        return relativedelta(months=int(amount))
    if unit in ("year", "years"):
        return relativedelta(years=int(amount))
    if unit in ("hour", "hours"):  # periods are whole days: "the next 48 hours" spans 2 days
        return relativedelta(days=max(1, math.ceil(amount / 24)))
    return relativedelta(days=int(amount * UNITS[unit]))


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _period(unit: str, today: date, offset: int) -> tuple[date, date]:
    if unit == "day":
        start = today + timedelta(days=offset)
        return start, start + timedelta(days=1)
    if unit == "week":
        start = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return start, start + timedelta(weeks=1)
    if unit == "month":
        start = today.replace(day=1) + relativedelta(months=offset)
        return start, start + relativedelta(months=1)
    if unit == "quarter":
        q_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) + relativedelta(months=3 * offset)
        return q_start, q_start + relativedelta(months=3)
    start = date(today.year + offset, 1, 1)
    return start, date(start.year + 1, 1, 1)


WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}


def _period_edge(words: list[str], i: int, today: date) -> tuple[DateRange, int] | None:
    """'(the) start|beginning|end of (the|this|last|next) <unit>' as that one day (a bare unit: this one)."""
    k = i + 1 if i < len(words) and words[i] == "the" else i
    if k + 2 >= len(words) or words[k] not in ("start", "beginning", "end") or words[k + 1] != "of":
        return None
    edge, k = words[k], k + 2
    lead = words[k] if words[k] in ("the", "this", "last", "next", "previous", "current") else ""
    k += bool(lead)
    unit = _singular(words[k]) if k < len(words) else ""
    if unit not in _CALENDAR_UNITS:
        return None
    s, e = _period(unit, today, {"last": -1, "previous": -1, "next": 1}.get(lead, 0))
    day = e - timedelta(days=1) if edge == "end" else s
    label = f"the {'end' if edge == 'end' else 'start'} of {lead if lead not in ('', 'current') else 'the'} {unit}"
    return DateRange(midnight(day), midnight(day + timedelta(days=1)), label), k + 1 - i


def _year_back(words: list[str], i: int, today: date) -> tuple[DateRange, int] | None:
    """'this time last year' (this month a year back; beside another period, that period a year back),
    '(the) same <unit> last year', 'this <unit> last year'."""
    k = i + 1 if i < len(words) and words[i] == "the" and i + 1 < len(words) and words[i + 1] == "same" else i
    lead = words[k] if k < len(words) else ""
    unit = _singular(words[k + 1]) if k + 1 < len(words) else ""
    if lead not in ("this", "same") or unit not in _CALENDAR_UNITS | {"time", "period"} or unit == "year" or \
            words[k + 2:k + 4] != ["last", "year"]:
        return None
    loose = unit in ("time", "period")
    grain = "month" if loose else unit
    s, e = _period(grain, today - relativedelta(years=1), 0)
    phrase = f"{lead} {unit} last year" if not loose else "this time last year"
    rng = DateRange(midnight(s), midnight(e), phrase.replace("same ", "the same "), grain=grain, year_ago=loose)
    return rng, k + 4 - i


def _weekday(lead: str, name: str, today: date) -> DateRange:
    """The nearest `name`day before today ("on Monday", "last Monday"), this week's with "this", the
    first after today with "next", today or the first after with "coming" (kind "weekday": a column that
    looks ahead, such as a close date, moves a past day to the coming one)."""
    target = WEEKDAYS[name]
    if lead == "coming":
        day = today + timedelta(days=(target - today.weekday()) % 7)
    elif lead == "next":
        day = today + timedelta(days=(target - today.weekday()) % 7 or 7)
    elif lead == "this":
        day = today - timedelta(days=today.weekday()) + timedelta(days=target)
    else:
        day = today - timedelta(days=(today.weekday() - target) % 7 or 7)
    phrase = f"{lead} {name.title()}" if lead in ("last", "this", "next") else name.title()
    return DateRange(midnight(day), midnight(day + timedelta(days=1)), f"{phrase} ({day.isoformat()})", "weekday")


def _half_year(tokens: list[Token], i: int, today: date) -> tuple[DateRange, int] | None:
    words = [t.text for t in tokens]

    def word(k: int) -> str:
        return words[k] if 0 <= k < len(words) else ""

    if word(i) in ("first", "second") and word(i + 1) == "half":
        half, k = (1 if word(i) == "first" else 2), i + 2
    elif word(i) in ("h1", "h2"):
        half, k = int(word(i)[1]), i + 1
    else:
        return None
    year = today.year
    if word(k) in ("of", "in"):
        k += 1
    if (named := year_of(tokens, k)) is not None:
        year, k = named, k + 1
    elif word(k) in ("the", "this", "last", "previous", "next") and word(k + 1) == "year":
        year += {"last": -1, "previous": -1, "next": 1}.get(word(k), 0)
        k += 2
    elif word(k) == "year":
        k += 1
    start = date(year, 1 if half == 1 else 7, 1)
    return DateRange(midnight(start), midnight(start + relativedelta(months=6)), f"H{half} {year}"), k - i


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and word[:-1] in _CALENDAR_UNITS | {"day"} else word


_ORDINAL_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


# words after which a number is a number, not a year ("over 2025", "top 2025")
_NUMBER_TAKERS = frozenset({"over", "under", "above", "below", "than", "top", "exactly", "least", "most", "is", "of",
                            "at", "around", "about", "bottom", "first", "last", "next", "past", "equals", "to", "with",
                            "min", "max", "minimum", "maximum", "only", "just", "approximately", "roughly", "nearly"})


def match_date(tokens: list[Token], i: int, today: date) -> tuple[DateRange, int] | None:
    """Try to read a date phrase at tokens[i]; return the range and how many tokens it used."""
    words = [t.text for t in tokens]
    n = len(tokens)

    def word(k: int) -> str:
        return words[k] if 0 <= k < n else ""

    w = word(i)
    # "has already passed", "in the past" / "in the future", "upcoming"
    period_follows = (i + 1 < n and tokens[i + 1].kind == "number") or \
        _singular(word(i + 1)) in _CALENDAR_UNITS | {"day", "few", "fortnight"}
    if w == "passed" or (w == "past" and word(i - 1) == "the" and not period_follows):
        used = 2 if word(i + 1) == "due" else 1
        return DateRange(None, midnight(today), "before today", "before"), used
    if w in ("future", "upcoming") and not (i + 1 < n and tokens[i + 1].kind == "number"):
        return DateRange(midnight(today), None, "from today on", "since"), 1
    # "mentioned a competitor recently", "contacted lately": the last 30 days, said in the answer ("most
    # recently" orders instead)
    if w in ("recently", "lately") and word(i - 1) not in ("most", "least", "more", "less"):
        return DateRange(midnight(today - timedelta(days=30)), None, "the last 30 days", "rolling",
                         upto_now=True), 1
    # "closing soon": the next 30 days, said in the answer
    if w in ("soon", "shortly"):
        return DateRange(midnight(today), midnight(today + timedelta(days=31)), "soon (the next 30 days)",
                         "future"), 1
    # "the start of the year", "end of month", "the beginning of next quarter": that period's first or last day
    edge = _period_edge(words, i, today)
    if edge is not None:
        return edge
    # "Monday", "last Friday", "next Tuesday": the nearest such day before (or, with "next", after) today
    day_at = i + (w in ("last", "this", "next", "past", "previous"))
    if word(day_at) in WEEKDAYS:
        # a deadline ("by Friday", "until Monday") is the coming one
        lead = "coming" if word(i - 1) in ("by", "until", "till") and day_at == i else w
        return _weekday(lead, word(day_at), today), day_at + 1 - i
    # "today", "yesterday", "tomorrow"
    if w in ("today", "yesterday", "tomorrow"):
        offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[w]
        s, e = _period("day", today, offset)
        return DateRange(midnight(s), midnight(e), w), 1
    # "year to date", "quarter-to-date", "month to date": the current period from its start up to now
    if w in ("year", "quarter", "month", "week") and word(i + 1) == "to" and word(i + 2) == "date":
        s, _e = _period(w, today, 0)
        return DateRange(midnight(s), None, f"this {w} to date", "since", upto_now=True, grain=w), 3
    # "the first half of the year", "H2 2025", "the second half of last year": January-June or July-December
    half = _half_year(tokens, i, today)
    if half is not None:
        return half
    # "the first quarter", "second quarter of 2025": Q1-Q4
    if w in _ORDINAL_QUARTERS and word(i + 1) == "quarter":
        quarter, year, used = _ORDINAL_QUARTERS[w], today.year, 2
        if word(i + 2) in ("of", "in") and (named := year_of(tokens, i + 3)) is not None:
            year, used = named, 4
        elif (named := year_of(tokens, i + 2)) is not None:
            year, used = named, 3
        s = date(year, 3 * (quarter - 1) + 1, 1)
        return DateRange(midnight(s), midnight(s + relativedelta(months=3)), f"Q{quarter} {year}", grain="quarter",
                         implicit_year=used == 2), used
    # "this time last year", "the same month last year", "this quarter last year": that period a year back
    year_back = _year_back(words, i, today)
    if year_back is not None:
        return year_back
    # "over the weekend", "last weekend", "this weekend", "next weekend": a Saturday and Sunday
    lead = w if w in ("last", "this", "next", "past", "previous", "coming") else ""
    if word(i + bool(lead)) == "weekend":
        saturday = today + timedelta(days=5 - today.weekday())  # this week's ("this", "coming")
        if lead == "next":
            saturday += timedelta(days=7)
        elif lead in ("last", "past", "previous", "") and saturday > today:
            saturday -= timedelta(days=7)  # the one just past (today's, on a weekend)
        sunday = saturday + timedelta(days=1)
        phrase = f"{lead or 'the'} weekend ({saturday.isoformat()} to {sunday.isoformat()})"
        return DateRange(midnight(saturday), midnight(sunday + timedelta(days=1)), phrase), 1 + bool(lead)
    # "the last / past / next fortnight": the 14 days before or after today (a fortnight is no calendar unit)
    if w in ("last", "past", "previous", "next", "coming") and word(i + 1) == "fortnight":
        if w in ("next", "coming"):
            return DateRange(midnight(today), midnight(today + timedelta(days=15)), "the next 2 weeks", "future"), 2
        return DateRange(midnight(today - timedelta(days=14)), None, "the last 2 weeks", "rolling", upto_now=True), 2
    # "the week of May 4", "week of 2026-04-27": the week (Monday to Sunday) holding that day
    if w == "week" and word(i + 1) == "of":
        held = _day_of_month(tokens, i + 2, today) if word(i + 2) in MONTHS else None
        if held is None and i + 2 < n and tokens[i + 2].kind == "date" and \
                (d := calendar_date(tokens[i + 2].text)) is not None:
            held = DateRange(midnight(d), midnight(d + timedelta(days=1)), d.isoformat()), 1
        if held is not None and held[0].start is not None:
            s, e = _period("week", held[0].start.date(), 0)
            return DateRange(midnight(s), midnight(e), f"the week of {s.isoformat()}", grain="week"), 2 + held[1]
    # "the month before last", "the week before last": two of them back
    if w in _CALENDAR_UNITS | {"day"} and word(i + 1) == "before" and word(i + 2) == "last":
        s, e = _period(w, today, -2)
        return DateRange(midnight(s), midnight(e), f"the {w} before last", grain=w), 3
    # "this|last|next|previous|current|past <unit>"
    if w in ("this", "last", "next", "previous", "prior", "current", "coming", "past") and \
            _singular(word(i + 1)) in _CALENDAR_UNITS | {"day"}:
        unit = _singular(word(i + 1))
        if w == "past" and unit != "day":
            s, e = today - timedelta(days=UNITS[unit]), None
            return DateRange(midnight(s), None, f"the past {unit}", "rolling", upto_now=True), 2
        offset = {"this": 0, "current": 0, "last": -1, "previous": -1, "prior": -1, "next": 1, "coming": 1,
                  "past": -1}[w]
        s, e = _period(unit, today, offset)
        return DateRange(midnight(s), midnight(e), f"{w} {unit}".replace("current", "this"), grain=unit), 2
    # "(in|over|during|within) (the) last|past|next N units"
    k = i
    if w in ("last", "past", "next", "previous", "coming", "recent"):
        direction = "next" if w in ("next", "coming") else "last"
        k = i + 1
        if word(k) in ("few",):
            amount, k = 3.0, k + 1
        elif k < n and tokens[k].kind == "number":
            amount, k = tokens[k].value or 0, k + 1
        else:
            return None
        unit = word(k)
        if unit not in UNITS:
            return None
        delta = unit_delta(amount, unit)
        label = f"{direction} {int(amount)} {unit}"
        if direction == "last":
            return DateRange(midnight(today - delta), None, f"the {label}", "rolling", upto_now=True), k + 1 - i
        return DateRange(midnight(today), midnight(today + delta + timedelta(days=1)), f"the {label}",
                         "future"), k + 1 - i
    # "in 30 days", "for 2 weeks": a bare window, backwards unless it dates something in the future
    if tokens[i].kind == "number" and word(i + 1) in UNITS and word(i + 2) != "ago" and \
            not tokens[i].is_money and (tokens[i].value or 0) < 1000:
        amount = tokens[i].value or 0
        unit = word(i + 1)
        delta = unit_delta(amount, unit)
        # "in a month" reads "in the last month" (the future flip makes it "the next month")
        label = f"the last {unit}" if amount == 1 else f"the last {int(amount)} {unit}"
        # "within 30 days of today", "2 weeks from now": counted from today, as a bare window is
        anchored = word(i + 2) in ("of", "from") and word(i + 3) in ("today", "now")
        return DateRange(midnight(today - delta), None, label, "bare", upto_now=True), 4 if anchored else 2
    # "N days ago"; months and years by the calendar, as in "the last 3 months"
    if tokens[i].kind == "number" and word(i + 1) in UNITS and word(i + 2) == "ago":
        delta = unit_delta(tokens[i].value or 0, word(i + 1))
        return DateRange(None, midnight(today - delta), f"{tokens[i].original} {word(i + 1)} ago", "before"), 3
    # "q3", "q3 2025", "q3 last year"
    if tokens[i].kind == "quarter":
        quarter = int(w[1])
        year, used = today.year, 1
        if (named := year_of(tokens, i + 1)) is not None:
            year, used = named, 2
        elif word(i + 1) in ("last", "previous") and word(i + 2) == "year":
            year, used = today.year - 1, 3
        elif word(i + 1) == "next" and word(i + 2) == "year":
            year, used = today.year + 1, 3
        elif word(i + 1) == "this" and word(i + 2) == "year":
            used = 3
        s = date(year, 3 * (quarter - 1) + 1, 1)
        return DateRange(midnight(s), midnight(s + relativedelta(months=3)), f"Q{quarter} {year}",
                         grain="quarter", implicit_year=used == 1), used
    # one day: "May 1", "May 1st, 2025", "1 May", "the 3rd of May"
    day = _day_of_month(tokens, i, today)
    if day is not None:
        return day
    # month names, optionally with a year: "april", "march 2025"
    if w in MONTHS and not (w == "may" and word(i + 1) not in ("", "2025", "2026", "2024") and
                            tokens[i].original != "May" and word(i - 1) not in ("in", "since", "of", "during")):
        month = MONTHS[w]
        year, used = today.year, 1
        if (named := year_of(tokens, i + 1)) is not None:
            year, used = named, 2
        elif word(i + 1) == "last" and word(i + 2) == "year":
            year, used = today.year - 1, 3
        s = date(year, month, 1)
        return DateRange(midnight(s), midnight(s + relativedelta(months=1)), f"{w.capitalize()} {year}",
                         implicit_year=used == 1, grain="month"), used
    # a year on its own: "in 2025"
    def year_at(k: int) -> bool:  # a year standing alone: a whole number, not an amount
        return year_of(tokens, k) is not None and float(tokens[k].value or 0).is_integer() and \
            not tokens[k].is_money and not tokens[k].magnified

    # ("2024 vs 2025", "2024 and 2025": the second year as well; "revenue 2025" at the end: that year)
    if year_at(i) and (word(i - 1) in ("in", "during", "for", "of", "since", "before", "after", "from") or
                       word(i - 1) in ("vs", "versus", "and", "or", "to") and year_at(i - 2) or
                       word(i + 1) in ("vs", "versus", "and", "or", "to") and year_at(i + 2) or
                       i == n - 1 and i > 0 and tokens[i - 1].kind == "word" and word(i - 1) not in _NUMBER_TAKERS):
        year = int(tokens[i].value or 0)
        return DateRange(midnight(date(year, 1, 1)), midnight(date(year + 1, 1, 1)), str(year), grain="year"), 1
    # ISO date
    if tokens[i].kind == "date":
        d = calendar_date(tokens[i].text)
        if d is None:  # "2026-02-30": shaped like a date, on no calendar
            return None
        return DateRange(midnight(d), midnight(d + timedelta(days=1)), d.isoformat()), 1
    return None


_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_DAY_LEAD_INS = frozenset({"on", "since", "from", "after", "before", "until", "by", "between", "and", "to",
                           "through", "till"})


def _day_number(tokens: list[Token], k: int) -> tuple[int, int] | None:
    """A day of the month at tokens[k] ("3", "3rd"): (day, tokens used)."""
    if k >= len(tokens) or tokens[k].kind != "number" or tokens[k].is_money or tokens[k].is_percent:
        return None
    value = tokens[k].value or 0
    if not float(value).is_integer() or not 1 <= value <= 31:
        return None
    used = 2 if k + 1 < len(tokens) and tokens[k + 1].text in _ORDINAL_SUFFIXES else 1
    return int(value), used


def _day_of_month(tokens: list[Token], i: int, today: date) -> tuple[DateRange, int] | None:
    """'May 1', 'May 1st 2025', '1 May', '3rd of May': that one day (this year unless a year follows)."""
    n = len(tokens)
    if tokens[i].text in MONTHS:
        month, found = MONTHS[tokens[i].text], _day_number(tokens, i + 1)
        if found is None:
            return None
        day, k = found[0], i + 1 + found[1]
    else:
        found = _day_number(tokens, i)
        # "on 3 May" is a day; "top 3 May deals" is not: a bare number first needs a preposition before it
        if found is None or (found[1] == 1 and (i == 0 or tokens[i - 1].text not in _DAY_LEAD_INS)):
            return None
        k = i + found[1]
        if k < n and tokens[k].text == "of":
            k += 1
        if k >= n or tokens[k].text not in MONTHS or (found[1] == 1 and tokens[k - 1].text == "of"):
            return None
        month, day, k = MONTHS[tokens[k].text], found[0], k + 1
    year = today.year
    if (named := year_of(tokens, k)) is not None:
        year, k = named, k + 1
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return DateRange(midnight(d), midnight(d + timedelta(days=1)), f"{d:%B} {d.day}, {d.year}"), k - i


STEPS = {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1),
          "quarter": relativedelta(months=3), "year": relativedelta(years=1)}
GRAINS = tuple(STEPS)  # finest first


def grain_of(start: date, end: date) -> str | None:
    """The calendar unit a period [start, end) is exactly one of (a Monday-to-Sunday week), or None."""
    for grain, step in STEPS.items():
        if start + step == end and (grain != "week" or start.weekday() == 0) and \
                (grain in ("day", "week") or start.day == 1) and \
                (grain != "quarter" or start.month % 3 == 1) and (grain != "year" or start.month == 1):
            return grain
    return None


def step_back(start: date, unit: str) -> date:
    """`start` one `unit` earlier."""
    return start - STEPS[unit]


def period_phrase(start: date, grain: str) -> str:
    """Words the date reader reads back as the one `grain` that starts on `start` ("March 2026", "Q1 2026")."""
    if grain == "day":
        return start.isoformat()
    if grain == "week":
        return f"the week of {start.isoformat()}"
    if grain == "month":
        return f"{start:%B} {start.year}"
    if grain == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return f"in {start.year}"


def relative_month_start(month: int, today: date) -> date:
    """The most recent first-of-`month` not after today ("since March" in May → March this year)."""
    year = today.year if month <= today.month else today.year - 1
    return date(year, month, 1)


def year_of(tokens: list[Token], k: int) -> int | None:
    """The year the number at `k` names (2000-2100: "March 2025", "Q3 2025"), or None."""
    if 0 <= k < len(tokens) and tokens[k].kind == "number" and 2000 <= (tokens[k].value or 0) <= 2100:
        return int(tokens[k].value or 0)
    return None


def calendar_date(iso: str) -> date | None:
    """The day an ISO date names, or None when no calendar has it ("2026-02-30")."""
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return None


def latest_past(rng: DateRange, now: datetime) -> DateRange:
    """A month or quarter named without its year that has not begun yet is last year's when what is dated lies
    in the past: "revenue in December", asked in May, is last December's (this December's has no revenue yet)."""
    if not rng.implicit_year or rng.start is None or rng.end is None or rng.start <= now:
        return rng
    return _years_moved(rng, -1)


def nearest_year(rng: DateRange, anchor: DateRange) -> DateRange:
    """`rng` (named without its year) in the year that puts it nearest `anchor`: "Q3" beside "Q4 2025" is Q3 2025."""
    if rng.start is None or anchor.start is None:
        return rng
    moves = sorted(range(-2, 3), key=lambda n: abs((rng.start + relativedelta(years=n) - anchor.start).days))
    return _years_moved(rng, moves[0]) if moves[0] else replace(rng, implicit_year=False)


def _years_moved(rng: DateRange, years: int) -> DateRange:
    """The same period `years` later (earlier when negative), its words saying the new years."""
    assert rng.start is not None and rng.end is not None
    step = relativedelta(years=years)
    phrase = re.sub(r"\b(20\d\d)\b", lambda m: str(int(m.group(1)) + years), rng.phrase)
    return DateRange(rng.start + step, rng.end + step, phrase, rng.kind, grain=rng.grain,
                     parts=tuple((s + step, e + step) for s, e in rng.parts))


def bounded_range(rng: DateRange, lead: str, today: date) -> DateRange:
    """A period after "since", "after" or "from" as an open start, after "before"/"until" as an open end.

    "since March" said in February means last March (a start in the future would match nothing);
    "after May" starts when May ends.
    """
    if lead in ("since", "after", "from"):
        start = rng.end if lead == "after" else rng.start
        if rng.phrase.split()[0].lower() in MONTHS and len(rng.phrase.split()) == 2 and lead == "since" and \
                rng.start and rng.start.date() > today:
            start = midnight(relative_month_start(rng.start.month, today))
        return DateRange(start, None, f"{lead} {rng.phrase}", "since", upto_now=False)
    if lead == "by":  # "closing by the end of the month": up to and including that day
        return DateRange(None, rng.end, f"by {rng.phrase}", "before")
    return DateRange(None, rng.start, f"before {rng.phrase}", "before")
