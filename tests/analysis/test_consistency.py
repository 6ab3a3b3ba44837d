from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from organwatch.analysis import check_consistency, load_godt


def test_injected_contradictions_with_exact_gaps(fixtures: Path) -> None:
    result = check_consistency(fixtures / "official_injected.csv")
    found = {(c.kind, c.quantity): (c.value_a, c.value_b_low, c.value_b_high, c.gap)
             for c in result.contradictions}
    assert found == {
        ("conflicting values", "deceased_donors 2017"): (610, 600, 600, 10),
        # end-2015 1,000 + 500 (2016) + 600–610 (2017) = 2,100–2,110 against the stated 1,900
        ("cumulative vs annual sums", "cumulative_donors at end-2017"): (1900, 2100, 2110, -200),
        ("cumulative vs annual sums", "cumulative_donors at 2018-03-31"): (1850, 1900, float("inf"), -50),
        ("cumulative count decreased", "cumulative_donors 2017-12-31 → 2018-03-31"): (1850, 1900, 1900, -50),
        ("parts exceed total", "transplants_total_incl_living 2018"): (110, 0, 100, 10),  # at most 100
    }
    mid_year = next(c for c in result.checks if c.quantity == "cumulative_donors at 2016-06-30")
    assert not mid_year.contradiction
    assert (mid_year.value_b_low, mid_year.value_b_high) == (1000, 1500)
    conflict = next(c for c in result.contradictions if c.kind == "conflicting values")
    assert "Source C" in conflict.sources_b[0] and "Source D" in conflict.source_a
    assert conflict.notes == "conflicts with Source C"


def test_cumulative_from_partial_year_reproduces_the_published_gap(fixtures: Path) -> None:
    result = check_consistency(fixtures / "official_partial.csv")
    (check,) = [c for c in result.checks if c.quantity == "cumulative_donors at end-2018"]
    # 8,866 − 2,950 = 5,916 at end-2015; + 4,080 + 5,146 + 6,302 = 21,444; stated 18,000.
    assert (check.value_b_low, check.value_b_high) == (21444, 21444)
    assert check.gap == -3444
    assert check.gap_pct == pytest.approx(100 * 3444 / 21444)
    assert check.contradiction
    assert "5,916 [8,866 at 2016-09-30 − 2,950 for January–September 2016]" in check.derivation_b
    assert check.notes == "more than 18000"
    lenient = check_consistency(fixtures / "official_partial.csv", tolerance=0.2)
    assert not lenient.contradictions


def test_cross_source_against_reference(fixtures: Path) -> None:
    ref = load_godt(fixtures / "godt_small.csv")
    figures = pd.DataFrame({"year": [2012, 2012, 2012], "source": ["x", "y", "z"],
                            "metric": ["deceased_donors", "heart_transplants",
                                       "deceased_donor_kidney_and_liver_transplants"],
                            "value": [110, 23, 270]})
    result = check_consistency(figures, reference=ref, country="Arcadia")
    gaps = {c.quantity: (c.gap, c.contradiction) for c in result.checks}
    assert gaps == {"deceased_donors 2012": (0, False), "heart_transplants 2012": (1, True),
                    "deceased_donor_kidney_and_liver_transplants 2012": (0, False)}  # 200 + 70 = 270


def test_serialises_without_nan_or_inf(fixtures: Path) -> None:
    import json

    data = check_consistency(fixtures / "official_injected.csv").to_dict()
    text = json.dumps(data, allow_nan=False)
    assert '"contradiction": true' in text
