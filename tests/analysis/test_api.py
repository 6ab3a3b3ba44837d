"""The public Python API is pinned: a change to __all__ must be deliberate."""

from __future__ import annotations

import organwatch.analysis as analysis

EXPECTED = {
    "AccountingItem", "AccountingResult", "AnalysisError", "AnnualSeries", "CapacityResult", "Check",
    "ConsistencyResult", "Distribution", "HospitalInput", "TableInputError", "LogNormal", "ModelFit",
    "OfficialFigure", "Point", "RatioCheck", "ReferenceComparison", "ReferenceData", "SeriesFit",
    "SeriesForensics", "SourceRef", "Triangular", "Uniform", "WaitingComparison", "WaitingTime",
    "account_sources", "check_consistency", "compare_ratios", "compare_waiting_times", "compare_with_reference",
    "estimate_capacity", "fit_series", "load_accounting", "load_godt", "load_hospitals", "load_official",
    "load_waiting_times", "parse_quantity", "parse_source", "plot_for", "render_html", "series_forensics",
    "series_from_official", "write_report",
}


def test_all_is_pinned_and_importable() -> None:
    assert set(analysis.__all__) == EXPECTED
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None


def test_public_functions_have_docstrings() -> None:
    for name in analysis.__all__:
        obj = getattr(analysis, name)
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__, f"{name} has no docstring"
