"""A real case: import (captures) -> screen -> review (log event) -> PRISMA SVG/PNG -> HTML report, and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from fpdf import FPDF
from typer.testing import CliRunner

from organwatch.case import Case
from organwatch.cli import app
from organwatch.papers import prisma
from organwatch.papers.protocols import load_protocol
from organwatch.papers.workflow import import_paths, load_run, record_review, review_queue, run_screen
from tests.papers.fixtures import CSV_ROWS, PUBMED_XML, RIS


def _pdf(path: Path, text: str) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    pdf.output(str(path))


def _inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    (tmp_path / "pubmed.xml").write_text(PUBMED_XML, encoding="utf-8")
    (tmp_path / "refs.ris").write_text(RIS, encoding="utf-8")
    with (tmp_path / "excerpts.csv").open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "year", "text"])
        writer.writerows(CSV_ROWS)
    folder = tmp_path / "fulltexts"
    folder.mkdir()
    _pdf(folder / "90000001.pdf", "After brain death was declared, the donor was intubated and a median sternotomy "
         "was performed. The study was approved by the ethics committee of the hospital.")
    (folder / "90000002.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
    (folder / "ft-1.txt").write_text("供体脑死亡后迅速气管插管，正中开胸，灌注停搏液。", encoding="utf-8")
    return tmp_path / "pubmed.xml", tmp_path / "refs.ris", tmp_path / "excerpts.csv"


def test_end_to_end(case: Case, tmp_path: Path) -> None:
    xml, ris, csv_path = _inputs(tmp_path)
    summary = import_paths(case, [xml, ris, csv_path, tmp_path / "fulltexts"], note="test export")
    assert summary.records_added == 2 + 2 + 3
    assert summary.fulltexts_attached == 1 and summary.records_from_fulltext == 1
    errors = [i.line() for i in summary.issues if i.severity == "error"]
    assert any("90000002.pdf" in e and "PDF" in e for e in errors)
    assert case.count_captures() == 6  # every file is a capture, the broken PDF too
    with case.store.view() as session:
        record = session.papers.find_record("90000001")
    assert record is not None and record.fulltext_capture_id and "sternotomy" in record.text
    assert record.capture_id and case.blob_path(record.capture_id).read_bytes() == xml.read_bytes()

    # importing again changes nothing stored
    again = import_paths(case, [xml])
    assert again.records_added == 0

    run_id, results = run_screen(case, load_protocol("dead-donor-rule"))
    by_id = {r.record_id: r for r in results}
    assert by_id["c1"].decision == "included" and by_id["c1"].score == 2
    assert by_id["c3"].decision == "excluded"
    assert by_id["ft-1"].decision == "included"
    assert by_id["90000002"].stage == "database pre-filter"  # no Chinese title terms
    for reason in by_id["c1"].reasons:
        if reason.quote and reason.field == "text" and reason.start is not None:
            assert CSV_ROWS[0][2][reason.start:reason.end] in reason.quote

    queue = review_queue(case, run_id)
    assert {"c1", "ft-1"} <= {r.record_id for r in queue}
    seq = record_review(case, run_id, "c1", 2, "intubated after declaration", "tester")
    entries = [e for e in case.log_entries() if e.get("type") == "papers.review"]
    assert seq > 0 and entries[-1]["record"] == "c1"
    assert entries[-1]["score"] == 2 and entries[-1]["protocol"]["name"] == "dead-donor-rule"
    assert "c1" not in {r.record_id for r in review_queue(case, run_id)}
    assert case.verify().ok

    run, stored = load_run(case)
    with case.store.view() as session:
        counts = prisma.compute(load_protocol("dead-donor-rule"), stored, session.papers.count_records(),
                                session.papers.issue_counts())
    assert counts.screened == 8 and counts.included == sum(r.decision == "included" for r in results)
    assert counts.duplicates_removed >= 1
    written = prisma.render(counts, tmp_path / "out" / "prisma.svg", "test")
    svg = written[0].read_text(encoding="utf-8")
    assert "<svg" in svg and f"n = {counts.screened}" in svg.replace("\u00a0", " ")
    assert written[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli(case: Case, tmp_path: Path) -> None:
    xml, ris, csv_path = _inputs(tmp_path)
    runner = CliRunner()
    root = str(case.root)
    result = runner.invoke(app, ["papers", "import", "--case", root, str(xml), str(csv_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["records_added"] == 5
    result = runner.invoke(app, ["papers", "screen", "--case", root, "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["protocol"]["name"] == "dead-donor-rule" and payload["included"] >= 1
    result = runner.invoke(app, ["papers", "screen", "--case", root, "--protocol", "ethics-reporting"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["papers", "review", "--case", root, "--record", "no-such-id", "--score", "2"])
    assert result.exit_code == 1 and "not in screening run" in result.output
    result = runner.invoke(app, ["papers", "review", "--case", root, "--run", "1", "--record", "c1", "--score", "2"])
    assert result.exit_code == 0, result.output
    out_svg = tmp_path / "p.svg"
    result = runner.invoke(app, ["papers", "prisma", "--case", root, "--run", "1", "--out", str(out_svg)])
    assert result.exit_code == 0 and out_svg.is_file() and out_svg.with_suffix(".png").is_file()
    html_path = tmp_path / "r.html"
    result = runner.invoke(app, ["papers", "report", "--case", root, "--run", "1", "--out", str(html_path)])
    assert result.exit_code == 0, result.output
    page = html_path.read_text(encoding="utf-8")
    assert "<svg" in page and "<mark>" in page and "<script" not in page and "http://" not in page.split("<svg")[0]
    assert "Xijing Hospital" not in page or "(military)" in page
    result = runner.invoke(app, ["papers", "screen", "--case", root, "--protocol", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1 and result.output.count("\n") == 1 and result.output.startswith("error:")
    for command in ("import", "screen", "review", "prisma", "report"):
        assert "Example:" in runner.invoke(app, ["papers", command, "--help"]).output
