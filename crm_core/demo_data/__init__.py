"""Deterministic, realistic demo CRM data: `load_demo_data(engine, size=..., seed=..., today=...)`.

>>> from crm_core.demo_data import load_demo_data
>>> stats = load_demo_data(engine, size="small", seed=7, today=date(2026, 5, 15))  # doctest: +SKIP
>>> stats.counts["contacts"]  # doctest: +SKIP
3000
"""

from __future__ import annotations

from crm_core.demo_data.generate import DemoData, generate_demo_data
from crm_core.demo_data.load import DemoStats, load_demo_data
from crm_core.demo_data.sizes import SIZES, DemoSize

__all__ = ["SIZES", "DemoData", "DemoSize", "DemoStats", "generate_demo_data", "load_demo_data"]
