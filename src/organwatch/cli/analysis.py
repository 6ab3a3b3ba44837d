"""``organwatch analyze ...``: thin commands over the analysis functions.

Each command calls one public function, prints a readable table (or ``--format json``), and with
``--out report.html`` writes the self-contained HTML report plus the plot as PNG and SVG beside it. Problems
with the input are one line on stderr naming the file, line and column, and exit code 1.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from organwatch.analysis.accounting import account_sources
from organwatch.analysis.capacity import HOSPITALS_SPEC, estimate_capacity
from organwatch.analysis.consistency import check_consistency
from organwatch.analysis.errors import AnalysisError
from organwatch.analysis.forensics import series_forensics
from organwatch.analysis.official import OFFICIAL_SPEC
from organwatch.analysis.reference import load_godt
from organwatch.analysis.report import escape_cell, write_report
from organwatch.analysis.results import Reportable, jsonable
from organwatch.analysis.waiting import WAITING_SPEC, compare_waiting_times

analyze_app = typer.Typer(
    help="Quantitative forensics: capacity estimates, tests of official statistics, source accounting and "
    "waiting times. Every command prints a table, or JSON with --format json, and writes an HTML report "
    "with its plot (PNG and SVG beside it) with --out FILE.html.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"


class Correlation(str, Enum):
    shared = "shared"
    independent = "independent"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table for people, json for machines")]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="write an HTML report here (plus .png and .svg beside it)")
]
InputArgument = Annotated[Path, typer.Argument(help="input CSV (UTF-8, header line first)", show_default=False)]


CaseCheckOption = Annotated[Path | None, typer.Option(
    "--case", help="Check that every capture:<sha256>[#start-end] source cited by the input exists in this case.")]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _run(
    case: Path | None,
    compute: Callable[[], Reportable],
    fmt: OutputFormat,
    out: Path | None,
    tables: Callable[[Reportable], Sequence[tuple[str, pd.DataFrame, Sequence[str]]]],
    provenance: dict[str, str],
) -> None:
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        _fail(f"{out}: --out must name an .html file (the .png and .svg are written beside it)")
    try:
        result = compute()
    except AnalysisError as exc:
        _fail(str(exc))
        return
    if case is not None:
        from organwatch.analysis.case_sources import check_case_sources
        from organwatch.case import open_case
        from organwatch.errors import OrganWatchError

        try:
            problems = check_case_sources(jsonable(result.to_dict()), open_case(case))
        except OrganWatchError as exc:
            _fail(str(exc))
            return
        if problems:
            _fail(f"{len(problems)} source(s) not found in the case: " + "; ".join(problems))
    written: list[Path] = []
    if out is not None:
        try:
            written = write_report(result, out, provenance)
        except OSError as exc:
            _fail(f"{out}: cannot write report ({exc.strerror})")
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(jsonable(result.to_dict()), ensure_ascii=False, indent=2, allow_nan=False))
        if written:
            typer.echo("wrote " + ", ".join(map(str, written)), err=True)
        return
    console = Console(highlight=False)
    console.print(f"[bold]{result.title}[/bold]")
    for line in result.summary():
        console.print(f"• {line}", markup=False)
    for title, frame, columns in tables(result):
        _print_frame(console, title, frame, columns)
    if written:
        console.print("wrote " + ", ".join(map(str, written)), markup=False)


def _print_frame(console: Console, title: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    cols = [c for c in columns if c in frame.columns]
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in cols:
        table.add_column(col, overflow="fold")
    if frame.empty:
        console.print(f"{title}: none", markup=False)
        return
    for record in frame[cols].itertuples(index=False):
        table.add_row(*(Text(html.unescape(escape_cell(v, c))) for v, c in zip(record, cols, strict=True)))
    console.print(table)


def _provenance(command: str, path: Path, **params: Any) -> dict[str, str]:
    meta = {"command": f"organwatch analyze {command}", "input": str(path)}
    with contextlib.suppress(OSError):
        meta["input sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    meta.update({k: str(v) for k, v in params.items() if v is not None})
    return meta


@analyze_app.command(help=f"""Estimate annual transplant capacity from beds, utilisation and length of stay, with
Monte Carlo intervals and a tornado plot of the parameters that drive the spread.

Each parameter cell is a number or uniform(low, high), triangular(low, mode, high), lognormal(p5, p95).

Columns:\n\n{HOSPITALS_SPEC.describe()}

Example:  organwatch analyze capacity hospitals.csv --draws 10000 --seed 1 --out capacity.html""")
def capacity(
    path: InputArgument,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws", min=1)] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same result)")] = 1,
    correlation: Annotated[
        Correlation, typer.Option(help="shared: one random quantile per parameter for all rows; "
                                       "independent: per row")
    ] = Correlation.shared,
    fmt: FormatOption = OutputFormat.table,
    case: CaseCheckOption = None,
    out: OutOption = None,
) -> None:
    _run(case,
        lambda: estimate_capacity(path, draws=draws, seed=seed, correlation=correlation.value),
        fmt, out,
        lambda r: [
            ("Totals (transplants per year)", r.to_frame(),
             ["by", "group", "rows", "central", "median", "p25", "p75", "p5", "p95"]),
            ("Sensitivity", r.sensitivity_frame(), ["parameter", "total_at_p5", "total_at_p95", "swing"]),
        ] if hasattr(r, "sensitivity_frame") else [],
        _provenance("capacity", path, draws=draws, seed=seed, correlation=correlation.value),
    )


def _parse_years(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    first, sep, last = text.partition("-")
    try:
        start, end = int(first), int(last if sep else first)
    except ValueError:
        _fail(f"--years {text!r}: write a range such as 2010-2016")
        raise
    if end < start:
        _fail(f"--years {text!r}: the range ends before it starts")
    return start, end


@analyze_app.command(help=f"""Fit linear, quadratic, one-parameter quadratic (y = a·t²), cubic and exponential models
to an annual official series; with --reference, rank its goodness of fit among every country of a GODT export
over the same years, and compare organs-per-donor and liver/kidney ratios.

Columns:\n\n{OFFICIAL_SPEC.describe()}

Example:  organwatch analyze series official.csv --metric deceased_donors --years 2010-2016
--reference global-organ-donation_2018.csv --out series.html""")
def series(
    path: InputArgument,
    metric: Annotated[str, typer.Option(help="metric to analyse, e.g. deceased_donors")],
    reference: Annotated[Path | None, typer.Option(help="GODT export CSV to compare with")] = None,
    years: Annotated[str | None, typer.Option(help="year range, e.g. 2010-2016 (default: all)")] = None,
    origin: Annotated[int | None, typer.Option(help="origin year for t (default: first year − 1)")] = None,
    model: Annotated[str, typer.Option(help="model used for the reference ranking")] = "quadratic",
    ratio_year: Annotated[int | None, typer.Option(help="year of the ratio checks (default: last year)")] = None,
    country: Annotated[str | None, typer.Option(help="the series' country in the reference, for ratios; "
                                                     "left out of the reference distribution")] = None,
    min_mean: Annotated[float, typer.Option(help="leave out reference countries with a smaller mean")] = 0.0,
    fmt: FormatOption = OutputFormat.table,
    case: CaseCheckOption = None,
    out: OutOption = None,
) -> None:
    span = _parse_years(years)

    def compute() -> Reportable:
        ref = load_godt(reference) if reference is not None else None
        return series_forensics(path, metric, reference=ref, years=span, origin=origin, model=model,
                                ratio_year=ratio_year, country=country, min_mean=min_mean,
                                exclude=[country] if country else [])

    _run(case,
        compute, fmt, out,
        lambda r: [("Model fits", r.to_frame(),
                    ["model", "parameters", "r2", "one_minus_r2", "adj_r2", "aic", "durbin_watson", "shapiro_p"])],
        _provenance("series", path, metric=metric, reference=reference, years=years, origin=origin, model=model),
    )


@analyze_app.command(help=f"""Find official figures that cannot all be true: conflicting values for the same quantity,
cumulative counters against the sum of annual counts, organ counts exceeding their total, and (with
--reference) the same figure in a GODT export. Each contradiction names both sources and the gap.

Columns:\n\n{OFFICIAL_SPEC.describe()}

Example:  organwatch analyze consistency official.csv --reference global-organ-donation_2018.csv
--country China --out consistency.html""")
def consistency(
    path: InputArgument,
    reference: Annotated[Path | None, typer.Option(help="GODT export CSV for cross-source checks")] = None,
    country: Annotated[str, typer.Option(help="country of the figures in the reference")] = "China",
    tolerance: Annotated[float, typer.Option(help="relative miss allowed for implied values (0.01 = 1%)",
                                             min=0.0, max=0.99)] = 0.01,
    show_all: Annotated[bool, typer.Option("--all", help="list every check, not only contradictions")] = False,
    fmt: FormatOption = OutputFormat.table,
    case: CaseCheckOption = None,
    out: OutOption = None,
) -> None:
    def compute() -> Reportable:
        ref = load_godt(reference) if reference is not None else None
        return check_consistency(path, reference=ref, country=country, tolerance=tolerance)

    def tables(r: Reportable) -> list[tuple[str, pd.DataFrame, Sequence[str]]]:
        frame = r.to_frame() if hasattr(r, "to_frame") else pd.DataFrame()
        if not frame.empty and not show_all:
            frame = frame[frame["contradiction"]]
        cols = ["kind", "quantity", "value_a", "value_b", "gap", "gap_pct"]
        return [("All checks" if show_all else "Contradictions", frame, [*cols, "contradiction"] if show_all
                 else cols)]

    _run(case, compute, fmt, out, tables, _provenance("consistency", path, reference=reference, country=country,
                                                 tolerance=tolerance))


@analyze_app.command(help="""Subtract every identified organ source (executions, living donors, voluntary deceased
donors...) from the total number of transplants, giving the unexplained remainder with Monte Carlo intervals
and bounds.

Columns: item, role (total | source; exactly one total), value (number or distribution), period (optional),
source, notes (optional).

Example:  organwatch analyze accounting sources.csv --out accounting.html""")
def accounting(
    path: InputArgument,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws", min=1)] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    fmt: FormatOption = OutputFormat.table,
    case: CaseCheckOption = None,
    out: OutOption = None,
) -> None:
    _run(case,
        lambda: account_sources(path, draws=draws, seed=seed), fmt, out,
        lambda r: [("Total, sources and remainder", r.to_frame(),
                    ["item", "role", "value", "central", "low", "high", "period", "source"])],
        _provenance("accounting", path, draws=draws, seed=seed),
    )


@analyze_app.command(help=f"""Compare advertised or reported waiting times (in days) by country, organ and year, each
with its source; with --baseline, how many times shorter each wait is than the baseline country's.

Columns:\n\n{WAITING_SPEC.describe()}

Example:  organwatch analyze waiting waiting.csv --baseline "United Kingdom" --out waiting.html""")
def waiting(
    path: InputArgument,
    baseline: Annotated[str | None, typer.Option(help="country to compare every wait with")] = None,
    fmt: FormatOption = OutputFormat.table,
    case: CaseCheckOption = None,
    out: OutOption = None,
) -> None:
    _run(case,
        lambda: compare_waiting_times(path, baseline=baseline), fmt, out,
        lambda r: [("Waiting times (days)", r.to_frame(),
                    ["organ", "country", "year", "kind", "wait", "central_days",
                     "times_shorter_than_baseline", "source"])],
        _provenance("waiting", path, baseline=baseline),
    )


app = typer.Typer()
app.add_typer(analyze_app, name="analyze", no_args_is_help=True,
              help="Quantitative forensics: capacity, series, consistency, accounting, waiting times. "
                   "Example: organwatch analyze capacity hospitals.csv --out capacity.html")
