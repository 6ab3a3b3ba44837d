"""``--case``: every capture reference an analysis cites must exist in the case, spans inside its text."""

from __future__ import annotations

from pathlib import Path

from organwatch.case import Case
from tests.conftest import run_cli


def write_waiting(path: Path, sources: list[str]) -> Path:
    rows = ["country,organ,year,wait_days,kind,source"]
    rows += [f"China,liver,{2006 + i},7,advertised,{source}" for i, source in enumerate(sources)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_capture_references_are_checked_against_the_case(case: Case, tmp_path: Path) -> None:
    page = tmp_path / "ad.html"
    page.write_text("<html><body><p>Liver transplant: the average wait is one week.</p></body></html>",
                    encoding="utf-8")
    case.add([page], text=True)
    capture = next(case.captures())
    good = write_waiting(tmp_path / "good.csv", [f"capture:{capture.id}", f"capture:{capture.id}#0-20"])
    ok = run_cli("analyze", "waiting", str(good), "--case", str(case.root))
    assert ok.returncode == 0, ok.stderr
    missing = "ab" * 32
    bad = write_waiting(tmp_path / "bad.csv", [f"capture:{missing}", f"capture:{capture.id}#0-99999"])
    result = run_cli("analyze", "waiting", str(bad), "--case", str(case.root))
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: 2 source(s) not found in the case:")
    assert f"capture:{missing}: no such capture" in line
    assert "span 0-99999 is outside the text" in line
    # Without --case the same file is fine: references are only checked against a case when given one.
    assert run_cli("analyze", "waiting", str(bad)).returncode == 0
