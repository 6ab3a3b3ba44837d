from __future__ import annotations

import numpy as np
import pytest

from organwatch.analysis.distributions import LogNormal, Point, Triangular, Uniform, parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", Point(42.0)),
        ("60,000", Point(60000.0)),
        ("1.5e3", Point(1500.0)),
        ("uniform(7, 30)", Uniform(7.0, 30.0)),
        ("UNIFORM(low=7, high=30)", Uniform(7.0, 30.0)),
        ("triangular(0.6, 0.8, 0.95)", Triangular(0.6, 0.8, 0.95)),
        ("triangular(high=3, low=1, mode=2)", Triangular(1.0, 2.0, 3.0)),
        ("lognormal(10, 1000)", LogNormal(10.0, 1000.0)),
        ("lognormal(p95=1000, p5=10)", LogNormal(10.0, 1000.0)),
    ],
)
def test_parse_forms(text: str, expected: object) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("beta(2, 3)", "unknown distribution 'beta'"),
        ("uniform(3)", "missing high"),
        ("uniform(3, 1)", "low < high"),
        ("triangular(1, 5, 3)", "low <= mode <= high"),
        ("lognormal(0, 10)", "0 < p5 < p95"),
        ("uniform(1, 2, 3)", "takes 2 arguments"),
        ("uniform(low=1, width=2)", "no argument 'width'"),
        ("ten", "is not a number, uniform"),
        ("", "empty value"),
    ],
)
def test_parse_errors_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_quantity(text)


def test_central_values() -> None:
    assert Uniform(10, 30).central == 20
    assert Triangular(1, 2, 5).central == 2
    assert LogNormal(10, 1000).central == pytest.approx(100.0)


def test_ppf_matches_declared_quantiles() -> None:
    u = np.array([0.0, 0.05, 0.5, 0.95, 1.0])
    assert Uniform(0, 10).ppf(u).tolist() == pytest.approx([0, 0.5, 5, 9.5, 10])
    tri = Triangular(0, 1, 2).ppf(u)
    assert tri[0] == 0 and tri[2] == pytest.approx(1.0) and tri[-1] == pytest.approx(2.0)
    logn = LogNormal(10, 1000)
    assert logn.quantile(0.05) == pytest.approx(10.0)
    assert logn.quantile(0.95) == pytest.approx(1000.0)


def test_triangular_sample_mean() -> None:
    draws = Triangular(0, 3, 6).ppf(np.random.default_rng(0).random(200_000))
    assert draws.mean() == pytest.approx(3.0, abs=0.02)  # (a + c + b) / 3
