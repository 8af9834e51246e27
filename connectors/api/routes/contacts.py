"""GET /v1/contacts/{id}/score and /send-time: a contact's lead score with its reasons, and when to
e-mail it — for the API key's user only (a contact outside their scope is 404 `not-found`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from connectors.api.deps import CurrentActor, SessionDep, SettingsDep
from crm_core.scoring import ScoreExplanation, current_instant, explain_contact
from crm_core.send_time import SendTimeSuggestion, suggest_send_time

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])

_ERRORS: dict[int | str, dict[str, Any]] = {404: {"description": "No such contact, or one you may not see (`not-found`)."}}


@router.get("/{contact_id}/score", response_model=ScoreExplanation, summary="A contact's lead score, explained",
            responses={**_ERRORS, 409: {"description": "No model has been trained yet (`model-not-trained`)."}})
def contact_score(contact_id: int, actor: CurrentActor, session: SessionDep, settings: SettingsDep
                  ) -> ScoreExplanation:
    """The stored score (0–100: the chance of becoming an opportunity within the horizon), the factors
    pushing it up and down in a rep's words, confidence, model version and score history."""
    return explain_contact(session, settings, actor, contact_id, now=current_instant(settings))


@router.get("/{contact_id}/send-time", response_model=SendTimeSuggestion, summary="When to e-mail a contact",
            responses=_ERRORS)
def contact_send_time(contact_id: int, actor: CurrentActor, session: SessionDep, settings: SettingsDep
                      ) -> SendTimeSuggestion:
    """The best local hour and 3-hour window to e-mail the contact, from its opens smoothed toward
    similar contacts, with how many opens it rests on."""
    return suggest_send_time(session, settings, actor, contact_id, now=current_instant(settings))
