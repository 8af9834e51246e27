"""Demo data: load time for a size, identical rows on reload, every contract column filled.

    python benchmarks/demo_data_bench.py --size small            # loads twice (--reset) and compares
    python benchmarks/demo_data_bench.py --size medium --once

Uses the configured database (DATABASE_URL, or the embedded server) and replaces its data.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, text

from crm_core.database import ready_engine
from crm_core.demo_data import load_demo_data
from crm_core.settings import get_settings

CONTRACT = {
    "teams": ["name", "region"],
    "users": ["full_name", "email", "role", "team_id", "timezone", "is_active", "created_at"],
    "accounts": ["name", "domain", "industry", "employee_count", "annual_revenue", "country", "state", "city",
                 "owner_id", "parent_account_id", "created_at", "custom_fields"],
    "contacts": ["account_id", "first_name", "last_name", "email", "phone", "job_title", "lifecycle_stage",
                 "lead_source", "country", "state", "city", "timezone", "owner_id", "lead_score",
                 "last_contacted_at", "do_not_email", "created_at", "custom_fields"],
    "pipelines": ["name"],
    "deal_stages": ["pipeline_id", "name", "position", "probability", "is_closed", "is_won"],
    "deals": ["name", "account_id", "contact_id", "owner_id", "pipeline_id", "stage_id", "amount", "currency",
              "status", "close_date", "created_at", "closed_at", "lost_reason", "custom_fields"],
    "activities": ["type", "subject", "contact_id", "account_id", "deal_id", "owner_id", "due_at", "completed_at",
                   "outcome", "duration_minutes", "created_at"],
    "emails": ["contact_id", "owner_id", "direction", "subject", "body", "sent_at", "opened_at", "clicked_at",
               "replied_at"],
    "notes": ["body", "contact_id", "account_id", "deal_id", "author_id", "created_at"],
}
NULL_BY_DESIGN = {"contacts.lead_score"}  # scoring fills it later


def checksums(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {t: str(conn.execute(text(f"SELECT count(*) || ':' || md5(string_agg(x::text, ',' ORDER BY x.id)) "
                                         f"FROM {t} x")).scalar_one()) for t in CONTRACT}


def empty_columns(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [f"{t}.{c}" for t, cols in CONTRACT.items() for c in cols
                if not conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t} WHERE {c} IS NOT NULL)")).scalar_one()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", default="2026-05-15")
    parser.add_argument("--once", action="store_true", help="load once (skip the identical-reload check)")
    args = parser.parse_args()
    engine = ready_engine(get_settings())
    today = date.fromisoformat(args.today)
    loads, sums = [], []
    for _ in range(1 if args.once else 2):
        started = time.perf_counter()
        load_demo_data(engine, size=args.size, seed=args.seed, today=today, reset=True, show_progress=True)
        loads.append(round(time.perf_counter() - started, 1))
        sums.append(checksums(engine))
    empty = [c for c in empty_columns(engine) if c not in NULL_BY_DESIGN]
    result = {"size": args.size, "load_s": loads, "identical_on_reload": None if args.once else sums[0] == sums[1],
              "empty_contract_columns": empty, "rows": {t: int(v.split(":")[0]) for t, v in sums[0].items()}}
    table = Table(title=f"demo data {args.size}, seed {args.seed}, today {args.today}")
    table.add_column("check")
    table.add_column("result", justify="right")
    table.add_row("load time (s)", ", ".join(map(str, loads)))
    table.add_row("identical rows on --reset reload", str(result["identical_on_reload"]))
    table.add_row("contract columns never filled", ", ".join(empty) or "none")
    Console().print(table)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
