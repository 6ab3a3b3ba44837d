"""The real ``organwatch`` command run in this process (faster than a subprocess per call)."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from organwatch.cli import app


@dataclass(frozen=True)
class Ran:
    """What a command printed and how it exited."""

    returncode: int
    stdout: str
    stderr: str


def cli(*args: str) -> Ran:
    """Run ``organwatch ARGS``; an exception that escaped the command (a traceback) fails the test."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
