from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from organwatch.analysis import estimate_capacity


def test_point_values_equal_closed_form(fixtures: Path) -> None:
    # Alpha: 10 beds × 0.9 × 365 / 30 days = 109.5; Beta: min(20 × 1.0 × 365 / 73 = 100, 2 surgeons × 40) = 80.
    result = estimate_capacity(fixtures / "hospitals_point.csv", draws=500, seed=3)
    assert result.closed_form_total == pytest.approx(189.5)
    assert np.all(result.total_draws == pytest.approx(189.5))
    assert result.total.p5 == pytest.approx(189.5) and result.total.p95 == pytest.approx(189.5)
    by_row = {h.hospital: h for h in result.per_hospital}
    assert by_row["Alpha"].central == pytest.approx(109.5)
    assert by_row["Beta"].central == pytest.approx(80.0)
    assert by_row["Beta"].binding == {"beds": 0.0, "surgeons": 1.0}
    groups = {(g.by, g.group): g.median for g in result.groups}
    assert groups[("tier", "tier 1")] == pytest.approx(109.5)
    assert groups[("region", "South")] == pytest.approx(80.0)
    assert all(s.swing == 0 for s in result.sensitivity)


def test_sensitivity_ranks_the_driving_parameter(fixtures: Path) -> None:
    result = estimate_capacity(fixtures / "hospitals_dist.csv", draws=2000, seed=1)
    # Central: Alpha 20×0.9×365/30 = 219; Beta 20×0.8×365/40 = 146; Gamma 15×0.9×365/sqrt(20×40) = 174.215.
    assert result.closed_form_total == pytest.approx(219 + 146 + 4927.5 / np.sqrt(800))
    # Swings by hand: beds 18 × 0.9 × 365 / 30 = 197.1; alos_days 4927.5/20 − 4927.5/40 = 123.19;
    # utilisation (p95 − p5 of triangular(0.6, 0.8, 1.0) = 0.4 − 2·sqrt(0.05·0.4·0.2)) × 20 × 365 / 40 = 49.9.
    order = [s.parameter for s in result.sensitivity]
    assert order == ["beds", "alos_days", "utilisation"]
    swings = {s.parameter: s.swing for s in result.sensitivity}
    assert swings["alos_days"] == pytest.approx(4927.5 / 20 - 4927.5 / 40)
    assert swings["utilisation"] == pytest.approx((0.4 - 2 * np.sqrt(0.004)) * 182.5)
    beds = result.sensitivity[0]
    # beds p5 = 11, p95 = 29 in Alpha: swing = 18 × 0.9 × 365 / 30 = 197.1
    assert beds.swing == pytest.approx(197.1)
    alpha = result.hospitals[0]
    assert alpha.source.span == (10, 42)
    assert alpha.parameter_sources["beds"].claim_id == "beds-alpha"


def test_seed_reproducible_and_different_seeds_differ(fixtures: Path) -> None:
    a = estimate_capacity(fixtures / "hospitals_dist.csv", draws=300, seed=7)
    b = estimate_capacity(fixtures / "hospitals_dist.csv", draws=300, seed=7)
    c = estimate_capacity(fixtures / "hospitals_dist.csv", draws=300, seed=8)
    assert np.array_equal(a.total_draws, b.total_draws)
    assert not np.array_equal(a.total_draws, c.total_draws)


def test_shared_uncertainty_widens_the_total() -> None:
    rows = pd.DataFrame({"hospital": list("ABCDE"), "organ": ["kidney"] * 5, "beds": ["uniform(10, 30)"] * 5,
                         "utilisation": ["1"] * 5, "alos_days": ["36.5"] * 5, "source": ["s"] * 5})
    shared = estimate_capacity(rows, draws=20_000, seed=1, correlation="shared")
    independent = estimate_capacity(rows, draws=20_000, seed=1, correlation="independent")
    ratio = np.std(shared.total_draws) / np.std(independent.total_draws)
    assert ratio == pytest.approx(np.sqrt(5), rel=0.05)
    assert shared.total.median == pytest.approx(1000, rel=0.02)  # 5 × 20 beds × 365 / 36.5


def test_result_serialises(fixtures: Path) -> None:
    import json

    result = estimate_capacity(fixtures / "hospitals_dist.csv", draws=100)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["parameters"]["draws"] == 100
    assert data["inputs"][0]["parameters"]["beds"] == {"distribution": "uniform", "low": 10.0, "high": 30.0}
    assert set(result.to_frame()["by"]) == {"all", "tier", "region", "organ"}
    assert "capacity" in result.caveats[0]
