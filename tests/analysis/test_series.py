from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from organwatch.analysis import (
    AnalysisError,
    compare_ratios,
    compare_with_reference,
    fit_series,
    load_godt,
    load_official,
    series_forensics,
    series_from_official,
)


def test_perfect_quadratic_has_r2_one() -> None:
    years = range(2010, 2017)
    fit = fit_series({y: 2 + 3 * (y - 2009) + 4 * (y - 2009) ** 2 for y in years})
    quad = fit.model("quadratic")
    assert quad.r2 == pytest.approx(1.0, abs=1e-12)
    assert quad.one_minus_r2 == 0.0
    assert quad.aic is None and "exact fit" in quad.note
    assert [quad.parameters[k] for k in ("b0", "b1", "b2")] == pytest.approx([2, 3, 4])
    assert fit.model("cubic").parameters["b3"] == pytest.approx(0.0, abs=1e-9)
    assert fit.model("linear").r2 < 1


def test_one_parameter_quadratic_recovers_a_with_declared_origin() -> None:
    fit = fit_series({y: 5.0 * (y - 2005) ** 2 for y in range(2010, 2016)}, origin=2005)
    one = fit.model("quadratic_origin")
    assert one.parameters["a"] == pytest.approx(5.0)
    assert one.r2 == pytest.approx(1.0)
    # With the wrong origin the same data no longer fit y = a·t² exactly.
    assert fit_series({y: 5.0 * (y - 2005) ** 2 for y in range(2010, 2016)}).model("quadratic_origin").r2 < 0.99


def test_linear_statistics_by_hand() -> None:
    # y = 1, 3, 2, 5 at t = 1..4: b1 = 5.5/5 = 1.1, b0 = 0, RSS = 2.7, TSS = 8.75.
    fit = fit_series({2001: 1, 2002: 3, 2003: 2, 2004: 5}, models=["linear"]).model("linear")
    assert fit.parameters == pytest.approx({"b0": 0.0, "b1": 1.1})
    assert fit.r2 == pytest.approx(1 - 2.7 / 8.75)
    assert fit.adj_r2 == pytest.approx(1 - (2.7 / 8.75) * 3 / 2)
    assert fit.aic == pytest.approx(4 * math.log(2.7 / 4) + 4)
    assert fit.durbin_watson == pytest.approx(8.83 / 2.7)
    assert fit.residuals == pytest.approx((-0.1, 0.8, -1.3, 0.6))


def test_exponential_fit_recovers_parameters() -> None:
    fit = fit_series({2000 + t: 3 * math.exp(0.4 * t) for t in range(1, 9)}, origin=2000)
    exp = fit.model("exponential")
    assert exp.parameters == pytest.approx({"A": 3.0, "b": 0.4}, rel=1e-6)


def test_too_short_or_constant_series() -> None:
    with pytest.raises(AnalysisError, match="at least 3"):
        fit_series({2010: 1, 2011: 2})
    with pytest.raises(AnalysisError, match="constant"):
        fit_series({2010: 5, 2011: 5, 2012: 5})
    # Four points: cubic (4 parameters) is skipped, not fitted exactly.
    assert "cubic" in fit_series({2010: 1, 2011: 2, 2012: 4, 2013: 9}).skipped


def test_duplicate_year_uses_first_and_says_so(fixtures: Path) -> None:
    _, figures = load_official(fixtures / "official_series.csv")
    series = series_from_official(figures, "donors")
    assert series.values == (3, 12, 27, 48, 75)
    assert "2013: 2 conflicting values (48, 50); used 48 from line 5" in series.notes[0]
    with pytest.raises(AnalysisError, match="no rows with metric 'nope'; metrics present: donors"):
        series_from_official(figures, "nope")


def _r2(x: list[float], y: list[float]) -> float:
    coeffs = np.polyfit(x, y, 2)
    fitted = np.polyval(coeffs, x)
    return float(1 - np.sum((np.array(y) - fitted) ** 2) / np.sum((np.array(y) - np.mean(y)) ** 2))


def test_reference_ranking_matches_independent_fits(fixtures: Path) -> None:
    ref = load_godt(fixtures / "godt_small.csv")
    assert "Côte d’Ivoire" in ref.countries()  # mojibake repaired
    series = {2010: 100.0, 2011: 160.0, 2012: 250.0, 2013: 370.0, 2014: 500.0}
    comparison = compare_with_reference(series, ref)
    assert comparison.excluded == {"constant": ["Dystopia"], "missing years": ["Erewhon"]}
    assert comparison.n_reference == 3
    years = [2010.0, 2011.0, 2012.0, 2013.0, 2014.0]
    wide = ref.wide("deceased_donors")
    expected = {c: 1 - _r2(years, [float(v) for v in wide.loc[c, 2010:2014]])
                for c in ("Arcadia", "Borduria", "Côte d’Ivoire")}
    own = 1 - _r2(years, list(series.values()))
    assert comparison.series_one_minus_r2 == pytest.approx(own)
    assert dict(zip(comparison.countries["country"], comparison.countries["one_minus_r2"], strict=True)) \
        == pytest.approx(expected)
    assert comparison.rank == 1 + sum(v < own for v in expected.values())
    assert comparison.orders_below_median == pytest.approx(
        math.log10(float(np.median(list(expected.values())))) - math.log10(own))
    assert "orders of magnitude" in comparison.sentence()


def test_reference_filters(fixtures: Path) -> None:
    ref = load_godt(fixtures / "godt_small.csv")
    series = {2010: 100.0, 2011: 160.0, 2012: 250.0, 2013: 370.0, 2014: 500.0}
    filtered = compare_with_reference(series, ref, min_mean=30, exclude=["arcadia"])
    assert list(filtered.countries["country"]) == ["Borduria"]
    assert filtered.excluded["below min_mean"] == ["Côte d’Ivoire"]
    assert filtered.excluded["excluded"] == ["Arcadia"]
    exact = compare_with_reference({2010: 3.0, 2011: 12.0, 2012: 27.0, 2013: 48.0, 2014: 75.0}, ref)
    assert exact.series_one_minus_r2 == 0.0 and exact.orders_below_median is None and exact.rank == 1


def test_internal_ratios(fixtures: Path) -> None:
    ref = load_godt(fixtures / "godt_small.csv")
    figures = load_official(pd.DataFrame({
        "year": [2012, 2012], "metric": ["deceased_donors", "organs_transplanted"], "value": [100, 300],
        "source": ["a", "b"]}))[1]
    checks = [c for c in compare_ratios(figures, ref, year=2012) if c.ratio.startswith("organs transplanted")]
    assert len(checks) == 1
    check = checks[0]
    arcadia, borduria = (200 + 70 + 22 + 11) / 110, (100 + 33 + 6 + 5) / 57  # lung falls back to TOTAL
    assert check.value == pytest.approx(3.0)
    assert check.reference_n == 2  # Dystopia (5 donors) and the countries without organ counts left out
    assert check.reference_median == pytest.approx((arcadia + borduria) / 2)
    assert check.share_of_reference_at_or_below == 1.0


def test_series_forensics_end_to_end(fixtures: Path) -> None:
    ref = load_godt(fixtures / "godt_small.csv")
    result = series_forensics(fixtures / "official_series.csv", "donors", reference=ref, origin=2009)
    assert result.fit.model("quadratic_origin").parameters["a"] == pytest.approx(3.0)
    assert result.comparison is not None and result.comparison.rank == 1
    assert any("conflicting values" in c for c in result.caveats)
    assert result.to_dict()["reference_comparison"]["orders_below_median"] is None
