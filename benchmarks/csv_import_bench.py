"""Benchmark: generate a contacts CSV (100,000 rows by default) and time `import_csv` on it.

Runs against the configured database server (DATABASE_URL, else the embedded one) in a database of
its own, `crm_bench`, created and migrated on first use; the import is rolled back afterwards, so
repeated runs measure the same work. Not part of the pytest run.

    .venv/bin/python benchmarks/csv_import_bench.py [--rows 100000] [--no-progress]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crm_core.csv_io import import_csv, summary
from crm_core.database import ensure_database
from crm_core.db import database_url, sqlalchemy_url
from crm_core.migrate import upgrade
from crm_core.models import LEAD_SOURCES, LIFECYCLE_STAGES, Team, User
from crm_core.scope import actor_from_user
from crm_core.settings import get_settings

HEADER = ["First Name", "Last Name", "Email", "Phone", "Company", "Job Title", "Lifecycle Stage", "Lead Source",
          "Country", "State", "City", "Last Contacted", "Lead Score", "Do Not Email"]
FIRST = ["Ada", "Grace", "Zoë", "Jürgen", "Aiko", "Carlos", "Priya", "Liam", "Chloé", "Wei"]
LAST = ["Lovelace", "Hopper", "Müller", "Tanaka", "García", "Patel", "O'Neil", "Dubois", "Chen", "Smith"]
TITLES = ["VP Sales", "CTO", "Head of Marketing", "Engineer", "Buyer, Procurement", ""]
PLACES = [("US", "CA", "San Francisco"), ("US", "NY", "New York"), ("GB", "", "London"), ("DE", "", "Berlin"),
          ("CA", "ON", "Toronto"), ("JP", "", "東京")]


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    companies = [f"Bench Company {i}" for i in range(rows // 200 + 1)]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for i in range(rows):
            country, state, city = rng.choice(PLACES)
            writer.writerow([
                rng.choice(FIRST), rng.choice(LAST), f"bench.contact{i}@example.com",
                f"+1 555 {rng.randrange(1000):03d} {rng.randrange(10000):04d}",
                rng.choice(companies), rng.choice(TITLES), rng.choice(LIFECYCLE_STAGES), rng.choice(LEAD_SOURCES),
                country, state, city, f"2026-0{rng.randrange(1, 6)}-1{rng.randrange(10)}T10:00:00Z",
                rng.choice(["", str(rng.randrange(101))]), rng.choice(["true", "false"]),
            ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args()

    url = make_url(sqlalchemy_url(database_url(get_settings()))).set(database="crm_bench")
    ensure_database(url.render_as_string(hide_password=False))
    engine = create_engine(url)
    upgrade(engine)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.csv"
        started = time.perf_counter()
        write_csv(path, args.rows)
        print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - started:.1f} s")
        with engine.connect() as conn:
            outer = conn.begin()
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            team = Team(name="Benchmark team", region="EMEA")
            session.add(team)
            session.flush()
            user = User(full_name="Bench Rep", email="bench.rep@example.com", role="rep", team_id=team.id)
            session.add(user)
            session.flush()
            started = time.perf_counter()
            report = import_csv(session, actor=actor_from_user(user), entity="contacts", source=path,
                                show_progress=not args.no_progress)
            elapsed = time.perf_counter() - started
            outer.rollback()
    print(summary(report))
    print(f"imported {report.imported:,} of {report.total_rows:,} rows in {elapsed:.1f} s "
          f"= {report.imported / elapsed:,.0f} rows/s")
    engine.dispose()


if __name__ == "__main__":
    main()
