"""Series forensics in one call: model fits, reference ranking and internal ratios for one official metric.

This is what ``organwatch analyze series`` runs. The pieces (:func:`~.series.fit_series`,
:func:`~.series.compare_with_reference`, :func:`~.series.compare_ratios`) are usable on their own.

>>> import pandas as pd
>>> rows = pd.DataFrame({"year": [2010, 2011, 2012, 2013], "metric": ["donors"] * 4,
...                      "value": [1, 4, 9, 16], "source": ["x"] * 4})
>>> round(series_forensics(rows, "donors", origin=2009).fit.model("quadratic_origin").parameters["a"], 9)
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .official import OfficialFigure, load_official, series_from_official
from .reference import ReferenceData
from .results import frame_records, jsonable
from .series import (
    MODELS,
    RatioCheck,
    ReferenceComparison,
    SeriesFit,
    compare_ratios,
    compare_with_reference,
    fit_series,
)
from .tables import CsvTable, TableInput


@dataclass(frozen=True)
class SeriesForensics:
    """Fits of every model, optionally the reference ranking and ratio checks."""

    metric: str
    fit: SeriesFit
    comparison: ReferenceComparison | None = None
    ratios: tuple[RatioCheck, ...] = ()
    figures: tuple[OfficialFigure, ...] = field(default=(), repr=False)
    table: CsvTable | None = field(default=None, repr=False)

    title = "Series forensics"

    @property
    def method(self) -> str:
        text = (
            f"The annual series '{self.metric}' ({len(self.fit.series.years)} values) is fitted with "
            + ", ".join(f"{f.model} ({f.formula})" for f in self.fit.fits)
            + f", with t = year − {self.fit.origin}. Polynomials are fitted by ordinary least squares, the "
            "exponential by nonlinear least squares. R² = 1 − RSS/TSS (TSS about the mean); adjusted R² = "
            "1 − (1 − R²)(n − 1)/(n − k) with k fitted parameters; AIC = n·ln(RSS/n) + 2k. Residual "
            "diagnostics: Durbin–Watson (near 2 when residuals are uncorrelated), Shapiro–Wilk p-value for "
            "normality, and the largest residual in units of the residual standard error."
        )
        if self.comparison is not None:
            c = self.comparison
            text += (
                f" The {c.model} model is then fitted in the same way to every reference country with data for "
                f"all of the same years ({', '.join(str(y) for y in c.years)}); the series' 1 − R² is ranked "
                "among theirs and the distance is given in orders of magnitude, log10(reference 1 − R²) − "
                "log10(series 1 − R²)."
            )
        if self.ratios:
            text += (
                " Internal ratios (organs per donor, liver/kidney) of the tested figures are placed within the "
                "distribution of the same ratios across reference countries in the same year (countries with "
                "at least 10 deceased donors)."
            )
        return text

    @property
    def caveats(self) -> tuple[str, ...]:
        notes = [
            "A close fit is a statistical observation, not proof of how the numbers were produced: steadily "
            "growing programmes can also follow smooth curves, and short series fit any low-order curve well.",
            "With few points, R² differences between models are small and the cubic always fits at least as "
            "well as the quadratic; compare adjusted R² and AIC.",
            "Reference countries with small counts have noisier series (lower R²); use --min-mean to restrict "
            "the comparison to countries of similar scale and see whether the ranking holds.",
        ]
        notes += [f"Series value choice: {n}." for n in self.fit.series.notes]
        missing = _missing_years(self.fit.series.years)
        if missing:
            notes.append(f"No value for {', '.join(map(str, missing))}; those years are left out of every fit, "
                         "including the reference countries'.")
        if self.comparison is not None:
            notes.append(f"Reference: {self.comparison.reference_citation}. GODT revises past years; this "
                         "export is one version.")
        return tuple(notes)

    def summary(self) -> list[str]:
        lines = [
            f"{f.model}: R² = {f.r2:.6f}, 1−R² = {f.one_minus_r2:.3g}, adjusted R² = "
            + (f"{f.adj_r2:.6f}" if f.adj_r2 is not None else "–")
            + (f", AIC = {f.aic:.1f}" if f.aic is not None else "")
            for f in self.fit.fits
        ]
        if self.comparison is not None:
            lines.append(self.comparison.sentence())
        for r in self.ratios:
            lines.append(f"{r.ratio} {r.year}: {r.value:.3f} ({r.derivation.split(':')[0]}); reference median "
                         f"{r.reference_median:.3f} (5–95%: {r.reference_p5:.3f}–{r.reference_p95:.3f}, "
                         f"n = {r.reference_n}); {r.share_of_reference_at_or_below:.0%} of reference countries "
                         "at or below.")
        return lines

    def to_frame(self) -> pd.DataFrame:
        return self.fit.to_frame()

    def ratios_frame(self) -> pd.DataFrame:
        return pd.DataFrame([r.__dict__ for r in self.ratios])

    def inputs_frame(self) -> pd.DataFrame:
        s = self.fit.series
        return pd.DataFrame({"year": s.years, "value": s.values,
                             "source": s.sources or [""] * len(s.years)})

    def result_tables(self) -> list[tuple[str, pd.DataFrame]]:
        tables = [("Model fits", self.to_frame().drop(columns=["formula"]))]
        if self.comparison is not None:
            head = self.comparison.countries.head(10)
            tables.append((f"Closest-fitting reference countries ({self.comparison.model})", head))
        if self.ratios:
            tables.append(("Internal ratios against the reference", self.ratios_frame()))
        return tables

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysis": "series",
            "metric": self.metric,
            **self.fit.to_dict(),
            "reference_comparison": self.comparison.to_dict() if self.comparison else None,
            "ratios": frame_records(self.ratios_frame()) if self.ratios else [],
            "inputs": [jsonable({"line": f.line, "year": f.year, "metric": f.metric, "value": f.value,
                                 "source": f.source.to_dict(), "notes": f.notes})
                       for f in self.figures if f.metric == self.metric],
            "method": self.method,
            "caveats": list(self.caveats),
        }


def series_forensics(
    official: TableInput | Sequence[OfficialFigure],
    metric: str,
    *,
    reference: ReferenceData | None = None,
    years: tuple[int, int] | None = None,
    origin: int | None = None,
    model: str = "quadratic",
    ratio_year: int | None = None,
    country: str | None = None,
    min_mean: float = 0.0,
    exclude: Sequence[str] = (),
) -> SeriesForensics:
    """Fit every model to ``metric`` of an official-figures table; with ``reference`` also rank the fit among
    reference countries and check internal ratios for ``ratio_year`` (default: the series' last year)."""
    table: CsvTable | None = None
    if isinstance(official, Sequence) and not isinstance(official, str):
        figures = list(official)
    else:
        table, figures = load_official(official)
    series = series_from_official(figures, metric, years)
    fit = fit_series(series, origin=origin, models=MODELS)
    comparison = None
    ratios: list[RatioCheck] = []
    if reference is not None:
        comparison = compare_with_reference(series, reference, model=model, origin=fit.origin,
                                            min_mean=min_mean, exclude=exclude)
        ratios = compare_ratios(figures, reference, year=ratio_year or series.years[-1], country=country)
    return SeriesForensics(metric, fit, comparison, tuple(ratios), tuple(figures), table)


def _missing_years(years: Sequence[int]) -> list[int]:
    return sorted(set(range(years[0], years[-1] + 1)) - set(years))
