"""Finding the contact a user means, among the contacts that user may see (by id, or by name in chat).

Out-of-scope contacts behave exactly like missing ones: the same `not-found` error, the same empty match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from crm_core.errors import NotFoundError
from crm_core.models import Account, Contact
from crm_core.scope import Actor, visible_owner_ids

MAX_MATCHES = 6


@dataclass(frozen=True)
class ContactRef:
    """Enough about a contact to name it in an answer and to tell two namesakes apart."""

    id: int
    name: str
    first_name: str
    company: str | None
    timezone: str | None
    lifecycle_stage: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name


def _in_scope(actor: Actor, session: Session) -> ColumnElement[bool]:
    owners = visible_owner_ids(session, actor)
    if owners is None:
        return true()
    return Contact.owner_id.in_(sorted(owners))


def _full_name() -> ColumnElement[str]:
    return func.lower(Contact.first_name + " " + Contact.last_name)


def _refs(session: Session, where: ColumnElement[bool], actor: Actor, limit: int = MAX_MATCHES + 1
          ) -> list[ContactRef]:
    rows = session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name, Account.name, Contact.timezone,
               Contact.lifecycle_stage)
        .outerjoin(Account, Account.id == Contact.account_id)
        .where(where, _in_scope(actor, session))
        .order_by(Contact.last_name, Contact.first_name, Contact.id)
        .limit(limit)
    ).all()
    return [ContactRef(id=r[0], name=f"{r[1] or ''} {r[2] or ''}".strip(), first_name=r[1] or "",
                       company=r[3], timezone=r[4], lifecycle_stage=r[5]) for r in rows]


def visible_contact(session: Session, actor: Actor, contact_id: int) -> ContactRef:
    """The contact with this id if `actor` may see it.

    Raises:
        NotFoundError: no such contact, or one outside the actor's scope (indistinguishable on purpose).
    """
    found = _refs(session, Contact.id == contact_id, actor, limit=1)
    if not found:
        raise NotFoundError(f"No contact with id {contact_id}.")
    return found[0]


ACCOUNT_CONTACTS_MAX = 50


def contacts_at_account(session: Session, actor: Actor, name: str) -> tuple[str, list[ContactRef]] | None:
    """The accounts named so ("Foster Goods", or "Northwind" for every account it starts) and the contacts
    there `actor` may see (at most `ACCOUNT_CONTACTS_MAX`, by name); None when no account has that name or
    the actor sees none of its contacts (the account's full name is then not told)."""
    said = re.sub(r"(?:'s|’s)?\s+(?:contacts?|people|team|folks|buyers|stakeholders)$", "", name.strip(), flags=re.I)
    query = _normalise(said)
    if len(query) < 3:
        return None
    exact = list(session.scalars(select(Account.name).where(func.lower(Account.name) == query).limit(1)))
    names = exact or list(session.scalars(select(Account.name).where(
        func.lower(Account.name).like(_escape_like(query) + " %", escape="\\")).order_by(Account.name).limit(20)))
    if not names:
        return None
    where = func.lower(Account.name).in_([n.lower() for n in names])
    refs = _refs(session, where, actor, limit=ACCOUNT_CONTACTS_MAX)
    if not refs:
        return None
    return (names[0] if len(names) == 1 else f"{said} ({len(names)} accounts)"), refs


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip().strip("?.!,;:\"'“”‘’").strip()
    text = re.sub(r"(?:'s|’s|s')$", "", text, flags=re.I)
    return re.sub(r"\s+", " ", text).lower()


def find_contacts(session: Session, actor: Actor, name: str) -> list[ContactRef]:
    """Contacts `actor` may see matching `name`, best matches first; several means "ask which one".

    Tried in order, the first step with a match wins: an id (`#123`), the exact full name, a first or
    last name alone, a full-name prefix ("Dana K"), then a close spelling (typos) of a full name.

    >>> # find_contacts(session, rep, "Dana Kim") -> [ContactRef(id=42, name='Dana Kim', ...)]
    """
    id_match = re.search(r"#\s*(\d+)\b", name)
    if id_match:
        return _refs(session, Contact.id == int(id_match.group(1)), actor, limit=1)
    query = _normalise(re.sub(r"\(.*?\)", "", name))
    if not query:
        return []
    exact = _refs(session, _full_name() == query, actor)
    if exact:
        return exact
    if " " not in query:
        single = _refs(session, (func.lower(Contact.first_name) == query) | (func.lower(Contact.last_name) == query),
                       actor)
        if single:
            return single
    prefix = _refs(session, _full_name().like(_escape_like(query) + "%", escape="\\"), actor)
    if prefix:
        return prefix
    if len(query) < 4:
        return []
    names = session.execute(select(Contact.id, _full_name()).where(_in_scope(actor, session))).all()
    choices = {row[0]: row[1] for row in names if row[1]}
    close = process.extract(query, choices, scorer=fuzz.ratio, score_cutoff=85, limit=MAX_MATCHES + 1)
    if not close:
        return []
    ids = [key for _, _, key in close]
    refs = {ref.id: ref for ref in _refs(session, Contact.id.in_(ids), actor)}
    return [refs[i] for i in ids if i in refs]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def resolve_contact(session: Session, actor: Actor, reference: str) -> ContactRef:
    """One visible contact from an id ("42", "#42") or a name ("Dana Kim").

    Raises:
        NotFoundError: nothing matches among the contacts `actor` may see.
        AmbiguousContactError: several match; `details` lists them (id, name, company).
    """
    from crm_core.scoring.errors import AmbiguousContactError

    text = reference.strip()
    if text.isdigit():
        return visible_contact(session, actor, int(text))
    matches = find_contacts(session, actor, text)
    if not matches:
        raise NotFoundError(f"No contact you can see is called '{text}'. Try the full name or the contact id.")
    if len(matches) > 1:
        listed = "; ".join(f"{m.label} (#{m.id})" for m in matches[:MAX_MATCHES])
        raise AmbiguousContactError(f"'{text}' matches several contacts: {listed}. Which one?",
                                    details=[{"id": m.id, "name": m.name, "company": m.company}
                                             for m in matches[:MAX_MATCHES]])
    return matches[0]
