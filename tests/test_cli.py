"""The command line: every command has help with an example; version; python -m; one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from organwatch import __version__
from organwatch.cli import app
from tests.conftest import run_cli

runner = CliRunner()


def command_paths() -> list[list[str]]:
    """Every command and sub-command of the full tree, lazily loaded groups included."""
    root = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(group: Any, path: list[str]) -> None:
        ctx = typer.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            found.append([*path, name])
            if hasattr(command, "list_commands"):
                walk(command, [*path, name])

    walk(root, [])
    return found


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output, f"`organwatch {' '.join(path)} --help` shows no example"


def test_analyze_is_mounted() -> None:
    result = subprocess.run([sys.executable, "-m", "organwatch", "analyze", "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0 and "capacity" in result.stdout


def test_version_and_module_entry_point() -> None:
    assert runner.invoke(app, ["--version"]).output.strip() == f"organwatch {__version__}"
    result = subprocess.run([sys.executable, "-m", "organwatch", "--version"], capture_output=True, text=True)
    assert result.stdout.strip() == f"organwatch {__version__}"


def test_not_a_case_is_one_clear_line(tmp_path: Path) -> None:
    result = run_cli("list", "--case", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nowhere'}: not an OrganWatch case (no case.toml); create one with "
        f"`organwatch init {tmp_path / 'nowhere'}`"]


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file.txt").write_text("x")
    result = run_cli("init", str(tmp_path / "busy"))
    assert result.returncode == 1 and "not empty" in result.stderr


def test_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    run_cli("init", str(tmp_path / "c"), check=True)
    (tmp_path / "f.txt").write_text("x")
    result = run_cli("add", "--case", str(tmp_path / "c"), str(tmp_path / "f.txt"),
                     env={"ORGANWATCH_MAX_FILE_SIZE": "lots"})
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: ORGANWATCH_MAX_FILE_SIZE='lots': not a size: 'lots' "
                                     "(use a number of bytes, or e.g. 500MB, 2GiB)")


def test_full_round_trip_through_the_cli(tmp_path: Path, corpus: Path) -> None:
    case = str(tmp_path / "c")
    assert "Signing key fingerprint" in run_cli("init", case, check=True).stdout
    added = run_cli("add", "--case", case, str(corpus), "--source-url", "https://example.org/x", "--note",
                    "hospital site, archived before deletion", "--captured-at", "2026-01-02T03:04:05+08:00",
                    check=True)
    assert "Added 4" in added.stdout
    import json

    listed = json.loads(run_cli("list", "--case", case, "--format", "json", check=True).stdout)
    assert len(listed) == 4
    assert listed[0]["observations"][0]["captured_at"] == "2026-01-01T19:04:05.000000Z"
    shown = run_cli("show", "--case", case, listed[0]["id"][:6], check=True).stdout
    assert "hospital site, archived before deletion" in shown
    log = json.loads(run_cli("log", "--case", case, "--format", "json", check=True).stdout)
    assert [e["type"] for e in log] == ["case.created"] + ["capture"] * 4
    assert run_cli("show", "--case", case, "zz").returncode == 1
    assert "OK:" in run_cli("verify", "--case", case, check=True).stdout
