"""Official figures as published: one row per (year, metric, value) with its source.

This is the shape of ``china_official/official_counts.csv``: conflicting values stay as separate rows, because
the conflict is itself evidence. ``as_of_date`` is set for cumulative counters (ISO date, or a bare year when the
source gives no day).

>>> import pandas as pd
>>> figs = load_official(pd.DataFrame({"year": [2016], "metric": ["deceased_donors"], "value": ["4,080"],
...                                    "source": ["COTDF"]}))[1]
>>> figs[0].value
4080.0
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from organwatch.model.refs import SourceRef

from .errors import AnalysisError
from .tables import ColumnSpec, CsvTable, TableInput, TableSpec, read_table

OFFICIAL_SPEC = TableSpec(
    "official figures",
    (
        ColumnSpec("year", "calendar year the figure refers to", unit="year"),
        ColumnSpec("metric", "what is counted, e.g. deceased_donors, cumulative_donors_at_date"),
        ColumnSpec("value", "the number as published", unit="count or as named by the metric"),
        ColumnSpec("as_of_date", "for cumulative counters: ISO date or bare year", required=False),
        ColumnSpec("source", "outlet and date, URL, capture:<sha256>[#start-end] or claim:<id>"),
        ColumnSpec("notes", "approximations, periods, known conflicts", required=False),
    ),
)

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})-(\d{2}))?$")


@dataclass(frozen=True)
class OfficialFigure:
    """One published figure."""

    year: int
    metric: str
    value: float
    source: SourceRef
    as_of: dt.date | None = None
    date_is_year_only: bool = False
    notes: str = ""
    line: int = 0

    def label(self) -> str:
        when = (self.as_of.isoformat() if not self.date_is_year_only else f"{self.year} (year only)") if self.as_of \
            else str(self.year)
        return f"{self.metric} {when}"


@dataclass(frozen=True)
class AnnualSeries:
    """An annual series with the source of each value and notes about duplicates."""

    label: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def load_official(source: TableInput) -> tuple[CsvTable, list[OfficialFigure]]:
    """Load a table of official figures (see ``OFFICIAL_SPEC``)."""
    table = read_table(source, OFFICIAL_SPEC)
    figures = []
    for row in table:
        as_of: dt.date | None = None
        year_only = False
        raw_date = row.optional_text("as_of_date")
        if raw_date:
            match = _DATE.match(raw_date)
            if not match:
                raise row.error("as_of_date", f"{raw_date!r} is not an ISO date (YYYY-MM-DD) or a year")
            if match.group(2):
                try:
                    as_of = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                except ValueError:
                    raise row.error("as_of_date", f"{raw_date!r} is not a real calendar date") from None
            else:
                as_of, year_only = dt.date(int(match.group(1)), 12, 31), True
        figures.append(
            OfficialFigure(
                year=row.year("year"),
                metric=row.text("metric"),
                value=row.number("value"),
                source=row.source(),
                as_of=as_of,
                date_is_year_only=year_only,
                notes=row.optional_text("notes") or "",
                line=row.line,
            )
        )
    return table, figures


def series_from_official(
    figures: Sequence[OfficialFigure], metric: str, years: tuple[int, int] | None = None
) -> AnnualSeries:
    """The annual series of one metric. Where a year has conflicting values the first row is used and the
    choice is recorded in ``notes`` (run the consistency check for the conflict itself)."""
    chosen: dict[int, OfficialFigure] = {}
    notes = []
    for fig in figures:
        if fig.metric != metric or (years and not years[0] <= fig.year <= years[1]):
            continue
        if fig.year in chosen:
            first = chosen[fig.year]
            if first.value != fig.value:
                notes.append(
                    f"{fig.year}: {len(_all(figures, metric, fig.year))} conflicting values "
                    f"({', '.join(f'{f.value:g}' for f in _all(figures, metric, fig.year))}); used "
                    f"{first.value:g} from line {first.line} ({first.source.text})"
                )
            continue
        chosen[fig.year] = fig
    if not chosen:
        known = sorted({f.metric for f in figures})
        raise AnalysisError(f"no rows with metric {metric!r}; metrics present: {', '.join(known)}")
    ordered = [chosen[y] for y in sorted(chosen)]
    return AnnualSeries(
        label=metric,
        years=tuple(f.year for f in ordered),
        values=tuple(f.value for f in ordered),
        sources=tuple(f.source.text for f in ordered),
        notes=tuple(dict.fromkeys(notes)),
    )


def _all(figures: Sequence[OfficialFigure], metric: str, year: int) -> list[OfficialFigure]:
    return [f for f in figures if f.metric == metric and f.year == year]
