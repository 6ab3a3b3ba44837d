"""Quantitative forensics: capacity estimates, tests of official statistics, source accounting, waiting times.

Each analysis is a function from a typed table (a CSV path or a DataFrame with declared columns) to a frozen
result with ``to_dict()`` (JSON), ``to_frame()`` (pandas), the method in words, the inputs with their sources,
and caveats. :func:`write_report` turns any result into a self-contained HTML report with its plot.

>>> from organwatch.analysis import account_sources
>>> import pandas as pd
>>> rows = pd.DataFrame({"item": ["transplants", "executions"], "role": ["total", "source"],
...                      "value": ["60000", "18500"], "source": ["report", "report"]})
>>> account_sources(rows).central
41500.0
"""

from __future__ import annotations

from organwatch.model.refs import SourceRef, parse_source

from .accounting import AccountingItem, AccountingResult, account_sources, load_accounting
from .capacity import CapacityResult, HospitalInput, estimate_capacity, load_hospitals
from .consistency import Check, ConsistencyResult, check_consistency
from .distributions import Distribution, LogNormal, Point, Triangular, Uniform, parse_quantity
from .errors import AnalysisError, TableInputError
from .forensics import SeriesForensics, series_forensics
from .official import AnnualSeries, OfficialFigure, load_official, series_from_official
from .plots import plot_for
from .reference import ReferenceData, load_godt
from .report import render_html, write_report
from .series import (
    ModelFit,
    RatioCheck,
    ReferenceComparison,
    SeriesFit,
    compare_ratios,
    compare_with_reference,
    fit_series,
)
from .waiting import WaitingComparison, WaitingTime, compare_waiting_times, load_waiting_times

__all__ = [
    "AccountingItem",
    "AccountingResult",
    "AnalysisError",
    "AnnualSeries",
    "CapacityResult",
    "Check",
    "ConsistencyResult",
    "Distribution",
    "HospitalInput",
    "LogNormal",
    "ModelFit",
    "OfficialFigure",
    "Point",
    "RatioCheck",
    "ReferenceComparison",
    "ReferenceData",
    "SeriesFit",
    "SeriesForensics",
    "SourceRef",
    "TableInputError",
    "Triangular",
    "Uniform",
    "WaitingComparison",
    "WaitingTime",
    "account_sources",
    "check_consistency",
    "compare_ratios",
    "compare_waiting_times",
    "compare_with_reference",
    "estimate_capacity",
    "fit_series",
    "load_accounting",
    "load_godt",
    "load_hospitals",
    "load_official",
    "load_waiting_times",
    "parse_quantity",
    "parse_source",
    "plot_for",
    "render_html",
    "series_forensics",
    "series_from_official",
    "write_report",
]
