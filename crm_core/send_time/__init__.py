"""Email send-time suggestions: per-contact open-time distributions, smoothed toward similar contacts.

>>> from crm_core.send_time import suggest_send_time  # doctest: +SKIP
>>> suggest_send_time(session, settings, actor, 42, now=now).summary  # doctest: +SKIP
"Tuesday 9–10 am Dana's time (America/Chicago) (based on 14 opens; high confidence). ..."
"""

from crm_core.send_time.model import SendTimePriors, Smoothing, fit_priors
from crm_core.send_time.service import (
    SendTimeSuggestion,
    SlotOut,
    hour_range,
    suggest_send_time,
    suggest_send_times,
)

__all__ = ["SendTimePriors", "SendTimeSuggestion", "SlotOut", "Smoothing", "fit_priors", "hour_range",
           "suggest_send_time", "suggest_send_times"]
