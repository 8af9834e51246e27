"""Generated rows, column-major, ready for COPY: one `Table` per database table, in load order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from crm_core.demo_data.clock import NAT, format_dates, format_instants


@dataclass
class Table:
    """Rows of one table as parallel column lists of COPY-ready Python values (None for NULL)."""

    name: str
    columns: tuple[str, ...]
    data: list[list[Any]] = field(repr=False)
    has_id: bool = True

    def __post_init__(self) -> None:
        lengths = {len(column) for column in self.data}
        if len(self.data) != len(self.columns) or len(lengths) > 1:
            raise ValueError(f"{self.name}: {len(self.columns)} columns, data lengths {sorted(lengths)}")

    def __len__(self) -> int:
        return len(self.data[0]) if self.data else 0

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return zip(*self.data, strict=True)


def ints(values: npt.NDArray[np.int64], *, null: int | None = None) -> list[int | None]:
    """Python ints, with `null` (e.g. -1) turned into None."""
    items: list[int | None] = values.tolist()
    if null is None:
        return items
    return [None if v == null else v for v in items]


def ids(index: npt.NDArray[np.int64]) -> list[int | None]:
    """1-based ids of 0-based indexes; negative indexes become NULL."""
    return ints(np.where(index >= 0, index + 1, -1), null=-1)


def instants(seconds: npt.NDArray[np.int64]) -> list[str | None]:
    return format_instants(seconds)


def dates(seconds: npt.NDArray[np.int64]) -> list[str | None]:
    return format_dates(seconds)


def money(cents: npt.NDArray[np.int64], *, null: int = -1) -> list[str | None]:
    """numeric text with two decimals from integer cents."""
    return [None if c == null else f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]


def pick(labels: Sequence[str], index: npt.NDArray[np.int64]) -> list[str | None]:
    """Labels by index; -1 becomes NULL."""
    return [None if i < 0 else labels[i] for i in index.tolist()]


def latest(*columns: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Element-wise latest instant, ignoring NAT."""
    result = columns[0].copy()
    for column in columns[1:]:
        result = np.maximum(result, column)
    return result


__all__ = ["NAT", "Table", "dates", "ids", "instants", "ints", "latest", "money", "pick"]
