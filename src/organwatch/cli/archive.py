"""Commands over the archive: init, add, list, show, verify, bundle, verify-bundle, head, rebuild-index, log.

Each calls the library and prints a table, or JSON with ``--format json``; errors are one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from organwatch import settings
from organwatch.archive.captures import AddResult, CaptureMetadata, format_size
from organwatch.archive.walk import InputFile, iter_inputs
from organwatch.case import Case, CaseAddSummary, SplitArchive, init_case
from organwatch.cli.common import (
    CaseOption,
    Format,
    FormatOption,
    WaitOption,
    _emit_json,
    _errors,
    _fail,
    _lock_waiting,
    _open,
    _show,
    err,
    out,
)
from organwatch.stages.extract import ExtractResult

if TYPE_CHECKING:  # the text stage pulls in jieba, OpenCC and pypinyin: import it only when a command runs
    from organwatch.stages.text import TextResult

app = typer.Typer()

ExpectKeyOption = Annotated[str | None, typer.Option("--expect-key", help="The full key fingerprint (64 hex digits, "
                                                     "':' ' ' '-' allowed) the case owner published.")]
HeadOption = Annotated[list[str] | None, typer.Option("--head", help="A tree head kept earlier (file, bundle, or "
                                                      "the text `organwatch head` printed) that must still be "
                                                      "contained; repeatable.", show_default=False)]


def _expected_key(text: str | None) -> str | None:
    from organwatch.archive.signing import normalize_fingerprint

    if text is None:
        return None
    try:
        return normalize_fingerprint(text)
    except ValueError as exc:
        _fail(f"--expect-key: {exc}")
        raise


def _witnesses(specs: list[str] | None) -> list[Any]:
    from organwatch.archive.heads import load_witness

    with _errors():
        return [load_witness(spec) for spec in specs or []]
    raise AssertionError("unreachable")


def _require_index(case: Case) -> None:
    from organwatch.archive.rebuild import index_problem

    with _errors():
        problem = index_problem(case)
    if problem:
        _fail(problem)


@app.command()
def init(path: Annotated[Path, typer.Argument(help="Folder to create for the case.")],
         name: Annotated[str | None, typer.Option(help="Case name (default: the folder's name).")] = None,
         database: Annotated[str | None, typer.Option(
             "--database", help="postgresql://user@host/db: keep the index on a team server "
                                "(default: ORGANWATCH_NEW_CASE_DATABASE, else a SQLite file in the case).")] = None,
         blobs: Annotated[Path | None, typer.Option(
             "--blobs", help="Folder (shared storage) for the original bytes (default: the case's blobs/).")] = None,
         ) -> None:
    """Create a case: folder, database, evidence log and signing key.

    Example: organwatch init mycase --database postgresql://me@db.example/investigation --blobs /shared/blobs
    """
    with _errors():
        case = init_case(path, name, database=database, blobs=blobs)
    out.print(f"Created case {_show(case.name)!r} in {_show(str(path))}")
    out.print(f"Signing key fingerprint: {case.key_id()}")
    out.print("Publish this fingerprint (or keep it apart from the case) so that others can check your bundles.")


def _progress_mode() -> str:
    mode = str(settings.get("ORGANWATCH_PROGRESS"))
    if mode == "auto":
        return "bar" if err.is_terminal else "lines"
    return mode


def _result_line(result: AddResult) -> str:
    if result.status in ("failed", "skipped"):
        return f"{result.status:<8} {result.path}: {result.reason}"
    label = {"added": "added", "present": "present", "observed": "present"}[result.status]
    extra = "  (new metadata recorded)" if result.status == "observed" else ""
    return (f"{label:<8} {(result.capture_id or '')[:12]}  {result.media_type or '':<24} "
            f"{format_size(result.size or 0):>10}  {result.path}{extra}")


@app.command()
def add(
    paths: Annotated[list[str], typer.Argument(help="Files and folders (added recursively).", metavar="PATH...")],
    case: CaseOption = None,
    source_url: Annotated[str | None, typer.Option("--source-url", help="Where the bytes came from.")] = None,
    note: Annotated[str | None, typer.Option(help="Why it was captured, what it is.")] = None,
    captured_by: Annotated[str | None, typer.Option("--captured-by", help="Who captured it "
                                                    "(default: $ORGANWATCH_CAPTURED_BY or your user name).")] = None,
    captured_at: Annotated[str | None, typer.Option("--captured-at", help="When it was captured, ISO 8601 UTC "
                                                    "(default: now).")] = None,
    text: Annotated[bool, typer.Option("--text/--no-text", help="Also read the text of new captures "
                                       "(the text stage).")] = True,
    extract: Annotated[bool, typer.Option("--extract/--no-extract", help="Also extract people, organisations, "
                                          "places, dates, quantities and quotes from new documents.")] = True,
    split_records: Annotated[bool, typer.Option("--split-records/--no-split-records", help="Make every record of "
                                                "an added WARC its own capture with provenance naming the file "
                                                "(WACZ files always are); the text is read once, from the WARC.")
                             ] = True,
    follow_links: Annotated[bool, typer.Option("--follow-links", help="Follow symbolic links that lead outside an "
                                               "added folder (their targets are recorded); refused by default.")
                            ] = False,
    wait: WaitOption = None,
    cluster: Annotated[str | None, typer.Option("--cluster", help="Read and extract on a Dask cluster: "
                                                "tcp://scheduler:8786, or local:N worker processes.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes that read and extract "
                                             "(default: $ORGANWATCH_JOBS, else the number of cores).")] = None,
) -> None:
    """Archive files: exact bytes, hashed, logged and signed. Re-adding the same bytes is safe.

    Example: organwatch add --case mycase report.pdf pages/ --source-url https://example.org/x
    --note "hospital site, archived before deletion"    (large corpora: --cluster local:4)
    """
    opened = _open(case)
    _lock_waiting(opened, wait)
    if captured_at is not None:
        captured_at = _utc_timestamp(captured_at)
    meta = CaptureMetadata(source_url=source_url, note=note, captured_by=captured_by, captured_at=captured_at)
    mode = _progress_mode()

    def show(result: AddResult) -> None:
        if result.status in ("failed", "skipped"):
            err.print(_show(_result_line(result)))
        elif mode == "lines":
            out.print(_show(_result_line(result)))

    from organwatch.stages.text import TextSummary

    text_summary = TextSummary()
    found = {"documents": 0, "mentions": 0, "quotes": 0}

    def show_extract(result: ExtractResult) -> None:
        found["documents"] += 1
        found["mentions"] += result.mentions
        found["quotes"] += result.quotes

    def show_text(result: TextResult) -> None:
        text_summary.captures += 1
        text_summary.documents += result.documents
        text_summary.skipped += int(result.skipped)
        if result.failed:
            text_summary.failed += 1
            err.print(_show(f"text failed {result.capture_id[:12]}: {result.reason}"))

    with _errors():
        if cluster is not None and text:
            from organwatch.distributed import add_on_cluster

            added = add_on_cluster(opened, paths, meta, cluster, on_result=show, extract=extract,
                                   on_text=show_text, on_extract=show_extract)
            summary = CaseAddSummary(**{f.name: getattr(added, f.name) for f in fields(added)})
        elif mode == "bar":
            summary = _add_with_bar(opened, paths, meta, show, text, show_text, extract, show_extract,
                                    follow_links, split_records, jobs)
        else:
            summary = opened.add(paths, meta, on_result=show, text=text, on_text=show_text, extract=extract,
                                 on_extract=show_extract, follow_links=follow_links, split_records=split_records,
                                 on_split=_show_split, jobs=jobs)
    web_failed = any(split.problems for split in summary.web_archives)
    for note_text in summary.recovery_notes:
        err.print(f"recovered: {_show(note_text)}")
    for warning in summary.warnings:
        err.print(f"warning: {_show(warning)}")
    out.print(f"Added {summary.added} ({format_size(summary.bytes_added)}), already present "
              f"{summary.present + summary.observed} ({summary.observed} with new metadata recorded), "
              f"failed {summary.failed}" + (f", skipped {summary.skipped} (case folders)." if summary.skipped
                                            else "."))
    if text:
        out.print(f"Text: {text_summary.documents} document(s) from {text_summary.captures} new capture(s), "
                  f"{text_summary.failed} failed, {text_summary.skipped} without text."
                  + (" Retry with `organwatch reprocess --failed-only`." if text_summary.failed else ""))
    if text and extract:
        out.print(f"Extract: {found['mentions']} mention(s) and {found['quotes']} quote(s) in "
                  f"{found['documents']} document(s).")
    if summary.failed or text_summary.failed or web_failed:
        raise typer.Exit(1)


def _show_split(split: SplitArchive) -> None:
    """One line on each web archive split into captures, and one per problem found in it."""
    imported = split.summary
    digests = {True: "digests OK", False: "DIGESTS FAILED", None: "no digests to check"}[imported.digests_ok]
    package = imported.datapackage
    signature = f"; signature {package.get('signature', 'not checked')}" if package else ""
    out.print(f"web archive {_show(split.added.path)}: {imported.records} record(s), {imported.stored} stored as "
              f"captures, {len(imported.skipped)} skipped; {digests}{_show(signature)}")
    for problem in split.problems:
        err.print(_show(f"failed   {split.added.path}: {problem}"))


def _add_with_bar(case: Case, paths: list[str], meta: CaptureMetadata,
                  show: Callable[[AddResult], None], text: bool,
                  show_text: Callable[[TextResult], None], extract: bool,
                  show_extract: Callable[[ExtractResult], None], follow_links: bool,
                  split_records: bool, jobs: int | None = None) -> CaseAddSummary:
    total = sum(1 for item in iter_inputs(paths, follow_links=follow_links, protect=[case.root])
                if isinstance(item, InputFile))
    columns = (TextColumn("[bold]adding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("add", total=total)

        def on_result(result: AddResult) -> None:
            show(result)
            progress.advance(task)

        return case.add(paths, meta, on_result=on_result, text=text, on_text=show_text, extract=extract,
                        on_extract=show_extract, follow_links=follow_links, split_records=split_records,
                        on_split=_show_split, jobs=jobs)


def _utc_timestamp(text: str) -> str:
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        _fail(f"--captured-at {text!r} is not an ISO 8601 time (e.g. 2026-01-31T14:05:00Z)")
        raise
    if moment.tzinfo is None:
        _fail(f"--captured-at {text!r} has no time zone: add Z for UTC or an offset like +08:00")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@app.command("list")
def list_(case: CaseOption = None, fmt: FormatOption = Format.table,
          limit: Annotated[int | None, typer.Option(help="Show at most this many.")] = None) -> None:
    """List the captures of a case, oldest first.

    Example: organwatch list --case mycase --format json
    """
    opened = _open(case)
    _require_index(opened)
    captures = opened.captures(limit=limit)
    if fmt is Format.json:
        _emit_json([c.to_dict() for c in captures])
        return
    if fmt is Format.jsonl:
        for capture in captures:
            sys.stdout.write(json.dumps(capture.to_dict(), ensure_ascii=False) + "\n")
        return
    table = Table("id", "media type", "size", "name", "source URL", "captured (UTC)", box=None)
    count = 0
    for capture in captures:
        first = capture.observations[0]
        urls = {o.source_url for o in capture.observations if o.source_url}
        table.add_row(capture.id[:12], _show(capture.media_type), format_size(capture.size),
                      _show(first.original_name or ""), _show(", ".join(sorted(urls))),
                      capture.captured_at[:19].replace("T", " "))
        count += 1
    out.print(table)
    out.print(f"{count} capture(s) in case {_show(opened.name)!r}")


@app.command()
def show(ref: Annotated[str, typer.Argument(help="Capture id or a unique prefix (4+ hex characters).")],
         case: CaseOption = None,
         fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table) -> None:
    """Show one capture: hash, type, size, where its bytes are, and every sighting of them.

    Example: organwatch show --case mycase 3f2a1b
    """
    opened = _open(case)
    _require_index(opened)
    with _errors():
        capture = opened.capture(ref)
    if fmt is not Format.table:
        _emit_json({**capture.to_dict(), "blob": str(opened.blob_path(capture.id))})
        return
    out.print(f"[bold]capture[/bold] {capture.id}")
    out.print(f"  media type  {_show(capture.media_type)}")
    out.print(f"  size        {capture.size} bytes ({format_size(capture.size)})")
    out.print(f"  stored at   {_show(str(opened.blob_path(capture.id)))}")
    out.print(f"  first logged as entry {capture.first_seq}, captured {capture.captured_at}")
    for obs in capture.observations:
        out.print(f"  [bold]sighting[/bold] (log entry {obs.seq})")
        for label, value in (("source URL", obs.source_url), ("file", obs.original_path),
                             ("captured at", obs.captured_at), ("captured by", obs.captured_by),
                             ("tool", f"{obs.tool.get('name')} {obs.tool.get('version')} ({obs.tool.get('method')})"),
                             ("file modified", obs.file_modified), ("note", obs.note),
                             ("followed link", (obs.extra or {}).get("followed_link"))):
            if value:
                out.print(f"    {label:<13} {_show(str(value))}")


@app.command()
def verify(case: CaseOption = None,
           fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
           expect_key: ExpectKeyOption = None,
           heads: HeadOption = None) -> None:
    """Re-hash every blob, recompute the log's Merkle tree, check every signature and the index.

    Exits 0 only when nothing is wrong (warnings about an interrupted or running add are allowed).
    With --head, proves that the log still contains heads published earlier (nothing removed since).

    Example: organwatch verify --case mycase --expect-key 1c0f...e9 --head head-2026-01.txt
    """
    expected = _expected_key(expect_key)
    witnesses = _witnesses(heads)
    opened = _open(case)
    with _errors():
        report = opened.verify(expect_key=expected, witnesses=witnesses)
    if fmt is not Format.table:
        _emit_json(report.to_dict())
    else:
        for finding in report.findings:
            (err if finding.severity == "error" else out).print(_show(finding))
        for proven in report.witnesses_proven:
            out.print(f"head OK: {_show(proven)}")
        verdict = "OK" if report.ok else f"FAILED ({len(report.errors)} problem(s))"
        out.print(f"{verdict}: {report.entries} log entries ({report.signed_size} signed), {report.tree_heads} "
                  f"signed tree heads, {report.blobs} blobs ({format_size(report.bytes_hashed)}) checked; key "
                  f"{report.key_id}")
        _say_signer(report.key_checked, bool(witnesses))
    if not report.ok:
        raise typer.Exit(1)


def _say_signer(key_checked: bool, heads_checked: bool) -> None:
    if not key_checked:
        out.print("The signer was NOT checked: anyone can re-sign evidence with a new key. Give the fingerprint "
                  "the case owner published with --expect-key.")
    if not heads_checked:
        out.print("Removal was NOT checked: give a head kept earlier (`organwatch head`, or an earlier bundle) "
                  "with --head.")


@app.command()
def bundle(out_path: Annotated[Path, typer.Option("--out", "-o", help="The zip file to write.")],
           case: CaseOption = None,
           captures: Annotated[str | None, typer.Option(help="Comma-separated capture ids or prefixes "
                                                        "(default: all).")] = None,
           wait: WaitOption = None) -> None:
    """Export originals, log entries, inclusion proofs and the public key as one verifiable zip.

    The zip must be written outside the case folder, or under its exports/ folder.

    Example: organwatch bundle --case mycase --out evidence.zip --captures 3f2a1b,9c0d11
    """
    opened = _open(case)
    _lock_waiting(opened, wait)
    refs = [r for r in captures.split(",") if r.strip()] if captures else None
    with _errors():
        result = opened.bundle(out_path, refs)
    out.print(f"Wrote {_show(str(result.path))}: {result.captures} capture(s), {result.entries} log entries, "
              f"proofs against the signed tree of size {result.tree_size}.")
    out.print(f"Bundle SHA-256 {result.sha256} (logged as an export). Key {result.key_id}")


@app.command()
def migrate(source: Annotated[Path, typer.Option("--from", help="The case folder whose store moves.")],
            destination: Annotated[str, typer.Option("--to", help="postgresql://user@host/db, or sqlite (the "
                                                                  "case folder's own file).")],
            fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table) -> None:
    """Move a case's store between SQLite and PostgreSQL, verify it there, and point the case at it.

    The evidence log, keys and blobs stay in place; the old store is kept untouched as a fallback.

    Example: organwatch migrate --from mycase --to postgresql://me@db.example/investigation
    """
    from organwatch.store.postgres.transfer import migrate_case

    with _errors():
        summary = migrate_case(source, destination,
                               progress=lambda table, rows: err.print(f"copied {rows:>9} rows of {table}")
                               if _progress_mode() != "none" else None)
    if fmt is not Format.table:
        _emit_json(summary)
        return
    total = sum(summary["rows"].values())
    out.print(f"Moved {_show(str(source))} from {summary['from']} to {summary['to']}: {total} rows; "
              "verified against the evidence log: OK")


@app.command("verify-bundle")
def verify_bundle_(path: Annotated[Path, typer.Argument(help="Bundle zip made by `organwatch bundle`.")],
                   expect_key: ExpectKeyOption = None,
                   heads: HeadOption = None,
                   fmt: Annotated[Format, typer.Option("--format", "-f",
                                                       help="table or json.")] = Format.table) -> None:
    """Check a bundle on any machine, without the case: every member, signature and proof.

    With --head (a head published earlier, or an earlier bundle), also prove that the bundle's log
    still contains it: a later truncation or re-signing of the case fails.

    Example: organwatch verify-bundle evidence.zip --expect-key 1c0f3c89...e9 --head earlier-bundle.zip
    """
    from organwatch.archive.bundle import verify_bundle

    expected = _expected_key(expect_key)
    witnesses = _witnesses(heads)
    report = verify_bundle(path, expected, witnesses)
    if fmt is not Format.table:
        _emit_json(report.to_dict())
    else:
        for finding in report.findings:
            err.print(_show(finding))
        for proven in report.witnesses_proven:
            out.print(f"head OK: {_show(proven)}")
        verdict = "OK" if report.ok else "FAILED"
        out.print(f"{verdict}: {report.captures} capture(s), {report.entries} log entries, tree size "
                  f"{_show(report.tree_size)}, signed by key {report.key_id}")
        _say_signer(report.key_checked, bool(witnesses))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def head(case: CaseOption = None,
         fmt: Annotated[Format, typer.Option("--format", "-f", help="table (the line to paste) or json.")
                        ] = Format.table) -> None:
    """Print the case's current signed tree head, to send to someone or paste into a report.

    Whoever keeps it (with the key fingerprint) can later prove that nothing logged up to now was
    removed or rewritten: `organwatch verify --head` on the case, or `verify-bundle --head` on a bundle.

    Example: organwatch head --case mycase > head-2026-01-31.txt
    """
    from organwatch.archive.heads import head_json, head_text

    opened = _open(case)
    with _errors():
        current = opened.current_head()
    if fmt is not Format.table:
        _emit_json(head_json(current, opened.name))
        return
    out.print(head_text(current))
    out.print(f"# case {_show(repr(opened.name))}: {current['tree_size']} log entries signed at "
              f"{current['timestamp']} by key {current['key_id']}")


@app.command("rebuild-index")
def rebuild_index(case: CaseOption = None, wait: WaitOption = None) -> None:
    """Rebuild the case database (organwatch.db) from the signed log and the blobs, after loss or damage.

    Checks the log first, keeps the old database beside the new one, then reads the text again,
    extracts mentions and rebuilds the search index.

    Example: organwatch rebuild-index --case mycase
    """
    opened = _open(case)
    _lock_waiting(opened, wait)
    with _errors():
        report = opened.rebuild_index(lambda message: err.print(_show(message)))
    if report.kept_as is not None:
        out.print(f"Old database kept as {_show(report.kept_as)}")
    out.print(f"Rebuilt the index: {report.entries} log entries, {report.tree_heads} tree heads, "
              f"{report.captures} capture(s); text: {report.documents} document(s), {report.text_failed} failed; "
              f"{report.mentions} mention(s), {report.quotes} quote(s).")


@app.command()
def log(case: CaseOption = None, fmt: FormatOption = Format.table,
        heads: Annotated[bool, typer.Option("--heads", help="Show the signed tree heads instead.")] = False) -> None:
    """Show the evidence log: every event in order (or the signed tree heads).

    Example: organwatch log --case mycase --format json
    """
    opened = _open(case)
    items: Any = opened.tree_heads() if heads else opened.log_entries()
    if fmt is Format.json:
        _emit_json(list(items))
        return
    if fmt is Format.jsonl:
        for item in items:
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        return
    if heads:
        for head in items:
            out.print(_show(f"size {head['tree_size']:>8}  root {str(head.get('root_hash'))[:16]}  "
                            f"{head.get('timestamp')}  key {str(head.get('key_id'))[:12]}"))
        return
    for entry in items:
        out.print(_show(f"{entry.get('seq')!s:>6}  {entry.get('time')}  {entry.get('type')!s:<12} "
                        f"{_describe(entry)}"))


def _describe(entry: dict[str, Any]) -> str:
    """One-line summary of a log entry for the table view."""
    kind = entry.get("type")
    if kind == "capture":
        return f"{str(entry.get('capture'))[:12]} {entry.get('media_type')} {entry.get('original_path') or ''}"
    if kind == "observation":
        return (f"{str(entry.get('capture'))[:12]} {entry.get('original_path') or ''} "
                f"{entry.get('source_url') or ''}")
    if kind == "export":
        return (f"{entry.get('file_name')} ({len(entry.get('captures', []))} captures) "
                f"sha256 {str(entry.get('sha256'))[:12]}")
    if kind == "case.created":
        return f"case {entry.get('case')!r} key {str(entry.get('key_id'))[:12]}"
    return ""


