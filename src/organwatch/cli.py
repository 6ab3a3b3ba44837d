"""The ``organwatch`` command: a thin shell over the library (each command calls one function).

Human-readable tables by default, ``--format json`` (or ``jsonl``) for machines. Errors a user can
act on are printed on one line and exit with status 1; no traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from organwatch import __version__, settings
from organwatch.archive.captures import AddResult, CaptureMetadata, format_size
from organwatch.archive.walk import InputFile, iter_inputs
from organwatch.case import Case, init_case, open_case
from organwatch.errors import OrganWatchError
from organwatch.stages.extract import ExtractResult

if TYPE_CHECKING:  # the text stage pulls in jieba, OpenCC and pypinyin: import it only when a command runs
    from organwatch.stages.text import TextResult

app = typer.Typer(
    name="organwatch",
    help="OrganWatch: archive, read and weigh evidence of transplant abuse, reproducibly.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Off a terminal, rich would wrap tables at 80 columns; pipes and files get wide lines instead.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(str, Enum):
    """Output formats."""

    table = "table"
    json = "json"
    jsonl = "jsonl"


CaseOption = Annotated[Path | None, typer.Option("--case", "-c", help="Case folder (default: $ORGANWATCH_CASE, "
                                                 "else the current folder).", show_default=False)]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people, json/jsonl for machines.")]


def _fail(message: str) -> None:
    err.print(f"error: {escape(message)}")
    raise typer.Exit(1)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (OrganWatchError, settings.SettingError) as exc:
        _fail(str(exc))


def _open(case: Path | None) -> Case:
    with _errors():
        return open_case(case)
    raise AssertionError("unreachable")


def _emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=1) + "\n")


def _version(value: bool) -> None:
    if value:
        out.print(f"organwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """OrganWatch: archive, read and weigh evidence of transplant abuse, reproducibly."""


@app.command()
def init(path: Annotated[Path, typer.Argument(help="Folder to create for the case.")],
         name: Annotated[str | None, typer.Option(help="Case name (default: the folder's name).")] = None,
         database: Annotated[str | None, typer.Option(
             "--database", help="postgresql://user@host/db: keep the index on a team server "
                                "(default: a SQLite file in the case folder).")] = None,
         blobs: Annotated[Path | None, typer.Option(
             "--blobs", help="Folder (shared storage) for the original bytes (default: the case's blobs/).")] = None,
         ) -> None:
    """Create a case: folder, database, evidence log and signing key.

    Example: organwatch init mycase --database postgresql://me@db.example/investigation --blobs /shared/blobs
    """
    with _errors():
        case = init_case(path, name, database=database, blobs=blobs)
    out.print(f"Created case {escape(case.name)!r} in {escape(str(path))}")
    out.print(f"Signing key fingerprint: {case.key_id()}")
    out.print("Publish this fingerprint (or keep it apart from the case) so that others can check your bundles.")


def _progress_mode() -> str:
    mode = str(settings.get("ORGANWATCH_PROGRESS"))
    if mode == "auto":
        return "bar" if err.is_terminal else "lines"
    return mode


def _result_line(result: AddResult) -> str:
    if result.status == "failed":
        return f"failed   {result.path}: {result.reason}"
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
    cluster: Annotated[str | None, typer.Option("--cluster", help="Read and extract on a Dask cluster: "
                                                "tcp://scheduler:8786, or local:N worker processes.")] = None,
) -> None:
    """Archive files: exact bytes, hashed, logged and signed. Re-adding the same bytes is safe.

    Example: organwatch add --case mycase report.pdf pages/ --source-url https://example.org/x
    --note "hospital site, archived before deletion"    (large corpora: --cluster local:4)
    """
    opened = _open(case)
    if captured_at is not None:
        captured_at = _utc_timestamp(captured_at)
    meta = CaptureMetadata(source_url=source_url, note=note, captured_by=captured_by, captured_at=captured_at)
    mode = _progress_mode()

    added_archives: list[AddResult] = []

    def show(result: AddResult) -> None:
        if result.status == "added" and result.media_type in ("application/wacz", "application/warc"):
            added_archives.append(result)
        if result.status == "failed":
            err.print(escape(_result_line(result)))
        elif mode == "lines":
            out.print(escape(_result_line(result)))

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
            err.print(escape(f"text failed {result.capture_id[:12]}: {result.reason}"))

    with _errors():
        if cluster is not None and text:
            from organwatch.distributed import add_on_cluster

            summary = add_on_cluster(opened, paths, meta, cluster, on_result=show, extract=extract,
                                     on_text=show_text, on_extract=show_extract)
        elif mode == "bar":
            summary = _add_with_bar(opened, paths, meta, show, text, show_text, extract, show_extract)
        else:
            summary = opened.add(paths, meta, on_result=show, text=text, on_text=show_text, extract=extract,
                                 on_extract=show_extract)
    web_failed = _import_web_archives(opened, added_archives, meta, split_records)
    for note_text in summary.recovery_notes:
        err.print(f"recovered: {escape(note_text)}")
    out.print(f"Added {summary.added} ({format_size(summary.bytes_added)}), already present "
              f"{summary.present + summary.observed} ({summary.observed} with new metadata recorded), "
              f"failed {summary.failed}.")
    if text:
        out.print(f"Text: {text_summary.documents} document(s) from {text_summary.captures} new capture(s), "
                  f"{text_summary.failed} failed, {text_summary.skipped} without text."
                  + (" Retry with `organwatch reprocess --failed-only`." if text_summary.failed else ""))
    if text and extract:
        out.print(f"Extract: {found['mentions']} mention(s) and {found['quotes']} quote(s) in "
                  f"{found['documents']} document(s).")
    if summary.failed or text_summary.failed or web_failed:
        raise typer.Exit(1)


def _import_web_archives(case: Case, added: list[AddResult], meta: CaptureMetadata, split_records: bool) -> bool:
    """Make each record of added WACZ (and, if asked, WARC) files a capture; True if a check failed."""
    archives = [r for r in added if r.media_type == "application/wacz"
                or (split_records and r.media_type == "application/warc")]
    failed = False
    for result in archives:
        from organwatch.webcapture import record_web_archive

        with _errors():
            imported = record_web_archive(case, result.capture_id or "", meta=meta)
        digests = {True: "digests OK", False: "DIGESTS FAILED", None: "no digests to check"}[imported.digests_ok]
        out.print(f"web archive {escape(result.path)}: {imported.records} record(s), {imported.stored} stored as "
                  f"captures, {len(imported.skipped)} skipped; {digests}")
        if imported.digests_ok is False:
            err.print(escape(f"failed   {result.path}: the WACZ's own datapackage digests do not match its contents"))
            failed = True
    return failed


def _add_with_bar(case: Case, paths: list[str], meta: CaptureMetadata,
                  show: Callable[[AddResult], None], text: bool,
                  show_text: Callable[[TextResult], None], extract: bool,
                  show_extract: Callable[[ExtractResult], None]) -> Any:
    total = sum(1 for item in iter_inputs(paths) if isinstance(item, InputFile))
    columns = (TextColumn("[bold]adding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("add", total=total)

        def on_result(result: AddResult) -> None:
            show(result)
            progress.advance(task)

        return case.add(paths, meta, on_result=on_result, text=text, on_text=show_text, extract=extract,
                        on_extract=show_extract)


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
        table.add_row(capture.id[:12], capture.media_type, format_size(capture.size),
                      escape(first.original_name or ""), escape(", ".join(sorted(urls))),
                      capture.captured_at[:19].replace("T", " "))
        count += 1
    out.print(table)
    out.print(f"{count} capture(s) in case {escape(opened.name)!r}")


@app.command()
def show(ref: Annotated[str, typer.Argument(help="Capture id or a unique prefix (4+ hex characters).")],
         case: CaseOption = None,
         fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table) -> None:
    """Show one capture: hash, type, size, where its bytes are, and every sighting of them.

    Example: organwatch show --case mycase 3f2a1b
    """
    opened = _open(case)
    with _errors():
        capture = opened.capture(ref)
    if fmt is not Format.table:
        _emit_json({**capture.to_dict(), "blob": str(opened.blob_path(capture.id))})
        return
    out.print(f"[bold]capture[/bold] {capture.id}")
    out.print(f"  media type  {capture.media_type}")
    out.print(f"  size        {capture.size} bytes ({format_size(capture.size)})")
    out.print(f"  stored at   {escape(str(opened.blob_path(capture.id)))}")
    out.print(f"  first logged as entry {capture.first_seq}, captured {capture.captured_at}")
    for obs in capture.observations:
        out.print(f"  [bold]sighting[/bold] (log entry {obs.seq})")
        for label, value in (("source URL", obs.source_url), ("file", obs.original_path),
                             ("captured at", obs.captured_at), ("captured by", obs.captured_by),
                             ("tool", f"{obs.tool.get('name')} {obs.tool.get('version')} ({obs.tool.get('method')})"),
                             ("file modified", obs.file_modified), ("note", obs.note)):
            if value:
                out.print(f"    {label:<13} {escape(str(value))}")


@app.command()
def verify(case: CaseOption = None,
           fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table) -> None:
    """Re-hash every blob, recompute the log's Merkle tree, check every signature and the index.

    Exits 0 only when nothing is wrong (warnings about an interrupted add are allowed).

    Example: organwatch verify --case mycase
    """
    opened = _open(case)
    with _errors():
        report = opened.verify()
    if fmt is not Format.table:
        _emit_json(report.to_dict())
    else:
        for finding in report.findings:
            (err if finding.severity == "error" else out).print(escape(str(finding)))
        verdict = "OK" if report.ok else f"FAILED ({len(report.errors)} problem(s))"
        out.print(f"{verdict}: {report.entries} log entries, {report.tree_heads} signed tree heads, "
                  f"{report.blobs} blobs ({format_size(report.bytes_hashed)}) checked; key {report.key_id}")
    if not report.ok:
        raise typer.Exit(1)


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
    out.print(f"Moved {escape(str(source))} from {summary['from']} to {summary['to']}: {total} rows; "
              "verified against the evidence log: OK")


@app.command()
def bundle(out_path: Annotated[Path, typer.Option("--out", "-o", help="The zip file to write.")],
           case: CaseOption = None,
           captures: Annotated[str | None, typer.Option(help="Comma-separated capture ids or prefixes "
                                                        "(default: all).")] = None) -> None:
    """Export originals, log entries, inclusion proofs and the public key as one verifiable zip.

    Example: organwatch bundle --case mycase --out evidence.zip --captures 3f2a1b,9c0d11
    """
    opened = _open(case)
    refs = [r for r in captures.split(",") if r.strip()] if captures else None
    with _errors():
        result = opened.bundle(out_path, refs)
    out.print(f"Wrote {escape(str(result.path))}: {result.captures} capture(s), {result.entries} log entries, "
              f"proofs against the signed tree of size {result.tree_size}.")
    out.print(f"Bundle SHA-256 {result.sha256} (logged as an export). Key {result.key_id}")


@app.command("verify-bundle")
def verify_bundle_(path: Annotated[Path, typer.Argument(help="Bundle zip made by `organwatch bundle`.")],
                   expect_key: Annotated[str | None, typer.Option("--expect-key", help="The key fingerprint "
                                                                  "the case owner published.")] = None,
                   fmt: Annotated[Format, typer.Option("--format", "-f",
                                                       help="table or json.")] = Format.table) -> None:
    """Check a bundle on any machine, without the case: every member, signature and proof.

    Example: organwatch verify-bundle evidence.zip --expect-key 1c0f3c89
    """
    from organwatch.archive.bundle import verify_bundle

    report = verify_bundle(path, expect_key)
    if fmt is not Format.table:
        _emit_json(report.to_dict())
    else:
        for finding in report.findings:
            err.print(escape(str(finding)))
        verdict = "OK" if report.ok else "FAILED"
        out.print(f"{verdict}: {report.captures} capture(s), {report.entries} log entries, tree size "
                  f"{report.tree_size}, signed by key {report.key_id}")
        if report.ok and not expect_key:
            out.print("Compare the key with the fingerprint the case owner published (--expect-key).")
    if not report.ok:
        raise typer.Exit(1)


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
            out.print(f"size {head['tree_size']:>8}  root {head['root_hash'][:16]}  {head['timestamp']}  "
                      f"key {str(head.get('key_id'))[:12]}")
        return
    for entry in items:
        out.print(f"{entry.get('seq'):>6}  {entry.get('time')}  {entry.get('type'):<12} "
                  f"{escape(_describe(entry))}")


def _describe(entry: dict[str, Any]) -> str:
    """One-line summary of a log entry for the table view."""
    kind = entry.get("type")
    if kind == "capture":
        return f"{entry['capture'][:12]} {entry.get('media_type')} {entry.get('original_path') or ''}"
    if kind == "observation":
        return f"{entry['capture'][:12]} {entry.get('original_path') or ''} {entry.get('source_url') or ''}"
    if kind == "export":
        return (f"{entry.get('file_name')} ({len(entry.get('captures', []))} captures) "
                f"sha256 {str(entry.get('sha256'))[:12]}")
    if kind == "case.created":
        return f"case {entry.get('case')!r} key {str(entry.get('key_id'))[:12]}"
    return ""


@app.command()
def reprocess(case: CaseOption = None,
              stage: Annotated[str, typer.Option(help="Stage to run again: text, extract or search.")] = "text",
              failed_only: Annotated[bool, typer.Option("--failed-only", help="Only captures whose documents "
                                                        "failed.")] = False) -> None:
    """Run a stage again over the captures: after an upgrade, or to retry documents that failed.

    Example: organwatch reprocess --case mycase --stage text --failed-only
    """
    opened = _open(case)
    if stage == "search":
        with _errors():
            count = opened.sync_search_index()
        out.print(f"Re-indexed {count} document(s) for full-text search.")
        return
    if stage == "extract":
        with _errors():
            extracted = opened.extract()
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(extracted.by_type.items())) or "none"
        out.print(f"Extracted from {extracted.documents} document(s): {extracted.mentions} mention(s) ({kinds}), "
                  f"{extracted.quotes} quote(s).")
        return

    def show(result: TextResult) -> None:
        if result.failed:
            err.print(escape(f"text failed {result.capture_id[:12]}: {result.reason}"))

    with _errors():
        summary = opened.reprocess(stage, failed_only=failed_only, on_result=show)
    out.print(f"Reprocessed {summary.captures} capture(s): {summary.documents} document(s), {summary.failed} failed, "
              f"{summary.skipped} without text, {summary.links} duplicate link(s).")
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def text(ref: Annotated[str, typer.Argument(help="Document number, or a capture id prefix.")],
         case: CaseOption = None,
         fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
         meta_only: Annotated[bool, typer.Option("--meta", help="Metadata only, no text.")] = False) -> None:
    """Show the text read from a document, with its metadata (title, outlet, date, language, encoding).

    Example: organwatch text --case mycase 12
    """
    opened = _open(case)
    with _errors():
        doc = opened.document(ref)
    if fmt is not Format.table:
        data = doc.to_dict()
        data["links"] = [link.to_dict() for link in opened.document_links(doc.id)]
        if meta_only:
            data.pop("text")
        _emit_json(data)
        return
    where = f"  {doc.locator}" if doc.locator else ""
    out.print(f"[bold]document {doc.id}[/bold]  capture {doc.capture_id[:12]}{escape(where)}")
    if doc.status == "failed":
        out.print(f"  failed: {escape(doc.error or '')}")
        raise typer.Exit(1)
    for label, value in (("title", doc.title), ("author", doc.author), ("outlet", doc.outlet),
                         ("published", doc.published), ("source URL", doc.source_url),
                         ("captured at", doc.captured_at), ("media type", doc.media_type),
                         ("language", f"{doc.language}{' (mixed)' if doc.mixed_language else ''}"),
                         ("encoding", f"{doc.encoding} ({doc.encoding_method})" if doc.encoding else None),
                         ("pages", str(len(doc.pages)) if doc.pages else None),
                         ("extractor", f"{doc.extractor} {doc.extractor_version}"),
                         ("warnings", "; ".join(doc.warnings) if doc.warnings else None)):
        if value:
            out.print(f"  {label:<12} {escape(str(value))}")
    for link in opened.document_links(doc.id):
        out.print(f"  {link.kind:<14} document {link.other(doc.id)} (similarity {link.similarity:.2f})")
    if not meta_only:
        out.print()
        out.print(escape(doc.text or ""))


@app.command()
def mentions(ref: Annotated[str, typer.Argument(help="Document number, or a capture id prefix.")],
             case: CaseOption = None,
             mention_type: Annotated[str | None, typer.Option("--type", help="person, organization, place, "
                                                              "date, quantity or quote.")] = None,
             fmt: FormatOption = Format.table) -> None:
    """Show what the extract stage found in a document: each mention with its exact span.

    Example: organwatch mentions --case mycase 12 --type person
    """
    opened = _open(case)
    with _errors():
        doc = opened.document(ref)
    found = opened.quotes(doc.id) if mention_type == "quote" else opened.mentions(doc.id, mention_type)
    items = [_span_first(item.to_dict()) for item in found]
    if fmt is Format.json:
        _emit_json({"document": doc.id, "capture": doc.capture_id, "items": items})
        return
    if fmt is Format.jsonl:
        for item in items:
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
        return
    if mention_type == "quote":
        table = Table("span", "speaker", "kind", "quote", box=None)
        for q in items:
            table.add_row(f"{q['start_char']}-{q['end_char']}", escape(q["speaker"]), q["kind"],
                          escape(q["text"][:100]))
    else:
        table = Table("span", "type", "text", "canonical", "value", box=None)
        for m in items:
            value = "" if m["value"] is None else str(m["value"])
            if m.get("unit"):
                value += f" {m['unit']}"
            table.add_row(f"{m['start_char']}-{m['end_char']}", m["type"], escape(m["text"]),
                          escape(m["canonical"] or ""), escape(value))
    out.print(table)
    out.print(f"{len(items)} item(s) in document {doc.id}")


def _span_first(item: dict[str, Any]) -> dict[str, Any]:
    """A stored mention or quote with its span right after its text, as ``mentions`` has always printed it."""
    head = ("id", "document_id", "type", "speaker", "text", "start_char", "end_char")
    return {**{k: item[k] for k in head if k in item}, **item}


_MEDIA_SHORT = {"pdf": "application/pdf", "html": "text/html", "text": "text/plain", "txt": "text/plain",
                "md": "text/markdown", "markdown": "text/markdown", "xml": "application/xml"}


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words, "phrases", prefix*, AND / OR / NOT; Chinese in either '
                                         "script; names in pinyin.")],
    case: CaseOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="en or zh (zh: simplified and traditional).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Published from (2006, 2006-09, 2006-09-25).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published until (inclusive, same forms).")] = None,
    outlet: Annotated[str | None, typer.Option(help="Only documents from this outlet.")] = None,
    media: Annotated[str | None, typer.Option("--type", help="pdf, html, text, or a media type.")] = None,
    semantic: Annotated[bool, typer.Option("--semantic", help="Search by meaning (multilingual embeddings).")] = False,
    hybrid: Annotated[bool, typer.Option("--hybrid", help="Full text and meaning, fused by rank.")] = False,
    limit: Annotated[int, typer.Option(help="Hits per page.")] = 10,
    offset: Annotated[int, typer.Option(help="Hits to skip (pagination).")] = 0,
    fmt: FormatOption = Format.table,
) -> None:
    """Search the documents of a case; every hit points to an exact span of a document.

    Example: organwatch search --case mycase "王立军 AND 锦州" --from 2006 --to 2012
    """
    from organwatch.search import SearchFilters

    opened = _open(case)
    mode: Literal["fts", "semantic", "hybrid"] = "hybrid" if hybrid else "semantic" if semantic else "fts"
    filters = SearchFilters(date_from=date_from, date_to=date_to, language=lang, outlet=outlet,
                            media_type=_MEDIA_SHORT.get(media.lower(), media) if media else None)
    with _errors():
        page = opened.search(query, mode=mode, filters=filters, limit=limit, offset=offset)
    if fmt is Format.json:
        _emit_json(page.to_dict())
        return
    if fmt is Format.jsonl:
        for hit in page.hits:
            sys.stdout.write(json.dumps(hit.to_dict(), ensure_ascii=False) + "\n")
        return
    for number, hit in enumerate(page.hits, start=offset + 1):
        where = f"document {hit.document_id} [{hit.start}:{hit.end}]" + (" (title)" if hit.field == "title" else "")
        heading = " · ".join(x for x in (hit.title, hit.outlet, hit.published, hit.language) if x)
        out.print(f"[bold]{number}.[/bold] {escape(heading)}  {where}")
        out.print(f"   {escape(hit.snippet)}")
        if hit.duplicates:
            out.print(f"   also in {len(hit.duplicates)} other document(s): "
                      f"{', '.join(map(str, hit.duplicates[:10]))}")
    shown = f"{offset + 1}-{offset + len(page.hits)}" if page.hits else "none"
    more = "; more with --offset" if page.has_more else ""
    out.print(f"{mode} search: hits {shown} of {page.total}{more}")


@app.command()
def embed(case: CaseOption = None) -> None:
    """Compute the multilingual embeddings that --semantic and --hybrid search use (slow: run once).

    Example: organwatch embed --case mycase
    """
    opened = _open(case)
    columns = (TextColumn("[bold]embedding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with _errors(), Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("embed", total=None)
        done = opened.embed(lambda n, total: progress.update(task, completed=n, total=total))
    out.print(f"Embedded {done} chunk(s); semantic search is ready.")


def _register_web_capture() -> None:
    from organwatch.webcapture import cli as webcapture_cli

    for command in (webcapture_cli.capture, webcapture_cli.recapture, webcapture_cli.changes):
        app.command()(command)


_register_web_capture()


def _register_extract() -> None:
    from organwatch.extract import cli as extract_cli

    app.command("extract")(extract_cli.extract_command)
    app.add_typer(extract_cli.eval_app, name="eval")


_register_extract()


def _register_claims() -> None:
    from organwatch.claims import cli as claims_cli

    for command in (claims_cli.claims, claims_cli.sources, claims_cli.grade, claims_cli.dossier):
        app.command()(command)


_register_claims()


def _register_web() -> None:
    from organwatch.web import cli as web_cli

    app.add_typer(web_cli.user_app, name="user")
    app.command("restrict")(web_cli.restrict)
    app.command("serve")(web_cli.serve)


_register_web()


class _LazyAnalyze(TyperGroup):
    """``organwatch analyze``, imported only when used, so ``organwatch add`` does not pay for pandas."""

    _real: Any = None

    def _load(self) -> Any:
        if _LazyAnalyze._real is None:
            from organwatch.analysis.cli import app as analysis_app

            _LazyAnalyze._real = typer.main.get_command(analysis_app)
        return _LazyAnalyze._real

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self._load().list_commands(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return self._load().get_command(ctx, cmd_name)


app.add_typer(typer.Typer(), name="analyze", cls=_LazyAnalyze, no_args_is_help=True,
              help="Quantitative forensics: capacity, series, consistency, accounting, waiting times. "
                   "Example: organwatch analyze capacity hospitals.csv --out capacity.html")


class _LazyPapers(_LazyAnalyze):
    """``organwatch papers``, imported only when used."""

    _real: Any = None

    def _load(self) -> Any:
        if _LazyPapers._real is None:
            from organwatch.papers.cli import app as papers_app

            _LazyPapers._real = typer.main.get_command(papers_app)
        return _LazyPapers._real


app.add_typer(typer.Typer(), name="papers", cls=_LazyPapers, no_args_is_help=True,
              help="Medical literature screening: import, screen, review, prisma, report. "
                   "Example: organwatch papers screen --case mycase --protocol dead-donor-rule")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="organwatch")
