"""The `analyze` commands: tables, JSON, reports, help, and one-line errors with exit code 1."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from organwatch.cli.analysis import analyze_app as app

runner = CliRunner()


def _commands(fixtures: Path) -> dict[str, list[str]]:
    return {
        "capacity": ["capacity", str(fixtures / "hospitals_dist.csv"), "--draws", "200"],
        "series": ["series", str(fixtures / "official_series.csv"), "--metric", "donors",
                   "--reference", str(fixtures / "godt_small.csv")],
        "consistency": ["consistency", str(fixtures / "official_injected.csv")],
        "accounting": ["accounting", str(fixtures / "accounting_intervals.csv"), "--draws", "500"],
        "waiting": ["waiting", str(fixtures / "waiting.csv"), "--baseline", "Borduria"],
    }


@pytest.mark.parametrize("name", ["capacity", "series", "consistency", "accounting", "waiting"])
def test_table_json_and_report(fixtures: Path, tmp_path: Path, name: str) -> None:
    args = _commands(fixtures)[name]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "•" in table.stdout  # the summary lines

    out = tmp_path / f"{name}.html"
    result = runner.invoke(app, [*args, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] and data["caveats"] and data["inputs"]
    assert f"wrote {out}" in result.stderr

    page = out.read_text(encoding="utf-8")
    for section in ("Method", "Results", "Inputs and their sources", "Caveats", "Provenance"):
        assert f"<h2>{section}</h2>" in page
    embedded = page.split("data:image/png;base64,")[1].split("'")[0]
    assert base64.b64decode(embedded)[:4] == b"\x89PNG"
    assert out.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in out.with_suffix(".svg").read_bytes()[:500]
    assert "http://" not in page.replace("http://www.w3.org", "")  # self-contained: nothing fetched


@pytest.mark.parametrize("name", ["capacity", "series", "consistency", "accounting", "waiting"])
def test_help_has_an_example(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["capacity", "negative.csv"], "negative.csv, line 3, column 'beds': negative value -3"),
        (["capacity", "bad_quote.csv"], "bad_quote.csv, line 2: malformed CSV"),
        (["capacity", "unknown_dist.csv"], "line 2, column 'beds': unknown distribution 'beta'"),
        (["capacity", "missing_column.csv"], "missing required column(s) 'utilisation'"),
        (["capacity", "absent.csv"], "absent.csv: file not found"),
        (["series", "official_series.csv", "--metric", "nope"], "no rows with metric 'nope'"),
        (["series", "official_series.csv", "--metric", "donors", "--years", "2014-2010"], "ends before"),
        (["series", "official_series.csv", "--metric", "donors", "--reference", "waiting.csv"],
         "waiting.csv, line 1: missing required column(s) 'COUNTRY'"),
        (["waiting", "waiting.csv", "--baseline", "Nowhere"], "baseline country 'Nowhere'"),
        (["accounting", "waiting.csv"], "missing required column(s) 'item', 'role', 'value'"),
        (["accounting", "accounting_intervals.csv", "--out", "report.txt"], "--out must name an .html file"),
    ],
)
def test_errors_are_one_line_with_exit_1(fixtures: Path, args: list[str], message: str) -> None:
    resolved = [str(fixtures / a) if a.endswith(".csv") else a for a in args]
    result = runner.invoke(app, resolved)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_hostile_source_text_is_escaped(tmp_path: Path) -> None:
    csv = tmp_path / "w.csv"
    csv.write_text('country,organ,year,wait_days,source\nX,kidney,2006,7,"<script>alert(1)</script>"\n'
                   'Y,kidney,2006,9,javascript:alert(1)\n', encoding="utf-8")
    out = tmp_path / "w.html"
    assert runner.invoke(app, ["waiting", str(csv), "--out", str(out)]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page
    assert "Content-Security-Policy" in page


def test_json_is_strict_for_exact_fits(fixtures: Path) -> None:
    # official_series.csv is an exact quadratic: AIC and orders of magnitude are null, not NaN/Infinity.
    args = _commands(fixtures)["series"]
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    quad = next(f for f in data["fits"] if f["model"] == "quadratic")
    assert quad["aic"] is None and quad["one_minus_r2"] == 0.0
    assert data["reference_comparison"]["orders_below_median"] is None
