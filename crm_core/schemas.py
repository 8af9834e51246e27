"""Pydantic schemas for writing and reading records; the only place field values are validated.

Every entry point (API, CSV import, chat, demo tooling) builds these, so no path can skip a rule.
Custom fields are checked against their definitions in `crm_core.services.custom_fields`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from crm_core.geo import ISO_COUNTRIES, SUBDIVISIONS
from crm_core.models import (
    ACTIVITY_TYPES,
    CALL_OUTCOMES,
    EMAIL_DIRECTIONS,
    LEAD_SOURCES,
    LIFECYCLE_STAGES,
    LOST_REASONS,
)

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _lower_code(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.lower().replace(" ", "_").replace("-", "_") if isinstance(value, str) else value


def _upper_code(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.upper() if isinstance(value, str) else value


def _utc(value: Any) -> Any:
    """Accept ISO-8601 strings and naive datetimes (taken as UTC); store aware UTC."""
    value = _blank_to_none(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    return value


OptText = Annotated[str | None, BeforeValidator(_blank_to_none)]
UtcDateTime = Annotated[datetime | None, BeforeValidator(_utc)]
Lifecycle = Annotated[Literal[LIFECYCLE_STAGES] | None, BeforeValidator(_lower_code)]  # type: ignore[valid-type]
LeadSource = Annotated[Literal[LEAD_SOURCES] | None, BeforeValidator(_lower_code)]  # type: ignore[valid-type]
LostReason = Annotated[Literal[LOST_REASONS] | None, BeforeValidator(_lower_code)]  # type: ignore[valid-type]
CountryCode = Annotated[str | None, BeforeValidator(_upper_code)]


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Located(_Write):
    """Country/state/city rules shared by accounts and contacts."""

    country: CountryCode = None
    state: CountryCode = None
    city: OptText = None

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None and value not in ISO_COUNTRIES:
            raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (e.g. US, GB, DE)")
        return value

    @field_validator("state")
    @classmethod
    def _state_matches_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A state is a subdivision code of US, CA or AU; reported on the state field itself."""
        if value is None:
            return None
        country = info.data.get("country")
        codes = SUBDIVISIONS.get(country or "")
        if codes is None:
            if country is not None:
                raise ValueError("state is only recorded for US, CA and AU addresses")
            return value
        if value not in codes:
            raise ValueError(f"'{value}' is not a subdivision code of {country}")
        return value


class _Contactable(_Located):
    timezone: OptText = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in _timezones():
            raise ValueError(f"'{value}' is not an IANA time zone (e.g. America/New_York)")
        return value


class AccountWrite(_Located):
    name: OptText = None
    domain: OptText = None
    industry: OptText = None
    employee_count: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    owner_id: int | None = None
    parent_account_id: int | None = None
    created_at: UtcDateTime = None
    custom_fields: dict[str, Any] | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")
        if not _DOMAIN_RE.match(value):
            raise ValueError(f"'{value}' is not a domain name (e.g. example.com)")
        return value


class ContactWrite(_Contactable):
    account_id: int | None = None
    first_name: OptText = None
    last_name: OptText = None
    email: OptText = None
    phone: OptText = None
    job_title: OptText = None
    lifecycle_stage: Lifecycle = None
    lead_source: LeadSource = None
    owner_id: int | None = None
    lead_score: int | None = Field(None, ge=0, le=100)
    last_contacted_at: UtcDateTime = None
    do_not_email: bool | None = None
    created_at: UtcDateTime = None
    custom_fields: dict[str, Any] | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL_RE.match(value):
            raise ValueError(f"'{value}' is not an e-mail address")
        return value.lower() if value else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE_RE.match(value):
            raise ValueError(f"'{value}' is not a phone number")
        return value


class DealWrite(_Write):
    name: OptText = None
    account_id: int | None = None
    contact_id: int | None = None
    owner_id: int | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: Literal["USD"] | None = None
    close_date: date | None = None
    created_at: UtcDateTime = None
    closed_at: UtcDateTime = None
    lost_reason: LostReason = None
    custom_fields: dict[str, Any] | None = None


class ActivityWrite(_Write):
    type: Annotated[Literal[ACTIVITY_TYPES] | None, BeforeValidator(_lower_code)] = None  # type: ignore[valid-type]
    subject: OptText = None
    contact_id: int | None = None
    account_id: int | None = None
    deal_id: int | None = None
    owner_id: int | None = None
    due_at: UtcDateTime = None
    completed_at: UtcDateTime = None
    outcome: Annotated[Literal[CALL_OUTCOMES] | None, BeforeValidator(_lower_code)] = None  # type: ignore[valid-type]
    duration_minutes: int | None = Field(None, ge=0, le=24 * 60)
    created_at: UtcDateTime = None


class EmailWrite(_Write):
    contact_id: int | None = None
    owner_id: int | None = None
    direction: Annotated[Literal[EMAIL_DIRECTIONS] | None, BeforeValidator(_lower_code)] = None  # type: ignore[valid-type]
    subject: OptText = None
    body: OptText = None
    sent_at: UtcDateTime = None
    opened_at: UtcDateTime = None
    clicked_at: UtcDateTime = None
    replied_at: UtcDateTime = None


class NoteWrite(_Write):
    body: OptText = None
    contact_id: int | None = None
    account_id: int | None = None
    deal_id: int | None = None
    author_id: int | None = None
    created_at: UtcDateTime = None


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AccountPublic(_Read):
    id: int
    name: str
    domain: str | None
    industry: str | None
    employee_count: int | None
    annual_revenue: Decimal | None
    country: str | None
    state: str | None
    city: str | None
    owner_id: int | None
    parent_account_id: int | None
    created_at: datetime
    custom_fields: dict[str, Any]
    version: int


class ContactPublic(_Read):
    id: int
    account_id: int | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    job_title: str | None
    lifecycle_stage: str
    lead_source: str | None
    country: str | None
    state: str | None
    city: str | None
    timezone: str | None
    owner_id: int | None
    lead_score: int | None
    last_contacted_at: datetime | None
    do_not_email: bool
    created_at: datetime
    custom_fields: dict[str, Any]
    version: int


class DealPublic(_Read):
    id: int
    name: str
    account_id: int
    contact_id: int | None
    owner_id: int | None
    pipeline_id: int
    stage_id: int
    amount: Decimal | None
    currency: str
    status: str
    close_date: date | None
    created_at: datetime
    closed_at: datetime | None
    lost_reason: str | None
    custom_fields: dict[str, Any]
    version: int
