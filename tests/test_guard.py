"""The guard rejects every hostile statement with a stable code, and scopes every owned table."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from nlq.catalog import load_catalog
from nlq.errors import NlqError
from nlq.guard import ScopeFilter, guard_sql

CATALOG = load_catalog()
REP = ScopeFilter(frozenset({3}))
ADMIN = ScopeFilter(None)
HOSTILE = [
    tuple(line.split("|", 1))
    for line in (Path(__file__).parent / "fixtures" / "hostile_sql.txt").read_text().splitlines()
    if line and not line.startswith("#")
]


def _guard(sql: str, scope: ScopeFilter = REP, cap: int = 1000) -> str:
    return guard_sql(sql, catalog=CATALOG, scope=scope, row_cap=cap).sql("postgres")


@pytest.mark.parametrize(("code", "sql"), HOSTILE, ids=[f"{c}:{s[:40]}" for c, s in HOSTILE])
def test_guard_rejects_hostile_statement(code: str, sql: str) -> None:
    with pytest.raises(NlqError) as info:
        _guard(sql, ADMIN)
    assert info.value.code == code, info.value.message


@pytest.mark.parametrize("sql", [
    "SELECT id, amount FROM deals WHERE amount > 10000",
    "SELECT c.id FROM contacts c WHERE EXISTS (SELECT 1 FROM deals d WHERE d.contact_id = c.id)",
    "WITH big AS (SELECT id, account_id FROM deals WHERE amount > 5) SELECT count(*) FROM big",
    "SELECT s.name, count(*) FROM deals d JOIN deal_stages s ON s.id = d.stage_id GROUP BY s.name",
    "SELECT date_trunc('month', created_at) AS m, count(*) FROM contacts GROUP BY 1 ORDER BY 1",
    "SELECT id FROM deals UNION SELECT deal_id FROM notes",
    "SELECT id FROM contacts WHERE id IN (SELECT contact_id FROM emails WHERE opened_at IS NOT NULL)",
    "SELECT coalesce(sum(amount), 0) FROM deals WHERE status = 'open'",
], ids=lambda s: s[:50])
def test_guard_accepts_reporting_queries(sql: str) -> None:
    assert _guard(sql).upper().startswith(("SELECT", "WITH"))


def test_guard_names_closest_column() -> None:
    with pytest.raises(NlqError) as info:
        _guard("SELECT d.ammount FROM deals d")
    assert info.value.code == "unknown-column"
    assert "'amount'" in info.value.message


def _scoped_tables(sql: str) -> list[exp.Table]:
    tree = sqlglot.parse_one(sql, read="postgres")
    return [t for t in tree.find_all(exp.Table) if t.name in ("contacts", "deals", "notes", "emails")]


@pytest.mark.parametrize("sql", [
    "SELECT * FROM deals",
    "SELECT c.id FROM contacts c JOIN deals d ON d.contact_id = c.id",
    "SELECT id FROM contacts WHERE id IN (SELECT contact_id FROM deals)",
    "WITH x AS (SELECT * FROM deals) SELECT * FROM x",
    "SELECT (SELECT count(*) FROM notes) AS n",
    "SELECT id FROM deals UNION ALL SELECT id FROM contacts",
], ids=lambda s: s[:50])
def test_guard_scopes_every_owned_table(sql: str) -> None:
    scoped = _guard(sql)
    for table in _scoped_tables(scoped):
        select = table.find_ancestor(exp.Select)
        assert select is not None
        where = select.args.get("where")
        owner = "author_id" if table.name == "notes" else "owner_id"
        assert where is not None and f"{owner} IN (3)" in where.sql(), scoped


def test_guard_caps_rows() -> None:
    # one row over the cap lets the executor say the answer was cut
    assert _guard("SELECT id FROM deals LIMIT 5000", cap=100).endswith("LIMIT 101")
    assert _guard("SELECT id FROM deals LIMIT 5", cap=100).endswith("LIMIT 5")
    assert _guard("SELECT id FROM deals", cap=100).endswith("LIMIT 101")


def test_guard_admin_is_not_rewritten() -> None:
    assert "owner_id IN" not in _guard("SELECT id FROM deals", ADMIN)


# --- property-based: generated statements never get a write or a foreign table through -------------

WRITES = st.sampled_from([
    "DELETE FROM deals", "UPDATE contacts SET email = 'x'", "INSERT INTO notes (body) VALUES ('x')",
    "DROP TABLE deals", "TRUNCATE contacts", "SELECT pg_sleep(1)", "SELECT * FROM pg_shadow",
    "SELECT lo_import('/etc/passwd')", "SELECT set_config('a', 'b', false)", "COPY deals TO STDOUT",
])
TABLES = st.sampled_from(["deals", "contacts", "accounts", "notes", "emails", "activities"])


@settings(max_examples=150, deadline=None)
@given(write=WRITES, table=TABLES, wrapper=st.integers(min_value=0, max_value=4),
       comment=st.sampled_from(["", " -- x", " /* y */", "\n"]))
def test_guard_property_writes_never_pass(write: str, table: str, wrapper: int, comment: str) -> None:
    inner = write.replace("RETURNING", "")
    forms = [
        write + comment,
        f"SELECT 1 FROM {table};{write}",
        f"WITH w AS ({inner} RETURNING *) SELECT * FROM {table}" if inner.startswith(("DELETE", "UPDATE", "INSERT"))
        else f"SELECT * FROM {table}; {write}",
        f"SELECT * FROM {table} WHERE id IN ({write})",
        f"{comment}{write}; SELECT 1",
    ]
    with pytest.raises(NlqError):
        _guard(forms[wrapper])


@settings(max_examples=150, deadline=None)
@given(table=TABLES, limit=st.integers(min_value=1, max_value=100000),
       nested=st.integers(min_value=0, max_value=3))
def test_guard_property_scope_and_cap_hold(table: str, limit: int, nested: int) -> None:
    sql = f"SELECT id FROM {table}"
    for _ in range(nested):
        sql = f"SELECT id FROM {table} WHERE id IN ({sql})"
    out = guard_sql(f"{sql} LIMIT {limit}", catalog=CATALOG, scope=REP, row_cap=500)
    assert int(out.args["limit"].expression.this) <= 501
    for t in out.find_all(exp.Table):
        if t.name == table:
            where = t.find_ancestor(exp.Select).args.get("where")
            assert where is not None and "IN (3)" in where.sql()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_guard_property_arbitrary_text_is_rejected_or_safe(text: str) -> None:
    try:
        out = _guard(text)
    except NlqError:
        return
    assert isinstance(out, str)
    parsed = sqlglot.parse_one(out, read="postgres")
    assert isinstance(parsed, (exp.Select, exp.Union, exp.Subquery, exp.Intersect, exp.Except))
