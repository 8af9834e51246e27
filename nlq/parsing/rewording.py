"""Ways of saying a question that the reading passes take word by word, rewritten first into the plain
wording they read ("Jacob Green's email" → "Jacob Green's email address", "the most active reps" → "the
reps with the most activities").

Each rewrite is one pattern and its replacement, tried in order; the passes never see the original
wording, so each phrase is read the same way wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_Replacement = str | Callable[[re.Match[str]], str]

REWORDINGS: tuple[tuple[re.Pattern[str], _Replacement], ...] = (
    # "Lauren's pipeline vs Matthew's pipeline": one figure, two owners ("pipeline Lauren vs Matthew")
    (re.compile(r"\b(?P<left>\w+(?: \w+)?)['’]s? (?P<what>\w+(?: \w+)?) (?P<vs>vs\.?|versus|compared (?:to|with)) "
                r"(?P<right>\w+(?: \w+)?)['’]s? (?P=what)\b", re.IGNORECASE),
     r"\g<what> \g<left> \g<vs> \g<right>"),
    # "Jacob Green's email", "the email of Lauren Stewart": one person's address, not their e-mails
    (re.compile(r"(?P<lead>\b(?!(?:today|yesterday|tomorrow|week|month|quarter|year)['’]s)\w+['’]s|\bthe)\s+"
                r"e-?mail\b(?!\s*(?:address|s\b))(?=\s+of\b|\s*[?.!]?\s*$)", re.IGNORECASE),
     r"\g<lead> email address"),
    # "the most active reps": the reps with the most activities (the word alone reads as enabled accounts)
    (re.compile(r"\b(?P<most>most|least) active (?P<people>reps?|sales ?reps?|salespeople|sellers|users|people|"
                r"members|team members|account executives|aes?)\b", re.IGNORECASE),
     r"\g<people> with the \g<most> activities"),
    # "how is my team doing this quarter", "team performance": revenue by rep (quotas are not recorded; "how
    # are we doing?" names nobody and stays asked back)
    (re.compile(r"^\s*(?:how\s+(?:is|are)\s+(?:my|the|our)\s+(?:team|reps)\s+(?:doing|performing|tracking)"
                r"(?!\s+(?:on|against|for|with|in)\b)|(?:my\s+|our\s+|the\s+)?(?:team|rep|sales)\s+performance)\b",
                re.IGNORECASE),
     "revenue by rep"),
    # "how is Riley doing this quarter": that rep's revenue (a name in capitals; "how is it doing" names no one)
    (re.compile(r"^\s*(?i:how)\s+(?i:is|was|has)\s+(?P<who>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+"
                r"(?i:doing|performing|tracking|done|performed)\b"),
     r"\g<who>'s revenue"),
    # "contacts who clicked a link", "clicked through": clicked (what was clicked is not recorded)
    (re.compile(r"\bclicked\s+(?:on\s+)?(?:a\s+|the\s+|any\s+)?(?:links?|through)\b", re.IGNORECASE), "clicked"),
    # "total call time": the calls' duration
    (re.compile(r"\b(?P<kind>calls?|meetings?|phone)\s+time\b", re.IGNORECASE), r"\g<kind> duration"),
    # "what did I do yesterday": my activities then
    (re.compile(r"^\s*what\s+(?:did|have)\s+(?P<who>i|we)\s+(?:do|done|work\s+on|worked\s+on|get\s+done|got\s+done)\b",
                re.IGNORECASE),
     lambda m: f"{'my' if m.group('who').lower() == 'i' else 'our'} activities"),
    # "contacts called Jessica": named so, when a name follows in capitals or quotes (not "contacts called
    # yesterday", the contacts someone called)
    (re.compile(r"\b(?P<rows>(?i:contacts?|accounts?|deals?|leads?|customers?|companies|company|people|person|"
                r"reps?|users?|opportunit(?:y|ies)))\s+(?i:called)\s+(?=[A-Z\"'“‘])"),
     r"\g<rows> named "),
    # "who sends the most emails", "who closes the most deals": the verb as the passes read it, in the past
    (re.compile(r"^(?P<who>\s*who\s+)(?P<verb>sends|makes|books|closes|logs|schedules|writes|holds|runs)\b",
                re.IGNORECASE),
     lambda m: m.group("who") + _PAST[m.group("verb").lower()]),
    # "who works at Foster Goods" asks for its contacts; "contacts who work at …" are contacts at …
    (re.compile(r"^\s*who\s+(?:works?|is working|are working|worked)\s+(?:at|for)\b", re.IGNORECASE), "contacts at"),
    (re.compile(r"\s+(?:(?:who|that)\s+)?(?:(?:is|are)\s+)?(?:works?|working|worked|employed)\s+(?:at|for)\b",
                re.IGNORECASE), " at"),
    # "and for the team?", "deals closed by the whole team", "the team's pipeline": the asker's team ("the
    # West team" names one)
    (re.compile(r"\b(?:(?P<lead>for|across|on|of|by|from|in|within)\s+)?the\s+(?:whole\s+|entire\s+)?"
                r"team(?P<own>['’]s)?\b(?!\s+(?:named|called)\b)", re.IGNORECASE),
     lambda m: f"{m.group('lead') + ' ' if m.group('lead') else ''}my team{m.group('own') or ''}"),
    # "top 5 reps by won deals", "top accounts by calls made": ranked by how many of those rows they have
    (re.compile(r"\b(?P<top>(?:top|bottom)(?:\s+\d+)?\s+\w+(?:\s+\w+)?\s+by\s+)(?P<rows>(?:(?:won|lost|open|closed|"
                r"completed|new)\s+)?(?:deals|opportunities|opps|calls|meetings|e-?mails|activities|tasks|notes|"
                r"contacts|customers|leads))\b", re.IGNORECASE),
     r"\g<top>number of \g<rows>"),
    # "how many emails did Jacob Green send us": the e-mails from them (inbound), not every e-mail with them
    (re.compile(r"\b(?P<rows>e-?mails?)\s+(?:did|has|have)\s+(?P<who>.+?)\s+(?:send|sent|write|written|reply|"
                r"replied)\s+(?:to\s+)?(?:us|me)\b", re.IGNORECASE),
     r"\g<rows> from \g<who>"),
    # "accounts up for renewal next quarter": with renewal deals expected to close then
    (re.compile(r"\s+(?:(?:that|which|who)\s+)?(?:(?:are|is)\s+)?(?:up|due)\s+for\s+(?:a\s+)?renewal\b",
                re.IGNORECASE), " with open deals in the renewals pipeline closing"),
    # "which contacts have I called the most": ranked by my calls to them ("we": everyone's in view)
    (re.compile(r"\b(?P<rows>contacts|accounts|customers|leads|companies|clients|people)\s+(?:have|did|do)\s+"
                r"(?P<who>i|we)\s+(?P<verb>called|phoned|rung|emailed|e-mailed|mailed|met(?:\s+with)?)\s+(?:the\s+)?"
                r"(?P<most>most|least)\b", re.IGNORECASE),
     lambda m: f"{m.group('rows')} have the {m.group('most')} {_DONE_AS_ROWS[m.group('verb').split()[0].lower()]}"
               f"{' owned by me' if m.group('who').lower() == 'i' else ''}"),
    # "top contacts by number of my calls": the calls are mine, not the contacts
    (re.compile(r"\bnumber\s+of\s+my\s+(?P<rows>calls|meetings|tasks|activities|e-?mails|notes|deals)\b", re.IGNORECASE),
     r"number of \g<rows> owned by me"),
    # "customers who bought more than once", "accounts that have purchased twice": by their won deals
    (re.compile(r"\s+(?:(?:who|that|which)\s+)?(?:have\s+|has\s+)?(?:bought|purchased|bought from us|purchased from us)"
                r"\s+(?P<how>more than once|twice|more than twice|at least twice|(?:two|three|\d+)\s+times|"
                r"(?:more than|at least)\s+(?:two|three|\d+)\s+times)\b", re.IGNORECASE),
     lambda m: " with " + _TIMES.get(m.group("how").lower(), _times_as_count(m.group("how").lower())) + " won deals"),
    # "emails with no opens", "emails without any clicks": not opened, not clicked
    (re.compile(r"\b(?:with\s+no|without(?:\s+any)?|that\s+got\s+no|that\s+had\s+no|(?:that\s+)?(?:got|had)\s+no)\s+"
                r"(?:an?\s+)?(?P<what>opens|clicks|replies|reply)\b", re.IGNORECASE),  # ("without any open deals": a status)
     lambda m: "not " + {"o": "opened", "c": "clicked", "r": "replied"}[m.group("what")[0].lower()]),
    # "what's on my plate today": my agenda (activities)
    (re.compile(r"\bon\s+(?P<whose>my|our|the\s+team['’]s|my\s+team['’]s)\s+plate\b", re.IGNORECASE),
     r"on \g<whose> agenda"),
    # "deals I should worry about": the deals at risk (a defined set)
    (re.compile(r"\s*\b(?:that\s+|which\s+)?(?:(?:i|we)\s+(?:should|need\s+to|must|ought\s+to)|should\s+(?:i|we))"
                r"\s+(?:be\s+)?(?:worry|worried|concerned|nervous)\s+about\b", re.IGNORECASE), " at risk"),
    # "which accounts spent the most with us": ranked by revenue (their won deals)
    (re.compile(r"\s+(?:(?:that|which|who)\s+)?(?:have\s+|has\s+)?(?:spent|spend|spends|paid|pay|pays)\s+(?:us\s+)?"
                r"the\s+(?P<most>most|least)(?:\s+(?:money|with\s+us|on\s+us|with\s+me|to\s+us))*\b", re.IGNORECASE),
     r" with the \g<most> revenue"),
    # "how much has Northwind spent with us": the revenue from them
    (re.compile(r"^\s*how\s+much\s+(?:money\s+)?(?:has|have|did)\s+(?P<who>.+?)\s+(?:spent|spend|paid|pay)"
                r"(?:\s+(?:with|on|to)\s+us|\s+us)?(?=\s|[?.!]|$)", re.IGNORECASE),
     r"revenue from \g<who>"),
    # "when did we last meet with Foster Goods", "when did I last email them": that last meeting or e-mail
    (re.compile(r"^\s*when\s+(?:did|have|had)\s+(?P<who>we|i)\s+last\s+(?P<verb>met|meet|call(?:ed)?|phoned?|"
                r"e-?mail(?:ed)?)(?:\s+(?:with|to))?\b", re.IGNORECASE),
     lambda m: f"{'my' if m.group('who').lower() == 'i' else 'our'} last "
               f"{_LAST_EVENT[m.group('verb').lower().replace('-', '')[:4]]}"),
    # "list reps and their open pipeline", "accounts and their revenue this year": the figure by each of them
    (re.compile(r"\b(?P<rows>reps|sales ?reps|owners|accounts|industries|stages|teams|lead sources|sources)\s+"
                r"(?:and|with)\s+their\s+(?P<what>(?:open\s+|total\s+|weighted\s+)?(?:pipeline(?:\s+value)?|revenue|"
                r"win rates?|number of (?:deals|open deals|won deals|calls|meetings|contacts)|deal counts?))\b",
                re.IGNORECASE),
     lambda m: f"{m.group('what')} by {_SINGULAR.get(m.group('rows').lower(), m.group('rows'))}"),
    # "show me everything due tomorrow", "anything scheduled this week": the activities then
    (re.compile(r"\b(?:everything|anything|all\s+(?:the\s+)?(?:stuff|things))\s+(?:that'?s\s+|that\s+is\s+|i\s+have\s+)?"
                r"(?=(?:due|overdue|scheduled|coming\s+up)\b)", re.IGNORECASE), "activities "),
    # "how long does it take to close a deal", "how many days on average do my deals stay open": the sales cycle
    (re.compile(r"^\s*(?:on\s+average\s+)?how\s+(?:long|many\s+days)\s+(?:on\s+average\s+)?(?:does|do|did)\s+"
                r"(?:it\s+take(?:\s+(?:us|me|my\s+team|the\s+team|them))?\s+to\s+(?:close|win)\s+(?:an?\s+)?"
                r"(?P<rows1>.*?\bdeals?)|(?P<rows2>.*?\bdeals?)\s+(?:stay|remain)\s+open|(?P<rows3>.*?\bdeals?)\s+take\s+"
                r"to\s+close)(?:\s+on\s+average)?\b", re.IGNORECASE),
     lambda m: "average sales cycle of " + re.sub(r"\bdeal\b", "deals", next(
         g for g in (m.group("rows1"), m.group("rows2"), m.group("rows3")) if g is not None))),
    # "deals created this year compared with 2025": two periods side by side ("with 2025" is no amount)
    (re.compile(r"\bcompared\s+(?:to|with)\s+(?:in\s+)?(?=(?:19|20)\d\d\b)", re.IGNORECASE), "vs "),
    # "accounts outside the US": not in it
    (re.compile(r"\boutside\s+(?:of\s+)?(?:the\s+)?(?=[a-z])", re.IGNORECASE), "not in "),
    # "contacts not linked to any account": without one
    (re.compile(r"\s+(?:(?:that|which|who)\s+(?:are|is)\s+)?(?:not|n't)\s+(?:linked|attached|associated|connected|"
                r"tied)\s+(?:to|with)\s+(?:any|an?)\b", re.IGNORECASE), " without any"),
)


_SINGULAR = {"reps": "rep", "sales reps": "rep", "salesreps": "rep", "owners": "owner", "accounts": "account",
             "industries": "industry", "stages": "stage", "teams": "team", "lead sources": "lead source",
             "sources": "source"}
_LAST_EVENT = {"met": "meeting with", "meet": "meeting with", "call": "call with", "phon": "call with",
               "emai": "email to"}
_TIMES = {"more than once": "more than 1", "twice": "at least 2", "more than twice": "more than 2",
          "at least twice": "at least 2"}


def _times_as_count(said: str) -> str:
    """"3 times" → "at least 3", "more than two times" → "more than 2" (what a count of won deals reads)."""
    number = {"two": "2", "three": "3"}
    words = said.replace(" times", "").split()
    value = number.get(words[-1], words[-1])
    return f"{' '.join(words[:-1])} {value}".strip() if len(words) > 1 else f"at least {value}"


_DONE_AS_ROWS = {"called": "calls", "phoned": "calls", "rung": "calls", "emailed": "emails", "e-mailed": "emails",
                 "mailed": "emails", "met": "meetings"}
_PAST = {"sends": "sent", "makes": "made", "books": "booked", "closes": "closed", "logs": "logged",
         "schedules": "scheduled", "writes": "wrote", "holds": "held", "runs": "ran"}


def plain_wording(question: str) -> str:
    """The question with each wording of `REWORDINGS` replaced by the plain one the passes read."""
    for pattern, replacement in REWORDINGS:
        question = pattern.sub(replacement, question)
    return question


# "his deals", "email her" after a record: that record's, as "their" and "them" say it
_PERSONAL = (
    (re.compile(r"\bhim\b", re.IGNORECASE), "them"),
    (re.compile(r"\bhis\b", re.IGNORECASE), "their"),
    (re.compile(r"\bher\b(?=\s+(?!(?:in|on|at|about|last|this|next|since|before|after|to|from|with|by|and|or|yet|"
                r"again|recently|today|yesterday|lately|the|a|an)\b)[a-z])", re.IGNORECASE), "their"),
    (re.compile(r"\bher\b", re.IGNORECASE), "them"),
)


def as_their(question: str) -> str:
    """A follow-up's "his", "him" and "her" as "their" and "them", which point at the last answer's records."""
    for pattern, replacement in _PERSONAL:
        question = pattern.sub(replacement, question)
    return question
