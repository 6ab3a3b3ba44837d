"""What every analysis result shares: JSON-safe values, interval summaries, and the report protocol.

Results are frozen dataclasses. Each offers ``to_dict()`` (JSON-able: NaN and infinities become ``null``),
``to_frame()`` (pandas, for notebooks) and the pieces of a report (method, inputs with sources, caveats).

>>> summarise_draws(np.array([1.0, 2.0, 3.0]))["median"]
2.0
>>> jsonable(float("nan")) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .distributions import FloatArray

#: Interval levels reported everywhere: central 50% and 90% of the Monte Carlo draws.
QUANTILES: dict[str, float] = {"p5": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}


def summarise_draws(draws: FloatArray) -> dict[str, float]:
    """Mean and the 5/25/50/75/95th percentiles of Monte Carlo draws."""
    summary = {"mean": float(np.mean(draws))}
    for name, q in QUANTILES.items():
        summary[name] = float(np.quantile(draws, q))
    return summary


def jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars, tuples and non-finite floats into plain JSON values."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as a list of JSON-safe row dicts."""
    records: list[dict[str, Any]] = jsonable(frame.to_dict(orient="records"))
    return records


class Reportable(Protocol):
    """What the HTML report and the CLI need from a result."""

    @property
    def title(self) -> str: ...

    @property
    def method(self) -> str: ...

    @property
    def caveats(self) -> tuple[str, ...]: ...

    def summary(self) -> list[str]: ...

    def to_frame(self) -> pd.DataFrame: ...

    def inputs_frame(self) -> pd.DataFrame: ...

    def result_tables(self) -> list[tuple[str, pd.DataFrame]]: ...

    def to_dict(self) -> dict[str, Any]: ...


def fmt_count(value: float | None, digits: int = 0) -> str:
    """Thousands-separated number for summaries; '–' when absent."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.{digits}f}"
