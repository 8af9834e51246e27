"""Importing contacts or accounts from CSV: every row through `validate()`, then one bulk write.

The import runs in two phases. First every row is turned into input for the write services and
validated by `crm_core.services.records.validate` (one `WriteContext`, so lookups are cached), and
all problems are collected: header problems on row 0, then each bad cell with its 1-based data row,
the column as written in the file, a reason and a code. Then, if nothing blocks it, the validated
values are inserted in batches inside one savepoint of the caller's session: a failure leaves
nothing behind, and the caller commits.

How references are read (ids are database-specific, names travel between databases, so a file
with a name column is read by name, and its id column only chooses between records of equal name):

- `owner_email` (or "Owner"): a user in the actor's scope becomes the owner; a user outside it is
  not assignable, so the actor owns the row; an e-mail of no user is an error; a blank cell leaves
  the row to the actor. A file without an owner e-mail column is read by `owner_id`, same rules.
- contacts, `account_name` (or "Company", "Account", ...): the visible account of that name
  (case-insensitive); when several share it, `account_id` chooses; when none has it, the account
  is created in the same transaction, owned by the actor (and validated like any account). A blank
  cell means no account. A file without a name column is read by `account_id`, validated as given.
- accounts, `parent_account_name`: a visible account, else an account of the same file.
- `id` is never imported: an import always creates records.

Duplicates are errors of the later row: the same e-mail (contacts) or name (accounts) twice in the
file, or a value that a record visible to the actor already has.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql as psql
from psycopg.types.json import Jsonb
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crm_core.csv_io.headers import (
    ENTITIES,
    IGNORED_ON_IMPORT,
    TIMESTAMP_COLUMNS,
    Column,
    Entity,
    map_headers,
)
from crm_core.csv_io.source import Source, read_rows, read_text, sniff_delimiter
from crm_core.csv_io.values import DateParseError, country_code, parse_date, parse_timestamp, state_code
from crm_core.errors import ImportFailedError, ImportReport, RowError, ValidationError
from crm_core.models import Account, Contact, User
from crm_core.scope import Actor, can_see
from crm_core.services.records import ACCOUNT, CONTACT, EntitySpec, Values, WriteContext, validate

BATCH_ROWS = 5000
SPECS: dict[Entity, EntitySpec] = {"contacts": CONTACT, "accounts": ACCOUNT}

# Columns naming another record, read by the resolvers rather than passed on as text.
_REFERENCES = frozenset({"owner_email", "owner_id", "account_name", "account_id", "parent_account_name",
                         "parent_account_id"})
# Problems of a reference are reported on the column that names it, when the file has one.
_REFERENCE_COLUMNS = {
    "owner_id": ("owner_email", "owner_id"),
    "account_id": ("account_name", "account_id"),
    "parent_account_id": ("parent_account_name", "parent_account_id"),
    # The schema checks state against country in a model validator, whose errors carry no field.
    "record": ("state", "country"),
}


def import_csv(
    session: Session,
    *,
    actor: Actor,
    entity: Entity,
    source: Source,
    all_or_nothing: bool = True,
    ignore_unknown_columns: bool = False,
    encoding: str | None = None,
    show_progress: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Validate every row of a CSV file of contacts or accounts, then create them in one savepoint.

    Args:
        session: the caller's session; the import runs in a savepoint of it, and the caller commits.
        actor: the acting user; rows are owned by them unless an owner column names a user in scope.
        entity: "contacts" or "accounts".
        source: a path, or a text or binary stream.
        all_or_nothing: write nothing when any row has a problem (otherwise write the valid rows).
            Header problems (row 0) always stop the import.
        ignore_unknown_columns: skip columns that match no field instead of reporting them.
        encoding: the file's encoding; None reads UTF-8 (BOM or not) and falls back to cp1252.
        show_progress: draw rich progress bars on stderr.
        now: creation time of rows without `created_at` (defaults to the current time).

    Returns:
        An `ImportReport`: data rows read, rows created, and every problem found.

    Raises:
        ImportFailedError: the file cannot be read as CSV, or the database refused the write.

    Example:
        >>> report = import_csv(session, actor=actor, entity="contacts", source="leads.csv")
        >>> report.ok, report.imported  # doctest: +SKIP
        (True, 120)
    """
    if entity not in ENTITIES:
        raise ImportFailedError(f"Cannot import '{entity}'; choose contacts or accounts.", code="unknown-entity")
    text = read_text(source, encoding)
    records = list(read_rows(text, sniff_delimiter(text)))
    if not records:
        raise ImportFailedError("The file is empty; its first line must name the columns.", code="empty-file")
    header, body = records[0], records[1:]
    ctx = WriteContext(session=session, actor=actor, now=now or datetime.now(UTC))
    definitions = ctx.definitions(entity)
    blank = frozenset(i for i in range(len(header)) if not any(i < len(r) and r[i].strip() for r in body))
    columns, header_errors = map_headers(header, entity, definitions,
                                         ignore_unknown_columns=ignore_unknown_columns, blank_columns=blank)
    run = _Import(ctx, SPECS[entity], entity, columns, len(header))
    with _progress(show_progress) as progress:
        rows = run.validate_rows(body, progress)
        errors = header_errors + [e for row in rows for e in row.errors]
        report = ImportReport(total_rows=len(rows), errors=sorted(
            errors, key=lambda e: (e.row, run.column_order(e.column))))
        if header_errors or (errors and all_or_nothing):
            return report
        report.imported = run.write([r for r in rows if not r.errors], progress)
    return report


@dataclass
class _Row:
    number: int
    values: Values | None = None
    errors: list[RowError] = field(default_factory=list)
    new_account: str | None = None  # key of an account this contact needs created
    parent: str | None = None  # key of a parent account defined in the same file
    key: str | None = None  # this account's name key


@dataclass
class _NewAccount:
    name: str
    values: Values | None
    problems: list[tuple[str, str]]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


class _Import:
    """The state of one import: columns, cached lookups and the accounts to create."""

    def __init__(self, ctx: WriteContext, spec: EntitySpec, entity: Entity, columns: list[Column],
                 width: int) -> None:
        self.ctx = ctx
        self.spec = spec
        self.entity = entity
        self.columns = columns
        self.width = width
        self.headers = {c.target: c.header for c in columns}
        self._order = {c.header: c.index for c in columns}
        definitions = ctx.definitions(entity)
        self.date_fields = {k for k, d in definitions.items() if d.field_type == "date"}
        session, owners = ctx.session, ctx.owners
        self.users = {email.lower(): uid for uid, email in session.execute(select(User.id, User.email))}
        self.user_ids = frozenset(self.users.values())
        visible = select(Account.id, Account.name)
        if owners is not None:
            visible = visible.where(Account.owner_id.in_(owners))
        self.accounts: dict[str, list[int]] = {}
        for account_id, name in session.execute(visible.order_by(Account.id)):
            self.accounts.setdefault(_key(name), []).append(account_id)
        self.emails: dict[str, int] = {}
        if entity == "contacts":
            query = select(Contact.id, Contact.email).where(Contact.email.is_not(None))
            if owners is not None:
                query = query.where(Contact.owner_id.in_(owners))
            self.emails = {_key(email or ""): cid for cid, email in session.execute(query.order_by(Contact.id))}
        self.first_account = {k: ids[0] for k, ids in self.accounts.items()}
        self.new_accounts: dict[str, _NewAccount] = {}
        self.file_names: dict[str, int] = {}

    # --- reading and validating -----------------------------------------------------------------

    def column_order(self, header: str) -> int:
        return self._order.get(header, -1)

    def header_for(self, field_name: str) -> str:
        for target in _REFERENCE_COLUMNS.get(field_name, (field_name,)):
            if target in self.headers:
                return self.headers[target]
        return field_name if field_name != "record" else "state"

    def validate_rows(self, body: Sequence[list[str]], progress: Progress) -> list[_Row]:
        task = progress.add_task("Validating", total=len(body))
        if self.entity == "accounts" and "name" in self.headers:
            index = next(c.index for c in self.columns if c.target == "name")
            for number, cells in enumerate(body, start=1):
                if index < len(cells) and cells[index].strip():
                    self.file_names.setdefault(_key(cells[index]), number)
        rows: list[_Row] = []
        first_seen: dict[str, int] = {}
        for number, cells in enumerate(body, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            row = _Row(number)
            self._validate_row(row, cells, first_seen)
            rows.append(row)
            if number % 500 == 0:
                progress.update(task, completed=number)
        progress.update(task, completed=len(body))
        if self.entity == "accounts":
            self._drop_orphans(rows)
        return rows

    def _error(self, row: _Row, column: str, reason: str, code: str = "invalid-value") -> None:
        row.errors.append(RowError(row.number, column, reason, code))

    def _validate_row(self, row: _Row, cells: list[str], first_seen: dict[str, int]) -> None:
        if len(cells) > self.width and any(c.strip() for c in cells[self.width:]):
            self._error(row, f"column {self.width + 1}",
                        f"The row has {len(cells)} values but the header names {self.width} columns.",
                        "malformed-row")
        cell = {c.target: cells[c.index].strip() for c in self.columns if c.index < len(cells)}
        data: Values = {}
        custom: dict[str, Any] = {}
        for column in self.columns:
            text, target, key = cell.get(column.target, ""), column.target, column.custom_key
            if not text or target in IGNORED_ON_IMPORT or target in _REFERENCES:
                continue  # blank cells are left unset; references are resolved below
            try:
                if key is not None:
                    custom[key] = parse_date(text).isoformat() if key in self.date_fields else text
                elif target in TIMESTAMP_COLUMNS:
                    data[target] = parse_timestamp(text)
                elif target == "country":
                    data[target] = country_code(text)
                else:
                    data[target] = text
            except DateParseError as exc:
                self._error(row, column.header, str(exc), exc.code)
        if "state" in data:
            data["state"] = state_code(data["state"], data.get("country"))
        data["custom_fields"] = custom
        self._resolve_owner(row, cell, data)
        if self.entity == "contacts":
            self._resolve_account(row, cell, data)
            self._check_duplicate(row, cell.get("email", ""), "email", first_seen, self.emails,
                                  "a contact with the e-mail")
        else:
            row.key = _key(cell.get("name", "")) or None
            self._resolve_parent(row, cell, data)
            self._check_duplicate(row, cell.get("name", ""), "name", first_seen, self.first_account,
                                  "an account named")
        try:
            row.values = validate(self.ctx, self.spec, data)
        except ValidationError as exc:
            for problem in exc.problems:
                self._error(row, self.header_for(problem.field), problem.reason, problem.code)

    def _resolve_owner(self, row: _Row, cell: dict[str, str], data: Values) -> None:
        """An in-scope user named by e-mail (or id) owns the row; anyone else leaves it to the actor."""
        email, given_id = cell.get("owner_email", ""), cell.get("owner_id", "")
        if email:
            user_id = self.users.get(email.lower())
            if user_id is None:
                self._error(row, self.headers["owner_email"], f"No CRM user has the e-mail '{email}'.",
                            "not-found")
                return
        elif given_id and "owner_email" not in self.headers:
            user_id = int(given_id) if given_id.isdigit() and int(given_id) in self.user_ids else None
            if user_id is None:
                self._error(row, self.headers["owner_id"], f"No CRM user has the id '{given_id}'.", "not-found")
                return
        else:
            return
        if can_see(self.ctx.owners, user_id):
            data["owner_id"] = user_id

    def _pick(self, row: _Row, name: str, given_id: str, column: str) -> int | None:
        """The visible account called `name`; when several are, the one `given_id` names, else an error."""
        matches = self.accounts[_key(name)]
        if len(matches) == 1:
            return matches[0]
        if given_id.isdigit() and int(given_id) in matches:
            return int(given_id)
        id_column = "parent_account_id" if column.startswith("parent") else "account_id"
        self._error(row, self.headers[column],
                    f"{len(matches)} accounts are named '{name}'; add an {id_column} column to choose one.",
                    "ambiguous-reference")
        return None

    def _resolve_account(self, row: _Row, cell: dict[str, str], data: Values) -> None:
        name, given_id = cell.get("account_name", ""), cell.get("account_id", "")
        if not name:
            if given_id and "account_name" not in self.headers:
                data["account_id"] = given_id
            return
        if _key(name) in self.accounts:
            account_id = self._pick(row, name, given_id, "account_name")  # None: ambiguous, reported
            if account_id is not None:
                data["account_id"] = account_id
            return
        new = self.new_accounts.get(_key(name))
        if new is None:
            new = self._new_account(name)
            self.new_accounts[_key(name)] = new
        for field_name, reason in new.problems:
            self._error(row, self.headers["account_name"],
                        f"The new account '{name}' cannot be created: {field_name} {reason}.", "invalid-account")
        row.new_account = _key(name)

    def _new_account(self, name: str) -> _NewAccount:
        try:
            return _NewAccount(name, validate(self.ctx, ACCOUNT, {"name": name}), [])
        except ValidationError as exc:
            return _NewAccount(name, None, [(p.field, p.reason) for p in exc.problems])

    def _resolve_parent(self, row: _Row, cell: dict[str, str], data: Values) -> None:
        name, given_id = cell.get("parent_account_name", ""), cell.get("parent_account_id", "")
        if not name:
            if given_id and "parent_account_name" not in self.headers:
                data["parent_account_id"] = given_id
            return
        if _key(name) == row.key:
            self._error(row, self.headers["parent_account_name"], "An account cannot be its own parent.")
            return
        if _key(name) in self.accounts:
            parent_id = self._pick(row, name, given_id, "parent_account_name")
            if parent_id is not None:
                data["parent_account_id"] = parent_id
        elif _key(name) in self.file_names:
            row.parent = _key(name)
        else:
            self._error(row, self.headers["parent_account_name"],
                        f"No account is named '{name}'; import the parent first or add it to this file.",
                        "not-found")

    def _check_duplicate(self, row: _Row, value: str, target: str, first_seen: dict[str, int],
                         existing: dict[str, int], what: str) -> None:
        key = _key(value)
        if not key:
            return
        header = self.headers.get(target, target)
        if key in first_seen:
            self._error(row, header, f"Duplicate of row {first_seen[key]} (same {target}).", "duplicate")
        elif key in existing:
            self._error(row, header, f"{what.capitalize()} '{value}' already exists (id {existing[key]}).",
                        "duplicate")
        else:
            first_seen[key] = row.number

    def _drop_orphans(self, rows: list[_Row]) -> None:
        """An account whose parent row (in this file) fails cannot be created either."""
        good = {row.key: row for row in rows if not row.errors and row.key}
        changed = True
        while changed:
            changed = False
            for row in rows:
                if row.parent and not row.errors and row.parent not in good:
                    parent_row = self.file_names[row.parent]
                    self._error(row, self.headers["parent_account_name"],
                                f"The parent account (row {parent_row}) has problems, so this account "
                                "cannot be created either.", "invalid-account")
                    good.pop(row.key or "", None)
                    changed = True

    # --- writing ------------------------------------------------------------------------------------

    def write(self, rows: list[_Row], progress: Progress) -> int:
        """Insert the validated rows in batches, in one savepoint; return how many were created."""
        session = self.ctx.session
        try:
            with session.begin_nested():
                if self.entity == "contacts":
                    return self._write_contacts(rows, progress)
                return self._write_accounts(rows, progress)
        except (DBAPIError, psycopg.Error) as exc:
            cause = getattr(exc, "orig", None) or exc
            raise ImportFailedError(
                "The database refused the import, so nothing was imported; records it depends on may have "
                f"changed meanwhile. Try again ({type(cause).__name__}).", code="import-failed") from exc

    def _row_values(self, spec: EntitySpec, values: Values) -> dict[str, Any]:
        table: Table = spec.model.__table__  # type: ignore[assignment]
        out = {name: values.get(name) for name in spec.schema.model_fields if name in table.c}
        if out.get("created_at") is None:
            out["created_at"] = self.ctx.now
        if out.get("custom_fields") is None:
            out["custom_fields"] = {}
        return out

    def _insert(self, spec: EntitySpec, batch: list[dict[str, Any]], *, returning: bool) -> list[int]:
        table: Table = spec.model.__table__  # type: ignore[assignment]
        if not batch:
            return []
        if returning:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(self.ctx.session.scalars(statement, batch))
        self._copy(table, batch)
        return []

    def _copy(self, table: Table, batch: list[dict[str, Any]]) -> None:
        """COPY rows into `table` on the session's own connection (so inside its savepoint).

        COPY is several times faster than a batched INSERT for the 100,000-row imports we support.
        """
        names = list(batch[0])
        statement = psql.SQL("COPY {} ({}) FROM STDIN").format(
            psql.Identifier(table.name), psql.SQL(", ").join(map(psql.Identifier, names)))
        json_columns = {i for i, name in enumerate(names) if isinstance(table.c[name].type, JSONB)}
        connection = self.ctx.session.connection().connection.driver_connection
        assert isinstance(connection, psycopg.Connection), "CSV import needs the psycopg 3 driver"
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for values in batch:
                row = [values[name] for name in names]
                for i in json_columns:
                    row[i] = Jsonb(row[i])
                copy.write_row(row)

    def _write_contacts(self, rows: list[_Row], progress: Progress) -> int:
        needed = {row.new_account for row in rows if row.new_account}
        new_accounts = [self.new_accounts[key] for key in sorted(needed)]
        ids = self._insert(ACCOUNT, [self._row_values(ACCOUNT, a.values or {}) for a in new_accounts],
                           returning=True)
        account_ids = {_key(a.name): new_id for a, new_id in zip(new_accounts, ids, strict=False)}
        task = progress.add_task("Writing contacts", total=len(rows))
        for start in range(0, len(rows), BATCH_ROWS):
            batch = []
            for row in rows[start:start + BATCH_ROWS]:
                values = self._row_values(CONTACT, row.values or {})
                if row.new_account:
                    values["account_id"] = account_ids[row.new_account]
                batch.append(values)
            self._insert(CONTACT, batch, returning=False)
            progress.advance(task, len(batch))
        return len(rows)

    def _write_accounts(self, rows: list[_Row], progress: Progress) -> int:
        task = progress.add_task("Writing accounts", total=len(rows))
        created: dict[str, int] = {}
        for start in range(0, len(rows), BATCH_ROWS):
            chunk = rows[start:start + BATCH_ROWS]
            ids = self._insert(ACCOUNT, [self._row_values(ACCOUNT, r.values or {}) for r in chunk], returning=True)
            created.update((row.key or "", new_id) for row, new_id in zip(chunk, ids, strict=False))
            progress.advance(task, len(chunk))
        links = [{"child": created[row.key or ""], "parent": created[row.parent]} for row in rows if row.parent]
        if links:
            table: Table = Account.__table__  # type: ignore[assignment]
            self.ctx.session.execute(
                update(table).where(table.c.id == bindparam("child")).values(parent_account_id=bindparam("parent")),
                links)
        return len(rows)


@contextmanager
def _progress(show: bool) -> Iterator[Progress]:
    progress = Progress(
        TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("rows"), TimeElapsedColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), disable=not show, transient=False)
    with progress:
        yield progress

