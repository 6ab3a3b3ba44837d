"""Series forensics: how closely does an annual official series follow a simple formula?

Real counts of donors or transplants wobble from year to year: a hospital opens, a policy changes, a bad winter.
A series that sits almost exactly on a smooth curve is unusual, and how unusual can be measured by fitting the
same curve to every country of a reference data set. We fit five models to the series:

- ``linear``: y = b0 + b1·t
- ``quadratic``: y = b0 + b1·t + b2·t²
- ``quadratic_origin``: y = a·t², one parameter, t counted from a declared origin year
- ``cubic``: y = b0 + b1·t + b2·t² + b3·t³
- ``exponential``: y = A·exp(b·t) (nonlinear least squares)

with t = year − origin. For each we report R² (1 − RSS/TSS, TSS about the mean, so a model without an intercept
can score below 0), adjusted R², AIC (n·ln(RSS/n) + 2k, comparable between models on the same series) and
residual diagnostics. :func:`compare_with_reference` then ranks the series' 1 − R² among the reference
countries over the same years.

>>> fit = fit_series({2010: 1.0, 2011: 4.0, 2012: 9.0, 2013: 16.0}, origin=2009)
>>> round(fit.model("quadratic_origin").parameters["a"], 6)
1.0
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .distributions import FloatArray
from .errors import AnalysisError
from .official import AnnualSeries, OfficialFigure
from .reference import ReferenceData
from .results import jsonable

MODELS: tuple[str, ...] = ("linear", "quadratic", "quadratic_origin", "cubic", "exponential")
_FORMULAS = {
    "linear": "y = b0 + b1·t",
    "quadratic": "y = b0 + b1·t + b2·t²",
    "quadratic_origin": "y = a·t²",
    "cubic": "y = b0 + b1·t + b2·t² + b3·t³",
    "exponential": "y = A·exp(b·t)",
}
_PARAMS = {
    "linear": ("b0", "b1"),
    "quadratic": ("b0", "b1", "b2"),
    "quadratic_origin": ("a",),
    "cubic": ("b0", "b1", "b2", "b3"),
    "exponential": ("A", "b"),
}
#: Below this, 1 − R² is floating-point noise: the fit is exact.
EXACT_FIT = 1e-12

SeriesInput = AnnualSeries | Mapping[int, float] | pd.Series


@dataclass(frozen=True)
class ModelFit:
    """One model fitted to one series."""

    model: str
    formula: str
    n: int
    k: int
    parameters: dict[str, float]
    r2: float
    adj_r2: float | None
    aic: float | None
    fitted: tuple[float, ...]
    residuals: tuple[float, ...]
    durbin_watson: float | None
    shapiro_p: float | None
    max_abs_std_residual: float | None
    note: str = ""

    @property
    def one_minus_r2(self) -> float:
        gap = 1.0 - self.r2
        return 0.0 if abs(gap) < EXACT_FIT else gap

    def predict(self, t: FloatArray) -> FloatArray:
        p = self.parameters
        if self.model == "exponential":
            return p["A"] * np.exp(p["b"] * t)
        if self.model == "quadratic_origin":
            return p["a"] * t**2
        coefficients = [p[name] for name in _PARAMS[self.model]]
        return np.asarray(sum(c * t**i for i, c in enumerate(coefficients)), dtype=np.float64)

    def row(self) -> dict[str, Any]:
        return {
            "model": self.model, "formula": self.formula, "n": self.n, "k": self.k,
            "parameters": ", ".join(f"{k}={v:.6g}" for k, v in self.parameters.items()),
            "r2": self.r2, "one_minus_r2": self.one_minus_r2, "adj_r2": self.adj_r2, "aic": self.aic,
            "durbin_watson": self.durbin_watson, "shapiro_p": self.shapiro_p,
            "max_abs_std_residual": self.max_abs_std_residual, "note": self.note,
        }


@dataclass(frozen=True)
class SeriesFit:
    """All models fitted to one series; see :func:`fit_series`."""

    series: AnnualSeries
    origin: int
    fits: tuple[ModelFit, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    def model(self, name: str) -> ModelFit:
        for fit in self.fits:
            if fit.model == name:
                return fit
        raise KeyError(f"model {name!r} was not fitted ({self.skipped.get(name, 'unknown model')})")

    @property
    def t(self) -> FloatArray:
        return np.asarray(self.series.years, dtype=np.float64) - self.origin

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([f.row() for f in self.fits])

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": {"label": self.series.label, "years": list(self.series.years),
                       "values": list(self.series.values), "sources": list(self.series.sources),
                       "notes": list(self.series.notes)},
            "origin": self.origin,
            "fits": [jsonable({**f.row(), "parameters": f.parameters, "fitted": f.fitted,
                               "residuals": f.residuals}) for f in self.fits],
            "skipped": self.skipped,
        }


def as_series(data: SeriesInput, label: str = "series") -> AnnualSeries:
    """Normalise a mapping or pandas Series (year → value) into an :class:`AnnualSeries`."""
    if isinstance(data, AnnualSeries):
        return data
    items = sorted((int(cast(int, k)), float(v)) for k, v in data.items())
    name = str(data.name) if isinstance(data, pd.Series) and data.name is not None else label
    return AnnualSeries(name, tuple(y for y, _ in items), tuple(v for _, v in items))


def fit_series(data: SeriesInput, *, origin: int | None = None, models: Sequence[str] = MODELS) -> SeriesFit:
    """Fit the models to an annual series. ``origin`` defaults to the year before the first year (t = 1 then).

    >>> round(fit_series({2000: 1.0, 2001: 3.0, 2002: 5.0}).model("linear").r2, 12)
    1.0
    """
    series = as_series(data)
    if len(series.years) < 3:
        raise AnalysisError(f"series {series.label!r} has {len(series.years)} values; at least 3 are needed")
    if len(set(series.years)) != len(series.years):
        raise AnalysisError(f"series {series.label!r} has repeated years")
    y = np.asarray(series.values, dtype=np.float64)
    if np.ptp(y) == 0:
        raise AnalysisError(f"series {series.label!r} is constant ({y[0]:g}); R² is undefined")
    origin = series.years[0] - 1 if origin is None else origin
    t = np.asarray(series.years, dtype=np.float64) - origin
    fits, skipped = [], {}
    for name in models:
        if name not in _FORMULAS:
            raise AnalysisError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
        k = len(_PARAMS[name])
        if len(y) <= k:
            skipped[name] = f"needs more than {k} values, has {len(y)}"
            continue
        try:
            fits.append(_fit(name, t, y))
        except _FitError as exc:
            skipped[name] = str(exc)
    return SeriesFit(series, origin, tuple(fits), skipped)


class _FitError(Exception):
    pass


def _fit(name: str, t: FloatArray, y: FloatArray) -> ModelFit:
    n, k = len(y), len(_PARAMS[name])
    note = ""
    if name == "exponential":
        params = _fit_exponential(t, y)
        fitted = params[0] * np.exp(params[1] * t)
    else:
        columns = {"linear": [0, 1], "quadratic": [0, 1, 2], "quadratic_origin": [2], "cubic": [0, 1, 2, 3]}
        design = np.column_stack([t**p for p in columns[name]])
        solution, *_ = np.linalg.lstsq(design, y, rcond=None)
        params = [float(v) for v in solution]
        fitted = design @ solution
        if name == "quadratic_origin":
            note = "no intercept: R² is measured about the mean and can be negative"
    residuals = y - fitted
    rss = float(np.sum(residuals**2))
    tss = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - rss / tss
    adj = 1.0 - (1.0 - r2) * (n - 1) / (n - k) if n > k else None
    aic = n * math.log(rss / n) + 2 * k if rss > EXACT_FIT * tss else None
    if aic is None:
        note = (note + "; " if note else "") + "exact fit: AIC undefined"
    dw = float(np.sum(np.diff(residuals) ** 2) / rss) if rss > EXACT_FIT * tss else None
    shapiro_p = None
    if n >= 3 and rss > EXACT_FIT * tss:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shapiro_p = float(stats.shapiro(residuals).pvalue)
    scale = math.sqrt(rss / (n - k)) if n > k and rss > EXACT_FIT * tss else None
    max_std = float(np.max(np.abs(residuals)) / scale) if scale else None
    return ModelFit(
        model=name,
        formula=_FORMULAS[name],
        n=n,
        k=k,
        parameters=dict(zip(_PARAMS[name], (float(p) for p in params), strict=True)),
        r2=r2,
        adj_r2=adj,
        aic=aic,
        fitted=tuple(float(v) for v in fitted),
        residuals=tuple(float(v) for v in residuals),
        durbin_watson=dw,
        shapiro_p=shapiro_p,
        max_abs_std_residual=max_std,
        note=note,
    )


def _exp_model(t: FloatArray, a: float, b: float) -> FloatArray:
    return a * np.exp(b * t)


def _fit_exponential(t: FloatArray, y: FloatArray) -> list[float]:
    positive = y > 0
    if positive.sum() >= 2:
        slope, intercept = np.polyfit(t[positive], np.log(y[positive]), 1)
        start = [math.exp(intercept), slope]
    else:
        start = [float(np.max(np.abs(y))) or 1.0, 0.0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            params, _ = optimize.curve_fit(_exp_model, t, y, p0=start, maxfev=20_000)
    except (RuntimeError, ValueError, optimize.OptimizeWarning) as exc:
        raise _FitError(f"exponential fit did not converge ({exc})") from None
    if not np.all(np.isfinite(params)):
        raise _FitError("exponential fit did not converge (non-finite parameters)")
    return [float(params[0]), float(params[1])]


# --- reference comparison ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceComparison:
    """Where the series' goodness of fit falls among the reference countries (same model, same years)."""

    model: str
    metric: str
    years: tuple[int, ...]
    series_r2: float
    series_one_minus_r2: float
    countries: pd.DataFrame = field(repr=False)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    min_mean: float = 0.0
    reference_citation: str = ""

    @property
    def n_reference(self) -> int:
        return len(self.countries)

    @property
    def rank(self) -> int:
        """1 = no reference country fits better; ties count against the series."""
        return 1 + int((self.countries["one_minus_r2"] < self.series_one_minus_r2).sum())

    @property
    def median_one_minus_r2(self) -> float:
        return float(self.countries["one_minus_r2"].median()) if self.n_reference else math.nan

    @property
    def best_one_minus_r2(self) -> float:
        return float(self.countries["one_minus_r2"].min()) if self.n_reference else math.nan

    @property
    def orders_below_median(self) -> float | None:
        """log10(median reference 1−R²) − log10(series 1−R²); None for an exact fit or no reference."""
        return _orders(self.median_one_minus_r2, self.series_one_minus_r2)

    @property
    def orders_below_best(self) -> float | None:
        return _orders(self.best_one_minus_r2, self.series_one_minus_r2)

    def sentence(self) -> str:
        if not self.n_reference:
            return f"No reference country had complete {self.metric} data for {_span(self.years)}."
        orders = self.orders_below_median
        distance = (
            "an exact fit" if orders is None else
            f"{abs(orders):.1f} orders of magnitude {'below' if orders >= 0 else 'above'} the median reference "
            "country"
        )
        return (
            f"The series fits a {self.model.replace('_', ' ')} with 1−R² = {self.series_one_minus_r2:.3g} "
            f"(R² = {self.series_r2:.6f}), {distance} (median 1−R² = {self.median_one_minus_r2:.3g}); it ranks "
            f"{self.rank} of {self.n_reference + 1} when placed among the {self.n_reference} reference countries "
            f"with complete {self.metric} data for {_span(self.years)} (1 = closest fit)."
        )

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable({
            "model": self.model, "metric": self.metric, "years": list(self.years),
            "series_r2": self.series_r2, "series_one_minus_r2": self.series_one_minus_r2,
            "rank": self.rank, "n_reference": self.n_reference,
            "median_one_minus_r2": self.median_one_minus_r2, "best_one_minus_r2": self.best_one_minus_r2,
            "orders_below_median": self.orders_below_median, "orders_below_best": self.orders_below_best,
            "min_mean": self.min_mean, "excluded": self.excluded, "sentence": self.sentence(),
            "countries": self.countries.to_dict(orient="records"),
        })
        return result


def compare_with_reference(
    data: SeriesInput,
    reference: ReferenceData,
    *,
    model: str = "quadratic",
    metric: str = "deceased_donors",
    origin: int | None = None,
    min_mean: float = 0.0,
    exclude: Sequence[str] = (),
) -> ReferenceComparison:
    """Fit ``model`` to the series and to every reference country with complete data for the same years.

    Countries are excluded (and listed) when a year is missing, the series is constant, their mean is below
    ``min_mean``, or they are named in ``exclude`` (e.g. the country whose official series is tested).
    """
    series = as_series(data)
    own = fit_series(series, origin=origin, models=[model])
    if model not in {f.model for f in own.fits}:
        raise AnalysisError(f"cannot fit {model} to the series: {own.skipped.get(model)}")
    fit = own.model(model)
    wide = reference.wide(metric).reindex(reference.countries())
    years = series.years
    excluded: dict[str, list[str]] = {"missing years": [], "constant": [], "below min_mean": [], "excluded": []}
    excluded_names = {e.casefold() for e in exclude}
    rows = []
    for country, values in wide.iterrows():
        name = str(country)
        if name.casefold() in excluded_names:
            excluded["excluded"].append(name)
            continue
        ys = [values.get(y, math.nan) for y in years]
        if any(not math.isfinite(float(v)) for v in ys):
            excluded["missing years"].append(name)
            continue
        arr = np.asarray(ys, dtype=np.float64)
        if np.ptp(arr) == 0:
            excluded["constant"].append(name)
            continue
        if float(arr.mean()) < min_mean:
            excluded["below min_mean"].append(name)
            continue
        country_fit = fit_series(dict(zip(years, arr.tolist(), strict=True)), origin=own.origin,
                                 models=[model])
        if model not in {f.model for f in country_fit.fits}:
            excluded.setdefault("fit failed", []).append(name)
            continue
        cf = country_fit.model(model)
        rows.append({"country": name, "mean": float(arr.mean()), "r2": cf.r2, "one_minus_r2": cf.one_minus_r2})
    countries = pd.DataFrame(rows, columns=["country", "mean", "r2", "one_minus_r2"])
    countries = countries.sort_values("one_minus_r2", kind="stable").reset_index(drop=True)
    return ReferenceComparison(
        model=model, metric=metric, years=years, series_r2=fit.r2, series_one_minus_r2=fit.one_minus_r2,
        countries=countries, excluded={k: v for k, v in excluded.items() if v}, min_mean=min_mean,
        reference_citation=reference.citation,
    )


def _orders(reference_value: float, series_value: float) -> float | None:
    if series_value <= 0 or not math.isfinite(reference_value) or reference_value <= 0:
        return None
    return math.log10(reference_value) - math.log10(series_value)


def _span(years: Sequence[int]) -> str:
    full = list(range(years[0], years[-1] + 1))
    if list(years) == full:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


# --- internal ratios ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatioDefinition:
    """A ratio computed the same way for the tested figures and for the reference countries."""

    name: str
    official_numerator: tuple[str, ...]
    official_denominator: str
    reference_numerator: tuple[str, ...]
    reference_denominator: tuple[str, ...]


RATIOS: tuple[RatioDefinition, ...] = (
    RatioDefinition("organs transplanted per deceased donor", ("organs_transplanted",), "deceased_donors",
                    ("dd_kidney_tx", "dd_liver_tx", "heart_tx", "lung_tx"), ("deceased_donors",)),
    RatioDefinition("deceased-donor kidney + liver transplants per donor",
                    ("deceased_donor_kidney_and_liver_transplants",), "deceased_donors",
                    ("dd_kidney_tx", "dd_liver_tx"), ("deceased_donors",)),
    RatioDefinition("liver / kidney transplants", ("liver_transplants",), "kidney_transplants",
                    ("total_liver_tx",), ("total_kidney_tx",)),
    RatioDefinition("deceased-donor liver / kidney transplants", (), "",
                    ("dd_liver_tx",), ("dd_kidney_tx",)),
)


@dataclass(frozen=True)
class RatioCheck:
    """One internal ratio of the tested figures against the reference distribution for the same year."""

    ratio: str
    year: int
    value: float
    derivation: str
    reference_n: int
    reference_median: float
    reference_p5: float
    reference_p95: float
    reference_max: float
    share_of_reference_at_or_below: float


def compare_ratios(
    figures: Sequence[OfficialFigure],
    reference: ReferenceData,
    *,
    year: int,
    country: str | None = None,
    min_donors: float = 10.0,
) -> list[RatioCheck]:
    """Organs per donor and liver/kidney ratios for ``year``, from the official figures (first value where a
    metric has several) and, when ``country`` is given, from that country's reference row; each against the
    reference countries of the same year (countries with fewer than ``min_donors`` donors are left out).
    """
    frame = reference.frame[reference.frame["year"] == year].copy()
    frame["lung_tx"] = frame["dd_lung_tx"].fillna(frame["total_lung_tx"])
    checks = []
    for ratio in RATIOS:
        ref = frame[frame["deceased_donors"].fillna(0) >= min_donors]
        if country:
            ref = ref[ref["country"].str.casefold() != country.casefold()]
        num = ref[list(ratio.reference_numerator)].sum(axis=1, min_count=len(ratio.reference_numerator))
        den = ref[list(ratio.reference_denominator)].sum(axis=1, min_count=1)
        values = (num / den).replace([np.inf, -np.inf], np.nan).dropna()
        values = values[values > 0]
        if values.empty:
            continue
        targets: list[tuple[float, str]] = []
        if ratio.official_numerator:
            first: dict[str, OfficialFigure] = {}
            for fig in figures:
                if fig.year == year and fig.as_of is None:
                    first.setdefault(fig.metric, fig)
            needed = [*ratio.official_numerator, ratio.official_denominator]
            if all(m in first for m in needed) and first[ratio.official_denominator].value > 0:
                top = sum(first[m].value for m in ratio.official_numerator)
                value = top / first[ratio.official_denominator].value
                parts = " + ".join(f"{first[m].value:,.0f} ({first[m].source.text})"
                                   for m in ratio.official_numerator)
                targets.append((value, f"official: {parts} / {first[ratio.official_denominator].value:,.0f} "
                                       f"({first[ratio.official_denominator].source.text})"))
        if country:
            row = frame[frame["country"].str.casefold() == country.casefold()]
            if len(row):
                top_values = row[list(ratio.reference_numerator)].iloc[0]
                bottom = float(row[list(ratio.reference_denominator)].iloc[0].sum())
                if top_values.notna().all() and bottom > 0:
                    targets.append((float(top_values.sum()) / bottom,
                                    f"reference row for {country} {year}: "
                                    f"{' + '.join(ratio.reference_numerator)} / "
                                    f"{' + '.join(ratio.reference_denominator)}"))
        for value, derivation in targets:
            checks.append(RatioCheck(
                ratio=ratio.name, year=year, value=value, derivation=derivation,
                reference_n=len(values), reference_median=float(values.median()),
                reference_p5=float(values.quantile(0.05)), reference_p95=float(values.quantile(0.95)),
                reference_max=float(values.max()),
                share_of_reference_at_or_below=float((values <= value).mean()),
            ))
    return checks
