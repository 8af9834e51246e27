"""CSV import and export of contacts and accounts, against the demo database (seed 7, today 2026-05-15)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_core.csv_io import export_csv, import_csv, render_report
from crm_core.csv_io.exporter import format_value
from crm_core.csv_io.headers import CONTACT_COLUMNS, match_header
from crm_core.errors import ImportFailedError, ImportReport, RowError
from crm_core.models import Account, Contact, CustomFieldDefinition, Team, User
from crm_core.scope import Actor, actor_for, actor_from_user
from crm_core.services.records import CONTACT, WriteContext, create

NOW = datetime(2026, 5, 15, tzinfo=UTC)


# --- fixtures and helpers ---------------------------------------------------------------------------

@pytest.fixture
def rep(session: Session) -> Actor:
    return actor_for(session, "rep@demo.crm")


@pytest.fixture
def manager(session: Session) -> Actor:
    return actor_for(session, "manager@demo.crm")


@pytest.fixture
def newcomer(session: Session) -> Actor:
    """A rep of a new team: their scope holds nothing yet."""
    team = Team(name="CSV test team", region="EMEA")
    session.add(team)
    session.flush()
    user = User(full_name="Nia Newcomer", email="newcomer@csv.test", role="rep", team_id=team.id)
    session.add(user)
    session.flush()
    return actor_from_user(user)


@pytest.fixture(autouse=True)
def custom_fields(session: Session) -> None:
    """Optional custom fields of every type (demo definitions made optional, so rows may omit them)."""
    session.execute(update(CustomFieldDefinition).values(is_required=False))
    session.add_all([
        CustomFieldDefinition(entity="contacts", key="csv_tier", label="Loyalty Tier", field_type="choice",
                              choices=["Gold", "Silver", "Bronze"]),
        CustomFieldDefinition(entity="contacts", key="csv_nps", label="NPS", field_type="integer",
                              min_value=0, max_value=10),
        CustomFieldDefinition(entity="contacts", key="csv_renewal", label="Renewal Date", field_type="date"),
        CustomFieldDefinition(entity="contacts", key="csv_vip", label="VIP", field_type="boolean"),
        CustomFieldDefinition(entity="accounts", key="csv_segment", label="Segment", field_type="choice",
                              choices=["SMB", "Mid-Market", "Enterprise"]),
    ])
    session.flush()


def _csv(*lines: str) -> io.StringIO:
    return io.StringIO("\n".join(lines) + "\n")


def _import(session: Session, actor: Actor, source: Any, entity: str = "contacts", **options: Any) -> ImportReport:
    return import_csv(session, actor=actor, entity=entity, source=source, now=NOW, **options)  # type: ignore[arg-type]


def _problems(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in report.errors]


def _counts(session: Session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Contact)) or 0,
            session.scalar(select(func.count()).select_from(Account)) or 0)


def _contact(session: Session, email: str) -> Contact:
    return session.scalars(select(Contact).where(Contact.email == email)).one()


def _export(session: Session, actor: Actor, entity: str = "contacts", **options: Any) -> str:
    stream = io.StringIO(newline="")
    export_csv(session, actor=actor, entity=entity, destination=stream, **options)  # type: ignore[arg-type]
    return stream.getvalue()


def _table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


# --- header mapping ---------------------------------------------------------------------------------

DEFINITIONS = {"csv_tier": SimpleNamespace(label="Loyalty Tier"), "csv_nps": SimpleNamespace(label="NPS")}
HEADER_CASES = [
    ("First Name", "contacts", "first_name"),
    ("first_name", "contacts", "first_name"),
    ("FIRSTNAME", "contacts", "first_name"),
    (" Last-Name ", "contacts", "last_name"),
    ("E-mail", "contacts", "email"),
    ("Email Address", "contacts", "email"),
    ("Company", "contacts", "account_name"),
    ("Organisation", "contacts", "account_name"),
    ("Account", "contacts", "account_name"),
    ("Account Name", "contacts", "account_name"),
    ("Phone Number", "contacts", "phone"),
    ("Mobile", "contacts", "phone"),
    ("Title", "contacts", "job_title"),
    ("Job Title", "contacts", "job_title"),
    ("Stage", "contacts", "lifecycle_stage"),
    ("Lifecycle Stage", "contacts", "lifecycle_stage"),
    ("Source", "contacts", "lead_source"),
    ("Lead Source", "contacts", "lead_source"),
    ("Country", "contacts", "country"),
    ("Province", "contacts", "state"),
    ("State/Region", "contacts", None),
    ("Region", "contacts", "state"),
    ("Owner", "contacts", "owner_email"),
    ("Owner Email", "contacts", "owner_email"),
    ("Loyalty tier", "contacts", "custom_fields.csv_tier"),
    ("csv_nps", "contacts", "custom_fields.csv_nps"),
    ("custom_fields.csv_tier", "contacts", "custom_fields.csv_tier"),
    ("cf_NPS", "contacts", "custom_fields.csv_nps"),
    ("cf_Not Defined", "contacts", "custom_fields.not_defined"),
    ("Website", "accounts", "domain"),
    ("Employees", "accounts", "employee_count"),
    ("Annual Revenue", "accounts", "annual_revenue"),
    ("Revenue", "accounts", "annual_revenue"),
    ("Company", "accounts", "name"),
    ("Parent Account", "accounts", "parent_account_name"),
    ("Favourite Colour", "contacts", None),
]


@pytest.mark.parametrize(("header", "entity", "target"), HEADER_CASES, ids=[f"{e}:{h}" for h, e, _ in HEADER_CASES])
def test_match_header_cases(header: str, entity: str, target: str | None) -> None:
    assert match_header(header, entity, DEFINITIONS) == target  # type: ignore[arg-type]


@pytest.mark.parametrize(("ignore", "problems", "imported"), [
    (False, [(0, "Favourite Colour", "unknown-column"), (0, "E-mail", "duplicate-column")], 0),
    (True, [(0, "E-mail", "duplicate-column")], 0),
], ids=["reported", "ignored"])
def test_import_header_problems(session: Session, newcomer: Actor, ignore: bool,
                                problems: list[tuple[int, str, str]], imported: int) -> None:
    before = _counts(session)
    report = _import(session, newcomer, _csv("Email,Favourite Colour,E-mail", "a@csv.test,blue,b@csv.test"),
                     all_or_nothing=False, ignore_unknown_columns=ignore)
    assert sorted(_problems(report)) == sorted(problems)
    assert report.imported == imported and _counts(session) == before


def test_import_unknown_column_ignored_when_asked(session: Session, newcomer: Actor) -> None:
    source = _csv("Email,Favourite Colour,", "a@csv.test,blue,")
    report = _import(session, newcomer, source, ignore_unknown_columns=True)
    assert report.ok and report.imported == 1


# --- validation of rows -----------------------------------------------------------------------------

BAD_FILE = _csv(
    "First Name,E-mail,Lifecycle Stage,Loyalty Tier,custom_fields.csv_nope,Country",
    "Good,good1@csv.test,lead,Gold,,US",
    "Bad,not-an-email,lead,,,US",
    "Bad,stage@csv.test,prospect,,,US",
    "Bad,tier@csv.test,customer,Platinum,,DE",
    "Bad,nope@csv.test,lead,,surprise,GB",
    "Bad,country@csv.test,lead,,,Narnia",
    "Good,good2@csv.test,Customer,silver,,Germany",
)
BAD_FILE_PROBLEMS = [
    (2, "E-mail", "invalid-value"),
    (3, "Lifecycle Stage", "invalid-value"),
    (4, "Loyalty Tier", "invalid-value"),
    (5, "custom_fields.csv_nope", "unknown-field"),
    (6, "Country", "invalid-value"),
]


@pytest.mark.parametrize(("all_or_nothing", "imported"), [(True, 0), (False, 2)],
                         ids=["all-or-nothing", "valid-rows-only"])
def test_import_bad_rows_reported(session: Session, newcomer: Actor, all_or_nothing: bool, imported: int) -> None:
    BAD_FILE.seek(0)
    contacts, accounts = _counts(session)
    report = _import(session, newcomer, BAD_FILE, all_or_nothing=all_or_nothing)
    assert _problems(report) == BAD_FILE_PROBLEMS
    assert report.total_rows == 7 and report.imported == imported
    assert _counts(session) == (contacts + imported, accounts)
    if imported:
        good = _contact(session, "good2@csv.test")
        assert (good.lifecycle_stage, good.country, good.custom_fields) == ("customer", "DE", {"csv_tier": "Silver"})
        assert good.owner_id == newcomer.id


CUSTOM_CASES = [
    ("Loyalty Tier", "gold", "Gold", None),
    ("NPS", "7", 7, None),
    ("NPS", "11", None, "invalid-value"),
    ("NPS", "seven", None, "invalid-value"),
    ("Renewal Date", "2026-05-31", "2026-05-31", None),
    ("Renewal Date", "05/31/2026", "2026-05-31", None),
    ("Renewal Date", "03/04/2026", None, "ambiguous-date"),
    ("VIP", "yes", True, None),
    ("VIP", "maybe", None, "invalid-value"),
    ("cf_undeclared", "x", None, "unknown-field"),
]


@pytest.mark.parametrize(("header", "value", "stored", "code"), CUSTOM_CASES,
                         ids=[f"{h}={v}" for h, v, _, _ in CUSTOM_CASES])
def test_import_custom_field_validated(session: Session, newcomer: Actor, header: str, value: str,
                                       stored: Any, code: str | None) -> None:
    report = _import(session, newcomer, _csv(f"Email,{header}", f"cf@csv.test,{value}"))
    if code is None:
        assert report.ok, report.errors
        assert list(_contact(session, "cf@csv.test").custom_fields.values()) == [stored]
    else:
        assert _problems(report) == [(1, header, code)] and report.imported == 0


def test_import_required_custom_field_enforced(session: Session, newcomer: Actor) -> None:
    session.add(CustomFieldDefinition(entity="contacts", key="csv_region_code", label="Region Code",
                                      field_type="text", is_required=True))
    session.flush()
    report = _import(session, newcomer, _csv("Email,Region Code", "a@csv.test,EU-1", "b@csv.test,"))
    assert _problems(report) == [(2, "Region Code", "missing-value")]
    report = _import(session, newcomer, _csv("Email", "c@csv.test"))
    assert _problems(report) == [(1, "custom_fields.csv_region_code", "missing-value")]


LOCATION_CASES = [
    ("United States", "California", ("US", "CA"), None),
    ("ca", "on", ("CA", "ON"), None),
    ("GB", "", ("GB", None), None),
    ("US", "Narnia", None, (1, "State", "invalid-value")),
    ("GB", "CA", None, (1, "State", "invalid-value")),
    ("Narnia", "", None, (1, "Country", "invalid-value")),
]


@pytest.mark.parametrize(("country", "state", "stored", "problem"), LOCATION_CASES,
                         ids=[f"{c}/{s}" for c, s, _, _ in LOCATION_CASES])
def test_import_country_and_state(session: Session, newcomer: Actor, country: str, state: str,
                                  stored: tuple[str, str | None] | None,
                                  problem: tuple[int, str, str] | None) -> None:
    report = _import(session, newcomer, _csv("Email,Country,State", f"loc@csv.test,{country},{state}"))
    if problem is None:
        assert report.ok, report.errors
        contact = _contact(session, "loc@csv.test")
        assert (contact.country, contact.state) == stored
    else:
        assert _problems(report) == [problem]


DATE_CASES = [
    ("2026-05-14", "2026-05-14T00:00:00+00:00", None),
    ("2026-05-14T10:00:00Z", "2026-05-14T10:00:00+00:00", None),
    ("2026-05-14T12:00:00+02:00", "2026-05-14T10:00:00+00:00", None),
    ("2026-05-14 10:00", "2026-05-14T10:00:00+00:00", None),
    ("05/14/2026", "2026-05-14T00:00:00+00:00", None),
    ("14/05/2026 09:30", "2026-05-14T09:30:00+00:00", None),
    ("14 May 2026", "2026-05-14T00:00:00+00:00", None),
    ("May 14, 2026", "2026-05-14T00:00:00+00:00", None),
    ("04/05/2026", None, "ambiguous-date"),
    ("05/14/26", None, "ambiguous-date"),
    ("31/31/2026", None, "invalid-value"),
    ("yesterday", None, "invalid-value"),
]


@pytest.mark.parametrize(("text", "expected", "code"), DATE_CASES, ids=[c[0] for c in DATE_CASES])
def test_import_dates(session: Session, newcomer: Actor, text: str, expected: str | None, code: str | None) -> None:
    report = _import(session, newcomer, _csv("Email,Last Contacted", f'd@csv.test,"{text}"'))
    if code is None:
        assert report.ok, report.errors
        assert format_value(_contact(session, "d@csv.test").last_contacted_at) == expected
    else:
        assert _problems(report) == [(1, "Last Contacted", code)]


def test_import_duplicates(session: Session, rep: Actor) -> None:
    existing = str(session.scalars(select(Contact.email).where(Contact.owner_id == rep.id,
                                                               Contact.email.is_not(None)).limit(1)).one())
    report = _import(session, rep, _csv("Email,First Name", "dup@csv.test,A", "DUP@csv.test,B",
                                        f"{existing.upper()},C", "other@csv.test,D"), all_or_nothing=False)
    assert _problems(report) == [(2, "Email", "duplicate"), (3, "Email", "duplicate")]
    assert "row 1" in report.errors[0].reason and report.imported == 2

    report = _import(session, rep, _csv("Company,Website", "Dup Industries,dup.example", "dup industries,x.example"),
                     entity="accounts")
    assert _problems(report) == [(2, "Company", "duplicate")]


@pytest.mark.parametrize(("owner", "expected"), [
    ("rep@demo.crm", "rep@demo.crm"),
    ("", "manager@demo.crm"),
    ("admin@demo.crm", "manager@demo.crm"),
    ("nobody@csv.test", "not-found"),
], ids=["teammate", "blank", "outside-scope", "unknown-user"])
def test_import_owner_column(session: Session, manager: Actor, owner: str, expected: str) -> None:
    report = _import(session, manager, _csv("Email,Owner", f"owned@csv.test,{owner}"))
    if expected == "not-found":
        assert _problems(report) == [(1, "Owner", "not-found")]
        return
    owner_email = session.scalar(select(User.email).where(User.id == _contact(session, "owned@csv.test").owner_id))
    assert owner_email == expected


def test_import_company_links_or_creates_account(session: Session, rep: Actor) -> None:
    mine = session.scalars(select(Account).where(Account.owner_id == rep.id).order_by(Account.id)).first()
    assert mine is not None
    _, accounts = _counts(session)
    report = _import(session, rep, _csv(
        "Email,Company", f"a@csv.test,{mine.name.upper()}", "b@csv.test,Brand New Rockets",
        "c@csv.test, brand new  rockets", "d@csv.test,"))
    assert report.ok, report.errors
    assert _contact(session, "a@csv.test").account_id == mine.id
    created = session.scalars(select(Account).where(Account.name == "Brand New Rockets")).one()
    assert created.owner_id == rep.id and _counts(session)[1] == accounts + 1
    assert _contact(session, "c@csv.test").account_id == created.id
    assert _contact(session, "d@csv.test").account_id is None


def test_import_accounts_with_parent_in_file(session: Session, newcomer: Actor) -> None:
    report = _import(session, newcomer, _csv(
        "Company;Website;Employees;Revenue;Parent Account;Country;State;Segment",
        "Globex Europe;https://www.globex.example/;1200;1500000.50;Globex;Germany;;enterprise",
        "Globex;globex.example;5000;;;United States;California;Enterprise",
    ), entity="accounts")
    assert report.ok, report.errors
    europe, parent = (session.scalars(select(Account).where(Account.name == n)).one() for n in ("Globex Europe",
                                                                                                "Globex"))
    assert europe.parent_account_id == parent.id and europe.domain == "globex.example"
    assert (europe.employee_count, str(europe.annual_revenue), europe.country) == (1200, "1500000.50", "DE")
    assert (parent.country, parent.state, europe.custom_fields) == ("US", "CA", {"csv_segment": "Enterprise"})


def test_import_malformed_row_and_empty_file(session: Session, newcomer: Actor) -> None:
    report = _import(session, newcomer, _csv("Email,First Name", "a@csv.test,Ann,extra"))
    assert _problems(report) == [(1, "column 3", "malformed-row")]
    with pytest.raises(ImportFailedError) as caught:
        _import(session, newcomer, io.StringIO(""))
    assert caught.value.code == "empty-file"


# --- encodings and delimiters -----------------------------------------------------------------------

UNICODE_ROWS = [("Zoë", "Müller", "zoe@csv.test", "Café Crème"), ("東京", "太郎", "taro@csv.test", "東京 Trading")]
LATIN_ROWS = UNICODE_ROWS[:1]


def _encoded(rows: Sequence[tuple[str, ...]], delimiter: str, encoding: str, bom: bytes = b"") -> bytes:
    lines = [delimiter.join(("First Name", "Last Name", "Email Address", "Company"))]
    lines += [delimiter.join(row) for row in rows]
    return bom + "\r\n".join(lines).encode(encoding)


ENCODING_CASES = [
    ("utf8-comma", UNICODE_ROWS, _encoded(UNICODE_ROWS, ",", "utf-8")),
    ("utf8-bom-semicolon", UNICODE_ROWS, _encoded(UNICODE_ROWS, ";", "utf-8", codecs.BOM_UTF8)),
    ("utf8-tab", UNICODE_ROWS, _encoded(UNICODE_ROWS, "\t", "utf-8")),
    ("utf16-tab", UNICODE_ROWS, _encoded(UNICODE_ROWS, "\t", "utf-16")),
    ("cp1252-semicolon", LATIN_ROWS, _encoded(LATIN_ROWS, ";", "cp1252")),
]


@pytest.mark.parametrize(("rows", "data"), [c[1:] for c in ENCODING_CASES], ids=[c[0] for c in ENCODING_CASES])
def test_import_encodings_and_delimiters(session: Session, newcomer: Actor, tmp_path: Path,
                                         rows: list[tuple[str, ...]], data: bytes) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    report = _import(session, newcomer, path)
    assert report.ok, report.errors
    for first, last, email, company in rows:
        contact = _contact(session, email)
        account = session.get(Account, contact.account_id)
        assert (contact.first_name, contact.last_name, account and account.name) == (first, last, company)


def test_import_undecodable_bytes(session: Session, newcomer: Actor) -> None:
    with pytest.raises(ImportFailedError) as caught:
        _import(session, newcomer, io.BytesIO(b"Email,First Name\r\na@csv.test,\x81\x8d\r\n"))
    assert caught.value.code == "undecodable-file"


# --- export -----------------------------------------------------------------------------------------

def test_export_rep_sees_only_own(session: Session, rep: Actor) -> None:
    rows = _table(_export(session, rep))
    own = session.scalar(select(func.count()).select_from(Contact).where(Contact.owner_id == rep.id))
    assert rows and len(rows) == own
    assert {row["owner_email"] for row in rows} == {"rep@demo.crm"}
    visible_accounts = set(session.scalars(select(Account.name).where(Account.owner_id == rep.id)))
    assert {row["account_name"] for row in rows} - {""} <= visible_accounts


def test_export_format(session: Session, newcomer: Actor) -> None:
    ctx = WriteContext(session=session, actor=newcomer, now=NOW)
    contact = create(ctx, CONTACT, {
        "first_name": "Ada", "last_name": "Lovelace, Countess", "email": "ada@csv.test", "lead_score": 87,
        "last_contacted_at": "2026-05-14T09:30:00Z", "do_not_email": True, "created_at": "2026-01-02T03:04:05Z",
        "custom_fields": {"csv_nps": 9, "csv_vip": False, "csv_renewal": "2026-12-31"},
    })
    text = _export(session, newcomer)
    header, line = text.split("\r\n")[:2]
    names = header.split(",")
    assert names[:20] == list(CONTACT_COLUMNS) and names[0] == "id"
    custom = names[20:]
    assert custom == sorted(custom) and all(n.startswith("custom_fields.") for n in custom)
    assert {"custom_fields.csv_nps", "custom_fields.csv_tier"} <= set(custom)
    row = _table(text)[0]
    assert row["id"] == str(contact.id) and line.count('"Lovelace, Countess"') == 1
    assert (row["lead_score"], row["do_not_email"], row["phone"]) == ("87", "true", "")
    assert (row["last_contacted_at"], row["created_at"]) == ("2026-05-14T09:30:00+00:00", "2026-01-02T03:04:05+00:00")
    assert (row["custom_fields.csv_nps"], row["custom_fields.csv_vip"], row["custom_fields.csv_renewal"],
            row["custom_fields.csv_tier"]) == ("9", "false", "2026-12-31", "")
    assert _export(session, newcomer, bom=True) == "\ufeff" + text


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (True, "true"), (1234567.5, "1234567.5"), (1e-5, "0.00001"), (3.0, "3"),
    (datetime(2026, 5, 15, 12, 0, tzinfo=UTC), "2026-05-15T12:00:00+00:00"),
], ids=["null", "bool", "float", "small-float", "whole-float", "timestamp"])
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


ROUND_TRIP_SKIP = {"id", "account_id", "owner_id", "owner_email", "parent_account_id"}


@pytest.mark.parametrize("entity", ["contacts", "accounts"])
def test_export_import_round_trip(session: Session, rep: Actor, newcomer: Actor, tmp_path: Path,
                                  entity: str) -> None:
    """The rep's export, imported by someone whose scope is empty, exports again unchanged.

    Ids differ by nature, and the owner differs because the rep is outside the newcomer's scope (so
    the newcomer owns what they import); every other column must survive byte for byte.
    """
    path = tmp_path / f"{entity}.csv"
    written = export_csv(session, actor=rep, entity=entity, destination=path)  # type: ignore[arg-type]
    report = _import(session, newcomer, path, entity=entity)
    assert report.ok, report.errors[:5]
    assert report.imported == written > 0
    first, second = _table(path.read_text("utf-8")), _table(_export(session, newcomer, entity))
    assert [k for k in first[0] if k not in ROUND_TRIP_SKIP] == [k for k in second[0] if k not in ROUND_TRIP_SKIP]
    strip = [{k: v for k, v in row.items() if k not in ROUND_TRIP_SKIP} for row in first]
    assert strip == [{k: v for k, v in row.items() if k not in ROUND_TRIP_SKIP} for row in second]
    assert {row["owner_email"] for row in second} == {"newcomer@csv.test"}


# --- report -----------------------------------------------------------------------------------------

def test_render_report_lists_problems(session: Session, newcomer: Actor) -> None:
    report = ImportReport(total_rows=3, imported=0, errors=[
        RowError(0, "Colour", "The column 'Colour' does not match any contact field.", "unknown-column"),
        RowError(2, "E-mail", "'x' is not an e-mail address", "invalid-value"),
    ])
    table = render_report(report)
    assert table.row_count == 2
    console = Console(record=True, width=160)
    console.print(table)
    out = console.export_text()
    assert "Nothing imported: 2 problems (including the header)" in out
    assert "header" in out and "invalid-value" in out and "'x' is not an e-mail address" in out


def test_import_bulk_path_skips_no_write_hooks() -> None:
    """The bulk write inserts validated values directly; it would miss any after-write hook."""
    from crm_core.csv_io.importer import SPECS

    assert all(not spec.after_write for spec in SPECS.values())

def test_import_write_failure_rolls_back_everything(session: Session, newcomer: Actor,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A database error while writing (after the new account is inserted) leaves nothing behind."""
    from crm_core.csv_io import importer

    real_copy = importer._Import._copy

    def corrupting_copy(self: Any, table: Any, batch: list[dict[str, Any]]) -> None:
        real_copy(self, table, [{**row, "lifecycle_stage": "bogus"} for row in batch])

    monkeypatch.setattr(importer._Import, "_copy", corrupting_copy)
    before = _counts(session)
    with pytest.raises(ImportFailedError) as caught:
        _import(session, newcomer, _csv("Email,Company", "a@csv.test,Rollback Rockets"))
    assert caught.value.code == "import-failed"
    assert _counts(session) == before
