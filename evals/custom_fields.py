"""A wide custom schema for sizing prompts: 50 custom fields over accounts, contacts and deals, of every
type. The token-budget test and the LLM overhead benchmark both measure the prompt against it."""

from __future__ import annotations

from nlq.catalog import CustomField

_TOPICS = ["renewal risk", "contract term", "support tier", "onboarding status", "health score", "NPS",
           "billing cycle", "region code", "partner name", "champion title", "procurement step", "security review",
           "legal status", "pilot outcome", "expansion potential", "churn reason", "integration count",
           "seats requested", "discount percent", "payment terms", "industry segment", "use case",
           "decision date", "budget owner", "competitor pricing"]


def fifty_custom_fields() -> list[CustomField]:
    fields = []
    for n, topic in enumerate(_TOPICS * 2):
        kind = ("text", "number", "choice", "date", "boolean")[n % 5]
        fields.append(CustomField(entity=("accounts", "contacts", "deals")[n % 3],
                                  key=f"{topic.lower().replace(' ', '_')}_{n}", label=f"{topic.title()} {n}",
                                  field_type=kind, choices=("Low", "Medium", "High", "Critical") if kind == "choice"
                                  else ()))
    return fields
