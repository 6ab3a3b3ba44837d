"""The lazy command table: complete, true to each command's own help, and really lazy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from organwatch.cli import COMMANDS, load_command

CLI = Path(__file__).resolve().parent.parent / "src" / "organwatch" / "cli"


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


def test_every_command_of_every_area_is_in_the_table() -> None:
    areas = sorted(p.stem for p in CLI.glob("*.py") if p.stem not in ("__init__", "common"))
    assert sorted(set(module for module, _ in COMMANDS.values())) == areas
    for area in areas:
        module = __import__(f"organwatch.cli.{area}", fromlist=["app"])
        group = typer.main.get_command(module.app)
        names = set(group.commands) if hasattr(group, "commands") else {group.name}
        assert names == {name for name, (where, _) in COMMANDS.items() if where == area}, area


def test_the_table_says_what_each_command_says_of_itself() -> None:
    for name, (_, line) in COMMANDS.items():
        command = load_command(name)
        assert command is not None, name
        assert _first_paragraph(command.help or "") == line, name


def test_unknown_names_are_not_commands() -> None:
    assert load_command("no-such-command") is None


def test_help_lists_every_command_without_importing_command_modules() -> None:
    probe = ("import sys\nfrom organwatch.cli import main\nsys.argv = ['organwatch', '--help']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "loaded = sorted(m for m in sys.modules if m.startswith('organwatch.') and m not in "
             "('organwatch.cli', 'organwatch.cli.common', 'organwatch.errors', 'organwatch.settings', "
             "'organwatch.version'))\n"
             "print('LOADED', loaded)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                            env={"COLUMNS": "300", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(CLI.parent.parent)})
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout
    for name in COMMANDS:
        assert f" {name} " in result.stdout, name
