"""Message routing: decide what a chat message asks for and hand it to the capability that answers it.

Intents: ``query`` (NLQ over the CRM), ``search`` (notes and e-mails), ``score`` (lead scores),
``send_time`` (when to e-mail someone), ``help`` and ``small_talk``. Capabilities are pluggable:
``Router.register(intent, handler)`` wires one in, and an intent without a handler gets a short,
honest "not available yet" answer instead of a guess.

Routing is deliberately conservative: anything not clearly another intent is a query, because the
NLQ layer already refuses and asks back well, and a message stolen from it (a follow-up such as
"only the ones in Texas") would be a worse failure than a search question answered by NLQ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from assistant.answer import Answer, AnswerError
from crm_core.scope import Actor
from nlq.catalog import Catalog, Metric, NamedFilter, normalize
from nlq.search.question import OPINION_ASKED, UPDATE_ON
from nlq.search.semantic_filter import RECORD_TALK_VERBS

Intent = Literal["query", "search", "score", "send_time", "help", "small_talk"]
INTENTS: tuple[Intent, ...] = ("query", "search", "score", "send_time", "help", "small_talk")

#: Longer messages are refused before any work: no channel sends a real question this long.
MAX_MESSAGE_CHARS = 4000


@dataclass(frozen=True)
class Message:
    """One chat message with everything a handler needs to answer it as the right user."""

    text: str
    actor: Actor
    channel: str
    conversation_id: str
    today: date | None = None


Handler = Callable[[Message], Answer]


# "how accurate is the lead scoring model", "how good are the lead scores": the current model's own validation
MODEL_QUALITY = re.compile(r"\bhow (accurate|good|reliable|trustworthy|well)\b.*\b(lead scor\w*|scor(e|es|ing)|model)\b"
                           r"|\b(accuracy|auc|quality|performance) of (the )?(lead )?scor", re.I)


def _rx(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


# "what does win rate mean", "how is pipeline calculated", "define stale deals": a definition, not a figure
_DEFINITION = re.compile(
    r"^\s*(?:what\s+(?:does|do)\s+(?:the\s+)?(?P<a>.+?)\s+mean|how\s+(?:is|are|do\s+you)\s+(?:the\s+)?(?P<b>.+?)\s+"
    r"(?:calculated|computed|defined|measured|worked\s+out|calculate|compute|define)|(?:define|definition\s+of|"
    r"what(?:'s|\s+is)\s+the\s+definition\s+of)\s+(?:the\s+|a\s+|an\s+)?(?P<c>.+?))\s*[?.!]*\s*$", re.IGNORECASE)


# Rules are tried in order; the first intent with a matching pattern wins. Whole-message anchors keep
# "send an email to all customers saying hi" or "how are we doing?" away from small talk.
_RULES: tuple[tuple[Intent, tuple[re.Pattern[str], ...]], ...] = (
    ("help", _rx(
        r"^\s*(help|\?|usage|examples?)\s*[.!?]*\s*$",
        r"^\s*what (else )?can (you|i) (do|ask)( you)?( here)?\s*\??\s*$",
        r"^\s*(how (do|can) i use (you|this)|what do you do|what are you able to do)\s*\??\s*$",
        r"^\s*(show me )?(some )?example questions\s*\??\s*$",
        _DEFINITION.pattern,
    )),
    ("small_talk", _rx(
        r"^\s*(hi|hello|hey|hiya|howdy|yo|good (morning|afternoon|evening)|greetings)"
        r"( there| crm| bot| assistant)?\s*[!.,]*\s*$",
        r"^\s*(thanks|thank you|thx|ty|cheers|great|awesome|nice|cool|ok|okay|perfect)"
        r"( (so much|a lot|very much))?\s*[!.]*\s*$",
        r"^\s*(bye|goodbye|see you|see ya|good night)\s*[!.]*\s*$",
        r"^\s*(how are you( doing)?|how's it going|who are you|what are you|are you a (bot|robot|human))"
        r"\s*[?!.]*\s*$",
        r"^\s*(tell me a joke|what'?s the weather( like)?( today)?|what time is it|sing me a song)\s*[?!.]*\s*$",
    )),
    ("send_time", _rx(
        r"\bwhen (should|shall|do|can) (i|we) (best )?(email|e-mail|mail|send|write|reach|contact)\b",
        r"\b(best|optimal|ideal|good) (time|hour|day) to (email|e-mail|send|mail|reach|contact|write)\b",
        r"\bsend[- ]time\b",
    )),
    ("score", _rx(
        r"\bwhy (is|was|does|did)\b.+\b(scored?|scoring|score of)\b",
        r"\bexplain\b.+\b(lead )?score\b",
        r"\b(lead )?score (of|for)\b(?!\s*\d)(?!.*\b(over|above|under|below|at least|more than|less than)\b)",
        r"\bwhat('?s| is) (the )?(lead )?score\b",
        r"\bhottest (leads|prospects|contacts)\b",
        # "which leads are most likely to convert": what a lead score estimates
        r"\b(most|more|least) likely to (convert|buy|close|become (a )?customers?|sign)\b",
        r"\bhow (did|has|have|does)\b.+\bscores?\b.*\b(change|changed|move|moved|evolved?|develop(ed)?)\b",
        r"\bscore (history|trend)\b",
        MODEL_QUALITY.pattern,  # "how accurate is the lead scoring model"
        r"\b(who|which (leads?|contacts?|prospects?|customers?)) should i (call|email|contact|prioriti[sz]e|focus on)"
        r" (first|next|today|this week)\b",
    )),
    ("search", _rx(
        r"^\s*search\b",
        UPDATE_ON.pattern,  # "anything new with Foster Goods?": the account's newest notes and emails
        OPINION_ASKED.pattern,  # "what do clients think of our pricing?": their feedback in notes and emails
        r"\b(notes?|emails?|e-mails?|messages?)\b.*\b(mention(s|ed|ing)?|talk(s|ed|ing)? about|discuss(es|ed|ing)?"
        r"|say(s|ing)? (about|that)|contain(s|ing)?|regarding|related to)\b",
        # "notes about pricing", "emails concerning the security review"
        # "emails I sent about the proposal", "notes by Dana about integrations"
        r"\b(notes?|emails?|e-mails?|messages?) ((i|we|you|they|he|she) )?((written|logged|taken|sent|received|"
        r"wrote|got) )?((by|from|to|on|at|for|with) \w+( \w+){0,2} )?(about|concerning|regarding|mentioning)\b",
        # "emails not about pricing", "notes that don't mention a competitor"
        r"\b(notes?|emails?|e-mails?|messages?)\s+((that|which)\s+)?((do|does|did)(n't|\s+not)|don't|never|not)\s+"
        r"(mention|about|discuss|talk about|say anything about|refer to)\b",
        # "anything about layoffs", "is there something on the security review?"
        r"^\s*((is|was|are|were) there |do we have )?(anything|something) (about|on|regarding|concerning|mentioning)\b",
        r"\b(find|look up|look for)\b.*\b(notes?|emails?|e-mails?)\b.*\babout\b",
        r"\b(anyone|anybody|somebody|someone|who)\b.*\b(mention(s|ed)?|talk(s|ed)? about|complain(s|ed)? about|"
        r"ask(s|ed)? about|discuss(es|ed)?|br(ing|ought) up|raise[sd]?)\b",
        # "any complaints about support response times?", "were there objections on pricing"
        r"^\s*((are|were) there\s+)?(any\s+)?(complaints?|concerns?|objections?|questions?|feedback|comments?|"
        r"issues|mentions?|pushback)\s+(about|on|regarding|with|around)\b",
        # "any notes on the data migration for Foster Goods?"
        r"^\s*((are|is) there\s+|do we have\s+)?any\s+(notes?|emails?|e-mails?|messages?)\s+on\b",
        # "what are the main objections we hear", "what were the biggest concerns last quarter"
        r"^\s*what\s+(are|were)\s+(the\s+)?((main|top|most common|biggest|common|usual|typical|key|recurring)\s+)?"
        r"(objections?|concerns?|complaints?|pushback|questions? (customers|clients|prospects|they) ask|risks? "
        r"(customers|clients|prospects|they) (raise|mention))\b",
        # "what objections did we hear this quarter", "which concerns have customers raised"
        r"^\s*(what|which)\s+(complaints?|concerns?|objections?|questions?|feedback|pushback|issues|risks?)\s+"
        r"(did|do|have|has|were|was)\b",
        # "what did Northwind say about pricing?", "what has Dana told us about the rollout?"
        r"\bwhat (did|does|do|has|have|had)\b.+\b(say|said|mention(ed)?|write|wrote|written|tell|told|complain(ed)?|"
        r"ask(ed)?|report(ed)?)"
        r"( us| me)? (about|regarding|of|on)\b",
        # "what did the CFO at Foster Goods say?": what they wrote or said lately
        r"\bwhat (did|has|have|had)\b.+\b(say|said|tell|told|write|wrote|written)( (us|me|lately|recently))*"
        r"\s*[?.!]*\s*$",
        # "accounts that mentioned layoffs", "customers who complained about support response times"
        r"\b(that|who|which|accounts?|contacts?|customers?|clients?|leads?|prospects?|deals?|compan(y|ies)|they)\s+"
        r"((have|has|had|do|does|did)(n't|\s+not)\s+|never\s+|not\s+)?(have\s+|has\s+|had\s+)?"
        r"(ever\s+)?" + RECORD_TALK_VERBS + r"\s+\w",
        # "what are customers saying about our competitors"
        r"\bwhat (are|is|were|was|have|has)\b.+\b(saying|said|talking|complaining|asking)\s+(about|regarding)\b",
        r"\b(customers?|contacts?|accounts?|prospects?|leads?)\s+(complaining|asking|talking)\s+about\b",
        # "emails where the customer asks for a discount", "notes in which they request a pilot"
        r"\b(notes?|emails?|e-mails?|messages?) (where|in which|that|which)\b.*\b(ask(s|ed|ing)?|request(s|ed|ing)?"
        r"|complain(s|ed|ing)?|want(s|ed)?|push(es|ed)? (for|back)|rais(e|es|ed) (concerns?|questions?))\b",
        # "emails asking for a discount", "notes raising concerns about the timeline"
        r"\b(notes?|emails?|e-mails?|messages?) (asking|requesting|complaining|pushing (for|back)|"
        r"raising (concerns?|questions?))\b",
    )),
)

# What keeps a message from an intent its patterns matched: it is a query after all.
_UNLESS: dict[Intent, tuple[re.Pattern[str], ...]] = {
    # "average lead score of customers" is a figure over rows, not one contact's score
    "score": _rx(r"\b(average|avg|mean|median|total|sum|how many|count|number of|distribution|highest|lowest|"
                 r"max(imum)?|min(imum)?)\b.*\bscores?\b|\bscores?\b.*\b(by|per)\b"),
    # "contacts whose email contains acme" reads the address, not the texts of e-mails
    "search": _rx(r"\b(whose|their|his|her|with an?|without an?) e-?mail( address(es)?)?\b(?!s)"),
}

_UNAVAILABLE: dict[Intent, tuple[str, list[str]]] = {
    "search": (("Searching the text of notes and e-mails isn't available yet. I can list them by date, "
                "author or contact meanwhile."), ["notes from last week", "emails sent last month"]),
    "score": (("Explaining and ranking lead scores isn't available yet. I can list leads by their "
               "current score meanwhile."), ["hot leads", "leads by lead score"]),
    "send_time": (("Recommending when to e-mail someone isn't available yet. I can show how e-mails "
                   "have been opened and replied to meanwhile."), ["open rate by month", "reply rate this quarter"]),
}


# "deals where the champion left", "accounts in which they chose a competitor": an event a field may not hold
_EVENT_CLAUSE = re.compile(r"^\s*(?:(?:show|list|find|get)(?:\s+me)?\s+)?(?:all\s+|the\s+|any\s+)?"
                           r"(?P<rows>[\w -]+?)\s+(?:where|in which)\s+(?P<event>(?:the|their|our|a|an|they|we|"
                           r"someone|somebody)\b[^?!.]+?)\s*[?!.]*\s*$", re.IGNORECASE)


_PAST_TENSES = frozenset({"left", "quit", "chose", "went", "said", "told", "lost", "won", "gave", "took", "made",
                          "sent", "got", "fell", "came", "began", "brought", "bought", "sold", "paid", "spent",
                          "cut", "froze", "put", "ran", "saw", "wrote", "broke", "hit", "held", "kept", "moved"})
_NOT_PAST = frozenset({"need", "needed", "speed", "feed", "seed", "indeed", "embed"})


def classify(text: str) -> Intent:
    """The intent of a message; ``query`` unless a rule clearly says otherwise.

    >>> classify("what can you do?"), classify("open deals in Texas"), classify("thanks!")
    ('help', 'query', 'small_talk')
    """
    for intent, patterns in _RULES:
        if any(p.search(text) for p in patterns) and not any(p.search(text) for p in _UNLESS.get(intent, ())):
            return intent
    return "query"


class Router:
    """Routes messages to registered handlers; help and small talk are built in."""

    def __init__(self, catalog: Catalog, handlers: dict[Intent, Handler] | None = None) -> None:
        self.catalog = catalog
        # each entity's single words that name one of its columns ("amount", "stage", "owner"): a clause about
        # those rows using one describes a field
        self._column_words = {
            entity.name: {word for column in entity.columns.values()
                          for phrase in (column.name.replace("_", " "), column.label, *column.synonyms)
                          for word in phrase.lower().split() if len(word) > 3}
            for entity in catalog.entities.values()}
        self._handlers: dict[Intent, Handler] = {"help": self._help, "small_talk": self._small_talk}
        for intent, handler in (handlers or {}).items():
            self.register(intent, handler)

    def register(self, intent: Intent, handler: Handler) -> None:
        """Plug in the capability answering `intent` (replaces an earlier one)."""
        if intent not in INTENTS:
            raise ValueError(f"Unknown intent '{intent}'; expected one of {', '.join(INTENTS)}.")
        self._handlers[intent] = handler

    def handler_for(self, intent: Intent) -> Handler | None:
        return self._handlers.get(intent)

    def route(self, message: Message, *, query: Handler | None = None) -> tuple[Intent, Answer]:
        """Answer a message: too long → refusal; else the handler of its intent, or 'not available yet'.

        `query` answers the ``query`` intent for this one message (the assistant passes a closure
        holding the conversation's last plan); without it, a registered ``query`` handler is used.
        """
        if len(message.text) > MAX_MESSAGE_CHARS:
            return "query", _refusal(
                "message-too-long",
                f"That message is {len(message.text):,} characters long; please ask in under "
                f"{MAX_MESSAGE_CHARS:,} characters.")
        intent = classify(message.text)
        handler = query if intent == "query" and query is not None else self._handlers.get(intent)
        if handler is not None:
            answer = handler(message)
            search = self._handlers.get("search")
            if intent in ("query", "search") and search is not None and answer.status == "clarified" and \
                    answer.error is not None and answer.error.code == "not-understood":
                # "deals where the champion left": no field says so; their notes and e-mails may (read only
                # once the question was asked back, never on the way of an answered one)
                event = _EVENT_CLAUSE.match(message.text)
                if event is not None and self._tells_of_an_event(event.group("rows"), event.group("event")):
                    worded = replace(message, text=f"{event.group('rows')} that mentioned {event.group('event')}")
                    found = search(worded)
                    if found.status == "answered":
                        return "search", found
            return intent, answer
        summary, suggestions = _UNAVAILABLE.get(intent, ("That isn't available yet.", []))
        answer = _refusal("not-available-yet", summary)
        answer.suggestions = suggestions
        return intent, answer

    def _tells_of_an_event(self, rows: str, clause: str) -> bool:
        """Whether a clause about `rows` says something happened ("the champion left", "they chose a
        competitor") rather than describing one of their fields ("the amount is huge") or nothing at all."""
        words = re.findall(r"[a-z]+", clause.lower())
        happened = any(w in _PAST_TENSES or (w.endswith("ed") and len(w) > 4 and w not in _NOT_PAST) for w in words)
        named = [e.name for e in self.catalog.entities.values()
                 if {e.plural, e.singular, *e.synonyms} & set(rows.lower().split())]
        fields = set().union(*(self._column_words[name] for name in (named or self._column_words)))
        return happened and not any(w in fields for w in words)

    def examples(self, limit: int = 6) -> list[str]:
        """Example questions drawn from the catalog's business definitions and metrics."""
        out: list[str] = []
        filters = list(self.catalog.named_filters.values())
        metrics = list(self.catalog.metrics.values())
        for i in range(max(len(filters), len(metrics))):
            if i < len(filters):
                out.append(_filter_example(filters[i], i))
            if i < len(metrics):
                out.append(_metric_example(metrics[i], self.catalog))
        return list(dict.fromkeys(out))[:limit]

    def _help(self, message: Message) -> Answer:
        asked = _DEFINITION.match(message.text)
        if asked is not None:
            phrase = next(g for g in asked.groups() if g)
            defined = self._definition(phrase)
            if defined is not None:
                return defined
            terms = [m.phrases[0] for m in self.catalog.metrics.values()][:6]
            return Answer(status="clarified", suggestions=[f"what does {t} mean" for t in terms[:3]],
                          summary=f"I have no definition of “{phrase}”. Figures I can define include "
                                  f"{', '.join(terms)}.")
        entities = [e.plural for e in self.catalog.entities.values() if e.owner_column]
        examples = self.examples()
        summary = (f"I answer questions about your CRM — {', '.join(entities)} — in plain language, "
                   "showing only the records you may see, with the SQL and how each answer was calculated. "
                   "Follow-ups work too (\"only the ones in Texas\", \"how many?\"). Try: "
                   + "; ".join(f"“{e}”" for e in examples[:4]) + ".")
        definitions = [f.definition for f in self.catalog.named_filters.values()][:4]
        return Answer(status="answered", summary=summary, suggestions=examples[:4], definitions=definitions)

    def _definition(self, phrase: str) -> Answer | None:
        """The catalog's definition of a figure or a named set of records the phrase names, or None."""
        wanted = normalize(phrase)
        for item in [*self.catalog.metrics.values(), *self.catalog.named_filters.values()]:
            if wanted in {normalize(p) for p in item.phrases} | {normalize(item.name.replace("_", " "))}:
                return Answer(status="answered", summary=f"{item.definition[:1].upper()}{item.definition[1:]}.",
                              definitions=[item.definition], suggestions=[phrase, f"{phrase} by rep"])
        return None

    def _small_talk(self, message: Message) -> Answer:
        text = message.text.strip().lower()
        name = (message.actor.full_name or "").split(" ")[0]
        examples = self.examples(3)
        if re.match(r"^(thanks|thank you|thx|ty|cheers|great|awesome|nice|cool|ok|okay|perfect)", text):
            return Answer(status="answered", summary="You're welcome. Anything else about your CRM?",
                          suggestions=examples)
        if re.match(r"^(bye|goodbye|see you|see ya|good night)", text):
            return Answer(status="answered", summary="Bye for now.")
        if re.match(r"^(tell me a joke|what'?s the weather|what time is it|sing)", text):
            answer = _refusal("out-of-scope", "That's outside what I can help with: I only answer questions "
                                              "about your CRM data.")
            answer.suggestions = examples
            return answer
        if re.match(r"^(who are you|what are you|are you a)", text):
            return Answer(status="answered", suggestions=examples,
                          summary="I'm the CRM assistant, a program that turns questions into scoped SQL "
                                  "over your CRM data and shows how each answer was calculated.")
        greeting = f"Hi {name}!" if name else "Hi!"
        return Answer(status="answered", suggestions=examples,
                      summary=f"{greeting} Ask me about your contacts, accounts, deals and activities.")


def _refusal(code: str, message: str) -> Answer:
    return Answer(status="refused", summary=message, error=AnswerError(code=code, message=message))


def _filter_example(named_filter: NamedFilter, index: int) -> str:
    phrase = named_filter.phrases[0]
    if named_filter.entity == "contacts" and index % 2 == 0:
        return f"{phrase} not contacted in 30 days"
    if named_filter.entity == "deals" and named_filter.date_column is None:
        return f"{phrase} over $50,000"
    if named_filter.date_column:
        return f"{phrase} this quarter"
    return phrase


def _metric_example(metric: Metric, catalog: Catalog) -> str:
    phrase = metric.phrases[0]
    if metric.date_column:
        return f"{phrase} by month"
    if metric.entity == "deals":
        return f"{phrase} by stage"
    return phrase
