"""Capabilities that plug into the router besides NLQ: lead scores and send times."""

from __future__ import annotations

from sqlalchemy import Engine

from assistant.router import Router
from assistant.skills.scores import ScoreSkills
from crm_core.settings import Settings


def register_skills(router: Router, engine: Engine, settings: Settings) -> None:
    """Answer the score and send-time intents (until registered, they answer "not available yet")."""
    skills = ScoreSkills(engine, settings)
    router.register("score", skills.score)
    router.register("send_time", skills.send_time)


__all__ = ["ScoreSkills", "register_skills"]
