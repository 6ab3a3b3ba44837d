"""Consistency: official figures that cannot all be true at once.

Four kinds of check, each reported with both sides, their sources and the size of the gap:

1. **Conflicting values** — the same quantity (metric, year, date) published with different values.
2. **Cumulative vs annual** — a cumulative counter at one year-end plus the annual counts of the following
   years implies the counter at a later date; a published counter far from the implied value contradicts the
   annual counts (e.g. donors at end-2015 from a 30 September counter minus the January–September count).
   A counter between two year-ends must lie between the implied totals at those year-ends.
3. **Parts exceed total** — organ counts that add up to more than the stated total.
4. **Cross-source** — the same figure in a second source (a GODT reference export), e.g. COTRS vs GODT.

Counters that fall over time are also reported. Two stated values are compared exactly; a value implied by
arithmetic on several figures is a contradiction when it misses by more than ``tolerance`` (default 1%), since
rounded or approximate figures ("about 1,700") are common.

>>> import pandas as pd
>>> rows = pd.DataFrame({"year": [2017, 2017], "metric": ["deceased_donors"] * 2, "value": [5146, 5148],
...                      "source": ["A", "B"]})
>>> check_consistency(rows).contradictions[0].gap  # 5,148 (B) minus 5,146 (A)
2.0
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import AnalysisError
from .official import OfficialFigure, load_official
from .reference import ReferenceData
from .results import fmt_count, frame_records, jsonable
from .tables import CsvTable, TableInput, inputs_with_sources


@dataclass(frozen=True)
class PartialPeriod:
    """An annual-style metric that covers 1 January up to (month, day) of its year."""

    metric: str
    end_month: int
    end_day: int
    label: str


@dataclass(frozen=True)
class CumulativeLink:
    """A cumulative counter and the annual (and part-year) counts that add up to it."""

    cumulative: str
    annual: str
    partials: tuple[PartialPeriod, ...] = ()


@dataclass(frozen=True)
class PartWhole:
    """Counts (parts) that cannot add up to more than a total (whole) for the same year."""

    whole: str
    parts: tuple[str, ...]


CUMULATIVE_LINKS: tuple[CumulativeLink, ...] = (
    CumulativeLink("cumulative_donors_at_date", "deceased_donors",
                   (PartialPeriod("deceased_donors_jan_to_sep", 9, 30, "January–September"),)),
    CumulativeLink("cumulative_organs_at_date", "organs_transplanted"),
)
PART_WHOLES: tuple[PartWhole, ...] = (
    PartWhole("transplants_total_incl_living",
              ("kidney_transplants", "liver_transplants", "heart_transplants", "lung_transplants")),
    PartWhole("organs_transplanted",
              ("deceased_donor_kidney_and_liver_transplants", "heart_transplants", "lung_transplants")),
)
#: Official metric → reference (GODT) columns that add up to the same quantity.
REFERENCE_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    "deceased_donors": ("deceased_donors",),
    "heart_transplants": ("heart_tx",),
    "lung_transplants": ("total_lung_tx",),
    "kidney_transplants": ("total_kidney_tx",),
    "liver_transplants": ("total_liver_tx",),
    "deceased_donor_kidney_and_liver_transplants": ("dd_kidney_tx", "dd_liver_tx"),
}


@dataclass(frozen=True)
class Check:
    """One comparison: a stated value (side A) against another stated or implied value (side B)."""

    kind: str
    quantity: str
    value_a: float
    source_a: str
    value_b_low: float
    value_b_high: float
    derivation_b: str
    sources_b: tuple[str, ...]
    contradiction: bool
    explanation: str
    lines: tuple[int, ...] = ()
    notes: str = ""

    @property
    def gap(self) -> float:
        """Side A minus the nearest edge of side B's range (0 when A lies inside it)."""
        if self.value_a < self.value_b_low:
            return self.value_a - self.value_b_low
        if self.value_a > self.value_b_high:
            return self.value_a - self.value_b_high
        return 0.0

    @property
    def gap_pct(self) -> float:
        """|gap| as a percentage of the larger side."""
        nearest = self.value_b_low if self.value_a < self.value_b_low else self.value_b_high
        scale = max(abs(self.value_a), abs(nearest))
        return 100.0 * abs(self.gap) / scale if scale else 0.0

    def row(self) -> dict[str, Any]:
        if self.value_b_low == self.value_b_high:
            b = fmt_count(self.value_b_low, 2 if self.value_b_low % 1 else 0)
        elif self.value_b_high == float("inf"):
            b = f"≥ {fmt_count(self.value_b_low)}"
        elif self.value_b_low == 0:
            b = f"≤ {fmt_count(self.value_b_high)}"
        else:
            b = f"{fmt_count(self.value_b_low)}–{fmt_count(self.value_b_high)}"
        return {
            "kind": self.kind, "quantity": self.quantity, "value_a": self.value_a, "source_a": self.source_a,
            "value_b": b, "value_b_low": self.value_b_low, "value_b_high": self.value_b_high,
            "derivation_b": self.derivation_b, "sources_b": "; ".join(dict.fromkeys(self.sources_b)),
            "gap": self.gap, "gap_pct": self.gap_pct, "contradiction": self.contradiction,
            "explanation": self.explanation, "lines": ", ".join(str(n) for n in self.lines), "notes": self.notes,
        }


@dataclass(frozen=True)
class TimelinePoint:
    """A stated or implied cumulative value, for the plot."""

    metric: str
    date: dt.date
    value: float
    kind: str  # "stated" or "implied"
    label: str


@dataclass(frozen=True)
class ConsistencyResult:
    """All checks made, with the contradictions among them; see :func:`check_consistency`."""

    checks: tuple[Check, ...]
    tolerance: float
    figures: tuple[OfficialFigure, ...] = field(repr=False)
    timeline: tuple[TimelinePoint, ...] = field(default=(), repr=False)
    table: CsvTable | None = field(default=None, repr=False)
    reference_note: str = ""

    title = "Consistency of official figures"

    @property
    def contradictions(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.contradiction)

    @property
    def method(self) -> str:
        return (
            "Every figure is compared with every other figure that states or implies the same quantity. "
            "(1) Rows with the same metric, year and date but different values are reported as conflicting. "
            "(2) For each cumulative counter, year-end totals are taken from counters dated 31 December (or "
            "given only as a year, read as the year-end), or derived from a counter dated at the end of a "
            "part-year count (e.g. a 30 September counter minus the January–September count gives the previous "
            "year-end). From the nearest earlier year-end, adding the annual counts of the following years "
            "implies the counter at a later year-end; a counter dated within a year must lie between the "
            "implied totals of the year-ends around it. Where an annual count has conflicting values the "
            "implied value is a range. (3) Organ counts must not add up to more than the total they belong to. "
            "(4) With a reference export, the same figure in both sources is compared. Two stated values are "
            "compared exactly; an implied value is a contradiction when it misses by more than "
            f"{self.tolerance:.1%} of the larger side. Cumulative counters that fall over time are reported."
        )

    @property
    def caveats(self) -> tuple[str, ...]:
        notes = [
            "A contradiction shows that not all of the published figures can be true as stated; it does not "
            "show which one is wrong, nor why (definitions, revisions, rounding or error may explain a gap).",
            "Counters and annual counts may define donors or organs differently (e.g. counting start date, "
            "living donors); the notes column of the input says what is known about each figure.",
            "Approximate figures (\"about\", \"more than\") are compared at their stated round value.",
        ]
        if any(f.date_is_year_only for f in self.figures):
            notes.append("Counters given only as a year were read as year-end totals (marked 'year only').")
        if self.reference_note:
            notes.append(self.reference_note)
        return tuple(notes)

    def summary(self) -> list[str]:
        lines = [f"{len(self.checks)} checks, {len(self.contradictions)} contradictions "
                 f"(tolerance for implied values {self.tolerance:.1%})."]
        for c in sorted(self.contradictions, key=lambda c: -c.gap_pct):
            lines.append(f"{c.kind}: {c.quantity}: {fmt_count(c.value_a, 2 if c.value_a % 1 else 0)} "
                         f"({c.source_a}) vs {c.row()['value_b']} ({c.derivation_b}); gap {fmt_count(c.gap)} "
                         f"({c.gap_pct:.1f}%).")
        return lines

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([c.row() for c in self.checks])

    def inputs_frame(self) -> pd.DataFrame:
        if self.table is not None:
            return inputs_with_sources(self.table, ["year", "metric", "value", "as_of_date", "notes"])
        return pd.DataFrame([{"line": f.line, "year": f.year, "metric": f.metric, "value": f.value,
                              "source": f.source.text} for f in self.figures])

    def result_tables(self) -> list[tuple[str, pd.DataFrame]]:
        frame = self.to_frame()
        if frame.empty:
            return [("Contradictions", frame)]
        cols = ["kind", "quantity", "value_a", "source_a", "value_b", "derivation_b", "gap", "gap_pct",
                "explanation"]
        return [
            ("Contradictions", frame[frame["contradiction"]][cols]),
            ("All checks", frame[[*cols[:7], "contradiction"]]),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysis": "consistency",
            "parameters": {"tolerance": self.tolerance},
            "contradictions": frame_records(self.to_frame()[self.to_frame()["contradiction"]])
            if self.checks else [],
            "checks": frame_records(self.to_frame()) if self.checks else [],
            "inputs": [jsonable({"line": f.line, "year": f.year, "metric": f.metric, "value": f.value,
                                 "as_of_date": f.as_of.isoformat() if f.as_of else None,
                                 "source": f.source.to_dict(), "notes": f.notes}) for f in self.figures],
            "method": self.method,
            "caveats": list(self.caveats),
        }


def check_consistency(
    figures: TableInput | Sequence[OfficialFigure],
    *,
    reference: ReferenceData | None = None,
    country: str = "China",
    tolerance: float = 0.01,
    links: Sequence[CumulativeLink] = CUMULATIVE_LINKS,
    part_wholes: Sequence[PartWhole] = PART_WHOLES,
) -> ConsistencyResult:
    """Run every check on a table of official figures (path, DataFrame or loaded figures).

    ``reference`` (a GODT export) adds cross-source checks for ``country``.
    """
    if not 0 <= tolerance < 1:
        raise AnalysisError(f"tolerance must be a fraction between 0 and 1, got {tolerance}")
    table: CsvTable | None = None
    if isinstance(figures, Sequence) and not isinstance(figures, str):
        figs = list(figures)
    else:
        table, figs = load_official(figures)
    checks: list[Check] = []
    checks += _conflicting_values(figs)
    timeline: list[TimelinePoint] = []
    for link in links:
        link_checks, points = _cumulative(figs, link, tolerance)
        checks += link_checks
        timeline += points
    checks += _part_whole(figs, part_wholes)
    note = ""
    if reference is not None:
        checks += _cross_source(figs, reference, country)
        note = f"Cross-source checks use the reference rows for {country}: {reference.citation}."
    return ConsistencyResult(tuple(checks), tolerance, tuple(figs), tuple(timeline), table, note)


def _src(fig: OfficialFigure) -> str:
    return f"{fig.source.text} (line {fig.line})" if fig.line else fig.source.text


def _conflicting_values(figs: Sequence[OfficialFigure]) -> list[Check]:
    groups: dict[tuple[str, int, dt.date | None], list[OfficialFigure]] = defaultdict(list)
    for fig in figs:
        groups[(fig.metric, fig.year, fig.as_of)].append(fig)
    checks = []
    for group in groups.values():
        first = group[0]
        for other in group[1:]:
            if other.value == first.value:
                continue
            same_source = other.source.text == first.source.text
            checks.append(Check(
                kind="conflicting values",
                quantity=first.label(),
                value_a=other.value, source_a=_src(other),
                value_b_low=first.value, value_b_high=first.value,
                derivation_b="stated", sources_b=(_src(first),),
                contradiction=True,
                explanation=("the same source gives two values" if same_source
                             else "two sources give different values for the same quantity"),
                lines=(first.line, other.line),
                notes=" | ".join(dict.fromkeys(n for n in (first.notes, other.notes) if n)),
            ))
    return checks


@dataclass(frozen=True)
class _Anchor:
    year: int  # a total at 31 December of this year
    low: float
    high: float
    derivation: str
    sources: tuple[str, ...]
    from_line: int
    assumed: bool = False
    notes: str = ""


def _cumulative(
    figs: Sequence[OfficialFigure], link: CumulativeLink, tolerance: float
) -> tuple[list[Check], list[TimelinePoint]]:
    observed = sorted((f for f in figs if f.metric == link.cumulative and f.as_of), key=lambda f: f.as_of or 0)
    if not observed:
        return [], []
    annual: dict[int, list[OfficialFigure]] = defaultdict(list)
    for f in figs:
        if f.metric == link.annual and f.as_of is None:
            annual[f.year].append(f)

    anchors: list[_Anchor] = []
    for obs in observed:
        assert obs.as_of is not None
        if (obs.as_of.month, obs.as_of.day) == (12, 31):
            how = "stated (year only, read as year-end)" if obs.date_is_year_only else "stated"
            anchors.append(_Anchor(obs.as_of.year, obs.value, obs.value, how, (_src(obs),), obs.line,
                                   obs.date_is_year_only, obs.notes))
            continue
        for partial in link.partials:
            if (obs.as_of.month, obs.as_of.day) != (partial.end_month, partial.end_day):
                continue
            parts = [f for f in figs if f.metric == partial.metric and f.year == obs.as_of.year]
            if parts:
                values = [p.value for p in parts]
                anchors.append(_Anchor(
                    obs.as_of.year - 1, obs.value - max(values), obs.value - min(values),
                    f"{obs.value:,.0f} at {obs.as_of.isoformat()} − {_range(values)} for "
                    f"{partial.label} {obs.as_of.year}",
                    (_src(obs), *(_src(p) for p in parts)), obs.line,
                    notes=" | ".join(dict.fromkeys(n for n in (obs.notes, *(p.notes for p in parts)) if n)),
                ))

    def implied(anchor: _Anchor, year: int) -> tuple[float, float, str, tuple[str, ...]] | None:
        low, high, sources, added = anchor.low, anchor.high, list(anchor.sources), []
        for y in range(anchor.year + 1, year + 1):
            if y not in annual:
                return None
            values = [f.value for f in annual[y]]
            low, high = low + min(values), high + max(values)
            sources += [_src(f) for f in annual[y]]
            added.append(f"{_range(values)} ({y})")
        base = (f"end-{anchor.year} {_range([anchor.low, anchor.high])} [{anchor.derivation}]")
        text = base + (" + " + " + ".join(added) if added else "")
        return low, high, text, tuple(sources)

    def nearest(
        latest_anchor: int, year: int, exclude_line: int
    ) -> tuple[_Anchor, tuple[float, float, str, tuple[str, ...]]] | None:
        """The latest anchor at or before ``latest_anchor`` (not from ``exclude_line``) that reaches ``year``."""
        candidates = sorted((a for a in anchors if a.year <= latest_anchor and a.from_line != exclude_line),
                            key=lambda a: (-a.year, a.assumed))
        for anchor in candidates:
            result = implied(anchor, year)
            if result is not None:
                return anchor, result
        return None

    checks: list[Check] = []
    points = [TimelinePoint(link.cumulative, f.as_of, f.value, "stated", f.source.text)
              for f in observed if f.as_of]
    for anchor in anchors:
        for y in range(anchor.year, max(a.year for a in anchors) + 3):
            chain = implied(anchor, y)
            if chain is not None:
                points.append(TimelinePoint(link.cumulative, dt.date(y, 12, 31), chain[0], "implied",
                                            f"from end-{anchor.year}"))

    quantity = link.cumulative.removesuffix("_at_date")
    for anchor in anchors:  # year-end totals, stated or derived, against earlier year-ends + annual counts
        found = nearest(anchor.year - 1, anchor.year, anchor.from_line)
        if found is None:
            continue
        _, (low, high, text, sources) = found
        value = anchor.low
        check = _implied_check(
            "cumulative vs annual sums", f"{quantity} at end-{anchor.year}", value,
            f"{anchor.derivation}: " + "; ".join(anchor.sources), low, high, text, sources, tolerance,
            (anchor.from_line,), anchor.notes,
        )
        checks.append(check)
    for obs in observed:  # counters dated inside a year: between the implied year-ends around them
        assert obs.as_of is not None
        if (obs.as_of.month, obs.as_of.day) == (12, 31):
            continue
        before = nearest(obs.as_of.year - 1, obs.as_of.year - 1, obs.line)
        if before is None:
            continue
        anchor, (low, _, text_low, sources_low) = before
        after = implied(anchor, obs.as_of.year)
        high = after[1] if after else float("inf")
        text = f"at least {text_low}" + (f"; at most {after[2]}" if after else "")
        sources = sources_low + (after[3] if after else ())
        inside = low * (1 - tolerance) <= obs.value <= high * (1 + tolerance)
        checks.append(Check(
            kind="cumulative vs annual sums", quantity=f"{quantity} at {obs.as_of.isoformat()}",
            value_a=obs.value, source_a=_src(obs), value_b_low=low, value_b_high=high,
            derivation_b=text, sources_b=sources, contradiction=not inside,
            explanation=("within the range implied by the year-end totals around it" if inside else
                         "outside the range implied by the year-end totals around it"),
            lines=(obs.line,), notes=obs.notes,
        ))
    for earlier, later in itertools.pairwise(observed):
        if later.as_of and earlier.as_of and later.as_of > earlier.as_of and later.value < earlier.value:
            checks.append(Check(
                kind="cumulative count decreased", quantity=f"{quantity} {earlier.as_of} → {later.as_of}",
                value_a=later.value, source_a=_src(later), value_b_low=earlier.value,
                value_b_high=earlier.value, derivation_b=f"stated at {earlier.as_of.isoformat()}",
                sources_b=(_src(earlier),), contradiction=True,
                explanation="a cumulative count cannot fall", lines=(earlier.line, later.line),
            ))
    return checks, points


def _implied_check(
    kind: str, quantity: str, value: float, source: str, low: float, high: float, text: str,
    sources: tuple[str, ...], tolerance: float, lines: tuple[int, ...], notes: str = "",
) -> Check:
    nearest = low if value < low else high
    miss = abs(value - nearest) if not low <= value <= high else 0.0
    contradiction = miss > tolerance * max(abs(value), abs(nearest))
    return Check(
        kind=kind, quantity=quantity, value_a=value, source_a=source, value_b_low=low, value_b_high=high,
        derivation_b=text, sources_b=sources, contradiction=contradiction,
        explanation=("the stated total differs from the total implied by the annual counts" if contradiction
                     else "agrees with the annual counts within the tolerance"),
        lines=lines, notes=notes,
    )


def _part_whole(figs: Sequence[OfficialFigure], rules: Sequence[PartWhole]) -> list[Check]:
    checks = []
    annual: dict[tuple[str, int], list[OfficialFigure]] = defaultdict(list)
    for f in figs:
        if f.as_of is None:
            annual[(f.metric, f.year)].append(f)
    years = sorted({f.year for f in figs})
    for rule in rules:
        for year in years:
            wholes = annual.get((rule.whole, year))
            parts = {p: annual[(p, year)] for p in rule.parts if (p, year) in annual}
            if not wholes or not parts:
                continue
            parts_sum = sum(min(f.value for f in fs) for fs in parts.values())
            whole = max(f.value for f in wholes)
            contradiction = parts_sum > whole
            checks.append(Check(
                kind="parts exceed total" if contradiction else "parts within total",
                quantity=f"{rule.whole} {year}",
                value_a=parts_sum,
                source_a=" + ".join(f"{p} {min(f.value for f in fs):,.0f}" for p, fs in parts.items()),
                value_b_low=0.0, value_b_high=whole, derivation_b="at most the stated total",
                sources_b=tuple(_src(f) for f in wholes) + tuple(_src(f) for fs in parts.values() for f in fs),
                contradiction=contradiction,
                explanation=("the parts add up to more than the stated total" if contradiction
                             else f"{len(parts)} of {len(rule.parts)} parts present; they fit within the total"),
                lines=tuple(f.line for f in wholes) + tuple(f.line for fs in parts.values() for f in fs),
                notes=" | ".join(dict.fromkeys(f.notes for f in wholes if f.notes)),
            ))
    return checks


def _cross_source(figs: Sequence[OfficialFigure], reference: ReferenceData, country: str) -> list[Check]:
    checks = []
    for fig in figs:
        columns = REFERENCE_EQUIVALENTS.get(fig.metric)
        if not columns or fig.as_of is not None:
            continue
        values = [reference.value(country, fig.year, c) for c in columns]
        if any(v != v for v in values):  # NaN: the reference has no such figure
            continue
        ref_value = sum(values)
        differs = ref_value != fig.value
        checks.append(Check(
            kind="cross-source", quantity=f"{fig.metric} {fig.year}", value_a=fig.value, source_a=_src(fig),
            value_b_low=ref_value, value_b_high=ref_value,
            derivation_b=f"reference {' + '.join(columns)} for {country}",
            sources_b=(f"{reference.path} ({reference.citation})",), contradiction=differs,
            explanation="the two sources differ" if differs else "the two sources agree",
            lines=(fig.line,), notes=fig.notes,
        ))
    return checks


def _range(values: Sequence[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:,.0f}" if low == high else f"{low:,.0f}–{high:,.0f}"
