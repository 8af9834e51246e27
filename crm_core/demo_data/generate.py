"""Generate the demo CRM in memory: a seeded, vectorised simulation of two years of sales history.

The story behind the rows:

* Each contact has a hidden conversion propensity (lead source, seniority, company size, industry and noise).
  Engagement — email opens, clicks and replies, connected calls, meetings — is drawn from it, mostly in the
  window *before* the contact converts; whether and when the contact converts (becomes an opportunity, a
  customer) depends on it too. Recent contacts have had little time, so most of them are still leads.
* Conversions open Sales deals; won deals make customers, get renewals a year later (some churn) and
  expansions. Lost deals carry a reason, and the notes and emails around a deal talk about matching topics.
* Each contact prefers to read email at a local weekday and hour (correlated with seniority and industry);
  most opens land near it. Reps send during business hours in their own time zone.

Identical `seed` and `today` give identical rows: every draw comes from generators seeded by (seed, stage),
nothing reads the clock, and nothing depends on hashing or set order.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from crm_core.demo_data import reference as ref
from crm_core.demo_data.clock import DAY, HOUR, MINUTE, NAT, TimeZones, business_time, midnight_utc
from crm_core.demo_data.sizes import DemoSize
from crm_core.demo_data.tables import Table, dates, ids, instants, ints, latest, money, pick
from crm_core.demo_data.texts import TOPICS, TextContext, TextWriter
from crm_core.models import (
    INDUSTRIES,
    LEAD_SOURCES,
    LIFECYCLE_STAGES,
    LOST_REASONS,
)

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

HISTORY_DAYS = 730
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
FIXED_USERS = (
    ("Avery Admin", "admin@demo.crm", "admin"),
    ("Morgan Manager", "manager@demo.crm", "manager"),
    ("Riley Rep", "rep@demo.crm", "rep"),
)

# Pipelines and stages exactly as in the data contract.
PIPELINES = ("Sales", "Renewals")
STAGES: tuple[tuple[int, int, str, int, bool, bool], ...] = (
    # id, pipeline index, name, probability, is_closed, is_won — position is the order within the pipeline
    (1, 0, "Prospecting", 10, False, False),
    (2, 0, "Qualification", 20, False, False),
    (3, 0, "Demo", 40, False, False),
    (4, 0, "Proposal", 60, False, False),
    (5, 0, "Negotiation", 80, False, False),
    (6, 0, "Closed Won", 100, True, True),
    (7, 0, "Closed Lost", 0, True, False),
    (8, 1, "Renewal Due", 50, False, False),
    (9, 1, "Renewal Negotiation", 75, False, False),
    (10, 1, "Renewed", 100, True, True),
    (11, 1, "Churned", 0, True, False),
)
WON_STAGE = {0: 6, 1: 10}
LOST_STAGE = {0: 7, 1: 11}

CUSTOM_FIELDS: tuple[
    tuple[str, str, str, str, list[str] | None, float | None, float | None, int | None], ...
] = (
    # entity, key, label, type, choices, min, max, max_length
    ("accounts", "tier", "Tier", "choice", ["Gold", "Silver", "Bronze"], None, None, None),
    (
        "contacts",
        "preferred_language",
        "Preferred language",
        "choice",
        list(ref.PREFERRED_LANGUAGES),
        None,
        None,
        None,
    ),
    ("contacts", "newsletter_opt_in", "Newsletter opt-in", "boolean", None, None, None, None),
    ("deals", "competitor", "Main competitor", "text", None, None, None, 80),
    ("deals", "seats", "Seats", "integer", None, 1.0, 100_000.0, None),
)

ROLLOUT_TEAMS = ("Marketing", "Finance", "Support", "Operations", "EMEA", "APAC")

# Deal kinds and statuses (internal codes).
NEW, RENEWAL, EXPANSION = 0, 1, 2
OPEN, WON, LOST = 0, 1, 2
STATUS_NAMES = ("open", "won", "lost")

LEAD_SOURCE_WEIGHTS = {
    "website": 0.22,
    "referral": 0.09,
    "event": 0.10,
    "paid_search": 0.15,
    "social": 0.12,
    "outbound": 0.15,
    "partner": 0.07,
    "webinar": 0.10,
}
# Log-odds effects of the hidden conversion propensity.
SOURCE_EFFECT = {
    "website": 0.0,
    "referral": 1.4,
    "event": 0.4,
    "paid_search": -1.0,
    "social": -1.2,
    "outbound": -0.3,
    "partner": 1.1,
    "webinar": 0.8,
}
SENIORITY_EFFECT = (0.5, 0.8, 0.5, 0.0, -0.7)
INDUSTRY_EFFECT = {
    "Software": 0.2,
    "Healthcare": 0.0,
    "Financial Services": 0.1,
    "Manufacturing": -0.1,
    "Retail": -0.2,
    "Real Estate": -0.1,
    "Professional Services": 0.1,
    "Education": -0.3,
    "Media": -0.1,
    "Logistics": 0.0,
}
SIZE_BANDS = np.array([50, 200, 1000, 5000])
# propensity = sigmoid(sharpness · (intent − threshold)): sharp enough that outcomes are learnable.
PROPENSITY_SHARPNESS = 3.4
PROPENSITY_THRESHOLD = 0.45
SIZE_EFFECT = np.array([-0.6, -0.1, 0.25, 0.45, 0.3])

# Preferred email-reading hour by seniority, shifted by industry; weekday preference by seniority.
SENIORITY_HOUR = np.array([7, 8, 9, 11, 14])
INDUSTRY_HOUR_SHIFT = {
    "Software": 1,
    "Healthcare": -1,
    "Financial Services": -1,
    "Manufacturing": -1,
    "Retail": 4,
    "Real Estate": 0,
    "Professional Services": 0,
    "Education": 2,
    "Media": 3,
    "Logistics": -1,
}
SENIORITY_WEEKDAYS = np.array(
    [
        [0.10, 0.22, 0.22, 0.20, 0.10, 0.12, 0.04],
        [0.16, 0.24, 0.22, 0.18, 0.12, 0.05, 0.03],
        [0.22, 0.22, 0.20, 0.16, 0.14, 0.03, 0.03],
        [0.26, 0.20, 0.18, 0.16, 0.16, 0.02, 0.02],
        [0.14, 0.16, 0.20, 0.22, 0.24, 0.02, 0.02],
    ]
)

LOST_REASON_WEIGHTS = np.array([0.25, 0.22, 0.15, 0.14, 0.14, 0.10])
CHURN_REASON_WEIGHTS = np.array([0.25, 0.2, 0.25, 0.1, 0.05, 0.15])

# Topic mix of notes and emails by situation; None = a generic text. Keys are topic names.
_T = dict[str | None, float]
CONTEXT_TOPICS: dict[str, _T] = {
    "lead": {
        None: 0.42,
        "integration_needs": 0.14,
        "pricing_objection": 0.10,
        "competitor_mention": 0.10,
        "budget_freeze": 0.07,
        "product_feedback": 0.07,
        "security_review": 0.05,
        "discount_request": 0.02,
        "champion_left": 0.02,
        "expansion_opportunity": 0.01,
    },
    "deal": {
        None: 0.24,
        "security_review": 0.13,
        "legal_contract": 0.12,
        "integration_needs": 0.10,
        "pricing_objection": 0.10,
        "discount_request": 0.10,
        "competitor_mention": 0.09,
        "budget_freeze": 0.03,
        "champion_left": 0.03,
        "product_feedback": 0.04,
        "onboarding": 0.02,
    },
    "customer": {
        None: 0.30,
        "product_feedback": 0.17,
        "expansion_opportunity": 0.15,
        "integration_needs": 0.08,
        "renewal_risk": 0.08,
        "champion_left": 0.05,
        "onboarding": 0.12,
        "security_review": 0.02,
        "legal_contract": 0.03,
    },
    "onboarding": {
        None: 0.25,
        "onboarding": 0.50,
        "integration_needs": 0.10,
        "product_feedback": 0.10,
        "security_review": 0.05,
    },
    "renewal": {
        None: 0.22,
        "renewal_risk": 0.25,
        "discount_request": 0.12,
        "pricing_objection": 0.10,
        "legal_contract": 0.08,
        "champion_left": 0.06,
        "competitor_mention": 0.06,
        "budget_freeze": 0.06,
        "expansion_opportunity": 0.05,
    },
    "churned": {
        None: 0.15,
        "renewal_risk": 0.35,
        "champion_left": 0.15,
        "budget_freeze": 0.13,
        "competitor_mention": 0.12,
        "pricing_objection": 0.10,
    },
    "expansion": {
        None: 0.25,
        "expansion_opportunity": 0.35,
        "discount_request": 0.10,
        "legal_contract": 0.10,
        "security_review": 0.05,
        "integration_needs": 0.08,
        "pricing_objection": 0.07,
    },
}
# A lost deal's texts lean towards its lost reason.
LOST_REASON_TOPICS: dict[str, _T] = {
    "price": {"pricing_objection": 0.35, "discount_request": 0.2},
    "competitor": {"competitor_mention": 0.55},
    "no_budget": {"budget_freeze": 0.5},
    "timing": {"budget_freeze": 0.25, None: 0.15},
    "no_decision": {"champion_left": 0.35, None: 0.15},
    "product_fit": {"product_feedback": 0.3, "integration_needs": 0.25},
}

CALL_SUBJECTS = {
    "lead": (
        "Intro call with {first}",
        "Discovery call",
        "Follow-up call",
        "Call: qualification",
        ("Cold call"),
        "Call back {first}",
    ),
    "deal": (
        "Follow-up call",
        "Call re: proposal",
        "Pricing call",
        "Call with {first} about next steps",
        "Check-in call",
        "Call: decision timeline",
    ),
    "customer": (
        "Check-in call",
        "Customer health call",
        "Call with {first}",
        "Support follow-up call",
        "Renewal call",
        "Usage review call",
    ),
}
MEETING_SUBJECTS = {
    "lead": (
        "Discovery meeting",
        "Intro meeting with {account}",
        "Product overview",
        "Demo: {product}",
        "Needs analysis",
    ),
    "deal": (
        "Demo: {product}",
        "Technical deep dive",
        "Pricing discussion",
        "Executive alignment",
        "Proposal review with {account}",
        "Security review session",
        "Contract walkthrough",
    ),
    "customer": (
        "Quarterly business review",
        "Onboarding kickoff",
        "Admin training",
        "Renewal review",
        "Roadmap session",
        "QBR with {account}",
        "Success plan review",
    ),
}
TASK_SUBJECTS = {
    "lead": (
        "Follow up with {first}",
        "Send case study to {first}",
        "Research {account}",
        ("Connect on LinkedIn"),
        "Schedule demo",
        "Add {first} to nurture sequence",
    ),
    "deal": (
        "Send proposal to {account}",
        "Update close date",
        "Send security documents",
        ("Prepare pricing options"),
        "Get legal approval",
        "Send contract for signature",
        "Follow up on redlines",
    ),
    "customer": (
        "Prepare QBR deck",
        "Confirm renewal terms",
        "Send onboarding checklist",
        ("Check usage report"),
        "Follow up on support ticket",
        "Plan expansion pitch",
    ),
}


@dataclass
class DemoData:
    """Every generated table, in load order (parents before children)."""

    tables: list[Table]
    today: date
    seed: int
    size: str

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def generate_demo_data(
    *, size: DemoSize, seed: int, today: date, on_step: Callable[[str], None] | None = None
) -> DemoData:
    """Simulate the demo CRM for `size` and return its rows; deterministic for (`size`, `seed`, `today`)."""
    generator = _Generator(size=size, seed=seed, today=today, on_step=on_step or (lambda _label: None))
    return generator.run()


GENERATION_STEPS = (
    "users",
    "accounts",
    "contacts",
    "deals",
    "emails",
    "activities",
    "notes",
    "texts",
    "tables",
)


def _growth(rng: np.random.Generator, n: int, slope: float = 1.2) -> F64:
    """Points in [0, 1) with density rising linearly (1 + slope·x): the business grows over time."""
    u = rng.random(n)
    return (-1.0 + np.sqrt(1.0 + 2.0 * slope * u * (1.0 + slope / 2.0))) / slope


def _ascii_slug(text: str) -> str:
    normalized = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(ch for ch in normalized if ch.isalnum())


def _months(seconds: I64) -> list[int]:
    """Calendar month (1..12, UTC) of instants."""
    result: list[int] = (
        seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64) % 12 + 1
    ).tolist()
    return result


def _sigmoid(x: F64) -> F64:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _explode(counts: I64) -> I64:
    """Owner index of each item when item i appears counts[i] times."""
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _weighted_counts(rng: np.random.Generator, weights: F64, total: int) -> I64:
    """Poisson counts with expectations proportional to `weights`, summing to about `total`."""
    s = float(weights.sum())
    if total <= 0 or s <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    return rng.poisson(weights * (total / s)).astype(np.int64)


def _choice_by_weights(rng: np.random.Generator, table: dict[str | None, float], n: int) -> list[str | None]:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=np.float64)
    idx = rng.choice(len(keys), size=n, p=p / p.sum())
    return [keys[i] for i in idx.tolist()]


class _Generator:
    def __init__(self, *, size: DemoSize, seed: int, today: date, on_step: Callable[[str], None]) -> None:
        self.size = size
        self.seed = seed
        self.today = today
        self.on_step = on_step
        self.now = midnight_utc(today)
        self.start = self.now - HISTORY_DAYS * DAY
        zone_names = sorted(
            {c.timezone for c in ref.CITIES}
            | {tz for tzs in ref.REGION_TIMEZONES.values() for tz in tzs}
            | {team[2] for team in ref.TEAMS}
        )
        self.zones = TimeZones(zone_names, today - timedelta(days=HISTORY_DAYS + 120), HISTORY_DAYS + 600)
        self.city_tz = self.zones.ids([c.timezone for c in ref.CITIES])
        self.city_country = np.array(
            [list(ref.COUNTRY_WEIGHTS).index(c.country) for c in ref.CITIES], dtype=np.int64
        )
        self.countries = tuple(ref.COUNTRY_WEIGHTS)
        self.country_region = np.array([REGIONS.index(ref.COUNTRY_REGION[c]) for c in self.countries])

    def rng(self, stage: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, stage])

    def pyrng(self, stage: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + stage)

    # ------------------------------------------------------------------ orchestration
    def run(self) -> DemoData:
        self.on_step("users")
        self._teams_and_users()
        self.on_step("accounts")
        self._accounts()
        self.on_step("contacts")
        self._contacts()
        self.on_step("deals")
        self._deals()
        self._lifecycle()
        self.on_step("emails")
        self._emails()
        self.on_step("activities")
        self._activities()
        self._last_contacted()
        self.on_step("notes")
        self._notes()
        self.on_step("texts")
        self._texts()
        self.on_step("tables")
        return DemoData(tables=self._tables(), today=self.today, seed=self.seed, size=self.size.name)

    # ------------------------------------------------------------------ teams and users
    def _teams_and_users(self) -> None:
        rng = self.rng(1)
        py = self.pyrng(1)
        teams = ref.TEAMS[: self.size.teams]
        self.team_names = [t[0] for t in teams]
        self.team_regions = [t[1] for t in teams]
        n_teams = len(teams)
        n_reps = self.size.users - 1 - n_teams
        if n_reps < n_teams:
            raise ValueError(f"size {self.size.name}: {self.size.users} users cannot staff {n_teams} teams")
        region_share = {"North America": 0.60, "EMEA": 0.21, "APAC": 0.14, "LATAM": 0.05}
        per_team = np.array([region_share[r] / self.team_regions.count(r) for r in self.team_regions])
        extra = n_reps - n_teams
        raw = per_team / per_team.sum() * extra
        reps_per_team = np.floor(raw).astype(np.int64)
        remainder = extra - int(reps_per_team.sum())
        for i in np.argsort(-(raw - reps_per_team), kind="stable")[:remainder]:
            reps_per_team[i] += 1
        reps_per_team += 1

        names: list[str] = []
        emails: list[str] = []
        roles: list[str] = []
        team_of: list[int] = []
        tzs: list[str] = []
        active: list[bool] = []
        used_emails = {e for _, e, _ in FIXED_USERS}
        used_names = {n for n, _, _ in FIXED_USERS}

        def add(name: str, email: str, role: str, team: int, tz: str, is_active: bool = True) -> None:
            names.append(name)
            emails.append(email)
            roles.append(role)
            team_of.append(team)
            tzs.append(tz)
            active.append(is_active)

        def new_person(region: str) -> tuple[str, str]:
            firsts, lasts = ref.NAME_POOLS[ref.REGION_NAME_POOL[region]]
            while True:
                first, last = py.choice(firsts), py.choice(lasts)
                full = f"{first} {last}"
                email = f"{_ascii_slug(first)}.{_ascii_slug(last)}@demo.crm"
                if full not in used_names and email not in used_emails:
                    used_names.add(full)
                    used_emails.add(email)
                    return full, email

        def member_tz(team: int) -> str:
            if py.random() < 0.7:
                return teams[team][2]
            return py.choice(ref.REGION_TIMEZONES[teams[team][1]])

        add(*FIXED_USERS[0], team=-1, tz="America/New_York")
        add(*FIXED_USERS[1], team=0, tz="America/New_York")
        add(*FIXED_USERS[2], team=0, tz="America/Chicago")
        for team in range(n_teams):
            if team > 0:
                full, email = new_person(teams[team][1])
                add(full, email, "manager", team, teams[team][2])
            for _ in range(int(reps_per_team[team]) - (1 if team == 0 else 0)):
                full, email = new_person(teams[team][1])
                add(full, email, "rep", team, member_tz(team))
        n_users = len(names)
        # A few reps have left the company; their old records stay theirs.
        candidates = [i for i in range(3, n_users) if roles[i] == "rep"]
        n_inactive = max(1, round(0.07 * len(candidates)))
        for i in sorted(py.sample(candidates, n_inactive)):
            active[i] = False

        self.user_names = names
        self.user_emails = emails
        self.user_roles = roles
        self.user_team = np.array(team_of, dtype=np.int64)
        self.user_tz_names = tzs
        self.user_tz = self.zones.ids(tzs)
        self.user_active = np.array(active)
        created = self.now - rng.integers(45 * DAY, (HISTORY_DAYS + 30) * DAY, size=n_users)
        created[~self.user_active] = self.now - rng.integers(
            420 * DAY, (HISTORY_DAYS + 30) * DAY, size=int((~self.user_active).sum())
        )
        created[:3] = self.now - (HISTORY_DAYS + 30) * DAY
        self.user_created = business_time(rng, self.zones, self.user_tz, created)
        self.user_region = np.array([REGIONS.index(self.team_regions[t]) if t >= 0 else -1 for t in team_of])

        # Who may own records of each region: reps (inactive ones less), managers a little.
        self.region_owners: list[tuple[I64, F64]] = []
        for region in range(len(REGIONS)):
            members = np.flatnonzero(self.user_region == region)
            weights = np.array(
                [
                    (1.0 if self.user_active[u] else 0.35) if roles[u] == "rep" else 0.3
                    for u in members.tolist()
                ]
            )
            self.region_owners.append((members, weights / weights.sum()))
        self.team_members = [np.flatnonzero((self.user_team == t) & self.user_active) for t in range(n_teams)]

    def _owners_in_regions(self, rng: np.random.Generator, regions: I64) -> I64:
        owners = np.empty(len(regions), dtype=np.int64)
        for region, (members, p) in enumerate(self.region_owners):
            mask = regions == region
            count = int(mask.sum())
            if count:
                owners[mask] = rng.choice(members, size=count, p=p)
        return owners

    def _teammates(self, rng: np.random.Generator, owners: I64, share: float) -> I64:
        """Hand `share` of the items to an active teammate of their owner."""
        result = owners.copy()
        swap = rng.random(len(owners)) < share
        teams = self.user_team[owners]
        for team, members in enumerate(self.team_members):
            mask = swap & (teams == team)
            count = int(mask.sum())
            if count and len(members):
                result[mask] = rng.choice(members, size=count)
        return result

    def _cities(self, rng: np.random.Generator, n: int, country: I64 | None = None) -> I64:
        """Cities drawn by weight, globally or within given countries."""
        weights = np.array([c.weight for c in ref.CITIES], dtype=np.float64)
        if country is None:
            country_w = np.array([ref.COUNTRY_WEIGHTS[self.countries[c]] for c in self.city_country.tolist()])
            within = weights / np.array(
                [weights[self.city_country == c].sum() for c in self.city_country.tolist()]
            )
            p = country_w * within
            return rng.choice(len(ref.CITIES), size=n, p=p / p.sum())
        result = np.empty(n, dtype=np.int64)
        for c in range(len(self.countries)):
            mask = country == c
            count = int(mask.sum())
            if count:
                candidates = np.flatnonzero(self.city_country == c)
                p = weights[candidates] / weights[candidates].sum()
                result[mask] = rng.choice(candidates, size=count, p=p)
        return result

    # ------------------------------------------------------------------ accounts
    def _accounts(self) -> None:
        rng = self.rng(2)
        py = self.pyrng(2)
        n = self.size.accounts
        city = self._cities(rng, n)
        # Every country and industry appears, whatever the size.
        for c in range(len(self.countries)):
            city[c] = int(np.flatnonzero(self.city_country == c)[0])
        industry = rng.choice(
            len(INDUSTRIES), size=n, p=np.array([ref.INDUSTRY_WEIGHTS[i] for i in INDUSTRIES])
        )
        industry[: len(INDUSTRIES)] = np.arange(len(INDUSTRIES))
        employees = np.clip(np.round(rng.lognormal(np.log(160), 1.45, size=n)), 3, 150_000).astype(np.int64)
        employees = np.where(employees > 1000, employees // 10 * 10, employees)
        rpe = np.array([ref.INDUSTRY_REVENUE_PER_EMPLOYEE[INDUSTRIES[i]] for i in industry.tolist()])
        revenue_dollars = np.round(employees * rpe * rng.lognormal(0.0, 0.35, size=n) / 1000.0) * 1000.0
        created = self.start + (_growth(rng, n) * (HISTORY_DAYS - 7) * DAY).astype(np.int64)
        created = business_time(rng, self.zones, self.city_tz[city], created)

        order = np.argsort(created, kind="stable")
        city, industry, employees, revenue_dollars, created = (
            city[order],
            industry[order],
            employees[order],
            revenue_dollars[order],
            created[order],
        )
        country = self.city_country[city]

        # Subsidiaries: some accounts belong to a bigger, older account.
        parent = np.full(n, -1, dtype=np.int64)
        big = employees >= 500
        first_big: I64 = np.cumsum(big) - big  # number of big accounts before i
        big_ids = np.flatnonzero(big)
        is_child = (rng.random(n) < 0.06) & (first_big > 0) & (np.arange(n) >= 10)
        for i in np.flatnonzero(is_child).tolist():
            parent[i] = int(big_ids[int(rng.integers(0, first_big[i]))])
            industry[i] = industry[parent[i]]
            employees[i] = max(5, min(int(employees[i]), int(employees[parent[i]]) // 3))

        names: list[str] = []
        bases: list[str] = []
        domains: list[str] = []
        used: set[str] = set()
        for i in range(n):
            code = self.countries[int(country[i])]
            if parent[i] >= 0:
                p = int(parent[i])
                same_country = country[p] == country[i]
                label = (
                    py.choice(ref.SAME_COUNTRY_SUBSIDIARY_LABELS)
                    if same_country
                    else ref.COUNTRY_SUBSIDIARY_LABEL[code]
                )
                base = f"{bases[p]} {label}"
                if base.lower() in used:
                    base = f"{bases[p]} {ref.CITIES[int(city[i])].name}"
                k = 2
                while base.lower() in used:
                    base = f"{bases[p]} {label} {k}"
                    k += 1
                slug = _ascii_slug(bases[p])
                domain = (
                    f"{slug}{ref.COUNTRY_TLD[code]}"
                    if not same_country
                    else f"{_ascii_slug(base)}{ref.COUNTRY_TLD[code]}"
                )
            else:
                base = self._company_name(
                    py, INDUSTRIES[int(industry[i])], code, used, ref.CITIES[int(city[i])].name
                )
                domain = f"{_ascii_slug(base)}{ref.COUNTRY_TLD[code]}"
            used.add(base.lower())
            bases.append(base)
            domains.append(domain)
            suffix = ref.COUNTRY_LEGAL_SUFFIXES[code]
            names.append(
                f"{base} {py.choice(suffix)}" if py.random() < 0.18 and not base.endswith("Co.") else base
            )

        owner = self._owners_in_regions(rng, self.country_region[country])
        tier_draw = rng.random(n)
        tier = np.where(revenue_dollars >= 100e6, 0, np.where(revenue_dollars >= 10e6, 1, 2))
        self.acc_custom = [
            json.dumps({"tier": ("Gold", "Silver", "Bronze")[t]}) if d < 0.85 else "{}"
            for t, d in zip(tier.tolist(), tier_draw.tolist(), strict=True)
        ]
        missing_revenue = rng.random(n) < 0.04
        missing_revenue[: len(self.countries)] = False
        missing_employees = rng.random(n) < 0.02
        missing_employees[: len(self.countries)] = False

        self.acc_n = n
        self.acc_name = names
        self.acc_base = bases
        self.acc_domain = domains
        self.acc_city = city
        self.acc_country = country
        self.acc_industry = industry
        self.acc_employees = employees
        self.acc_employees_shown = np.where(missing_employees, -1, employees)
        self.acc_revenue_cents = np.where(missing_revenue, -1, (revenue_dollars * 100).astype(np.int64))
        self.acc_created = created
        self.acc_owner = owner
        self.acc_parent = parent

    def _company_name(self, py: random.Random, industry: str, country: str, used: set[str], city: str) -> str:
        nouns = ref.INDUSTRY_NOUNS[industry]
        lasts = ref.NAME_POOLS[country][1]
        base = ""
        for attempt in range(12):
            form = py.random()
            if form < 0.42:
                head = py.choice(ref.NAME_HEADS) + py.choice(ref.NAME_TAILS)
            elif form < 0.8:
                head = py.choice(ref.NAME_WORDS)
            elif industry == "Professional Services" and form < 0.9:
                head = f"{py.choice(lasts)} & {py.choice(lasts)}"
            else:
                head = py.choice(lasts)
            noun = py.choice(nouns)
            base = f"{head} & Co." if noun == "& Co." else f"{head} {noun}"
            if attempt >= 8:
                base = f"{head} {py.choice(ref.NAME_WORDS)} {noun}".replace(" & Co.", " & Co.")
            if base.lower() not in used:
                return base
        candidate, k = f"{base} {city}", 2
        while candidate.lower() in used:
            candidate, k = f"{base} {city} {k}", k + 1
        return candidate

    # ------------------------------------------------------------------ contacts
    def _contacts(self) -> None:
        rng = self.rng(3)
        py = self.pyrng(3)
        n = self.size.contacts
        n_acc = self.acc_n
        n_without = round(0.08 * n)
        n_with = n - n_without
        # Each account starts with one contact; later contacts join accounts that existed at the time
        # (bigger companies more often), so contact creation grows steadily over the history.
        account = np.full(n, -1, dtype=np.int64)
        account[:n_acc] = np.arange(n_acc)
        created = self.start + (_growth(rng, n) * (HISTORY_DAYS - 1) * DAY).astype(np.int64)
        created[:n_acc] = self.acc_created + rng.integers(0, 3 * DAY, size=n_acc)
        later = slice(n_acc, n_with)
        created[later] = np.maximum(created[later], self.acc_created[0] + DAY)
        eligible = np.searchsorted(self.acc_created, created[later], side="right")
        cumulative = np.cumsum(np.sqrt(self.acc_employees.astype(np.float64)))
        draw = rng.random(n_with - n_acc) * cumulative[np.maximum(eligible, 1) - 1]
        account[later] = np.minimum(
            np.searchsorted(cumulative, draw, side="right"), np.maximum(eligible, 1) - 1
        )
        has_account = account >= 0
        acc_created = self.acc_created[np.maximum(account, 0)]

        # Location: mostly the company's city, sometimes elsewhere in its country, a few remote.
        city = self._cities(rng, n)
        acc_city = self.acc_city[np.maximum(account, 0)]
        where = rng.random(n)
        same_country_city = self._cities(rng, n, self.acc_country[np.maximum(account, 0)])
        city = np.where(
            has_account & (where < 0.72),
            acc_city,
            np.where(has_account & (where < 0.94), same_country_city, city),
        )
        tz = self.city_tz[city]
        created = business_time(rng, self.zones, tz, created)
        created = np.minimum(
            np.maximum(created, np.where(has_account, acc_created, 0) + MINUTE), self.now - HOUR
        )

        order = np.argsort(created, kind="stable")
        account, created, city, tz, has_account = (
            account[order],
            created[order],
            city[order],
            tz[order],
            has_account[order],
        )
        country = self.city_country[city]

        employees = np.where(has_account, self.acc_employees[np.maximum(account, 0)], 0)
        small_company = has_account & (employees < 50)
        seniority = rng.choice(5, size=n, p=np.array(ref.SENIORITY_WEIGHTS))
        seniority_small = rng.choice(5, size=n, p=np.array([0.15, 0.10, 0.14, 0.25, 0.36]))
        seniority = np.where(small_company, seniority_small, seniority)
        seniority[:5] = np.arange(5)
        source_w = np.array([LEAD_SOURCE_WEIGHTS[s] for s in LEAD_SOURCES])
        source = rng.choice(len(LEAD_SOURCES), size=n, p=source_w / source_w.sum())
        source[5 : 5 + len(LEAD_SOURCES)] = np.arange(len(LEAD_SOURCES))
        industry = np.where(has_account, self.acc_industry[np.maximum(account, 0)], -1)

        # Hidden intent `z` (static traits + noise) and the propensity to convert it implies.
        band = np.searchsorted(SIZE_BANDS, employees, side="right")
        z = (
            np.array([SOURCE_EFFECT[s] for s in LEAD_SOURCES])[source]
            + np.array(SENIORITY_EFFECT)[seniority]
            + np.where(has_account, SIZE_EFFECT[band], -0.4)
            + np.where(
                has_account, np.array([INDUSTRY_EFFECT[i] for i in INDUSTRIES])[np.maximum(industry, 0)], 0.0
            )
            + rng.normal(0.0, 0.9, size=n)
        )
        propensity = np.round(_sigmoid(PROPENSITY_SHARPNESS * (z - PROPENSITY_THRESHOLD)), 6)

        # Preferred local weekday and hour to read email.
        shift = np.where(
            industry >= 0, np.array([INDUSTRY_HOUR_SHIFT[i] for i in INDUSTRIES])[np.maximum(industry, 0)], 2
        )
        hour = np.clip(
            SENIORITY_HOUR[seniority] + shift + np.round(rng.normal(0, 1.4, size=n)).astype(np.int64), 5, 22
        )
        weekday_p = SENIORITY_WEEKDAYS[seniority].copy()
        retail = industry == INDUSTRIES.index("Retail")
        weekday_p[retail, 5:] *= 3.0
        weekday_p /= weekday_p.sum(axis=1, keepdims=True)
        weekday = (rng.random(n)[:, None] > np.cumsum(weekday_p, axis=1)).sum(axis=1).astype(np.int64)
        weekday = np.minimum(weekday, 6)

        owner_from_account = self.acc_owner[np.maximum(account, 0)]
        owner_region = self._owners_in_regions(rng, self.country_region[country])
        owner = np.where(has_account & (rng.random(n) < 0.9), owner_from_account, owner_region)

        do_not_email = rng.random(n) < 0.03
        has_phone = rng.random(n) < np.where(has_account, 0.9, 0.55)
        has_title = has_account | (rng.random(n) < 0.6)

        first_names: list[str] = []
        last_names: list[str] = []
        emails: list[str] = []
        phones: list[str | None] = []
        titles: list[str | None] = []
        used_emails: set[str] = set()
        custom: list[str] = []
        lang_draw = rng.random(n)
        custom_draw = rng.random(n)
        for i in range(n):
            code = self.countries[int(country[i])]
            firsts, lasts = ref.NAME_POOLS[code]
            first_name, last_name = py.choice(firsts), py.choice(lasts)
            first_names.append(first_name)
            last_names.append(last_name)
            f, l_ = _ascii_slug(first_name), _ascii_slug(last_name)
            if has_account[i]:
                domain = self.acc_domain[int(account[i])]
                style = py.random()
                local = (
                    f"{f}.{l_}"
                    if style < 0.6
                    else f"{f[0]}{l_}"
                    if style < 0.8
                    else f
                    if style < 0.9
                    else f"{f}_{l_}"
                )
            else:
                domain = py.choice(ref.PERSONAL_EMAIL_DOMAINS)
                local = f"{f}.{l_}{py.randint(1, 99)}" if py.random() < 0.5 else f"{f}{l_}"
            email = f"{local}@{domain}"
            k = 2
            while email in used_emails:
                email = f"{local}{k}@{domain}"
                k += 1
            used_emails.add(email)
            emails.append(email)
            phones.append(_phone(py, ref.CITIES[int(city[i])]) if has_phone[i] else None)
            titles.append(py.choice(ref.JOB_TITLES[int(seniority[i])]) if has_title[i] else None)
            fields: dict[str, object] = {}
            if custom_draw[i] < 0.6:
                options = ref.COUNTRY_LANGUAGES[code]
                acc = 0.0
                language = options[-1][0]
                for name, share in options:
                    acc += share
                    if lang_draw[i] < acc:
                        language = name
                        break
                fields["preferred_language"] = language
            if custom_draw[i] > 0.55:
                fields["newsletter_opt_in"] = bool(lang_draw[i] < 0.5 + 0.3 * propensity[i])
            custom.append(json.dumps(fields))

        self.c_n = n
        self.c_account = account
        self.c_has_account = has_account
        self.c_created = created
        self.c_city = city
        self.c_country = country
        self.c_tz = tz
        self.c_seniority = seniority
        self.c_source = source
        self.c_industry = industry
        self.c_p = propensity
        self.c_z = z
        self.c_pref_hour = hour
        self.c_pref_weekday = weekday
        self.c_owner = owner
        self.c_dne = do_not_email
        self.c_first = first_names
        self.c_last = last_names
        self.c_email = emails
        self.c_phone = phones
        self.c_title = titles
        self.c_custom = custom

    # ------------------------------------------------------------------ deals
    def _deals(self) -> None:
        rng = self.rng(4)
        n = self.c_n
        p = self.c_p
        z = self.c_z
        # Eventual conversion and its delay after creation (shorter for keener leads); converted = by now.
        will_convert = self.c_has_account & (rng.random(n) < p)
        delay = np.clip(rng.lognormal(np.log(21.0) - 0.35 * (z - 1.0), 0.55, size=n), 3, 300) * DAY
        t1 = self.c_created + delay.astype(np.int64)
        t1 = business_time(rng, self.zones, self.user_tz[self.c_owner], t1)
        t1 = np.maximum(t1, self.c_created + HOUR)
        converted = will_convert & (t1 < self.now - HOUR)
        self.c_t1 = np.where(converted, t1, NAT)
        self.c_converted = converted

        cv = np.flatnonzero(converted)
        k = len(cv)
        emp = self.acc_employees[self.c_account[cv]].astype(np.float64)
        amount = np.clip(6000 * (emp / 50.0) ** 0.45 * rng.lognormal(0, 0.45, size=k), 2000, 1_500_000)
        amount_cents = (np.round(amount / 100) * 100 * 100).astype(np.int64)
        duration = np.clip(rng.lognormal(np.log(42.0), 0.55, size=k) * (emp / 200.0) ** 0.08, 7, 240) * DAY
        owner = self.c_owner[cv]
        t2 = business_time(rng, self.zones, self.user_tz[owner], t1[cv] + duration.astype(np.int64))
        t2 = np.maximum(t2, t1[cv] + DAY)
        win_p = _sigmoid(1.3 * (z[cv] - 1.0))
        won = rng.random(k) < win_p
        closed = t2 < self.now
        status = np.where(closed, np.where(won, WON, LOST), OPEN)

        deals = _DealBuilder()
        deals.add(
            kind=NEW,
            contact=cv,
            account=self.c_account[cv],
            owner=owner,
            pipeline=np.zeros(k, np.int64),
            created=t1[cv],
            end=t2,
            status=status,
            amount=amount_cents,
        )

        # Renewals a year after each won deal, possibly twice; some churn.
        won_idx = np.flatnonzero(status == WON)
        base_contact = cv[won_idx]
        base_end = t2[won_idx]
        base_amount = amount_cents[won_idx]
        churn_at = np.full(n, NAT, dtype=np.int64)
        first_won = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_won, base_contact, base_end)
        self.c_won_at = np.where(first_won == np.iinfo(np.int64).max, NAT, first_won)
        for _round in range(2):
            due = base_end + 365 * DAY
            start = due - rng.integers(75, 105, size=len(due)) * DAY
            has_renewal = start < self.now - DAY
            contact = base_contact[has_renewal]
            due, start = due[has_renewal], start[has_renewal]
            m = len(contact)
            if m == 0:
                break
            owner = self.c_owner[contact]
            start = business_time(rng, self.zones, self.user_tz[owner], start)
            renew_p = _sigmoid(1.5 + 0.8 * (z[contact] - 1.0))
            renewed = rng.random(m) < renew_p
            end = np.where(
                renewed, due - rng.integers(0, 25, size=m) * DAY, due + rng.integers(-5, 20, size=m) * DAY
            )
            end = business_time(rng, self.zones, self.user_tz[owner], np.maximum(end, start + DAY))
            closed = end < self.now
            status = np.where(closed, np.where(renewed, WON, LOST), OPEN)
            amount = (base_amount[has_renewal] * rng.uniform(0.95, 1.25, size=m) / 10000).astype(
                np.int64
            ) * 10000
            deals.add(
                kind=RENEWAL,
                contact=contact,
                account=self.c_account[contact],
                owner=owner,
                pipeline=np.ones(m, np.int64),
                created=start,
                end=end,
                status=status,
                amount=amount,
                due=due,
            )
            churned = status == LOST
            churn_at[contact[churned]] = end[churned]
            keep = status == WON
            base_contact, base_end, base_amount = contact[keep], end[keep], amount[keep]
        self.c_churned_at = churn_at

        # Expansions of customers fill the deal target.
        remaining = self.size.deals - deals.count
        customers = np.flatnonzero(self.c_won_at != NAT)
        if remaining > 0 and len(customers):
            won_at = self.c_won_at[customers]
            until = np.where(churn_at[customers] != NAT, churn_at[customers], self.now) - 10 * DAY
            tenure = np.maximum(until - (won_at + 20 * DAY), 0).astype(np.float64)
            if tenure.sum() > 0:
                counts = rng.multinomial(remaining, tenure / tenure.sum()).astype(np.int64)
                which = _explode(counts)
                contact = customers[which]
                lo, hi = won_at[which] + 20 * DAY, until[which]
                m = len(contact)
                created = lo + (rng.random(m) * (hi - lo)).astype(np.int64)
                owner = self._teammates(rng, self.c_owner[contact], 0.05)
                created = business_time(rng, self.zones, self.user_tz[owner], created)
                created = np.minimum(created, self.now - HOUR)
                duration = np.clip(rng.lognormal(np.log(30.0), 0.5, size=m), 5, 150) * DAY
                end = business_time(rng, self.zones, self.user_tz[owner], created + duration.astype(np.int64))
                end = np.maximum(end, created + DAY)
                won = rng.random(m) < _sigmoid(0.2 + 0.8 * (z[contact] - 1.0))
                status = np.where(end < self.now, np.where(won, WON, LOST), OPEN)
                emp = self.acc_employees[self.c_account[contact]].astype(np.float64)
                amount = np.clip(3000 * (emp / 50.0) ** 0.4 * rng.lognormal(0, 0.5, size=m), 3000, 600_000)
                amount_cents = (np.round(amount / 100) * 100 * 100).astype(np.int64)
                no_contact = rng.random(m) < 0.05
                deals.add(
                    kind=EXPANSION,
                    contact=np.where(no_contact, -1, contact),
                    account=self.c_account[contact],
                    owner=owner,
                    pipeline=np.zeros(m, np.int64),
                    created=created,
                    end=end,
                    status=status,
                    amount=amount_cents,
                    source_contact=contact,
                )
        self._finish_deals(rng, deals)

    def _finish_deals(self, rng: np.random.Generator, deals: _DealBuilder) -> None:
        d = deals.build()
        order = np.argsort(d["created"], kind="stable")
        for key in d:
            d[key] = d[key][order]
        m = len(order)
        kind, status, pipeline, created, end = d["kind"], d["status"], d["pipeline"], d["created"], d["end"]
        closed_at = np.where(status == OPEN, NAT, end)
        stage = np.zeros(m, dtype=np.int64)
        stage[(status == WON) & (pipeline == 0)] = WON_STAGE[0]
        stage[(status == LOST) & (pipeline == 0)] = LOST_STAGE[0]
        stage[(status == WON) & (pipeline == 1)] = WON_STAGE[1]
        stage[(status == LOST) & (pipeline == 1)] = LOST_STAGE[1]
        open_sales = (status == OPEN) & (pipeline == 0)
        progress = (self.now - created) / np.maximum(end - created, 1)
        stage[open_sales] = 1 + np.minimum((progress[open_sales] * 5).astype(np.int64), 4)
        open_renewal = (status == OPEN) & (pipeline == 1)
        stage[open_renewal] = np.where(d["due"][open_renewal] - self.now > 30 * DAY, 8, 9)

        # Expected close date of open deals; some have slipped into the past (overdue).
        close_date = end.copy()
        overdue = (status == OPEN) & (rng.random(m) < 0.12)
        slipped = self.now - rng.integers(1, 45, size=m) * DAY
        close_date = np.where(overdue, np.maximum(slipped, created + DAY), close_date)
        close_date = np.where(open_renewal & ~overdue, d["due"], close_date)

        p = self.c_p[d["source_contact"]]
        reason_w = np.tile(LOST_REASON_WEIGHTS, (m, 1))
        reason_w[:, 4] *= 1.0 + 2.0 * (1.0 - p)  # indecisive prospects stall
        reason_w[:, 2] *= 1.0 + (1.0 - p)
        reason_w[pipeline == 1] = CHURN_REASON_WEIGHTS
        reason_w /= reason_w.sum(axis=1, keepdims=True)
        reason = (rng.random(m)[:, None] > np.cumsum(reason_w, axis=1)).sum(axis=1).astype(np.int64)
        reason = np.where(status == LOST, np.minimum(reason, len(LOST_REASONS) - 1), -1)

        competitor = rng.integers(0, len(ref.COMPETITORS), size=m)
        has_competitor = (reason == LOST_REASONS.index("competitor")) | (
            (kind != RENEWAL) & (rng.random(m) < 0.2)
        )
        competitor = np.where(has_competitor, competitor, -1)
        price_per_seat = rng.choice(np.array([400, 600, 750, 900, 1200]), size=m)
        seats = np.maximum(np.where(kind == EXPANSION, 5, 1), d["amount"] // 100 // price_per_seat)
        has_seats = rng.random(m) < 0.6

        py = self.pyrng(4)
        close_year = (
            close_date.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
        ).tolist()
        names: list[str] = []
        custom: list[str] = []
        for i in range(m):
            account = self.acc_name[int(d["account"][i])]
            k = int(kind[i])
            if k == NEW:
                product = py.choice(ref.DEAL_PRODUCTS)
                names.append(
                    f"{account} - {product}"
                    if py.random() < 0.6
                    else f"{account} - {product} ({int(seats[i])} seats)"
                )
            elif k == RENEWAL:
                names.append(f"{account} - Renewal {close_year[i]}")
            else:
                style = py.random()
                names.append(
                    f"{account} - Expansion: {int(seats[i])} more seats"
                    if style < 0.4
                    else f"{account} - {py.choice(ref.ADDON_PRODUCTS).removeprefix('the ')} upsell"
                    if style < 0.75
                    else f"{account} - {py.choice(ROLLOUT_TEAMS)} rollout"
                )
            fields: dict[str, object] = {}
            if competitor[i] >= 0:
                fields["competitor"] = ref.COMPETITORS[int(competitor[i])]
            if has_seats[i]:
                fields["seats"] = int(seats[i])
            custom.append(json.dumps(fields))

        self.d_n = m
        self.d_kind = kind
        self.d_contact = d["contact"]
        self.d_source_contact = d["source_contact"]
        self.d_account = d["account"]
        self.d_owner = d["owner"]
        self.d_pipeline = pipeline
        self.d_stage = stage
        self.d_status = status
        self.d_amount = d["amount"]
        self.d_created = created
        self.d_closed_at = closed_at
        self.d_close_date = close_date
        self.d_reason = reason
        self.d_competitor = competitor
        self.d_name = names
        self.d_custom = custom
        # Window in which a record of the contact belongs to the deal.
        self.d_window_end = np.where(closed_at == NAT, self.now + 60 * DAY, closed_at + 3 * DAY)

        # Per contact: deals sorted by start, for linking records to the deal they are about.
        link_contact = d["source_contact"]
        link_key = link_contact * (1 << 33) + (created - self.start + 400 * DAY)
        self._deal_key_order = np.argsort(link_key, kind="stable")
        self._deal_keys = link_key[self._deal_key_order]

    def _link_deals(self, contact: I64, t: I64) -> I64:
        """Index of the deal of `contact` that is in progress at `t` (latest started), or -1."""
        if self.d_n == 0:
            return np.full(len(contact), -1, dtype=np.int64)
        key = contact * (1 << 33) + (t - self.start + 400 * DAY + DAY)
        pos = np.searchsorted(self._deal_keys, key, side="right") - 1
        candidate = self._deal_key_order[np.maximum(pos, 0)]
        ok = (pos >= 0) & (self.d_source_contact[candidate] == contact) & (t <= self.d_window_end[candidate])
        return np.where(ok, candidate, -1)

    def _lifecycle(self) -> None:
        rng = self.rng(5)
        n = self.c_n
        # Not (yet) converted: leads ripen with intent and age.
        age_days = (self.now - self.c_created) / DAY
        score = self.c_z + rng.normal(0, 0.6, size=n) + 0.4 * np.minimum(age_days / 180.0, 1.0)
        open_leads = score[~self.c_converted]
        q = np.quantile(open_leads, [0.12, 0.58, 0.84]) if len(open_leads) else np.zeros(3)
        ladder = np.searchsorted(q, score)  # 0 subscriber, 1 lead, 2 MQL, 3 SQL
        stage_names = np.array(
            [
                LIFECYCLE_STAGES.index(s)
                for s in ("subscriber", "lead", "marketing_qualified", "sales_qualified")
            ]
        )
        stage = stage_names[ladder]
        no_account = ~self.c_has_account
        stage[no_account] = stage_names[
            np.minimum(ladder[no_account], 2) * (rng.random(int(no_account.sum())) < 0.55)
        ]

        new_deal = self.d_kind == NEW
        status_of_new = np.full(n, -1, dtype=np.int64)
        status_of_new[self.d_source_contact[new_deal]] = self.d_status[new_deal]
        stage[status_of_new == OPEN] = LIFECYCLE_STAGES.index("opportunity")
        # Lifecycle stages only move forward, except that reps recycle some lost opportunities.
        lost = status_of_new == LOST
        recycled = rng.choice(
            np.array([LIFECYCLE_STAGES.index(s) for s in ("opportunity", "sales_qualified", "lead")]),
            size=n,
            p=np.array([0.8, 0.12, 0.08]),
        )
        stage[lost] = recycled[lost]
        stage[self.c_won_at != NAT] = LIFECYCLE_STAGES.index("customer")
        stage[self.c_churned_at != NAT] = LIFECYCLE_STAGES.index("churned")
        self.c_stage = stage

    # ------------------------------------------------------------------ engagement windows
    def _windows(self) -> tuple[I64, I64, I64, I64, F64, F64]:
        """(pre start, pre end, post start, post end, age factor, months after conversion) per contact."""
        pre_start = self.c_created
        pre_end = np.where(self.c_converted, self.c_t1, np.minimum(self.now, self.c_created + 300 * DAY))
        post_start = np.where(self.c_converted, self.c_t1, self.now)
        post_end = np.where(self.c_churned_at != NAT, self.c_churned_at + 20 * DAY, self.now)
        post_end = np.minimum(np.maximum(post_end, post_start), self.now)
        age_factor = np.sqrt(np.clip((pre_end - pre_start) / (45 * DAY), 0.2, 1.0))
        months_post = np.where(self.c_converted, (post_end - post_start) / (30 * DAY), 0.0)
        return pre_start, pre_end, post_start, post_end, age_factor, months_post

    def _place(
        self, rng: np.random.Generator, contact: I64, post: B, tz: I64, *, skew_early: bool = False
    ) -> I64:
        """Instants inside each contact's pre- or post-conversion window, at business hours of `tz`."""
        pre_start, pre_end, post_start, post_end, _, _ = self._win
        lo = np.where(post, post_start[contact], pre_start[contact])
        hi = np.where(post, post_end[contact], pre_end[contact])
        u = rng.random(len(contact))
        if skew_early:
            u = np.where(post | self.c_converted[contact], u, u**1.6)
        t = lo + (u * (hi - lo)).astype(np.int64)
        t = business_time(rng, self.zones, tz, t)
        return np.clip(t, self.c_created[contact] + 5 * MINUTE, self.now - 5 * MINUTE)

    # ------------------------------------------------------------------ emails
    def _emails(self) -> None:
        rng = self.rng(6)
        n = self.c_n
        z = self.c_z
        self._win = self._windows()
        _, _, _, _, age_factor, months_post = self._win
        total_in = round(0.16 * self.size.emails)
        total_out = self.size.emails - total_in
        heterogeneity = rng.gamma(1.3, 1 / 1.3, size=n)
        dne = np.where(self.c_dne, 0.25, 1.0)
        pre_w = np.exp(0.5 * z) * age_factor * np.where(self.c_has_account, 1.0, 0.6) * dne * heterogeneity
        post_w = months_post**0.85 * np.exp(0.3 * z) * dne * heterogeneity
        pre_counts = _weighted_counts(rng, pre_w, round(0.8 * total_out))
        post_counts = _weighted_counts(rng, post_w, total_out - round(0.8 * total_out))
        contact = np.concatenate([_explode(pre_counts), _explode(post_counts)])
        post = np.concatenate([np.zeros(int(pre_counts.sum()), bool), np.ones(int(post_counts.sum()), bool)])
        owner = self._teammates(rng, self.c_owner[contact], 0.06)
        sent = self._place(rng, contact, post, self.user_tz[owner], skew_early=True)
        m = len(contact)

        # Opens near the contact's preferred local hour-of-week; clicks and replies follow.
        cz = z[contact]
        contact_noise = rng.normal(0, 0.3, size=n)[contact]
        opened = rng.random(m) < _sigmoid(-0.5 + 1.3 * cz + contact_noise)
        ctz = self.c_tz[contact]
        local_sent = self.zones.to_local(ctz, sent)
        week_start = (local_sent // DAY - (local_sent // DAY + 3) % 7) * DAY
        jitter = rng.choice(np.array([-2, -1, 0, 1, 2]), size=m, p=np.array([0.07, 0.18, 0.5, 0.18, 0.07]))
        target = (
            week_start
            + self.c_pref_weekday[contact] * DAY
            + (self.c_pref_hour[contact] + jitter) * HOUR
            + rng.integers(0, HOUR, size=m)
        )
        target = np.where(target < local_sent + 10 * MINUTE, target + 7 * DAY, target)
        preferred_open = self.zones.to_utc(ctz, target)
        other_open = sent + (rng.exponential(4.0, size=m) * HOUR).astype(np.int64) + 2 * MINUTE
        open_at = np.where(rng.random(m) < 0.75, preferred_open, other_open)
        opened &= open_at < self.now
        opened_at = np.where(opened, open_at, NAT)

        click_at = opened_at + rng.integers(10, 20 * MINUTE, size=m)
        clicked = opened & (rng.random(m) < _sigmoid(-1.5 + 1.0 * cz)) & (click_at < self.now)
        clicked_at = np.where(clicked, click_at, NAT)

        replies_target = 0.68 * total_in
        reply_base = np.where(opened, _sigmoid(-2.6 + 1.3 * cz), 0.0)
        scale = replies_target / max(float(reply_base.sum()), 1.0)
        reply_at = opened_at + (rng.exponential(2.0, size=m) * HOUR).astype(np.int64) + 3 * MINUTE
        replied = (
            opened
            & (rng.random(m) < np.clip(reply_base * scale, 0, 0.9))
            & (reply_at < self.now)
            & ~self.c_dne[contact]
        )
        replied_at = np.where(replied, reply_at, NAT)

        # Inbound: every reply, plus messages customers and prospects start themselves.
        reply_src = np.flatnonzero(replied)
        extra = max(0, total_in - len(reply_src))
        in_w = np.exp(0.8 * z) * (1.0 + months_post) * np.where(self.c_has_account, 1.0, 0.3)
        in_counts = _weighted_counts(rng, in_w, extra)
        in_contact = _explode(in_counts)
        k = len(in_contact)
        in_post = self.c_converted[in_contact] & (rng.random(k) < 0.7)
        in_sent = self._place(rng, in_contact, in_post, self.c_tz[in_contact])

        self.e_contact = np.concatenate([contact, contact[reply_src], in_contact])
        self.e_owner = np.concatenate([owner, owner[reply_src], self.c_owner[in_contact]])
        self.e_inbound = np.concatenate([np.zeros(m, bool), np.ones(len(reply_src) + k, bool)])
        self.e_sent = np.concatenate([sent, replied_at[reply_src], in_sent])
        none = np.full(len(reply_src) + k, NAT, dtype=np.int64)
        self.e_opened = np.concatenate([opened_at, none])
        self.e_clicked = np.concatenate([clicked_at, none])
        self.e_replied = np.concatenate([replied_at, none])
        # The outbound email a reply answers (index before sorting), -1 otherwise.
        self.e_reply_to = np.concatenate([np.full(m, -1, np.int64), reply_src, np.full(k, -1, np.int64)])

        order = np.argsort(self.e_sent, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        for name in ("e_contact", "e_owner", "e_inbound", "e_sent", "e_opened", "e_clicked", "e_replied"):
            setattr(self, name, getattr(self, name)[order])
        reply_to = self.e_reply_to[order]
        self.e_reply_to = np.where(reply_to >= 0, rank[np.maximum(reply_to, 0)], -1)
        self.e_deal = self._link_deals(self.e_contact, self.e_sent)

    # ------------------------------------------------------------------ activities
    def _activities(self) -> None:
        rng = self.rng(7)
        n = self.c_n
        z = self.c_z
        _, _, _, _, age_factor, months_post = self._win
        total = self.size.activities
        has_acc = self.c_has_account

        # Upcoming work for live relationships: open deals, fresh leads, customers.
        open_deal_contacts = np.zeros(n, bool)
        open_deal_contacts[self.d_source_contact[self.d_status == OPEN]] = True
        fresh = (self.now - self.c_created < 120 * DAY) & ~self.c_converted
        customer = (self.c_won_at != NAT) & (self.c_churned_at == NAT)
        live = open_deal_contacts | fresh | customer
        upcoming_w = live * np.exp(0.5 * z)
        n_upcoming = round(0.05 * total)
        up_counts = _weighted_counts(rng, upcoming_w, n_upcoming)
        up_contact = _explode(up_counts)
        u = len(up_contact)
        up_type = rng.choice(3, size=u, p=np.array([0.3, 0.25, 0.45]))
        up_owner = self._teammates(rng, self.c_owner[up_contact], 0.05)
        up_due = self.now + (rng.random(u) * 21 * DAY).astype(np.int64)
        up_due = business_time(rng, self.zones, self.user_tz[up_owner], up_due)
        up_due = np.maximum(up_due, self.now + 5 * MINUTE)

        rest = total - u
        plans = (
            # type, share of all, pre-conversion weight, post-conversion weight, share before conversion
            (
                0,
                0.44,
                np.exp(0.3 * z) * age_factor * np.where(has_acc, 1.0, 0.15),
                months_post**0.85 * 0.5,
                0.8,
            ),
            (
                1,
                0.18,
                np.exp(1.2 * z) * age_factor * np.where(has_acc, 1.0, 0.05),
                months_post**0.85 * np.exp(0.3 * z),
                0.65,
            ),
            (
                2,
                0.38,
                np.exp(0.3 * z) * age_factor * np.where(has_acc, 1.0, 0.3),
                months_post**0.85 * 0.8,
                0.7,
            ),
        )
        types, contacts, posts = [], [], []
        hetero = rng.gamma(2.0, 0.5, size=n)
        for activity_type, share, pre_w, post_w, pre_share in plans:
            target = rest * share
            pre_c = _weighted_counts(rng, pre_w * hetero, round(target * pre_share))
            post_c = _weighted_counts(rng, post_w * hetero, round(target * (1 - pre_share)))
            c = np.concatenate([_explode(pre_c), _explode(post_c)])
            contacts.append(c)
            posts.append(np.concatenate([np.zeros(int(pre_c.sum()), bool), np.ones(int(post_c.sum()), bool)]))
            types.append(np.full(len(c), activity_type, dtype=np.int64))
        contact = np.concatenate(contacts)
        post = np.concatenate(posts)
        kind = np.concatenate(types)
        owner = self._teammates(rng, self.c_owner[contact], 0.06)
        due = self._place(rng, contact, post, self.user_tz[owner])

        contact = np.concatenate([contact, up_contact])
        kind = np.concatenate([kind, up_type])
        owner = np.concatenate([owner, up_owner])
        due = np.concatenate([due, up_due])
        m_all = len(contact)
        past = due < self.now
        cz = z[contact]

        # Meetings start on the hour or half hour.
        meeting = kind == 1
        due = np.where(meeting, due - due % (30 * MINUTE), due)
        due = np.where(meeting & (due < self.c_created[contact]), due + 30 * MINUTE, due)

        outcome = np.full(m_all, -1, dtype=np.int64)
        call = kind == 0
        connected = rng.random(m_all) < _sigmoid(-1.0 + 1.1 * cz)
        voicemail = rng.random(m_all) < 0.6
        outcome = np.where(call & past, np.where(connected, 0, np.where(voicemail, 1, 2)), -1)
        duration = np.full(m_all, -1, dtype=np.int64)
        call_minutes = np.where(
            outcome == 0,
            rng.integers(4, 46, size=m_all),
            np.where(outcome == 1, rng.integers(1, 3, size=m_all), 0),
        )
        duration = np.where(call & past, call_minutes, duration)
        meeting_minutes = rng.choice(np.array([15, 30, 30, 45, 60, 60, 90]), size=m_all)
        duration = np.where(meeting, meeting_minutes, duration)

        completed = np.full(m_all, NAT, dtype=np.int64)
        completed = np.where(call & past, due + np.maximum(duration, 0) * MINUTE, completed)
        held = rng.random(m_all) < 0.94
        completed = np.where(meeting & past & held, due + duration * MINUTE, completed)
        task = kind == 2
        age = self.now - due
        done_p = np.where(age > 30 * DAY, 0.96, np.where(past, 0.55, 0.08))
        task_done = task & (rng.random(m_all) < done_p)
        task_completed = due + rng.integers(-2 * DAY, DAY, size=m_all)
        completed = np.where(task_done, task_completed, completed)
        completed = np.where(completed != NAT, np.minimum(completed, self.now - MINUTE), completed)

        lead_time = np.where(
            call,
            rng.integers(0, DAY, size=m_all),
            np.where(
                meeting, rng.integers(HOUR, 8 * DAY, size=m_all), rng.integers(HOUR, 14 * DAY, size=m_all)
            ),
        )
        created = np.maximum(due - lead_time, self.c_created[contact] + MINUTE)
        created = np.minimum(created, self.now - MINUTE)
        created = np.where(completed != NAT, np.minimum(created, completed), created)
        completed = np.where(completed != NAT, np.maximum(completed, created), completed)

        deal = self._link_deals(contact, due)
        account = np.where(self.c_has_account[contact], self.c_account[contact], -1)
        no_contact = task & (account >= 0) & (rng.random(m_all) < 0.04)

        order = np.argsort(created, kind="stable")
        self.a_type = kind[order]
        self.a_source_contact = contact[order]
        self.a_contact = np.where(no_contact, -1, contact)[order]
        self.a_account = account[order]
        self.a_deal = deal[order]
        self.a_owner = owner[order]
        self.a_due = due[order]
        self.a_completed = completed[order]
        self.a_outcome = outcome[order]
        self.a_duration = duration[order]
        self.a_created = created[order]

    def _last_contacted(self) -> None:
        """Latest completed call or meeting, or outbound email, per contact (the write services' rule)."""
        last = np.full(self.c_n, np.iinfo(np.int64).min, dtype=np.int64)
        counted = (self.a_type != 2) & (self.a_completed != NAT) & (self.a_contact >= 0)
        np.maximum.at(last, self.a_contact[counted], self.a_completed[counted])
        outbound = ~self.e_inbound
        np.maximum.at(last, self.e_contact[outbound], self.e_sent[outbound])
        self.c_last_contacted = last  # NAT where never contacted

    # ------------------------------------------------------------------ notes
    def _notes(self) -> None:
        rng = self.rng(8)
        n = self.c_n
        meetings = np.bincount(self.a_source_contact[self.a_type == 1], minlength=n)
        connected = np.bincount(self.a_source_contact[self.a_outcome == 0], minlength=n)
        deals = np.bincount(self.d_source_contact, minlength=n)
        weights = (0.25 + 0.6 * meetings + 0.3 * connected + 1.5 * deals) * np.where(
            self.c_has_account, 1.0, 0.2
        )
        counts = _weighted_counts(rng, weights, self.size.notes)
        contact = _explode(counts)
        m = len(contact)
        owner = self._teammates(rng, self.c_owner[contact], 0.08)

        # Most notes of contacts with deals are written while a deal is in progress.
        first_deal = np.searchsorted(self.d_source_contact[self._deal_key_order], contact, side="left")
        k = deals[contact]
        pick_deal = (k > 0) & (rng.random(m) < 0.6)
        chosen = (
            self._deal_key_order[
                np.minimum(
                    first_deal + (rng.random(m) * np.maximum(k, 1)).astype(np.int64), max(self.d_n - 1, 0)
                )
            ]
            if self.d_n
            else np.zeros(m, np.int64)
        )
        deal_lo = self.d_created[chosen] if self.d_n else np.zeros(m, np.int64)
        deal_hi = (
            np.minimum(
                np.where(self.d_closed_at[chosen] != NAT, self.d_closed_at[chosen], self.now), self.now
            )
            if self.d_n
            else np.zeros(m, np.int64)
        )
        post = self.c_converted[contact] & (rng.random(m) < 0.5)
        t = self._place(rng, contact, post, self.user_tz[owner])
        in_deal = deal_lo + (rng.random(m) * np.maximum(deal_hi - deal_lo, 0)).astype(np.int64)
        in_deal = business_time(rng, self.zones, self.user_tz[owner], in_deal)
        t = np.where(
            pick_deal, np.clip(in_deal, self.c_created[contact] + 5 * MINUTE, self.now - 5 * MINUTE), t
        )

        order = np.argsort(t, kind="stable")
        contact, owner, t = contact[order], owner[order], t[order]
        account = np.where(self.c_has_account[contact], self.c_account[contact], -1)
        account_level = (account >= 0) & (rng.random(m) < 0.08)
        self.n_source_contact = contact
        self.n_contact = np.where(account_level, -1, contact)
        self.n_account = account
        self.n_deal = self._link_deals(contact, t)
        self.n_author = owner
        self.n_created = t

    # ------------------------------------------------------------------ texts
    def _situations(self, contact: I64, t: I64, deal: I64) -> list[str]:
        """The situation a text is written in, which decides its likely topics."""
        situations: list[str] = []
        won_at, churned_at, t1 = self.c_won_at[contact], self.c_churned_at[contact], self.c_t1[contact]
        for i, (d, tt) in enumerate(zip(deal.tolist(), t.tolist(), strict=True)):
            if d >= 0:
                kind, status = int(self.d_kind[d]), int(self.d_status[d])
                if status == LOST:
                    situations.append(
                        "lost:" + LOST_REASONS[int(self.d_reason[d])] if kind != RENEWAL else "churned"
                    )
                elif kind == RENEWAL:
                    situations.append("renewal")
                elif kind == EXPANSION:
                    situations.append("expansion")
                else:
                    situations.append("deal")
            elif won_at[i] != NAT and tt > won_at[i]:
                if churned_at[i] != NAT and tt > churned_at[i] - 30 * DAY:
                    situations.append("churned")
                elif tt - won_at[i] < 90 * DAY:
                    situations.append("onboarding")
                else:
                    situations.append("customer")
            elif t1[i] != NAT and tt > t1[i]:
                situations.append("lead")
            else:
                situations.append("lead")
        return situations

    def _topics_for(
        self, rng: np.random.Generator, situations: list[str], *, generic_share: float, second_share: float
    ) -> list[tuple[str, ...]]:
        tables: dict[str, _T] = {}
        for situation in sorted(set(situations)):
            if situation.startswith("lost:"):
                table = dict(CONTEXT_TOPICS["deal"])
                table = {k: v * 0.45 for k, v in table.items()}
                for topic, share in LOST_REASON_TOPICS[situation[5:]].items():
                    table[topic] = table.get(topic, 0.0) + share
            else:
                table = CONTEXT_TOPICS[situation]
            tables[situation] = table
        draws: dict[str, list[str | None]] = {}
        seconds: dict[str, list[str | None]] = {}
        for situation, table in tables.items():
            count = situations.count(situation)
            draws[situation] = _choice_by_weights(rng, table, count)
            without_none: _T = {k: v for k, v in table.items() if k is not None}
            seconds[situation] = _choice_by_weights(rng, without_none, count)
        cursor = dict.fromkeys(tables, 0)
        generic = rng.random(len(situations)) < generic_share
        second = rng.random(len(situations)) < second_share
        result: list[tuple[str, ...]] = []
        for i, situation in enumerate(situations):
            j = cursor[situation]
            cursor[situation] = j + 1
            topic = draws[situation][j]
            if topic is None or generic[i]:
                result.append(())
                continue
            other = seconds[situation][j]
            if second[i] and other is not None and other != topic:
                result.append((topic, other))
            else:
                result.append((topic,))
        return result

    def _text_context(self, contact: int, owner: int, month: int, deal: int) -> TextContext:
        account = int(self.c_account[contact])
        return TextContext(
            first=self.c_first[contact],
            last=self.c_last[contact],
            title=self.c_title[contact] or "team lead",
            account=self.acc_base[account] if account >= 0 else None,
            city=ref.CITIES[int(self.c_city[contact])].name,
            industry=INDUSTRIES[int(self.c_industry[contact])] if self.c_industry[contact] >= 0 else None,
            rep=self.user_names[owner].split(" ")[0],
            month=month,
            competitor=ref.COMPETITORS[int(self.d_competitor[deal])]
            if deal >= 0 and self.d_competitor[deal] >= 0
            else None,
            amount=int(self.d_amount[deal]) // 100 if deal >= 0 else None,
        )

    def _texts(self) -> None:
        rng = self.rng(9)
        writer = TextWriter(self.seed * 7_919 + 9)
        # Notes.
        situations = self._situations(self.n_source_contact, self.n_created, self.n_deal)
        note_topics = self._topics_for(rng, situations, generic_share=0.0, second_share=0.12)
        bodies: list[str] = []
        months = _months(self.n_created)
        for i, topics in enumerate(note_topics):
            ctx = self._text_context(
                int(self.n_source_contact[i]), int(self.n_author[i]), months[i], int(self.n_deal[i])
            )
            bodies.append(writer.note(topics, ctx))
        self.n_body = bodies
        self.n_topics = note_topics

        # Emails: outbound mostly generic outreach, inbound mostly about something.
        situations = self._situations(self.e_contact, self.e_sent, self.e_deal)
        out_topics = self._topics_for(rng, situations, generic_share=0.45, second_share=0.05)
        in_topics = self._topics_for(rng, situations, generic_share=0.08, second_share=0.05)
        subjects: list[str] = []
        email_bodies: list[str] = []
        email_topics: list[tuple[str, ...]] = []
        inbound = self.e_inbound.tolist()
        reply_to = self.e_reply_to.tolist()
        keep_thread = rng.random(len(inbound)) < 0.8
        months = _months(self.e_sent)
        for i in range(len(inbound)):
            contact = int(self.e_contact[i])
            ctx = self._text_context(contact, int(self.e_owner[i]), months[i], int(self.e_deal[i]))
            if inbound[i]:
                parent = reply_to[i]
                topics = in_topics[i]
                if parent >= 0 and email_topics[parent] and keep_thread[i]:
                    topics = email_topics[parent][:1]
                subject, body = writer.email(
                    topics, "inbound", ctx, reply_to=subjects[parent] if parent >= 0 else None
                )
            else:
                topics = out_topics[i]
                subject, body = writer.email(topics, "outbound", ctx)
            subjects.append(subject)
            email_bodies.append(body)
            email_topics.append(topics)
        self.e_subject = subjects
        self.e_body = email_bodies
        self.e_topics = email_topics

        # Activity subjects.
        py = self.pyrng(9)
        situations = self._situations(self.a_source_contact, self.a_due, self.a_deal)
        pools = (CALL_SUBJECTS, MEETING_SUBJECTS, TASK_SUBJECTS)
        act_subjects: list[str] = []
        for i, situation in enumerate(situations):
            group = (
                "deal"
                if situation in ("deal", "renewal", "expansion") or situation.startswith("lost:")
                else "customer"
                if situation in ("customer", "onboarding", "churned")
                else "lead"
            )
            template = py.choice(pools[int(self.a_type[i])][group])
            contact = int(self.a_source_contact[i])
            account = int(self.c_account[contact])
            act_subjects.append(
                template.format(
                    first=self.c_first[contact],
                    account=self.acc_base[account]
                    if account >= 0
                    else f"{self.c_first[contact]} {self.c_last[contact]}",
                    product=py.choice(ref.PRODUCTS),
                )
            )
        self.a_subject = act_subjects

    # ------------------------------------------------------------------ tables
    def _tables(self) -> list[Table]:
        tables: list[Table] = []
        n_teams = len(self.team_names)
        tables.append(
            Table(
                "teams",
                ("id", "name", "region"),
                [list(range(1, n_teams + 1)), list(self.team_names), list(self.team_regions)],
            )
        )
        tables.append(
            Table(
                "users",
                ("id", "full_name", "email", "role", "team_id", "timezone", "is_active", "created_at"),
                [
                    list(range(1, len(self.user_names) + 1)),
                    self.user_names,
                    self.user_emails,
                    self.user_roles,
                    ids(self.user_team),
                    self.user_tz_names,
                    self.user_active.tolist(),
                    instants(self.user_created),
                ],
            )
        )
        tables.append(Table("pipelines", ("id", "name"), [[1, 2], list(PIPELINES)]))
        positions = [sum(1 for s in STAGES[:i] if s[1] == stage[1]) + 1 for i, stage in enumerate(STAGES)]
        tables.append(
            Table(
                "deal_stages",
                ("id", "pipeline_id", "name", "position", "probability", "is_closed", "is_won"),
                [
                    [s[0] for s in STAGES],
                    [s[1] + 1 for s in STAGES],
                    [s[2] for s in STAGES],
                    positions,
                    [s[3] for s in STAGES],
                    [s[4] for s in STAGES],
                    [s[5] for s in STAGES],
                ],
            )
        )
        tables.append(
            Table(
                "custom_field_definitions",
                (
                    "id",
                    "entity",
                    "key",
                    "label",
                    "field_type",
                    "choices",
                    "is_required",
                    "min_value",
                    "max_value",
                    "max_length",
                ),
                [
                    list(range(1, len(CUSTOM_FIELDS) + 1)),
                    [f[0] for f in CUSTOM_FIELDS],
                    [f[1] for f in CUSTOM_FIELDS],
                    [f[2] for f in CUSTOM_FIELDS],
                    [f[3] for f in CUSTOM_FIELDS],
                    [json.dumps(f[4]) if f[4] is not None else None for f in CUSTOM_FIELDS],
                    [False] * len(CUSTOM_FIELDS),
                    [f[5] for f in CUSTOM_FIELDS],
                    [f[6] for f in CUSTOM_FIELDS],
                    [f[7] for f in CUSTOM_FIELDS],
                ],
            )
        )
        n_acc = self.acc_n
        city = self.acc_city.tolist()
        acc_created = instants(self.acc_created)
        tables.append(
            Table(
                "accounts",
                (
                    "id",
                    "name",
                    "domain",
                    "industry",
                    "employee_count",
                    "annual_revenue",
                    "country",
                    "state",
                    "city",
                    "owner_id",
                    "parent_account_id",
                    "created_at",
                    "custom_fields",
                    "version",
                    "updated_at",
                ),
                [
                    list(range(1, n_acc + 1)),
                    self.acc_name,
                    self.acc_domain,
                    pick(INDUSTRIES, self.acc_industry),
                    ints(self.acc_employees_shown, null=-1),
                    money(self.acc_revenue_cents),
                    [ref.CITIES[c].country for c in city],
                    [ref.CITIES[c].state for c in city],
                    [ref.CITIES[c].name for c in city],
                    ids(self.acc_owner),
                    ids(self.acc_parent),
                    acc_created,
                    self.acc_custom,
                    [1] * n_acc,
                    acc_created,
                ],
            )
        )
        n = self.c_n
        city = self.c_city.tolist()
        c_created = instants(self.c_created)
        last = np.where(self.c_last_contacted == np.iinfo(np.int64).min, NAT, self.c_last_contacted)
        tables.append(
            Table(
                "contacts",
                (
                    "id",
                    "account_id",
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "job_title",
                    "lifecycle_stage",
                    "lead_source",
                    "country",
                    "state",
                    "city",
                    "timezone",
                    "owner_id",
                    "lead_score",
                    "last_contacted_at",
                    "do_not_email",
                    "created_at",
                    "custom_fields",
                    "version",
                    "updated_at",
                ),
                [
                    list(range(1, n + 1)),
                    ids(self.c_account),
                    self.c_first,
                    self.c_last,
                    self.c_email,
                    self.c_phone,
                    self.c_title,
                    pick(LIFECYCLE_STAGES, self.c_stage),
                    pick(LEAD_SOURCES, self.c_source),
                    [ref.CITIES[c].country for c in city],
                    [ref.CITIES[c].state for c in city],
                    [ref.CITIES[c].name for c in city],
                    [ref.CITIES[c].timezone for c in city],
                    ids(self.c_owner),
                    [None] * n,
                    instants(last),
                    self.c_dne.tolist(),
                    c_created,
                    self.c_custom,
                    [1] * n,
                    instants(latest(self.c_created, last)),
                ],
            )
        )
        tables.append(
            Table(
                "demo_contact_preferences",
                ("contact_id", "preferred_weekday", "preferred_hour", "conversion_propensity"),
                [
                    list(range(1, n + 1)),
                    self.c_pref_weekday.tolist(),
                    self.c_pref_hour.tolist(),
                    self.c_p.tolist(),
                ],
                has_id=False,
            )
        )
        m = self.d_n
        tables.append(
            Table(
                "deals",
                (
                    "id",
                    "name",
                    "account_id",
                    "contact_id",
                    "owner_id",
                    "pipeline_id",
                    "stage_id",
                    "amount",
                    "currency",
                    "status",
                    "close_date",
                    "created_at",
                    "closed_at",
                    "lost_reason",
                    "custom_fields",
                    "version",
                    "updated_at",
                ),
                [
                    list(range(1, m + 1)),
                    self.d_name,
                    ids(self.d_account),
                    ids(self.d_contact),
                    ids(self.d_owner),
                    (self.d_pipeline + 1).tolist(),
                    self.d_stage.tolist(),
                    money(self.d_amount),
                    ["USD"] * m,
                    pick(STATUS_NAMES, self.d_status),
                    dates(self.d_close_date),
                    instants(self.d_created),
                    instants(self.d_closed_at),
                    pick(LOST_REASONS, self.d_reason),
                    self.d_custom,
                    [1] * m,
                    instants(latest(self.d_created, self.d_closed_at)),
                ],
            )
        )
        k = len(self.a_type)
        tables.append(
            Table(
                "activities",
                (
                    "id",
                    "type",
                    "subject",
                    "contact_id",
                    "account_id",
                    "deal_id",
                    "owner_id",
                    "due_at",
                    "completed_at",
                    "outcome",
                    "duration_minutes",
                    "created_at",
                    "version",
                    "updated_at",
                ),
                [
                    list(range(1, k + 1)),
                    pick(("call", "meeting", "task"), self.a_type),
                    self.a_subject,
                    ids(self.a_contact),
                    ids(self.a_account),
                    ids(self.a_deal),
                    ids(self.a_owner),
                    instants(self.a_due),
                    instants(self.a_completed),
                    pick(("connected", "left_voicemail", "no_answer"), self.a_outcome),
                    ints(self.a_duration, null=-1),
                    instants(self.a_created),
                    [1] * k,
                    instants(latest(self.a_created, self.a_completed)),
                ],
            )
        )
        e = len(self.e_contact)
        tables.append(
            Table(
                "emails",
                (
                    "id",
                    "contact_id",
                    "owner_id",
                    "direction",
                    "subject",
                    "body",
                    "sent_at",
                    "opened_at",
                    "clicked_at",
                    "replied_at",
                    "version",
                    "updated_at",
                ),
                [
                    list(range(1, e + 1)),
                    ids(self.e_contact),
                    ids(self.e_owner),
                    ["inbound" if x else "outbound" for x in self.e_inbound.tolist()],
                    self.e_subject,
                    self.e_body,
                    instants(self.e_sent),
                    instants(self.e_opened),
                    instants(self.e_clicked),
                    instants(self.e_replied),
                    [1] * e,
                    instants(latest(self.e_sent, self.e_opened, self.e_clicked, self.e_replied)),
                ],
            )
        )
        q = len(self.n_created)
        n_created = instants(self.n_created)
        tables.append(
            Table(
                "notes",
                (
                    "id",
                    "body",
                    "contact_id",
                    "account_id",
                    "deal_id",
                    "author_id",
                    "created_at",
                    "version",
                    "updated_at",
                ),
                [
                    list(range(1, q + 1)),
                    self.n_body,
                    ids(self.n_contact),
                    ids(self.n_account),
                    ids(self.n_deal),
                    ids(self.n_author),
                    n_created,
                    [1] * q,
                    n_created,
                ],
            )
        )
        kinds: list[str] = []
        records: list[int] = []
        topics: list[str] = []
        for kind, labels in (("note", self.n_topics), ("email", self.e_topics)):
            for i, record_topics in enumerate(labels):
                for topic in sorted(set(record_topics)):
                    kinds.append(kind)
                    records.append(i + 1)
                    topics.append(topic)
        if not set(topics) <= set(TOPICS):
            raise ValueError(f"unknown topics: {sorted(set(topics) - set(TOPICS))}")
        tables.append(
            Table("text_topics", ("kind", "record_id", "topic"), [kinds, records, topics], has_id=False)
        )
        return tables


class _DealBuilder:
    """Collects deals of several kinds before they are sorted and numbered."""

    def __init__(self) -> None:
        self.parts: list[dict[str, I64]] = []

    @property
    def count(self) -> int:
        return sum(len(part["contact"]) for part in self.parts)

    def add(
        self,
        *,
        kind: int,
        contact: I64,
        account: I64,
        owner: I64,
        pipeline: I64,
        created: I64,
        end: I64,
        status: I64,
        amount: I64,
        due: I64 | None = None,
        source_contact: I64 | None = None,
    ) -> None:
        m = len(contact)
        self.parts.append(
            {
                "kind": np.full(m, kind, dtype=np.int64),
                "contact": contact.astype(np.int64),
                "source_contact": (contact if source_contact is None else source_contact).astype(np.int64),
                "account": account.astype(np.int64),
                "owner": owner.astype(np.int64),
                "pipeline": pipeline,
                "created": created.astype(np.int64),
                "end": end.astype(np.int64),
                "status": status.astype(np.int64),
                "amount": amount.astype(np.int64),
                "due": (end if due is None else due).astype(np.int64),
            }
        )

    def build(self) -> dict[str, I64]:
        keys = self.parts[0].keys() if self.parts else ()
        return {key: np.concatenate([part[key] for part in self.parts]) for key in keys}


def _phone(py: random.Random, city: ref.City) -> str:
    """A plausible phone number in the city's national format."""
    code, area = city.country, city.area_code

    def digits(k: int) -> str:
        return "".join(str(py.randint(0, 9)) for _ in range(k))

    if code in ("US", "CA"):
        return f"+1 ({area}) {py.randint(201, 989)}-{digits(4)}"
    if code == "GB":
        return f"+44 {area} {digits(4)} {digits(4 if len(area) == 2 else 3)}"
    if code == "DE":
        return f"+49 {area} {digits(8 - len(area) + 2)}"
    if code == "FR":
        return f"+33 {area} {digits(2)} {digits(2)} {digits(2)} {digits(2)}"
    if code == "NL":
        return f"+31 {area} {digits(3)} {digits(4 if len(area) == 2 else 3)}"
    if code == "AU":
        return f"+61 {area} {digits(4)} {digits(4)}"
    if code == "IN":
        local = str(py.randint(2, 6)) + digits(9 - len(area))  # 10 digits with the area code
        return f"+91 {area} {local[:4]} {local[4:]}"
    if code == "BR":
        return f"+55 {area} 9{digits(4)}-{digits(4)}"
    if code == "JP":
        return f"+81 {area}-{digits(4)}-{digits(4)}"
    return f"+65 6{digits(3)} {digits(4)}"
