"""Reading cell text the schemas do not take as-is: dates in common spellings, country and state names.

Dates and timestamps (what is accepted, in this order):

- ISO 8601, preferred: `2026-05-15`, `2026-05-15T10:00:00Z`, `2026-05-15 10:00:00+02:00`, with or
  without seconds and fractions;
- year first with slashes or dots: `2026/05/15`, `2026.05.15`;
- month names (English): `15 May 2026`, `May 15, 2026`, `15-May-2026`;
- day and month as numbers, `NN/NN/YYYY` (also `.` or `-`), only when exactly one reading is a real
  date: `05/15/2026` (month first) and `15/05/2026` (day first) are accepted, `03/04/2026` is
  rejected as `ambiguous-date` instead of guessed. A value accepted this way therefore never has a
  second meaning, whatever convention the rest of the file follows. Two-digit years are rejected.

Any of the non-ISO forms may end in a time `HH:MM[:SS]`. A timestamp without an offset is UTC.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, date, datetime, time

from crm_core.geo import COUNTRY_NAMES, ISO_COUNTRIES, SUBDIVISIONS

ISO_HINT = "write dates as YYYY-MM-DD, timestamps as YYYY-MM-DDTHH:MM:SSZ (ISO 8601)"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")

_TIME_TAIL = re.compile(r"^(?P<date>.+?)[ T]+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$")
_YEAR_FIRST = re.compile(r"^(?P<y>\d{4})(?P<sep>[/.-])(?P<a>\d{1,2})(?P=sep)(?P<b>\d{1,2})$")
_YEAR_LAST = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d+)$")
_NAMED_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%B %d, %Y", "%b %d, %Y",
                  "%d-%b-%Y", "%d-%B-%Y", "%d. %B %Y")


class DateParseError(ValueError):
    """A cell that is not a date; `code` is `invalid-value` or `ambiguous-date`."""

    def __init__(self, reason: str, code: str = "invalid-value") -> None:
        super().__init__(reason)
        self.code = code


def _iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.fromisoformat(text.upper())  # Python 3.11+ reads a "Z" suffix
    except ValueError:
        return None


def _day_month(text: str, year: int, a: int, b: int) -> date:
    """The one date that `a/b/year` can be, or an error when it could be two (or none)."""
    readings: set[date] = set()
    for month, day in ((a, b), (b, a)):
        with contextlib.suppress(ValueError):
            readings.add(date(year, month, day))
    if not readings:
        raise DateParseError(f"'{text}' is not a date; {ISO_HINT}")
    if len(readings) > 1:
        raise DateParseError(
            f"'{text}' could be {b} {_MONTHS[a - 1]} or {a} {_MONTHS[b - 1]}; {ISO_HINT}", "ambiguous-date")
    return readings.pop()


def _date_part(text: str) -> date:
    match = _YEAR_FIRST.match(text)
    if match:
        try:
            return date(int(match["y"]), int(match["a"]), int(match["b"]))
        except ValueError:
            raise DateParseError(f"'{text}' is not a date; {ISO_HINT}") from None
    match = _YEAR_LAST.match(text)
    if match:
        if len(match["y"]) != 4:
            raise DateParseError(f"'{text}' has no four-digit year; {ISO_HINT}", "ambiguous-date")
        return _day_month(text, int(match["y"]), int(match["a"]), int(match["b"]))
    for fmt in _NAMED_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DateParseError(f"'{text}' is not a date; {ISO_HINT}")


def _parse(text: str) -> datetime:
    """A datetime as written: naive unless the text names an offset."""
    text = " ".join(text.split())
    iso = _iso(text)
    if iso is not None:
        return iso
    match = _TIME_TAIL.match(text)
    clock = time()
    if match:
        try:
            clock = time(int(match["h"]), int(match["m"]), int(match["s"] or 0))
        except ValueError:
            raise DateParseError(f"'{text}' has no valid time of day; {ISO_HINT}") from None
        text = match["date"]
    return datetime.combine(_date_part(text), clock)


def parse_timestamp(text: str) -> datetime:
    """An aware UTC datetime; a value without an offset is taken as UTC.

    >>> parse_timestamp("05/15/2026 10:30").isoformat()
    '2026-05-15T10:30:00+00:00'
    """
    value = _parse(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    """The calendar date as written (a time or offset after it is ignored).

    >>> parse_date("15 May 2026")
    datetime.date(2026, 5, 15)
    """
    return _parse(text).date()


_COUNTRY_ALIASES = {"usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US",
                    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "deutschland": "DE",
                    "holland": "NL", "the netherlands": "NL"}
_COUNTRIES_BY_NAME = {name.casefold(): code for code, name in COUNTRY_NAMES.items()} | _COUNTRY_ALIASES


def country_code(text: str) -> str:
    """The ISO code of a country name we know ("Germany" -> "DE"); anything else unchanged.

    Unknown text is passed on so that the schema rejects it with its own reason.
    """
    value = text.strip()
    if value.upper() in ISO_COUNTRIES:
        return value
    return _COUNTRIES_BY_NAME.get(value.casefold(), value)


def state_code(text: str, country: str | None) -> str:
    """The subdivision code of a state or province name ("California" -> "CA"); otherwise unchanged."""
    value = text.strip()
    names = SUBDIVISIONS.get((country or "").strip().upper())
    if not names or value.upper() in names:
        return value
    by_name = {name.casefold(): code for code, name in names.items()}
    return by_name.get(value.casefold(), value)
