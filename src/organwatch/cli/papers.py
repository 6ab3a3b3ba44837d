"""``organwatch papers ...``: import bibliographic records, screen them, code them, draw and report.

Human tables by default, ``--format json`` for machines; problems are one line each (``error: ...``)
and a command that cannot go on exits with status 1.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from organwatch import settings
from organwatch.case import Case
from organwatch.cli.common import CaseOption, _errors, _open, err, out
from organwatch.papers import affiliations as affiliation_summary
from organwatch.papers import prisma, report, workflow
from organwatch.papers.protocols import load_protocol, shipped
from organwatch.papers.records import printable

papers_app = typer.Typer(
    help="Medical literature screening: import records (PubMed XML, MEDLINE, RIS, CSV, full texts), screen them "
         "with a YAML protocol, code them by hand, and draw the PRISMA flow. "
         "Example: organwatch papers screen --case mycase --protocol dead-donor-rule",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


class Format(str, Enum):
    """Output formats."""

    table = "table"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people, json for machines.")]
RunOption = Annotated[int | None, typer.Option("--run", help="Screening run number (default: the newest).")]


def _json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=1) + "\n")


def _progress_on() -> bool:
    mode = str(settings.get("ORGANWATCH_PROGRESS"))
    return mode == "bar" or (mode == "auto" and err.is_terminal)


@papers_app.command("import")
def import_command(
    paths: Annotated[list[Path], typer.Argument(help="Bibliographic files (.xml, .nbib, .ris, .csv) and/or "
                                                "folders of full texts (<id>.txt, <id>.pdf).", metavar="PATH...")],
    case: CaseOption = None,
    captured_by: Annotated[str | None, typer.Option("--captured-by", help="Who exported the records.")] = None,
    note: Annotated[str | None, typer.Option(help="Where the records come from (database, query, date).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Archive bibliographic files and full texts in the case and read their records.

    Every file becomes a capture of the case archive. Problems are reported one line per record and the
    rest of the batch is read. Full texts are matched to records by file name (0039.txt -> id 0039).

    Example: organwatch papers import --case mycase pubmed.xml fulltexts/
    """
    opened = _open(case)
    with _errors():
        summary = workflow.import_paths(opened, paths, captured_by=captured_by, note=note,
                                        on_file=lambda p: err.print(f"reading {escape(printable(p, 160))}")
                                        if fmt == Format.table and _progress_on() else None)
    if fmt == Format.json:
        _json(summary.to_dict())
    else:
        for issue in summary.issues:
            (err if issue.severity == "error" else out).print(escape(issue.line()))
        out.print(f"Read {summary.files} file(s): {summary.records_added} record(s) added, "
                  f"{summary.fulltexts_attached} full text(s) attached, {summary.records_from_fulltext} record(s) "
                  f"made from full texts; {sum(i.severity == 'error' for i in summary.issues)} error(s), "
                  f"{sum(i.severity == 'warning' for i in summary.issues)} warning(s).")


@papers_app.command()
def screen(
    case: CaseOption = None,
    protocol: Annotated[str, typer.Option("--protocol", "-p", help="Protocol YAML file, or a shipped one: "
                                          "dead-donor-rule, ethics-reporting.")] = "dead-donor-rule",
    fmt: FormatOption = Format.table,
    show: Annotated[str, typer.Option(help="Which decisions to list: included, excluded or all.")] = "included",
) -> None:
    """Screen every record of the case with a protocol; the protocol and decisions are stored.

    Example: organwatch papers screen --case mycase --protocol dead-donor-rule --format json
    """
    opened = _open(case)
    with _errors():
        parsed = load_protocol(protocol)
        if _progress_on():
            columns = (TextColumn("[bold]screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=err, transient=True) as bar:
                task = bar.add_task("screen", total=None)
                run_id, results = workflow.run_screen(
                    opened, parsed, lambda n, total: bar.update(task, completed=n, total=total))
        else:
            run_id, results = workflow.run_screen(opened, parsed)
    listed = [r for r in results if show == "all" or r.decision == show]
    if fmt == Format.json:
        _json({"run": run_id, "protocol": {"name": parsed.name, "version": parsed.version, "sha256": parsed.sha256},
               "records": len(results), "included": sum(r.decision == "included" for r in results),
               "decisions": [r.to_dict() for r in listed]})
        return
    table = Table(title=f"Run {run_id}: {parsed.name} {parsed.version} ({show})")
    for column in ("id", "decision", "stage", "score", "first reason"):
        table.add_column(column)
    for result in listed:
        first = next((r for r in reversed(result.reasons) if r.quote), result.reasons[-1] if result.reasons else None)
        reason = f"{first.message}: 「{first.quote}」" if first and first.quote else (first.message if first else "")
        table.add_row(escape(printable(result.record_id, 30)), result.decision, escape(result.stage),
                      "" if result.score is None else str(result.score), escape(printable(reason, 160)))
    out.print(table)
    included = sum(r.decision == "included" for r in results)
    out.print(f"{len(results)} record(s) screened, {included} included. Next: organwatch papers review, "
              "papers prisma, papers report.")


@papers_app.command()
def review(
    case: CaseOption = None,
    run: RunOption = None,
    record: Annotated[str | None, typer.Option("--record", help="Code this record (with --score) instead of "
                                               "working through the queue.")] = None,
    score: Annotated[int | None, typer.Option("--score", min=0, max=2, help="0 = no problem, 1 = unclear or "
                                              "ventilation only, 2 = problematic.")] = None,
    note: Annotated[str | None, typer.Option(help="Why (kept with the decision).")] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who codes (default: $ORGANWATCH_CAPTURED_BY).")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="Only list the papers waiting for coding.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Human coding queue: score included and unclear papers 0/1/2; each decision is a signed log event.

    Example: organwatch papers review --case mycase --record 0039 --score 2 --note "intubated after BD"
    """
    opened = _open(case)
    with _errors():
        run_info, _ = workflow.load_run(opened, run)
        run_id = int(run_info["id"])
        if record is not None:
            if score is None:
                raise workflow.PapersError("--record needs --score 0, 1 or 2")
            seq = workflow.record_review(opened, run_id, record, score, note, reviewer)
            if fmt == Format.json:
                _json({"run": run_id, "record": record, "score": score, "log_seq": seq})
            else:
                out.print(f"Coded {escape(record)} as {score} (log entry {seq}).")
            return
        queue = workflow.review_queue(opened, run_id)
    if list_only or fmt == Format.json or not sys.stdin.isatty():
        if fmt == Format.json:
            _json([{"record_id": r.record_id, "decision": r.decision, "score": r.score} for r in queue])
        else:
            for item in queue:
                out.print(f"{escape(item.record_id)}\t{item.decision}\tscore {item.score}")
            out.print(f"{len(queue)} paper(s) waiting for coding in run {run_id}.")
        return
    with opened.store.view() as session:
        records = {r.id: r for r in session.papers.records()}
    for number, item in enumerate(queue, 1):
        rec = records.get(item.record_id)
        out.rule(f"{number}/{len(queue)}  {escape(item.record_id)}  {escape(rec.title if rec else '')}")
        for reason in item.reasons:
            if reason.quote:
                out.print(f"[bold]{escape(reason.stage)}[/]: {escape(reason.message)}\n    「{escape(reason.quote)}」")
        answer = typer.prompt("score 0/1/2, s to skip, q to quit", default="s")
        if answer.strip().lower() == "q":
            break
        if answer.strip() in ("0", "1", "2"):
            why = typer.prompt("note", default="", show_default=False)
            with _errors():
                seq = workflow.record_review(opened, run_id, item.record_id, int(answer), why, reviewer)
            out.print(f"logged as entry {seq}")


@papers_app.command("prisma")
def prisma_command(
    case: CaseOption = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="SVG (a PNG is written beside it).")] = Path(
        "prisma.svg"),
    run: RunOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Draw the PRISMA 2020 flow diagram of a run; every count is computed from the stored decisions.

    Example: organwatch papers prisma --case mycase --out prisma.svg
    """
    opened = _open(case)
    with _errors():
        run_info, results = workflow.load_run(opened, run)
        counts = _counts(opened, run_info, results)
        written = prisma.render(counts, out_path, f"{run_info['name']} {run_info['version']}")
    if fmt == Format.json:
        _json({"run": run_info["id"], "counts": counts.to_dict(), "files": [str(p) for p in written]})
    else:
        out.print(f"identified {counts.identified} → screened {counts.screened} → assessed {counts.assessed} → "
                  f"included {counts.included}")
        out.print("Wrote " + ", ".join(str(p) for p in written))


def _counts(opened: Case, run_info: dict[str, Any], results: list[Any]) -> prisma.PrismaCounts:
    with opened.store.view() as session:
        by_source = session.papers.count_records()
        issues = session.papers.issue_counts()
    try:
        return prisma.compute(workflow.run_protocol(run_info), results, by_source, issues)
    except ValueError as exc:
        raise workflow.PapersError(str(exc)) from None


@papers_app.command("report")
def report_command(
    case: CaseOption = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("screening.html"),
    run: RunOption = None,
) -> None:
    """Write a self-contained HTML report: protocol, PRISMA flow, decisions with quoted evidence, hospitals.

    Example: organwatch papers report --case mycase --out screening.html
    """
    opened = _open(case)
    with _errors():
        run_info, results = workflow.load_run(opened, run)
        counts = _counts(opened, run_info, results)
        with opened.store.view() as session:
            records = {r.id: r for r in session.papers.records()}
            reviews = session.papers.reviews(int(run_info["id"]))
            issues = [f"{r['source']}: {r['locator']}: {r['severity']}: {r['reason']}"
                      for r in session.papers.import_issues(500)]
            included = [records[r.record_id] for r in results if r.decision == "included" and r.record_id in records]
            summary = affiliation_summary.summarise(included)
            linked = affiliation_summary.case_entities(session.mentions, [h["name"] for h in summary["hospitals"]])
        for hospital in summary["hospitals"]:
            hospital["case_documents"] = linked.get(hospital["name"], [])
        page = report.build(case_name=opened.name, run=run_info, results=results, records=records, counts=counts,
                            reviews=reviews, affiliations=summary, issues=issues)
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise workflow.PapersError(f"{out_path}: cannot write the report ({exc.strerror or exc})") from None
    out.print(f"Wrote {out_path} ({len(results)} decisions, {counts.included} included).")


@papers_app.command("protocols")
def protocols_command(fmt: FormatOption = Format.table) -> None:
    """List the protocols that ship with OrganWatch.

    Example: organwatch papers protocols
    """
    found: list[dict[str, Any]] = []
    with _errors():
        for name, path in sorted(shipped().items()):
            parsed = load_protocol(path)
            found.append({"name": name, "version": parsed.version, "title": parsed.title, "path": str(path),
                          "stages": [f"{s.name} ({s.kind})" for s in parsed.stages]})
    if fmt == Format.json:
        _json(found)
        return
    for item in found:
        out.print(f"{item['name']} {item['version']}: {escape(item['title'])}\n    " + " → ".join(item["stages"]))


app = typer.Typer()
app.add_typer(papers_app, name="papers", no_args_is_help=True,
              help="Medical literature screening: import, screen, review, prisma, report. "
                   "Example: organwatch papers screen --case mycase --protocol dead-donor-rule")
