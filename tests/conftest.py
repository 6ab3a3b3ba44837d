"""Shared fixtures: real case folders on disk, real files, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import organwatch
from organwatch.case import Case

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _quiet_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run with plain progress lines and without whole-disk syncs (speed; not durability)."""
    for name in list(os.environ):
        if name.startswith("ORGANWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ORGANWATCH_SYNC", "off")
    monkeypatch.setenv("ORGANWATCH_EMBED", "off")  # embedding is slow: only the tests that need it turn it on
    monkeypatch.setenv("ORGANWATCH_PROGRESS", "lines")
    monkeypatch.setenv("ORGANWATCH_CAPTURED_BY", "test investigator")


@pytest.fixture
def case(tmp_path: Path) -> Iterator[Case]:
    """A fresh case in a temporary folder."""
    opened = organwatch.init_case(tmp_path / "case", name="test case")
    yield opened
    opened.store.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A small folder of real files: HTML, text in GB18030, a PDF header, nested folders."""
    root = tmp_path / "corpus"
    (root / "pages" / "deep").mkdir(parents=True)
    (root / "pages" / "hospital.html").write_text(
        "<!doctype html><html><head><title>Liver transplant centre</title></head>"
        "<body><p>Waiting time: one to two weeks.</p></body></html>", encoding="utf-8")
    (root / "pages" / "deep" / "notice.txt").write_bytes("器官移植等待时间两周".encode("gb18030"))
    (root / "report.pdf").write_bytes(small_pdf("Kilgour and Matas estimated 41,500 unexplained transplants."))
    (root / "notes.md").write_text("# Notes\n\nKilgour and Matas, 2006.\n", encoding="utf-8")
    return root


def small_pdf(text: str) -> bytes:
    """A real one-page PDF holding ``text`` (fpdf2, with a fixed date so the bytes are stable)."""
    import datetime

    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2016, 6, 22, tzinfo=datetime.UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def run_cli(*args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = (),
            check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``python -m organwatch`` in a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([*prefix, sys.executable, "-m", "organwatch", *args], capture_output=True, text=True,
                            env=full_env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"organwatch {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result
