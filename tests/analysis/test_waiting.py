from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from organwatch.analysis import AnalysisError, TableInputError, compare_waiting_times


def test_baseline_comparison(fixtures: Path) -> None:
    result = compare_waiting_times(fixtures / "waiting.csv", baseline="borduria")
    frame = result.to_frame().set_index(["organ", "country", "year"])
    # Borduria kidney median (1000, 1200) = 1100; Arcadia advertised uniform(7, 30): central 18.5
    assert frame.loc[("kidney", "Arcadia", 2006), "times_shorter_than_baseline"] == pytest.approx(1100 / 18.5)
    assert pd.isna(frame.loc[("liver", "Arcadia", 2006), "times_shorter_than_baseline"])
    summary = result.summary_frame().set_index(["organ", "country"])
    assert summary.loc[("kidney", "Borduria")].tolist()[:4] == [2, 1100, 1000, 1200]
    assert result.summary()[0].startswith("kidney: Arcadia 18 d, Borduria 1,100 d")


def test_unknown_baseline_and_zero_wait(fixtures: Path) -> None:
    with pytest.raises(AnalysisError, match="baseline country 'Nowhere' has no waiting times"):
        compare_waiting_times(fixtures / "waiting.csv", baseline="Nowhere")
    frame = pd.DataFrame({"country": ["A"], "organ": ["k"], "year": [2000], "wait_days": ["0"], "source": ["s"]})
    with pytest.raises(TableInputError, match="more than 0 days"):
        compare_waiting_times(frame)
