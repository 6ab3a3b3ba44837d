"""Waiting times: advertised or reported waits for an organ, by country, organ and year.

Where organs are allocated from a pool of deceased donors, patients wait months to years; waits of days or
weeks, advertised in advance, suggest organs available on demand. This module puts waits from different
sources side by side, in days, each with its source and kind (advertised, reported, registry median...).

A wait may be a number of days or a declared range (``uniform(7, 30)`` for "one week to one month").

>>> import pandas as pd
>>> rows = pd.DataFrame({"country": ["A", "B"], "organ": ["kidney"] * 2, "year": [2006, 2006],
...                      "wait_days": ["uniform(7, 30)", "1095"], "source": ["site", "registry"]})
>>> compare_waiting_times(rows, baseline="B").to_frame()["times_shorter_than_baseline"].round(1).tolist()
[59.2, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from organwatch.model.refs import SourceRef

from .distributions import Distribution
from .errors import AnalysisError
from .results import fmt_count, frame_records
from .tables import ColumnSpec, CsvTable, TableInput, TableSpec, inputs_with_sources, read_table

WAITING_SPEC = TableSpec(
    "waiting times",
    (
        ColumnSpec("country", "country (or hospital, for hospital-level claims)"),
        ColumnSpec("organ", "organ waited for"),
        ColumnSpec("year", "year the wait was advertised or reported", unit="year"),
        ColumnSpec("wait_days", "the wait: a number of days or a distribution such as uniform(7, 30)",
                   unit="days"),
        ColumnSpec("kind", "advertised, reported average, registry median...", required=False),
        ColumnSpec("source", "citation, URL, capture:<sha256>[#start-end] or claim:<id>"),
        ColumnSpec("notes", "the wording of the source, conversions made", required=False),
    ),
)


@dataclass(frozen=True)
class WaitingTime:
    """One advertised or reported wait."""

    country: str
    organ: str
    year: int
    wait: Distribution
    source: SourceRef
    kind: str = ""
    notes: str = ""
    line: int = 0


def load_waiting_times(source: TableInput) -> tuple[CsvTable, list[WaitingTime]]:
    """Load a waiting-times table (see ``WAITING_SPEC``); waits must be positive numbers of days."""
    table = read_table(source, WAITING_SPEC)
    waits = []
    for row in table:
        wait = row.quantity("wait_days")
        if wait.declared_range[1] <= 0:
            raise row.error("wait_days", "a wait must be more than 0 days")
        waits.append(WaitingTime(
            country=row.text("country"), organ=row.text("organ"), year=row.year("year"), wait=wait,
            source=row.source(), kind=row.optional_text("kind") or "", notes=row.optional_text("notes") or "",
            line=row.line,
        ))
    return table, waits


@dataclass(frozen=True)
class WaitingComparison:
    """Waits side by side, and against a baseline country per organ; see :func:`compare_waiting_times`."""

    waits: tuple[WaitingTime, ...]
    baseline: str | None
    table: CsvTable | None = field(default=None, repr=False)

    title = "Waiting times for transplants"

    @property
    def method(self) -> str:
        base = (
            f" For each organ, the central wait of {self.baseline} (median over its reports) is divided by each "
            "report's central wait: '10× shorter' means the baseline wait is ten times as long."
            if self.baseline else ""
        )
        return (
            "Each advertised or reported wait is converted to days as stated in the source and shown with its "
            "declared range (a single value, or the limits of a uniform/triangular range, or the 5th–95th "
            "percentiles of a lognormal); the central value is the point value, mode, midpoint or median. "
            "Reports are grouped by organ and country." + base
        )

    @property
    def caveats(self) -> tuple[str, ...]:
        return (
            "Advertised waits (a hospital's or agency's promise to foreign patients) and registry statistics "
            "(median time to transplant for all listed patients) measure different things; the kind column "
            "says which is which, and a comparison across kinds is indicative only.",
            "Advertisements may be marketing, and registry medians hide long tails; both change over time, so "
            "compare reports from similar years.",
            "A short advertised wait does not by itself identify where organs came from.",
        )

    def to_frame(self) -> pd.DataFrame:
        rows = []
        baselines: dict[str, float] = {}
        if self.baseline:
            for organ in {w.organ for w in self.waits}:
                own = [w.wait.central for w in self.waits
                       if w.organ == organ and w.country.casefold() == self.baseline.casefold()]
                if own:
                    baselines[organ] = float(pd.Series(own).median())
        for w in sorted(self.waits, key=lambda w: (w.organ, w.wait.central)):
            low, high = w.wait.declared_range
            base = baselines.get(w.organ)
            rows.append({
                "organ": w.organ, "country": w.country, "year": w.year, "kind": w.kind,
                "wait": w.wait.describe(), "central_days": w.wait.central, "low_days": low, "high_days": high,
                "times_shorter_than_baseline": base / w.wait.central if base else None,
                "source": w.source.text, "line": w.line,
            })
        return pd.DataFrame(rows)

    def summary_frame(self) -> pd.DataFrame:
        frame = self.to_frame()
        grouped = frame.groupby(["organ", "country"], sort=True)
        return grouped.agg(reports=("central_days", "size"), median_days=("central_days", "median"),
                           shortest_days=("low_days", "min"), longest_days=("high_days", "max"),
                           first_year=("year", "min"), last_year=("year", "max")).reset_index()

    def summary(self) -> list[str]:
        lines = []
        summary = self.summary_frame()
        for organ, group in summary.groupby("organ", sort=True):
            ordered = group.sort_values("median_days")
            parts = [f"{country} {fmt_count(days)} d"
                     for country, days in zip(ordered["country"].tolist(), ordered["median_days"].tolist(),
                                              strict=True)]
            lines.append(f"{organ}: " + ", ".join(parts) + " (median of reports, days)")
        return lines

    def inputs_frame(self) -> pd.DataFrame:
        if self.table is not None:
            return inputs_with_sources(self.table, ["country", "organ", "year", "wait_days", "kind", "notes"])
        return self.to_frame()

    def result_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [("By organ and country", self.summary_frame()), ("All reports", self.to_frame())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysis": "waiting",
            "parameters": {"baseline": self.baseline},
            "summary": frame_records(self.summary_frame()),
            "reports": frame_records(self.to_frame()),
            "inputs": [{"line": w.line, "country": w.country, "organ": w.organ, "year": w.year,
                        "wait_days": w.wait.to_dict(), "kind": w.kind, "source": w.source.to_dict(),
                        "notes": w.notes} for w in self.waits],
            "method": self.method,
            "caveats": list(self.caveats),
        }


def compare_waiting_times(
    waits: TableInput | Sequence[WaitingTime], *, baseline: str | None = None
) -> WaitingComparison:
    """Put waits side by side; with ``baseline`` (a country), also how many times shorter each wait is."""
    table: CsvTable | None = None
    if isinstance(waits, Sequence) and not isinstance(waits, str):
        rows = list(waits)
    else:
        table, rows = load_waiting_times(waits)
    if not rows:
        raise AnalysisError("no waiting times to compare")
    if baseline and not any(w.country.casefold() == baseline.casefold() for w in rows):
        known = ", ".join(sorted({w.country for w in rows}))
        raise AnalysisError(f"baseline country {baseline!r} has no waiting times (countries: {known})")
    return WaitingComparison(tuple(rows), baseline, table)
