"""Accounting: total transplants minus every identified organ source leaves an unexplained remainder.

The arithmetic is simple; the point is to make every input explicit, sourced and uncertain. A table holds one
``total`` row and any number of ``source`` rows (executions, living donors, voluntary deceased donors...), each
value a number or a declared distribution. The remainder is reported three ways:

- **central**: total minus sources, each at its central value (mode, midpoint or median);
- **Monte Carlo**: 50% and 90% intervals from independent draws of every row (seeded);
- **bounds**: the widest remainder the declared ranges allow (total low − sources high, total high − sources low).

The bundled sample ``sample/analysis/accounting_kilgour_matas_2000_2005.csv`` reproduces the Kilgour–Matas
arithmetic (60,000 − 18,500 = 41,500).

>>> import pandas as pd
>>> rows = pd.DataFrame({"item": ["all", "executions"], "role": ["total", "source"],
...                      "value": ["60000", "18500"], "source": ["report", "report"]})
>>> account_sources(rows).central
41500.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from organwatch.model.refs import SourceRef

from .distributions import Distribution, FloatArray
from .errors import AnalysisError, TableInputError
from .results import fmt_count, frame_records, jsonable, summarise_draws
from .tables import ColumnSpec, CsvTable, TableInput, TableSpec, inputs_with_sources, read_table

ACCOUNTING_SPEC = TableSpec(
    "accounting",
    (
        ColumnSpec("item", "what the row counts, e.g. 'transplants 2000–2005', 'executed prisoners'"),
        ColumnSpec("role", "'total' (exactly one row) or 'source' (an identified organ source)"),
        ColumnSpec("value", "a number or uniform/triangular/lognormal distribution", unit="transplants"),
        ColumnSpec("period", "period the value covers, e.g. 2000–2005", required=False),
        ColumnSpec("source", "citation, URL, capture:<sha256>[#start-end] or claim:<id>"),
        ColumnSpec("notes", "how the value was derived from the source", required=False),
    ),
)


@dataclass(frozen=True)
class AccountingItem:
    """One row: the total or an identified source."""

    item: str
    role: str
    value: Distribution
    source: SourceRef
    period: str = ""
    notes: str = ""
    line: int = 0


def load_accounting(source: TableInput) -> tuple[CsvTable, list[AccountingItem]]:
    """Load an accounting table (see ``ACCOUNTING_SPEC``); exactly one row must have role 'total'."""
    table = read_table(source, ACCOUNTING_SPEC)
    items = []
    for row in table:
        role = row.text("role").lower()
        if role not in ("total", "source"):
            raise row.error("role", f"role must be 'total' or 'source', got {row.text('role')!r}")
        items.append(AccountingItem(
            item=row.text("item"), role=role, value=row.quantity("value"), source=row.source(),
            period=row.optional_text("period") or "", notes=row.optional_text("notes") or "", line=row.line,
        ))
    totals = [i for i in items if i.role == "total"]
    if len(totals) != 1:
        lines = ", ".join(str(i.line) for i in totals) or "none"
        raise TableInputError(table.path, f"needs exactly one row with role 'total', found {len(totals)} "
                                     f"(lines: {lines})")
    return table, items


@dataclass(frozen=True)
class AccountingResult:
    """The unexplained remainder with its intervals; see :func:`account_sources`."""

    items: tuple[AccountingItem, ...]
    central: float
    mc: dict[str, float]
    bounds: tuple[float, float]
    draws: int
    seed: int
    remainder_draws: FloatArray = field(repr=False)
    table: CsvTable | None = field(default=None, repr=False)

    title = "Accounting for organ sources"

    @property
    def total(self) -> AccountingItem:
        return next(i for i in self.items if i.role == "total")

    @property
    def sources(self) -> tuple[AccountingItem, ...]:
        return tuple(i for i in self.items if i.role == "source")

    @property
    def method(self) -> str:
        names = ", ".join(f"{s.item} ({s.value.describe()})" for s in self.sources) or "none"
        return (
            f"Unexplained remainder = total ({self.total.item}: {self.total.value.describe()}) minus the "
            f"identified sources: {names}. The central value uses each input's central value (a point value, "
            "the mode of a triangular, the midpoint of a uniform, the median of a lognormal). Intervals come "
            f"from {self.draws:,} independent Monte Carlo draws of every input (seed {self.seed}); the bounds "
            "combine the ends of each input's declared range (hard limits for uniform and triangular, the 5th "
            "and 95th percentiles for lognormal) in the direction that widens the remainder."
        )

    @property
    def caveats(self) -> tuple[str, ...]:
        notes = [
            "The remainder is what the listed sources do not account for under these inputs; it identifies "
            "no source by itself. Any source left out of the table, or overlapping with another row, changes it.",
            "Inputs are drawn independently; if two inputs share an error (e.g. both scaled from the same "
            "estimate), the true interval is wider than shown.",
            "Each input is only as reliable as its source, listed below with the notes on how it was derived.",
        ]
        if self.central < 0:
            notes.append("The central remainder is negative: the identified sources exceed the total, so the "
                         "inputs overlap or are inconsistent.")
        if all(i.value.declared_range[0] == i.value.declared_range[1] for i in self.items):
            notes.append("All inputs are point values, so the intervals collapse to the central value; "
                         "declare ranges to express the uncertainty of each input.")
        return tuple(notes)

    def summary(self) -> list[str]:
        share = self.central / self.total.value.central if self.total.value.central else float("nan")
        return [
            f"Unexplained remainder: {fmt_count(self.central)} of {fmt_count(self.total.value.central)} "
            f"({share:.0%} of the total) at central values.",
            f"Monte Carlo: median {fmt_count(self.mc['median'])}, 50% interval {fmt_count(self.mc['p25'])}–"
            f"{fmt_count(self.mc['p75'])}, 90% interval {fmt_count(self.mc['p5'])}–{fmt_count(self.mc['p95'])}; "
            f"bounds {fmt_count(self.bounds[0])} to {fmt_count(self.bounds[1])}.",
        ]

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {"item": i.item, "role": i.role, "value": i.value.describe(), "central": i.value.central,
             "low": i.value.declared_range[0], "high": i.value.declared_range[1], "period": i.period,
             "source": i.source.text}
            for i in self.items
        ]
        rows.append({"item": "unexplained remainder", "role": "remainder", "value": "total − sources",
                     "central": self.central, "low": self.bounds[0], "high": self.bounds[1],
                     "period": self.total.period, "source": "computed"})
        return pd.DataFrame(rows)

    def interval_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"central": self.central, **self.mc, "bound_low": self.bounds[0],
                              "bound_high": self.bounds[1]}])

    def inputs_frame(self) -> pd.DataFrame:
        if self.table is not None:
            return inputs_with_sources(self.table, ["item", "role", "value", "period", "notes"])
        return self.to_frame()

    def result_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("Remainder", self.interval_frame()), ("Total, sources and remainder", self.to_frame())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysis": "accounting",
            "parameters": {"draws": self.draws, "seed": self.seed},
            "remainder": jsonable({"central": self.central, **self.mc, "bounds": list(self.bounds)}),
            "rows": frame_records(self.to_frame()),
            "inputs": [{"line": i.line, "item": i.item, "role": i.role, "value": i.value.to_dict(),
                        "period": i.period, "source": i.source.to_dict(), "notes": i.notes}
                       for i in self.items],
            "method": self.method,
            "caveats": list(self.caveats),
        }


def account_sources(
    items: TableInput | Sequence[AccountingItem], *, draws: int = 10_000, seed: int = 1
) -> AccountingResult:
    """Subtract every identified source from the total, with central value, intervals and bounds."""
    if draws < 1:
        raise AnalysisError(f"draws must be at least 1, got {draws}")
    table: CsvTable | None = None
    if isinstance(items, Sequence) and not isinstance(items, str):
        rows = list(items)
        if sum(1 for i in rows if i.role == "total") != 1:
            raise AnalysisError("accounting needs exactly one item with role 'total'")
    else:
        table, rows = load_accounting(items)
    rng = np.random.default_rng(seed)
    remainder = np.zeros(draws)
    central = 0.0
    low = high = 0.0
    for item in rows:
        sign = 1.0 if item.role == "total" else -1.0
        remainder += sign * item.value.ppf(rng.random(draws))
        central += sign * item.value.central
        lo, hi = item.value.declared_range
        low += sign * (lo if sign > 0 else hi)
        high += sign * (hi if sign > 0 else lo)
    return AccountingResult(tuple(rows), central, summarise_draws(remainder), (low, high), draws, seed,
                            remainder, table)
