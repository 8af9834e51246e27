"""Chat answers about lead scores and send times: "who are my hottest leads?", "why is Dana Kim scored
87?", "how did Dana's score change?", "when should I email Dana?".

Each handler resolves the contact named in the message among the contacts the asker may see (several
matches → a question back listing them; none → a question back too), calls the same crm_core service
the API and CLI call, and returns the channel-neutral `Answer` with a table whose first column is the
record id.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from assistant.answer import Answer, AnswerColumn, AnswerError
from assistant.router import MODEL_QUALITY, Message
from crm_core.errors import CrmError
from crm_core.scoring.contacts import ContactRef, contacts_at_account, find_contacts
from crm_core.scoring.model import LeadModel
from crm_core.scoring.registry import load_current, model_dir
from crm_core.scoring.service import ScoreExplanation, current_instant, explain_contact, hottest_leads
from crm_core.scoring.service import instant_of as _instant_of
from crm_core.send_time import SendTimeSuggestion, suggest_send_times
from crm_core.settings import Settings

_NAME = r"(?P<name>[^?!.]+?)"
_END = r"\s*(?:[?!.]|$|\b(?:next|this|today|tomorrow|on)\b)"
SCORE_NAME_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\bwhy (?:is|was|does|did) " + _NAME + r"(?:'s|’s)? (?:lead )?(?:scored?|scoring|have|has|get|got)\b",
    r"\bhow (?:did|has|have|does) " + _NAME + r"(?:'s|’s) (?:lead )?score",
    r"\bhow (?:did|has|have|does) (?:the )?(?:lead )?score (?:of|for) " + _NAME + r" (?:change|move|evolve|develop)",
    r"\bexplain (?:the )?(?:lead )?score (?:of|for) " + _NAME + _END,
    r"\bexplain " + _NAME + r"(?:'s|’s) (?:lead )?score",
    r"\bwhat(?:'s| is) " + _NAME + r"(?:'s|’s) (?:lead )?score",
    r"\b(?:lead )?score (?:of|for) " + _NAME + _END,
    r"\bscore history (?:of|for) " + _NAME + _END,
))
SEND_TIME_NAME_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\bwhen (?:should|shall|do|can) (?:i|we) (?:best )?(?:email|e-mail|mail|write to|reach|contact|send (?:an )?"
    r"(?:emails?|e-mails?|mails?) to|send to) " + _NAME + _END,
    r"\b(?:best|optimal|ideal|good) (?:time|hour|day) to (?:email|e-mail|mail|send to|reach|contact|write to) "
    + _NAME + _END,
    r"\bsend[- ]time (?:for|of) " + _NAME + _END,
))
HISTORY = re.compile(r"\b(change|changed|changes|history|trend|moved?|evolved?|develop(ed)?|over time)\b", re.I)
HOTTEST = re.compile(r"\b(hottest|top|best|warmest)\b.*\b(leads|prospects|contacts)\b|\b(who|which (leads?|contacts?|"
                     r"prospects?|customers?)) should i (call|email|e-mail|contact|prioriti[sz]e|focus on)\b|"
                     r"\b(most|more) likely to (convert|buy|close|become (a )?customers?|sign)\b", re.I)
MINE = re.compile(r"\b(my|mine|i)\b", re.I)


def extract_name(text: str, patterns: tuple[re.Pattern[str], ...]) -> str | None:
    """The contact name (or '#id') a message mentions, by the first pattern that matches.

    >>> extract_name("why is Dana Kim scored 87?", SCORE_NAME_PATTERNS)
    'Dana Kim'
    >>> extract_name("when should I email Dana?", SEND_TIME_NAME_PATTERNS)
    'Dana'
    """
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            name = match.group("name").strip(" \"'“”‘’,")
            name = re.sub(r"^(the contact|contact|lead|my lead|our lead)\s+", "", name, flags=re.I)
            group = re.fullmatch(r"(?:all\s+)?(?:my|our|these|those|all)\s+[\w\s]+", name, re.I)  # "my customers"
            if name and not group and name.lower() not in (
                    "me", "him", "her", "them", "they", "this lead", "it", "this", "that", "that lead", "the lead",
                    "he", "she", "this contact", "that contact"):
                return name
    return None


@dataclass
class ScoreSkills:
    """The score and send-time handlers, sharing the engine and settings."""

    engine: Engine
    settings: Settings

    def _now(self, message: Message) -> datetime:
        return _instant_of(message.today) if message.today else current_instant(self.settings)

    def _resolve(self, session: Session, message: Message, name: str | None,
                 retry: Callable[[ContactRef], str], example: str,
                 matches: list[ContactRef] | None = None) -> ContactRef | Answer:
        """The one contact `name` means (the `matches` already looked up, when given), or a question back."""
        if not name:  # the example is this skill's own question
            return _clarify(f"Which contact do you mean? Name them, e.g. “{example}”.", [])
        matches = find_contacts(session, message.actor, name) if matches is None else matches
        if not matches:
            return _clarify(f"I couldn't find a contact called “{name}” among the contacts you can see. "
                            "Try their full name.", [])
        if len(matches) > 1:
            listed = "; ".join(m.label for m in matches[:6])
            return _clarify(f"Several contacts you can see match “{name}”: {listed}. Which one?",
                            [retry(m) for m in matches[:6]])
        return matches[0]

    # ------------------------------------------------------------------ score intent

    def score(self, message: Message) -> Answer:
        """Hottest leads, a score explained, or a score's history."""
        with Session(self.engine) as session:
            try:
                if MODEL_QUALITY.search(message.text):
                    return _model_quality(load_current(model_dir(self.settings)))
                name = extract_name(message.text, SCORE_NAME_PATTERNS)
                if name is None and HOTTEST.search(message.text):
                    return self._hottest(session, message)
                ref = self._resolve(session, message, name, lambda m: f"explain the lead score of {m.name} #{m.id}",
                                    "why is Dana Kim scored 87?")
                if isinstance(ref, Answer):
                    return ref
                explanation = explain_contact(session, self.settings, message.actor, ref.id, now=self._now(message))
                if HISTORY.search(message.text):
                    return _history_answer(explanation)
                return _explanation_answer(explanation, message.text)
            except CrmError as exc:
                return _refusal(exc)
            finally:
                session.rollback()

    def _hottest(self, session: Session, message: Message) -> Answer:
        mine = bool(MINE.search(message.text))
        leads = hottest_leads(session, message.actor, mine=mine, limit=10)
        whose = "your" if mine else "the"
        if not leads:
            return Answer(status="answered", summary=f"None of {whose} leads has a score yet. Scores appear once "
                                                     "the model has scored the contacts (the server does it daily).")
        top = leads[0]
        summary = (f"{whose.capitalize()} {len(leads)} hottest leads by lead score; {top.name} leads with {top.lead_score}"
                   + (f" ({top.top_reason})." if top.top_reason else "."))
        return Answer(
            status="answered", summary=summary,
            columns=_columns(("id", "Id", "integer"),
                             ("name", "Name", "text"),
                             ("company", "Company", "text"),
                             ("lifecycle_stage", "Lifecycle stage", "text"),
                             ("lead_score", "Lead score", "integer"),
                             ("top_reason", "Top reason", "text")),
            rows=[[lead.id, lead.name, lead.company, lead.lifecycle_stage, lead.lead_score, lead.top_reason]
                  for lead in leads],
            row_count=len(leads), chart=None,
            suggestions=[f"why is {top.name} scored {top.lead_score}?", f"when should I email {top.name}?"],
            explanation="Leads are contacts in the lead, MQL or SQL stage; the score is the model's chance, in "
                        "percent, that the lead becomes an opportunity within "
                        f"{self.settings.scoring_horizon_days} days.",
            definitions=["leads: lifecycle_stage in (lead, marketing_qualified, sales_qualified)"])

    # ------------------------------------------------------------------ send-time intent

    def send_time(self, message: Message) -> Answer:
        """The best time to e-mail the contact named in the message."""
        with Session(self.engine) as session:
            try:
                name = extract_name(message.text, SEND_TIME_NAME_PATTERNS)
                matches = find_contacts(session, message.actor, name) if name else []
                at_account = contacts_at_account(session, message.actor, name) if name and not matches else None
                if at_account is not None:  # "best time to email Foster Goods contacts": each of them
                    account, refs = at_account
                    return _account_send_times(account, suggest_send_times(session, self.settings, refs,
                                                                           now=self._now(message)))
                ref = self._resolve(session, message, name, lambda m: f"when should I email {m.name} #{m.id}?",
                                    "when should I email Dana Kim?", matches)
                if isinstance(ref, Answer):
                    return ref
                # (found among the contacts the asker may see: no second look-up)
                suggestion = suggest_send_times(session, self.settings, [ref], now=self._now(message))[0]
            except CrmError as exc:
                return _refusal(exc)
            finally:
                session.rollback()
        slots = [("best hour", suggestion.best), ("3-hour window", suggestion.window_3h),
                 *(("alternative", a) for a in suggestion.alternatives)]
        return Answer(
            status="answered", summary=suggestion.summary,
            columns=_columns(("id", "Contact id", "integer"),
                             ("slot", "Slot", "text"),
                             ("local_time", f"Local time ({suggestion.timezone})", "text"),
                             ("share_of_opens", "Share of opens", "number"),
                             ("next_start", "Next", "text")),
            rows=[[suggestion.contact_id, kind, slot.label, slot.share_of_opens, slot.next_start_local]
                  for kind, slot in slots],
            row_count=len(slots),
            suggestions=[f"explain the lead score of {suggestion.name}", f"how did {suggestion.name}'s score change?"],
            explanation=(f"From {suggestion.name}'s e-mail opens by local hour of the week, shrunk toward similar "
                         "contacts (seniority, industry, country) and everyone; confidence grows with the number "
                         "of opens."))


def _account_send_times(account: str, suggestions: list[SendTimeSuggestion]) -> Answer:
    """The best time for each contact at an account, and the slot most of them share (in their own time)."""
    common, count = Counter(s.best.label for s in suggestions).most_common(1)[0]
    summary = (f"For the {len(suggestions)} contact{'s' if len(suggestions) != 1 else ''} you can see at {account}, "
               f"{common} (each in their own time) is the best hour for {count}; each contact's own best time is "
               "listed.")
    ranked = sorted(suggestions, key=lambda s: (s.best.label != common, -s.opens, s.name))
    return Answer(
        status="answered", summary=summary,
        columns=_columns(("id", "Contact id", "integer"),
                         ("name", "Name", "text"),
                         ("best", "Best hour (their time)", "text"),
                         ("timezone", "Time zone", "text"),
                         ("next_start", "Next", "text"),
                         ("opens", "Opens", "integer"),
                         ("confidence", "Confidence", "text")),
        rows=[[s.contact_id, s.name, s.best.label, s.timezone, s.best.next_start_local, s.opens, s.confidence]
              for s in ranked],
        row_count=len(ranked), chart=None,
        suggestions=[f"when should I email {ranked[0].name}?"],
        explanation=("Each contact's e-mail opens by local hour of the week, shrunk toward similar contacts "
                     "(seniority, industry, country) and everyone; confidence grows with the number of opens."))


def _model_quality(model: LeadModel) -> Answer:
    """How well the current model ranks, measured on the leads held out while it was chosen."""
    held_out = model.selection.get(model.kind, {})
    auc, brier = held_out.get("roc_auc"), held_out.get("brier")
    kind = model.kind.replace("_", " ")
    trained = f", trained {model.trained_at:%Y-%m-%d}" if model.trained_at else ""
    if auc is None:
        summary = f"The current lead-score model ({kind}{trained}) has no validation figures recorded."
    else:
        summary = (f"The current lead-score model ({kind}{trained} on {model.n_train:,} past leads, "
                   f"{model.base_rate:.0%} of whom converted) ranks a lead who converts above one who doesn't "
                   f"{auc:.0%} of the time (ROC AUC {auc:.2f}, Brier score {brier:.3f} on the latest quarter of "
                   f"its data, held out while the model was chosen).")
    rows = [[k.replace("_", " "), v.get("roc_auc"), v.get("brier"), "yes" if k == model.kind else ""]
            for k, v in sorted(model.selection.items())]
    return Answer(
        status="answered", summary=summary,
        columns=_columns(("model", "Model", "text"),
                         ("roc_auc", "ROC AUC", "number"),
                         ("brier", "Brier score", "number"),
                         ("chosen", "In use", "text")),
        rows=rows, row_count=len(rows), chart=None,
        explanation=("Each candidate model was fitted on the older leads and scored on the latest quarter's; the "
                     "one that ranks best is used. `crm-assistant eval scoring` gives the full report (accuracy, calibration, "
                     "lift)."),
        suggestions=["hottest leads"])


def _explanation_answer(explanation: ScoreExplanation, asked: str) -> Answer:
    summary = explanation.summary
    mentioned = re.search(r"\bscored? (?:of )?(\d{1,3})\b", asked)
    if mentioned and int(mentioned.group(1)) != explanation.score:
        summary += f" (You mentioned {mentioned.group(1)}; the current score is {explanation.score}.)"
    factors = [*explanation.factors_up, *explanation.factors_down]
    return Answer(
        status="answered", summary=summary,
        columns=_columns(("id", "Contact id", "integer"),
                         ("direction", "Direction", "text"),
                         ("reason", "Reason", "text"),
                         ("points", "Points", "number")),
        rows=[[explanation.contact_id, f.direction, f.text, f.points] for f in factors],
        row_count=len(factors),
        suggestions=[f"how did {explanation.name}'s score change?", f"when should I email {explanation.name}?"],
        explanation=_how(explanation))


def _history_answer(explanation: ScoreExplanation) -> Answer:
    history = explanation.history
    name = explanation.name
    if not history:
        summary = f"{name} has no stored score history yet; right now they would score {explanation.score}."
    elif len(history) == 1:
        summary = (f"{name} has been scored once: {history[0].score} on {history[0].scored_at:%d %b %Y}. "
                   "Changes show up after the next refresh that moves the score.")
    else:
        first, last = history[0], history[-1]
        delta = last.score - first.score
        trend = "up" if delta > 0 else "down" if delta < 0 else "unchanged"
        summary = (f"{name}'s score went {trend} from {first.score} ({first.scored_at:%d %b %Y}) to {last.score} "
                   f"({last.scored_at:%d %b %Y}) over {len(history)} changes.")
    reasons = [f.text for f in explanation.factors_up[:2]] + [f.text for f in explanation.factors_down[:1]]
    if reasons:
        summary += " Now driven by: " + "; ".join(reasons) + "."
    return Answer(
        status="answered", summary=summary,
        columns=_columns(("id", "Contact id", "integer"),
                         ("scored_at", "Scored at", "datetime"),
                         ("score", "Score", "integer"),
                         ("model_version", "Model", "text")),
        rows=[[explanation.contact_id, h.scored_at.isoformat(), h.score, h.model_version] for h in history],
        row_count=len(history),
        suggestions=[f"why is {name} scored {explanation.score}?", f"when should I email {name}?"],
        explanation=_how(explanation))


def _how(explanation: ScoreExplanation) -> str:
    return (f"Model {explanation.model_version}: the chance, in percent, of becoming an opportunity within "
            f"{explanation.horizon_days} days, from e-mail, call, meeting and deal history before "
            f"{explanation.scored_at:%Y-%m-%d} and the profile; each reason is what the score would lose or gain "
            "if that part looked like a typical lead's.")


def _columns(*specs: tuple[str, str, str]) -> list[AnswerColumn]:
    """The answer's columns from (name, label, type) triples."""
    return [AnswerColumn(name=name, label=label, type=kind) for name, label, kind in specs]  # type: ignore[arg-type]


def _clarify(summary: str, suggestions: list[str]) -> Answer:
    return Answer(status="clarified", summary=summary, suggestions=suggestions)


def _refusal(exc: CrmError) -> Answer:
    details: Any = exc.details
    suggestions = [f"explain the lead score of #{d['id']}" for d in details] if isinstance(details, list) else []
    return Answer(status="refused" if exc.code != "not-found" else "clarified", summary=exc.message,
                  suggestions=suggestions, error=AnswerError(code=exc.code, message=exc.message))
