"""Exporting the contacts or accounts an actor may see as CSV that `import_csv` reads back unchanged.

The format, fixed so that files diff cleanly and re-import without loss:

- UTF-8 without a BOM (`bom=True` writes one, for Excel), comma-delimited, RFC 4180 quoting, CRLF;
- columns in a fixed order: `id`, the contract columns (each reference id followed by its portable
  name: `account_name`, `owner_email`, `parent_account_name`), then one `custom_fields.KEY` column per
  custom field (defined ones and any key present in the rows), sorted by key;
- NULL is the empty string; timestamps are ISO 8601 in UTC (`2026-05-15T10:00:00+00:00`, with
  microseconds only when the value has them); dates `2026-05-15`; booleans `true`/`false`; numbers
  plain (`1234567.50`, no thousands separators, no exponent);
- rows in id order. A referenced account's name is written only when the actor may see that account.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Select, and_, func, select, true
from sqlalchemy.orm import Session, aliased

from crm_core.csv_io.headers import COLUMNS, CUSTOM_PREFIX, ENTITIES, Entity
from crm_core.errors import ImportFailedError
from crm_core.models import Account, Contact, CustomFieldDefinition, User
from crm_core.scope import Actor, visible_owner_ids

Destination = str | os.PathLike[str] | IO[str]
_FETCH_ROWS = 2000


def export_csv(
    session: Session,
    *,
    actor: Actor,
    entity: Entity,
    destination: Destination,
    show_progress: bool = False,
    bom: bool = False,
) -> int:
    """Write the contacts or accounts `actor` may see as CSV; return the number of rows written.

    Args:
        session: a session to read with (nothing is written to the database).
        actor: the acting user; only records owned by someone in their scope are exported.
        entity: "contacts" or "accounts".
        destination: a path (created or overwritten) or a text stream opened with `newline=""`.
        show_progress: draw a rich progress bar on stderr.
        bom: start the file with a UTF-8 byte-order mark, which Excel needs to detect UTF-8.

    Example:
        >>> export_csv(session, actor=actor, entity="contacts", destination="contacts.csv")  # doctest: +SKIP
        412
    """
    if entity not in ENTITIES:
        raise ImportFailedError(f"Cannot export '{entity}'; choose contacts or accounts.", code="unknown-entity")
    owners = visible_owner_ids(session, actor)
    statement = _contacts(owners) if entity == "contacts" else _accounts(owners)
    keys = _custom_keys(session, entity, owners)
    header = [*COLUMNS[entity], *(CUSTOM_PREFIX + key for key in keys)]
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    with _open(destination, bom) as stream, _progress(show_progress, entity, total) as advance:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        written = 0
        for row in session.execute(statement.execution_options(yield_per=_FETCH_ROWS)).mappings():
            custom = row["custom_fields"] or {}
            writer.writerow([format_value(row[name]) for name in COLUMNS[entity]]
                            + [format_value(custom.get(key)) for key in keys])
            written += 1
            if written % 500 == 0:
                advance(500)
        advance(written % 500)
    return written


def format_value(value: Any) -> str:
    """The CSV text of one value (see the module docstring).

    >>> format_value(datetime(2026, 5, 15, 10, 0, tzinfo=UTC)), format_value(1.5e6)
    ('2026-05-15T10:00:00+00:00', '1500000')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _scoped(owner_column: Any, owners: frozenset[int] | None) -> Any:
    return true() if owners is None else owner_column.in_(owners)


def _contacts(owners: frozenset[int] | None) -> Select[Any]:
    owner = aliased(User)
    account = aliased(Account)
    return (
        select(*Contact.__table__.c, account.name.label("account_name"), owner.email.label("owner_email"))
        .outerjoin(account, and_(account.id == Contact.account_id, _scoped(account.owner_id, owners)))
        .outerjoin(owner, owner.id == Contact.owner_id)
        .where(_scoped(Contact.owner_id, owners))
        .order_by(Contact.id)
    )


def _accounts(owners: frozenset[int] | None) -> Select[Any]:
    owner = aliased(User)
    parent = aliased(Account)
    return (
        select(*Account.__table__.c, parent.name.label("parent_account_name"), owner.email.label("owner_email"))
        .outerjoin(parent, and_(parent.id == Account.parent_account_id, _scoped(parent.owner_id, owners)))
        .outerjoin(owner, owner.id == Account.owner_id)
        .where(_scoped(Account.owner_id, owners))
        .order_by(Account.id)
    )


def _custom_keys(session: Session, entity: Entity, owners: frozenset[int] | None) -> list[str]:
    """Defined custom fields plus any key the exported rows hold, so that no value is lost."""
    model: Any = Contact if entity == "contacts" else Account
    defined = session.scalars(select(CustomFieldDefinition.key).where(CustomFieldDefinition.entity == entity))
    present = session.scalars(
        select(func.jsonb_object_keys(model.custom_fields)).where(_scoped(model.owner_id, owners)).distinct())
    return sorted({*defined, *present})


@contextmanager
def _open(destination: Destination, bom: bool) -> Iterator[IO[str]]:
    if isinstance(destination, (str, os.PathLike)):
        with Path(destination).open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
            yield stream
        return
    if bom:
        destination.write("\ufeff")
    yield destination


@contextmanager
def _progress(show: bool, entity: str, total: int) -> Iterator[Any]:
    progress = Progress(TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("rows"), TimeElapsedColumn(), console=Console(stderr=True), disable=not show)
    with progress:
        task = progress.add_task(f"Exporting {entity}", total=total)
        yield lambda n: progress.advance(task, n)

