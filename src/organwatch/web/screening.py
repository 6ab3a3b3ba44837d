"""Literature screening as the workbench shows it: runs, decisions with their quoted evidence, the PRISMA
figure, and human coding.

Papers come from archived captures; a paper whose capture (bibliographic file or full text) holds a document
the reader may not see is left out of every list and count for that reader, as restricted documents are
everywhere else.
"""

from __future__ import annotations

import html
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from organwatch.errors import OrganWatchError
from organwatch.papers import prisma, workflow
from organwatch.papers.records import Record
from organwatch.papers.screen import Reason, ScreenResult
from organwatch.web.access import Viewer
from organwatch.web.services import NotFoundError, require

if TYPE_CHECKING:
    from organwatch.case import Case

MAX_RUNS = 100


@dataclass(frozen=True)
class QuotedReason:
    """A reason with its quote split around the exact span it rests on (``before``, ``exact``, ``after``)."""

    reason: Reason
    before: str
    exact: str
    after: str


@dataclass(frozen=True)
class Decision:
    """One paper's decision in a run, ready for the page."""

    result: ScreenResult
    record: Record | None
    reasons: list[QuotedReason]
    review: dict[str, Any] | None
    queued: bool  # a person should code it (included, or the screen could not judge)


@dataclass(frozen=True)
class RunView:
    """A run with its decisions (those the reader may see) and its PRISMA counts and figure."""

    run: dict[str, Any]
    decisions: list[Decision]
    counts: prisma.PrismaCounts
    svg: str
    hidden: int  # papers left out for this reader


def runs(case: Case, viewer: Viewer) -> list[dict[str, Any]]:
    """Every screening run, newest first: id, protocol, when, records and included (as this reader sees them)."""
    require(viewer, "read")
    found: list[dict[str, Any]] = []
    with case.store.view() as session:
        latest = session.papers.latest_run()
        if latest is None:
            return []
        for run_id in range(int(latest["id"]), max(0, int(latest["id"]) - MAX_RUNS), -1):
            run = session.papers.run_by_id(run_id)
            if run is None or run.get("finished_at") is None:
                continue
            results = _visible_results(session, viewer, session.papers.results(run_id))
            found.append({"id": run_id, "name": run["name"], "version": run["version"],
                          "started_at": run.get("started_at"), "protocol_sha256": run["protocol_sha256"],
                          "records": len(results), "included": sum(r.decision == "included" for r in results),
                          "reviewed": len(set(session.papers.reviews(run_id)) & {r.record_id for r in results})})
    return found


def _visible_results(session: Any, viewer: Viewer, results: list[ScreenResult]) -> list[ScreenResult]:
    if viewer.sees_everything:
        return results
    allowed: dict[str | None, bool] = {None: True}
    kept = []
    for result in results:
        record = session.papers.find_record(result.record_id)
        captures = (record.capture_id, record.fulltext_capture_id) if record else (None,)
        for capture in captures:
            if capture not in allowed:
                allowed[capture] = session.accounts.capture_visible(viewer, capture)
        if all(allowed[c] for c in captures):
            kept.append(result)
    return kept


def _quoted(reason: Reason, record: Record | None) -> QuotedReason:
    quote = reason.quote or ""
    if quote and record is not None and reason.field and reason.start is not None and reason.end is not None:
        exact = record.field_text(reason.field)[reason.start:reason.end]
        if exact and exact in quote:
            before, _, after = quote.partition(exact)
            return QuotedReason(reason, before, exact, after)
    return QuotedReason(reason, quote, "", "")


def run_view(case: Case, viewer: Viewer, run_id: int | None = None, show: str = "all") -> RunView:
    """One run (the newest unless named): decisions with quoted reasons, the PRISMA counts and its SVG."""
    require(viewer, "read")
    if show not in ("all", "included", "excluded", "queue"):
        raise OrganWatchError(f"show {show!r}: use all, included, excluded or queue")
    try:
        run, results = workflow.load_run(case, run_id)
    except workflow.PapersError as exc:
        raise NotFoundError(str(exc)) from None
    with case.store.view() as session:
        visible = _visible_results(session, viewer, results)
        records = {r.record_id: session.papers.find_record(r.record_id) for r in visible}
        reviews = session.papers.reviews(int(run["id"]))
        by_source: dict[str, int] = {}
        for record in records.values():
            if record is not None:
                by_source[record.source_format] = by_source.get(record.source_format, 0) + 1
        issues = session.papers.issue_counts() if viewer.sees_everything or len(visible) == len(results) else {}
    try:
        counts = prisma.compute(workflow.run_protocol(run), visible, by_source, issues)
    except ValueError as exc:
        raise OrganWatchError(str(exc)) from None
    svg = figure_svg(counts, f"{run['name']} {run['version']}")
    decisions = []
    for result in visible:
        queued = result.decision == "included" or result.score == 1
        if show == "queue" and (not queued or result.record_id in reviews):
            continue
        if show in ("included", "excluded") and result.decision != show:
            continue
        record = records.get(result.record_id)
        decisions.append(Decision(result, record, [_quoted(r, record) for r in result.reasons],
                                  reviews.get(result.record_id), queued))
    decisions.sort(key=lambda d: (d.result.decision != "included", d.result.record_id))
    return RunView(run, decisions, counts, svg, len(results) - len(visible))


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_PROPERTY = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]+?)\s*(?:;|$)")


def _presentation_attributes(match: re.Match[str]) -> str:
    return "".join(f' {name}="{html.escape(value, quote=True)}"'
                   for name, value in _PROPERTY.findall(html.unescape(match.group(1))))


def figure_svg(counts: prisma.PrismaCounts, title: str) -> str:
    """The PRISMA flow diagram as an inline ``<svg>`` element.

    The pages' Content-Security-Policy refuses inline styles, so matplotlib's ``style="fill: …"`` become
    the equivalent presentation attributes (``fill="…"``), which the policy allows, and ``<style>`` goes.
    """
    with tempfile.TemporaryDirectory(prefix="organwatch-prisma-") as tmp:
        path = prisma.render(counts, Path(tmp) / "prisma.svg", title)[0]
        text = path.read_text(encoding="utf-8")
    svg = _STYLE_ELEMENT.sub("", text[text.find("<svg"):])
    return _STYLE_ATTRIBUTE.sub(_presentation_attributes, svg)


def code_paper(case: Case, viewer: Viewer, run_id: int, record_id: str, score: str, note: str) -> int:
    """Record a reviewer's 0/1/2 coding of one paper as an evidence event; returns its log entry."""
    require(viewer, "review")
    try:
        value = int(score)
    except ValueError:
        raise OrganWatchError(f"score {score!r}: use 0, 1 or 2") from None
    with case.store.view() as session:
        record = session.papers.find_record(record_id)
        visible = record is not None and all(session.accounts.capture_visible(viewer, c) for c in
                                             (record.capture_id, record.fulltext_capture_id) if c)
    if not visible:
        raise NotFoundError(f"record {record_id!r} is not in screening run {run_id}")
    return workflow.record_review(case, run_id, record_id, value, note.strip() or None, viewer.name)
