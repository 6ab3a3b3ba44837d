from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from organwatch.analysis import TableInputError, account_sources


def test_kilgour_matas_sample_reproduces_41500(sample: Path) -> None:
    result = account_sources(sample / "accounting_kilgour_matas_2000_2005.csv")
    assert result.central == 41500
    assert result.mc["median"] == 41500 and result.bounds == (41500, 41500)
    assert "Kilgour" in result.total.source.text
    assert any("point values" in c for c in result.caveats)


def test_intervals_and_bounds_by_hand(fixtures: Path) -> None:
    result = account_sources(fixtures / "accounting_intervals.csv", draws=40_000, seed=2)
    # central 60,000 − 10,000 − 3,000; bounds 50,000 − 15,000 − 3,000 and 70,000 − 5,000 − 3,000
    assert result.central == 47000
    assert result.bounds == (32000, 62000)
    assert result.mc["mean"] == pytest.approx(47000, rel=0.01)
    assert 32000 < result.mc["p5"] < result.mc["p25"] < result.mc["p75"] < result.mc["p95"] < 62000
    assert result.sources[1].source.kind == "url"


@pytest.mark.parametrize(
    ("roles", "message"),
    [(["total", "total"], "exactly one row with role 'total', found 2 \\(lines: 2, 3\\)"),
     (["source", "source"], "found 0"),
     (["total", "sink"], "line 3, column 'role': role must be 'total' or 'source'")],
)
def test_roles_are_checked(roles: list[str], message: str) -> None:
    frame = pd.DataFrame({"item": ["a", "b"], "role": roles, "value": ["10", "5"], "source": ["s", "s"]})
    with pytest.raises(TableInputError, match=message):
        account_sources(frame)


def test_negative_remainder_is_flagged() -> None:
    frame = pd.DataFrame({"item": ["a", "b"], "role": ["total", "source"], "value": ["10", "15"],
                          "source": ["s", "s"]})
    result = account_sources(frame)
    assert result.central == -5
    assert any("negative" in c for c in result.caveats)
