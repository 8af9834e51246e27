"""Time arithmetic of the generator: epoch seconds in int64 arrays, time zones, business hours, formatting.

All instants are int64 seconds since 1970-01-01 UTC; `NAT` marks a missing instant. Local wall-clock times
are converted with a per-day UTC-offset table built from the IANA database, so DST is respected (the offset
of local noon is used for the whole day, which only matters for the hours around a transition).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
NAT = np.iinfo(np.int64).min
DAY = 86_400
HOUR = 3_600
MINUTE = 60


def midnight_utc(day: date) -> int:
    """Epoch seconds of midnight UTC at the start of `day` (the pinned `now`)."""
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp())


def weekday_of(seconds: I64) -> I64:
    """Monday=0 … Sunday=6 of epoch seconds (1970-01-01 was a Thursday)."""
    return ((seconds // DAY) + 3) % 7


class TimeZones:
    """UTC offsets, per day, of a fixed list of IANA zones."""

    def __init__(self, names: Sequence[str], first_day: date, n_days: int) -> None:
        self.names = tuple(names)
        self.index = {name: i for i, name in enumerate(self.names)}
        self.first_epoch_day = (first_day - date(1970, 1, 1)).days
        self.n_days = n_days
        offsets = np.zeros((len(self.names), n_days), dtype=np.int64)
        for i, name in enumerate(self.names):
            zone = ZoneInfo(name)
            for d in range(n_days):
                offset = datetime.combine(first_day + timedelta(days=d), time(12), tzinfo=zone).utcoffset()
                offsets[i, d] = int(offset.total_seconds()) if offset is not None else 0
        self.offsets = offsets

    def ids(self, names: Sequence[str]) -> I64:
        return np.array([self.index[n] for n in names], dtype=np.int64)

    def _day(self, seconds: I64) -> I64:
        return np.clip(seconds // DAY - self.first_epoch_day, 0, self.n_days - 1)

    def to_local(self, tz: I64, utc: I64) -> I64:
        """Local wall-clock seconds (as if UTC) of UTC instants."""
        return utc + self.offsets[tz, self._day(utc)]

    def to_utc(self, tz: I64, local: I64) -> I64:
        """UTC instants of local wall-clock seconds."""
        return local - self.offsets[tz, self._day(local)]


def business_time(rng: np.random.Generator, zones: TimeZones, tz: I64, utc: I64) -> I64:
    """Move instants to a weekday, 08:00–17:59 local time in zone `tz`, on (about) the same local day.

    Weekend instants move to a random weekday of the same week (so no weekday is over-represented).
    Hours peak mid-morning and early afternoon.
    """
    n = len(utc)
    local = zones.to_local(tz, utc)
    day = local // DAY
    wd = (day + 3) % 7
    day = np.where(wd >= 5, day - wd + rng.integers(0, 5, size=n), day)
    hour = rng.choice(_BUSINESS_HOURS, size=n, p=_BUSINESS_HOUR_WEIGHTS)
    seconds = rng.integers(0, HOUR, size=n)
    return zones.to_utc(tz, day * DAY + hour * HOUR + seconds)


_BUSINESS_HOURS = np.arange(8, 18)
_BUSINESS_HOUR_WEIGHTS = np.array([0.07, 0.12, 0.14, 0.12, 0.08, 0.11, 0.12, 0.11, 0.08, 0.05])
_BUSINESS_HOUR_WEIGHTS = _BUSINESS_HOUR_WEIGHTS / _BUSINESS_HOUR_WEIGHTS.sum()


def format_instants(seconds: I64) -> list[str | None]:
    """ISO 8601 UTC text of instants (None for NAT), as COPY input for timestamptz."""
    mask = seconds == NAT
    safe = np.where(mask, 0, seconds).astype("datetime64[s]")
    text = np.datetime_as_string(safe, unit="s").tolist()
    if not mask.any():
        return [t + "+00" for t in text]
    return [None if m else t + "+00" for t, m in zip(text, mask.tolist(), strict=True)]


def format_dates(seconds: I64) -> list[str | None]:
    """ISO dates (UTC) of instants (None for NAT)."""
    mask = seconds == NAT
    safe = np.where(mask, 0, seconds).astype("datetime64[s]").astype("datetime64[D]")
    text = np.datetime_as_string(safe, unit="D").tolist()
    return [None if m else t for t, m in zip(text, mask.tolist(), strict=True)]
