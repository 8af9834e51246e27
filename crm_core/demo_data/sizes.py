"""Row targets of each demo-data size; every generated table scales from this table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSize:
    """Approximate row counts of one size (deals, activities, emails and notes are targets, not exact)."""

    name: str
    teams: int
    users: int
    accounts: int
    contacts: int
    deals: int
    activities: int
    emails: int
    notes: int


SIZES: dict[str, DemoSize] = {
    size.name: size
    for size in (
        # "tiny" exists for fast tests; it still covers every value set of the contract.
        DemoSize(
            "tiny",
            teams=4,
            users=12,
            accounts=60,
            contacts=300,
            deals=200,
            activities=2_500,
            emails=1_500,
            notes=600,
        ),
        DemoSize(
            "small",
            teams=5,
            users=25,
            accounts=600,
            contacts=3_000,
            deals=2_000,
            activities=25_000,
            emails=15_000,
            notes=6_000,
        ),
        DemoSize(
            "medium",
            teams=8,
            users=100,
            accounts=20_000,
            contacts=100_000,
            deals=67_000,
            activities=833_000,
            emails=500_000,
            notes=200_000,
        ),
        DemoSize(
            "large",
            teams=16,
            users=400,
            accounts=200_000,
            contacts=1_000_000,
            deals=670_000,
            activities=8_330_000,
            emails=5_000_000,
            notes=2_000_000,
        ),
    )
}
