"""Any lead table as model input: read a CSV, find the label, identifiers, numbers and categories.

This is how the scoring pipeline runs on data that did not come from our CRM (e.g. a public lead
dataset): the same candidates, selection and calibration as `model.py`, with column roles inferred:

- the label column becomes 0/1 (it must have exactly two values; the larger or truthy one is 1);
- identifiers are dropped: text or integer columns whose every value is distinct;
- columns with one value (or none) are dropped;
- numeric columns stay numbers; everything else is a category, with placeholder values ("Select",
  which web forms store when nobody picked an option) read as missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from crm_core.scoring.errors import CsvInputError

DEFAULT_MISSING_TOKENS = ("Select",)
_TRUTHY = {"1", "true", "yes", "y", "converted", "won"}


@dataclass
class TabularData:
    """A CSV split into feature columns (by role) and a 0/1 label."""

    frame: pd.DataFrame
    labels: npt.NDArray[np.int64]
    numeric: list[str]
    categorical: list[str]
    dropped: dict[str, str] = field(default_factory=dict)

    def without(self, columns: Sequence[str]) -> TabularData:
        """The same data without some feature columns (e.g. those that leak the label)."""
        gone = set(columns)
        return TabularData(frame=self.frame.drop(columns=[c for c in gone if c in self.frame.columns]),
                           labels=self.labels, numeric=[c for c in self.numeric if c not in gone],
                           categorical=[c for c in self.categorical if c not in gone],
                           dropped={**self.dropped, **{c: "excluded" for c in gone if c in self.frame.columns}})


def read_csv_table(path: Path, *, label: str, missing_tokens: Sequence[str] = DEFAULT_MISSING_TOKENS,
                   drop: Sequence[str] = ()) -> TabularData:
    """Read `path` and infer the role of every column (see the module docstring).

    Raises:
        CsvInputError: the file cannot be read, lacks `label`, or the label is not binary.
    """
    try:
        raw = pd.read_csv(path, low_memory=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise CsvInputError(f"Could not read '{path}' as CSV: {exc}") from exc
    if label not in raw.columns:
        raise CsvInputError(f"'{path.name}' has no column '{label}'. Columns: {', '.join(map(str, raw.columns))}.",
                            code="unknown-label-column")
    y_raw = raw.pop(label)
    labels = _binary(y_raw, label)
    raw = raw.drop(columns=[c for c in drop if c in raw.columns])
    dropped: dict[str, str] = {c: "excluded" for c in drop if c in raw.columns}
    numeric: list[str] = []
    categorical: list[str] = []
    out = pd.DataFrame(index=raw.index)
    for name in raw.columns:
        column = raw[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            column = column.astype(object).where(~column.isin(list(missing_tokens)), None)
        values = column.dropna()
        if values.nunique() <= 1:
            dropped[str(name)] = "constant"
            continue
        is_integer_like = pd.api.types.is_integer_dtype(column) or not pd.api.types.is_numeric_dtype(column)
        if is_integer_like and values.nunique() == len(column):
            dropped[str(name)] = "identifier"
            continue
        if pd.api.types.is_numeric_dtype(column):
            numeric.append(str(name))
            out[str(name)] = column.astype(np.float64)
        else:
            categorical.append(str(name))
            out[str(name)] = column.astype(object)
    return TabularData(frame=out, labels=labels, numeric=numeric, categorical=categorical, dropped=dropped)


def _binary(values: pd.Series, label: str) -> npt.NDArray[np.int64]:
    present = values.dropna()
    if len(present) != len(values):
        raise CsvInputError(f"The label column '{label}' has {len(values) - len(present)} empty values.",
                            code="invalid-label")
    distinct = sorted(present.astype(str).str.strip().str.lower().unique())
    if len(distinct) != 2:
        raise CsvInputError(f"The label column '{label}' must have exactly two values; it has {len(distinct)}.",
                            code="invalid-label")
    positive = next((v for v in distinct if v in _TRUTHY), distinct[-1])
    flags: npt.NDArray[np.int64] = (present.astype(str).str.strip().str.lower() == positive).to_numpy(dtype=np.int64)
    return flags
