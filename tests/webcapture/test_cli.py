"""The capture, recapture and changes commands, registered on a small Typer app as the main CLI does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from organwatch.case import Case
from organwatch.cli import capture as cli
from tests.webcapture.servers import Site, page

app = typer.Typer()
for command in (cli.capture, cli.recapture, cli.changes):
    app.command()(command)


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_every_command_has_help_with_an_example() -> None:
    for name in ("capture", "recapture", "changes"):
        result = CliRunner().invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output


def test_capture_from_file_recapture_and_changes(case: Case, site: Site, tmp_path: Path) -> None:
    site.routes["/a.html"] = page("<p>Kidney transplant within a week.</p>")
    site.routes["/b.html"] = page("<p>Heart transplant within ten days.</p>")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# hospitals\n{site.url('/a.html')}\nnot-a-url\n{site.url('/b.html')}\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["capture", "--case", str(case.root), "--from-file", str(urls), "--no-screenshot",
                                 "--note", "CLI test", "--allow-private-network"])
    assert result.exit_code == 1, result.output
    assert "Captured 2 of 3 URL(s); 1 failed." in result.output
    assert "failed   not-a-url: not a valid URL" in result.output
    site.routes["/b.html"] = page("<p>Heart transplant: waiting list of two years.</p>")
    del site.routes["/a.html"]
    result = runner.invoke(app, ["recapture", "--case", str(case.root), "--all", "--no-screenshot",
                                 "--allow-private-network"])
    assert result.exit_code == 0, result.output
    assert "0 unchanged, 1 changed, 1 gone, 0 failed." in result.output
    result = runner.invoke(app, ["changes", "--case", str(case.root), "--format", "json", "--since", "2020-01-01"])
    listed = json.loads(result.output)
    assert sorted(c["status"] for c in listed) == ["changed", "gone"]
    table = runner.invoke(app, ["changes", "--case", str(case.root)])
    assert "+Heart transplant: waiting list of two years." in table.output and "2 change(s)." in table.output


def test_bad_arguments_are_one_line_errors(case: Case) -> None:
    runner = CliRunner()
    assert "give at least one URL" in runner.invoke(app, ["capture", "--case", str(case.root)]).output
    assert "use --all" in runner.invoke(app, ["recapture", "--case", str(case.root)]).output
    result = runner.invoke(app, ["changes", "--case", str(case.root), "--since", "yesterday"])
    assert result.exit_code == 1 and "not a date" in result.output
    result = runner.invoke(app, ["capture", "--case", str(case.root / "nope"), "http://127.0.0.1:9/"])
    assert result.exit_code == 1 and "not an OrganWatch case" in result.output
