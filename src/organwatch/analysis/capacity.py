"""Capacity: how many transplants could the hospitals' beds, surgeons and theatres have supported?

For each hospital and organ, a year of dedicated beds supports

    bed capacity = beds × utilisation × 365 / average length of stay (days)

transplants, and, when declared, no more than ``surgeons × transplants_per_surgeon`` and
``theatres × transplants_per_theatre`` a year; the estimate is the smallest of these. Every parameter may be a
point value or a declared distribution (see :mod:`.distributions`); a seeded Monte Carlo propagates them to
totals by tier, region and organ with 50% and 90% intervals, and a one-at-a-time sensitivity analysis shows
which parameter drives the spread (the tornado plot).

>>> import pandas as pd
>>> rows = pd.DataFrame({"hospital": ["A"], "organ": ["kidney"], "beds": ["10"], "utilisation": ["1"],
...                      "alos_days": ["36.5"], "source": ["example"]})
>>> estimate_capacity(rows, draws=100).closed_form_total
100.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from organwatch.model.refs import SourceRef

from .distributions import Distribution, FloatArray
from .errors import AnalysisError
from .results import fmt_count, frame_records, jsonable, summarise_draws
from .tables import ColumnSpec, CsvTable, TableInput, TableSpec, inputs_with_sources, read_table

Correlation = Literal["shared", "independent"]

#: Parameters in model order; the first three are required.
PARAMETERS: tuple[str, ...] = (
    "beds",
    "utilisation",
    "alos_days",
    "surgeons",
    "transplants_per_surgeon",
    "theatres",
    "transplants_per_theatre",
)
_PAIRS = (("surgeons", "transplants_per_surgeon"), ("theatres", "transplants_per_theatre"))

HOSPITALS_SPEC = TableSpec(
    "capacity (hospitals)",
    (
        ColumnSpec("hospital", "hospital name"),
        ColumnSpec("organ", "organ transplanted (kidney, liver, heart, lung...)"),
        ColumnSpec("tier", "grouping, e.g. hospital tier or military/civilian", required=False),
        ColumnSpec("region", "grouping, e.g. province", required=False),
        ColumnSpec("beds", "beds dedicated to transplantation of this organ", unit="beds"),
        ColumnSpec("utilisation", "bed occupancy as a fraction (0.9 = 90%)", unit="fraction"),
        ColumnSpec("alos_days", "average length of stay per transplant", unit="days"),
        ColumnSpec("surgeons", "transplant surgeons for this organ", unit="surgeons", required=False),
        ColumnSpec("transplants_per_surgeon", "maximum per surgeon", unit="per year", required=False),
        ColumnSpec("theatres", "operating theatres available", unit="theatres", required=False),
        ColumnSpec("transplants_per_theatre", "maximum per theatre", unit="per year", required=False),
        ColumnSpec("source", "citation, URL, capture:<sha256>[#start-end] or claim:<id> for the row"),
        ColumnSpec("<parameter>_source", "optional per-parameter source, e.g. beds_source", required=False),
    ),
)


@dataclass(frozen=True)
class HospitalInput:
    """One hospital-organ row with its parameters and their sources."""

    hospital: str
    organ: str
    parameters: dict[str, Distribution]
    source: SourceRef
    tier: str = ""
    region: str = ""
    parameter_sources: dict[str, SourceRef] = field(default_factory=dict)
    line: int = 0

    def central_volume(self, days_per_year: float = 365.0) -> float:
        """Closed-form capacity with every parameter at its central value."""
        values = {k: np.array([[v.central]]) for k, v in self.parameters.items()}
        return float(_volume(values, days_per_year)[0, 0])


def load_hospitals(source: TableInput) -> tuple[CsvTable, list[HospitalInput]]:
    """Load and validate a hospitals table; see ``HOSPITALS_SPEC`` for its columns.

    Utilisation above 2 is refused: it almost always means a percentage was typed where a fraction belongs.
    """
    table = read_table(source, HOSPITALS_SPEC)
    hospitals: list[HospitalInput] = []
    for row in table:
        params: dict[str, Distribution] = {}
        for name in PARAMETERS:
            value = row.quantity(name) if name in PARAMETERS[:3] else row.optional_quantity(name)
            if value is not None:
                params[name] = value
        for a, b in _PAIRS:
            if (a in params) != (b in params):
                given, other = (a, b) if a in params else (b, a)
                raise row.error(other, f"'{given}' is set, so '{other}' is needed too (or leave both empty)")
        if params["alos_days"].declared_range[0] <= 0:
            raise row.error("alos_days", "average length of stay must be > 0 days")
        if params["utilisation"].declared_range[1] > 2:
            raise row.error("utilisation", "utilisation is a fraction (0.9 = 90%), not a percentage")
        sources = {
            name: ref
            for name in PARAMETERS
            if (ref := row.optional_source(f"{name}_source")) is not None
        }
        hospitals.append(
            HospitalInput(
                hospital=row.text("hospital"),
                organ=row.text("organ"),
                tier=row.optional_text("tier") or "",
                region=row.optional_text("region") or "",
                parameters=params,
                source=row.source(),
                parameter_sources=sources,
                line=row.line,
            )
        )
    return table, hospitals


@dataclass(frozen=True)
class GroupTotal:
    """Capacity summed over one group (a tier, region or organ, or everything)."""

    by: str
    group: str
    rows: int
    central: float
    mean: float
    p5: float
    p25: float
    median: float
    p75: float
    p95: float


@dataclass(frozen=True)
class Swing:
    """Total capacity with one parameter at its 5th and at its 95th percentile in every row."""

    parameter: str
    total_at_p5: float
    total_at_p95: float

    @property
    def swing(self) -> float:
        return abs(self.total_at_p95 - self.total_at_p5)


@dataclass(frozen=True)
class HospitalEstimate:
    """Capacity of one row, with how often each constraint was the binding one."""

    line: int
    hospital: str
    organ: str
    central: float
    median: float
    p5: float
    p95: float
    binding: dict[str, float]


@dataclass(frozen=True)
class CapacityResult:
    """Monte Carlo capacity estimate; see :func:`estimate_capacity`."""

    hospitals: tuple[HospitalInput, ...]
    draws: int
    seed: int
    correlation: Correlation
    days_per_year: float
    closed_form_total: float
    groups: tuple[GroupTotal, ...]
    per_hospital: tuple[HospitalEstimate, ...]
    sensitivity: tuple[Swing, ...]
    total_draws: FloatArray = field(repr=False)
    table: CsvTable | None = field(default=None, repr=False)

    title = "Transplant capacity estimate"

    @property
    def total(self) -> GroupTotal:
        return next(g for g in self.groups if g.by == "all")

    @property
    def method(self) -> str:
        shared = (
            "In each draw one random quantile per parameter is shared by all rows (a source's uncertainty about, "
            "say, utilisation applies to every hospital alike)."
            if self.correlation == "shared"
            else "Each row's parameters are drawn independently of the other rows."
        )
        return (
            "For each hospital and organ, bed capacity = beds × utilisation × "
            f"{self.days_per_year:g} / average length of stay; where surgeons or theatres are declared, the "
            "estimate is the smallest of bed capacity, surgeons × transplants per surgeon, and theatres × "
            "transplants per theatre. Parameters given as distributions are propagated by Monte Carlo "
            f"({self.draws:,} draws, seed {self.seed}). {shared} Totals are sums over rows within each draw; "
            "intervals are the central 50% (p25–p75) and 90% (p5–p95) of the draws. Sensitivity: each parameter "
            "in turn is set to its 5th and 95th percentile in every row, the others held at their central value "
            "(mode, midpoint or median), and the resulting totals are compared (tornado plot)."
        )

    @property
    def caveats(self) -> tuple[str, ...]:
        cited = sum(1 for h in self.hospitals if h.source.is_case_reference)
        notes = [
            "This is a capacity: what the declared beds and staff could support, not a count of transplants "
            "performed. It is only as good as the parameters and their sources, listed below.",
            f"{cited} of {len(self.hospitals)} input rows cite a capture or claim in a case; the others cite "
            "free text, which has not been checked against a case.",
            "Intervals reflect only the declared parameter distributions, not uncertainty in the model itself "
            "(e.g. beds shared between organs, seasonal use).",
            "The one-at-a-time sensitivity ignores interactions between parameters.",
        ]
        if self.correlation == "independent" and len(self.hospitals) > 1:
            notes.append(
                "Independent draws across rows average out and narrow the total's interval; if the uncertainty "
                "is about a common quantity (e.g. national practice), use --correlation shared."
            )
        return tuple(notes)

    def summary(self) -> list[str]:
        t = self.total
        return [
            f"Estimated annual capacity (all rows): median {fmt_count(t.median)}, "
            f"50% interval {fmt_count(t.p25)}–{fmt_count(t.p75)}, 90% interval {fmt_count(t.p5)}–{fmt_count(t.p95)}"
            f" ({len(self.hospitals)} rows, {self.draws:,} draws, seed {self.seed}).",
            f"With every parameter at its central value: {fmt_count(self.closed_form_total)}.",
            "Largest driver of the spread: "
            + (
                f"{self.sensitivity[0].parameter} (total {fmt_count(self.sensitivity[0].total_at_p5)} to "
                f"{fmt_count(self.sensitivity[0].total_at_p95)} between its 5th and 95th percentiles)."
                if self.sensitivity and self.sensitivity[0].swing > 0
                else "none (all parameters are point values)."
            ),
        ]

    def to_frame(self) -> pd.DataFrame:
        """Totals by group (rows for 'all', then each tier, region and organ)."""
        return pd.DataFrame([g.__dict__ for g in self.groups])

    def hospitals_frame(self) -> pd.DataFrame:
        rows = []
        for h in self.per_hospital:
            base = {k: v for k, v in h.__dict__.items() if k != "binding"}
            rows.append({**base, **{f"binding_{k}": v for k, v in h.binding.items()}})
        return pd.DataFrame(rows)

    def sensitivity_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"parameter": s.parameter, "total_at_p5": s.total_at_p5, "total_at_p95": s.total_at_p95,
                 "swing": s.swing}
                for s in self.sensitivity
            ]
        )

    def inputs_frame(self) -> pd.DataFrame:
        if self.table is not None:
            return inputs_with_sources(self.table, ["hospital", "organ", "tier", "region", *PARAMETERS])
        return pd.DataFrame(
            [
                {"line": h.line, "hospital": h.hospital, "organ": h.organ,
                 **{k: v.describe() for k, v in h.parameters.items()}, "source": h.source.text}
                for h in self.hospitals
            ]
        )

    def result_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [
            ("Totals by group (transplants per year)", self.to_frame()),
            ("Sensitivity (one parameter at a time)", self.sensitivity_frame()),
            ("Per hospital and organ", self.hospitals_frame()),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysis": "capacity",
            "parameters": {"draws": self.draws, "seed": self.seed, "correlation": self.correlation,
                           "days_per_year": self.days_per_year},
            "closed_form_total": jsonable(self.closed_form_total),
            "groups": frame_records(self.to_frame()),
            "sensitivity": frame_records(self.sensitivity_frame()),
            "per_hospital": frame_records(self.hospitals_frame()),
            "inputs": [
                {"line": h.line, "hospital": h.hospital, "organ": h.organ, "tier": h.tier, "region": h.region,
                 "parameters": {k: v.to_dict() for k, v in h.parameters.items()},
                 "source": h.source.to_dict(),
                 "parameter_sources": {k: v.to_dict() for k, v in h.parameter_sources.items()}}
                for h in self.hospitals
            ],
            "method": self.method,
            "caveats": list(self.caveats),
        }


def estimate_capacity(
    hospitals: TableInput | Sequence[HospitalInput],
    *,
    draws: int = 10_000,
    seed: int = 1,
    correlation: Correlation = "shared",
    days_per_year: float = 365.0,
) -> CapacityResult:
    """Estimate annual transplant capacity with Monte Carlo intervals and a sensitivity analysis.

    ``hospitals`` is a CSV path, a DataFrame or already loaded :class:`HospitalInput` rows.

    >>> import pandas as pd
    >>> rows = pd.DataFrame({"hospital": ["A"], "organ": ["liver"], "beds": ["uniform(10, 30)"],
    ...                      "utilisation": ["0.9"], "alos_days": ["30"], "source": ["example"]})
    >>> round(estimate_capacity(rows, draws=2000, seed=1).total.median)
    219
    """
    if draws < 1:
        raise AnalysisError(f"draws must be at least 1, got {draws}")
    if correlation not in ("shared", "independent"):
        raise AnalysisError(f"correlation must be 'shared' or 'independent', got {correlation!r}")
    table: CsvTable | None = None
    if isinstance(hospitals, Sequence) and not isinstance(hospitals, str):
        rows = list(hospitals)
    else:
        table, rows = load_hospitals(hospitals)
    if not rows:
        raise AnalysisError("no hospital rows to estimate")

    rng = np.random.default_rng(seed)
    n = len(rows)
    sampled: dict[str, FloatArray] = {}
    for name in PARAMETERS:
        if not any(name in h.parameters for h in rows):
            continue
        # Draw the quantiles even for point values so adding a row never reshuffles the others' draws.
        shape = (1, draws) if correlation == "shared" else (n, draws)
        u = rng.random(shape)
        matrix = np.full((n, draws), np.nan)
        for i, h in enumerate(rows):
            dist = h.parameters.get(name)
            if dist is not None:
                matrix[i] = dist.ppf(u[0] if correlation == "shared" else u[i])
        sampled[name] = matrix

    volumes = _volume(sampled, days_per_year)
    binding = _binding(sampled, days_per_year)
    central_values = {
        name: np.array([[h.parameters[name].central if name in h.parameters else np.nan] for h in rows])
        for name in sampled
    }
    central = _volume(central_values, days_per_year)[:, 0]

    groups: list[GroupTotal] = [_group("all", "all", list(range(n)), volumes, central)]
    for by in ("tier", "region", "organ"):
        labels = [getattr(h, by) or "(none)" for h in rows]
        if by != "organ" and all(label == "(none)" for label in labels):
            continue
        for label in sorted(set(labels)):
            idx = [i for i, lab in enumerate(labels) if lab == label]
            groups.append(_group(by, label, idx, volumes, central))

    per_hospital = []
    for i, h in enumerate(rows):
        s = summarise_draws(volumes[i])
        per_hospital.append(
            HospitalEstimate(h.line, h.hospital, h.organ, float(central[i]), s["median"], s["p5"], s["p95"],
                             {k: float(v[i]) for k, v in binding.items()})
        )

    swings = []
    for name in sampled:
        totals = []
        for p in (0.05, 0.95):
            values = dict(central_values)
            values[name] = np.array(
                [[h.parameters[name].quantile(p) if name in h.parameters else np.nan] for h in rows]
            )
            totals.append(float(np.sum(_volume(values, days_per_year))))
        swings.append(Swing(name, totals[0], totals[1]))
    swings.sort(key=lambda s: s.swing, reverse=True)

    return CapacityResult(
        hospitals=tuple(rows),
        draws=draws,
        seed=seed,
        correlation=correlation,
        days_per_year=days_per_year,
        closed_form_total=float(np.sum(central)),
        groups=tuple(groups),
        per_hospital=tuple(per_hospital),
        sensitivity=tuple(swings),
        total_draws=np.sum(volumes, axis=0),
        table=table,
    )


def _constraints(values: dict[str, FloatArray], days_per_year: float) -> dict[str, FloatArray]:
    out = {"beds": values["beds"] * values["utilisation"] * days_per_year / values["alos_days"]}
    if "surgeons" in values:
        out["surgeons"] = values["surgeons"] * values["transplants_per_surgeon"]
    if "theatres" in values:
        out["theatres"] = values["theatres"] * values["transplants_per_theatre"]
    return out


def _volume(values: dict[str, FloatArray], days_per_year: float) -> FloatArray:
    limits = list(_constraints(values, days_per_year).values())
    result = limits[0]
    for limit in limits[1:]:
        result = np.fmin(result, limit)  # fmin ignores NaN: an undeclared constraint does not bind
    return result


def _binding(values: dict[str, FloatArray], days_per_year: float) -> dict[str, FloatArray]:
    limits = _constraints(values, days_per_year)
    volume = _volume(values, days_per_year)
    return {name: np.mean(limit == volume, axis=1) for name, limit in limits.items()}


def _group(by: str, label: str, idx: list[int], volumes: FloatArray, central: FloatArray) -> GroupTotal:
    s = summarise_draws(np.sum(volumes[idx], axis=0))
    return GroupTotal(by, label, len(idx), float(np.sum(central[idx])), s["mean"], s["p5"], s["p25"],
                      s["median"], s["p75"], s["p95"])
