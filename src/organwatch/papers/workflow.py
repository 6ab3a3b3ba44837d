"""Literature screening on a case: import (as captures), screen, and record human coding.

Every imported file is first added to the case archive, so the bytes that were screened are kept,
hashed and logged; records are then read from the archived copy, never from the file on disk. A
record id already in the case is never overwritten: the new copy is reported and skipped. Human
coding decisions are appended to the signed evidence log and mirrored in the case database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from organwatch.archive.captures import AddResult, CaptureMetadata
from organwatch.case import Case
from organwatch.errors import OrganWatchError
from organwatch.papers.importers import Format, parse, read_fulltext, sniff_format
from organwatch.papers.protocols import Protocol, parse_protocol
from organwatch.papers.records import ImportIssue, Record, clean_id
from organwatch.papers.screen import ScreenResult, screen
from organwatch.version import __version__

#: Bibliographic files larger than this are refused (PubMed caps an efetch at 10,000 records, ~100 MB).
MAX_BIBLIOGRAPHY_BYTES = 512 * 1024 * 1024
REVIEW_SCORES = (0, 1, 2)


class PapersError(OrganWatchError):
    """A screening command cannot go on (no records, no run, unknown record)."""


@dataclass
class ImportSummary:
    """What an import did: records added, full texts attached, and every problem met."""

    files: int = 0
    records_added: int = 0
    fulltexts_attached: int = 0
    records_from_fulltext: int = 0
    issues: list[ImportIssue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"files": self.files, "records_added": self.records_added,
                "fulltexts_attached": self.fulltexts_attached, "records_from_fulltext": self.records_from_fulltext,
                "errors": [i.line() for i in self.issues if i.severity == "error"],
                "warnings": [i.line() for i in self.issues if i.severity == "warning"]}


def import_paths(case: Case, paths: Iterable[str | Path], *, captured_by: str | None = None,
                 note: str | None = None, on_file: Callable[[str], None] | None = None) -> ImportSummary:
    """Archive the files (or folders) and read their records into the case."""
    meta = CaptureMetadata(note=note or "bibliographic import for literature screening",
                           captured_by=captured_by or case.default_captured_by(), method="papers import")
    results: list[AddResult] = []
    case.add(list(paths), meta, on_result=results.append)
    summary = ImportSummary()
    bibliographic: list[tuple[AddResult, Format]] = []
    fulltexts: list[AddResult] = []
    for result in results:
        if result.capture_id is None:
            summary.issues.append(ImportIssue(result.path, "", result.reason or "not archived", kind="unreadable"))
            continue
        with case.blob_path(result.capture_id).open("rb") as handle:
            head = handle.read(4096)
        fmt = sniff_format(result.path, head)
        if fmt is None:
            summary.issues.append(ImportIssue(result.path, "", "not a bibliographic file or full text (use PubMed "
                                              "XML, MEDLINE, RIS, CSV, .txt or .pdf); archived but not read",
                                              severity="warning", kind="unreadable"))
        elif fmt == "fulltext":
            fulltexts.append(result)
        else:
            bibliographic.append((result, fmt))
    for result, fmt in bibliographic:  # records first, so full texts in the same import can find them
        summary.files += 1
        if on_file:
            on_file(result.path)
        _import_bibliography(case, result, fmt, summary)
    for result in fulltexts:
        summary.files += 1
        if on_file:
            on_file(result.path)
        _import_fulltext(case, result, summary)
    return summary


def _import_bibliography(case: Case, result: AddResult, fmt: Format, summary: ImportSummary) -> None:
    assert result.capture_id is not None
    if (result.size or 0) > MAX_BIBLIOGRAPHY_BYTES:
        issue = ImportIssue(result.path, "", f"larger than {MAX_BIBLIOGRAPHY_BYTES} bytes: split the export",
                            kind="unreadable")
        summary.issues.append(issue)
        with case.store.writer() as session:
            session.papers.insert_issues([issue], result.capture_id)
        return
    batch = parse(case.blob_path(result.capture_id).read_bytes(), result.path, fmt)
    with case.store.writer() as session:
        for record in batch.records:
            existing = session.papers.record_origin(record.id)
            if existing is not None:
                if existing[0] != result.capture_id:
                    batch.issues.append(ImportIssue(result.path, record.locator, "id already in the case (capture "
                                                    f"{(existing[0] or '?')[:12]}, {existing[1]}); "
                                                    "kept the stored record", record_id=record.id, kind="duplicate"))
                continue
            session.papers.insert_record(Record(**{**record.__dict__, "capture_id": result.capture_id}))
            summary.records_added += 1
        session.papers.insert_issues(batch.issues, result.capture_id)
    summary.issues.extend(batch.issues)


def _import_fulltext(case: Case, result: AddResult, summary: ImportSummary) -> None:
    assert result.capture_id is not None
    name = PurePath(result.path).name
    record_id = clean_id(PurePath(name).stem)
    issues: list[ImportIssue] = []
    if (result.size or 0) > MAX_BIBLIOGRAPHY_BYTES:
        issues.append(ImportIssue(result.path, "", f"larger than {MAX_BIBLIOGRAPHY_BYTES} bytes; not read",
                                  record_id=record_id, kind="unreadable"))
        text = None
    else:
        text, reason = read_fulltext(case.blob_path(result.capture_id).read_bytes(), name)
        if text is None:
            issues.append(ImportIssue(result.path, "", reason or "unreadable", record_id=record_id,
                                      kind="unreadable"))
    with case.store.writer() as session:
        if text is not None:
            found = session.papers.find_record(record_id)
            if found is None:
                session.papers.insert_record(Record(record_id, text=text, source_format="fulltext",
                                                 capture_id=result.capture_id, locator=name,
                                                 fulltext_capture_id=result.capture_id, fulltext_locator=name))
                summary.records_from_fulltext += 1
            elif found.fulltext_capture_id == result.capture_id:
                pass  # the same file imported again
            elif found.text.strip():
                issues.append(ImportIssue(result.path, "", f"record {found.id} already has a text; this file was "
                                          "archived but not attached", severity="warning", record_id=record_id,
                                          kind="duplicate"))
            else:
                session.papers.attach_fulltext(found.id, text, result.capture_id, name)
                summary.fulltexts_attached += 1
        session.papers.insert_issues(issues, result.capture_id)
    summary.issues.extend(issues)


def run_screen(case: Case, protocol: Protocol,
               progress: Callable[[int, int], None] | None = None) -> tuple[int, list[ScreenResult]]:
    """Screen every record of the case with ``protocol``; store the protocol and the decisions."""
    with case.store.view() as session:
        records = list(session.papers.records())
    if not records:
        raise PapersError(f"case {case.name!r} has no bibliographic records: run `organwatch papers import` first")
    results = screen(protocol, records, (lambda n: progress(n, len(records))) if progress else None)
    with case.store.writer() as session:
        run_id = session.papers.start_run(protocol, __version__)
        session.papers.save_results(run_id, results)
    return run_id, results


def load_run(case: Case, run_id: int | None = None, protocol: str | None = None) -> tuple[dict[str, Any],
                                                                                          list[ScreenResult]]:
    """A stored run (the newest, unless named) and its decisions."""
    with case.store.view() as session:
        run = session.papers.run_by_id(run_id) if run_id is not None else session.papers.latest_run(protocol)
        if run is None:
            which = f"run {run_id}" if run_id is not None else "screening run"
            raise PapersError(f"case {case.name!r} has no {which}: run `organwatch papers screen` first")
        return run, session.papers.results(int(run["id"]))


def run_protocol(run: dict[str, Any]) -> Protocol:
    """The protocol exactly as it was when the run was made."""
    return parse_protocol(run["yaml"], f"run {run['id']} protocol")


def review_queue(case: Case, run_id: int, include_reviewed: bool = False) -> list[ScreenResult]:
    """Papers a person should code: included ones and those the screen could not judge (score 1)."""
    _, results = load_run(case, run_id)
    with case.store.view() as session:
        done = session.papers.reviews(run_id)
    queue = [r for r in results if r.decision == "included" or r.score == 1]
    return [r for r in queue if include_reviewed or r.record_id not in done]


def record_review(case: Case, run_id: int, record_id: str, score: int, note: str | None = None,
                  reviewer: str | None = None) -> int:
    """Log one coding decision as an evidence event and store it; return the event's log seq."""
    if score not in REVIEW_SCORES:
        raise PapersError(f"score must be 0, 1 or 2, not {score}")
    run, results = load_run(case, run_id)
    if record_id not in {r.record_id for r in results}:
        raise PapersError(f"record {record_id!r} is not in screening run {run_id}")
    with case.store.view() as session:
        record = session.papers.find_record(record_id)
    who = reviewer or case.default_captured_by()
    seq = case.log_event({"type": "papers.review", "run": run_id,
                          "protocol": {"name": run["name"], "version": run["version"],
                                       "sha256": run["protocol_sha256"]},
                          "record": record_id, "record_capture": record.capture_id if record else None,
                          "fulltext_capture": record.fulltext_capture_id if record else None,
                          "score": score, "note": note or "", "reviewer": who})
    with case.store.writer() as session:
        session.papers.add_review(run_id, record_id, score, note, who, seq)
    return seq
