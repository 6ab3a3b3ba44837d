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

import sqlean
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from organwatch import __version__, settings
from organwatch.archive.captures import AddResult, CaptureMetadata, format_size
from organwatch.archive.display import printable
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
WaitOption = Annotated[float | None, typer.Option("--wait", help="Seconds to wait for the case lock when another "
                                                  "process holds it (default: until it is free).",
                                                  show_default=False)]
ExpectKeyOption = Annotated[str | None, typer.Option("--expect-key", help="The full key fingerprint (64 hex digits, "
                                                     "':' ' ' '-' allowed) the case owner published.")]
HeadOption = Annotated[list[str] | None, typer.Option("--head", help="A tree head kept earlier (file, bundle, or "
                                                      "the text `organwatch head` printed) that must still be "
                                                      "contained; repeatable.", show_default=False)]


def _show(text: object) -> str:
    """Text from evidence or the user, safe for the terminal: controls and bidi characters escaped, no markup."""
    return escape(printable(text))


def _fail(message: str) -> None:
    err.print(f"error: {_show(message)}")
    raise typer.Exit(1)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except (OrganWatchError, settings.SettingError) as exc:
        _fail(str(exc))
    except sqlean.DatabaseError as exc:
        _fail(_index_damaged(exc))


def _index_damaged(exc: Exception) -> str:
    return (f"the case index organwatch.db cannot be used ({exc}); rebuild it from the log and the blobs with "
            "`organwatch rebuild-index --case CASE`")


def _lock_waiting(case: Case, wait: float | None) -> None:
    """Say who holds the case lock when a write has to wait for it, and for how long to wait."""
    if wait is not None and wait < 0:
        _fail("--wait must be 0 or more seconds")
    case.lock_wait = wait
    case.on_lock_wait = lambda message: err.print(_show(message))


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
         name: Annotated[str | None, typer.Option(help="Case name (default: the folder's name).")] = None) -> None:
    """Create a case: folder, database, evidence log and signing key.

    Example: organwatch init mycase
    """
    with _errors():
        case = init_case(path, name)
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
) -> None:
    """Archive files: exact bytes, hashed, logged and signed. Re-adding the same bytes is safe.

    Example: organwatch add --case mycase report.pdf pages/ --source-url https://example.org/x
    --note "hospital site, archived before deletion"
    """
    opened = _open(case)
    _lock_waiting(opened, wait)
    if captured_at is not None:
        captured_at = _utc_timestamp(captured_at)
    meta = CaptureMetadata(source_url=source_url, note=note, captured_by=captured_by, captured_at=captured_at)
    mode = _progress_mode()

    added_archives: list[AddResult] = []

    def show(result: AddResult) -> None:
        if result.status == "added" and result.media_type in ("application/wacz", "application/warc",
                                                               "application/x-internet-archive"):
            added_archives.append(result)
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
        if mode == "bar":
            summary = _add_with_bar(opened, paths, meta, show, text, show_text, extract, show_extract,
                                    follow_links)
        else:
            summary = opened.add(paths, meta, on_result=show, text=text, on_text=show_text, extract=extract,
                                 on_extract=show_extract, follow_links=follow_links)
    web_failed = _import_web_archives(opened, added_archives, meta, split_records)
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


def _import_web_archives(case: Case, added: list[AddResult], meta: CaptureMetadata, split_records: bool) -> bool:
    """Make each record of added WACZ (and, if asked, WARC) files a capture; True if a check failed."""
    names = {r.capture_id: r.path for r in added if r.capture_id}
    failed = False
    for capture_id in case.web_archives_to_import(names, split_records):  # with any an interrupted run left
        from organwatch.webcapture import record_web_archive

        path = names.get(capture_id, f"capture {capture_id[:12]} (left by an interrupted add)")
        with _errors():
            imported = record_web_archive(case, capture_id, meta=meta)
        digests = {True: "digests OK", False: "DIGESTS FAILED", None: "no digests to check"}[imported.digests_ok]
        package = imported.datapackage
        signature = f"; signature {package.get('signature', 'not checked')}" if package else ""
        out.print(f"web archive {_show(path)}: {imported.records} record(s), {imported.stored} stored as "
                  f"captures, {len(imported.skipped)} skipped; {digests}{_show(signature)}")
        if imported.digests_ok is False and imported.datapackage is not None:
            first_problem = (imported.datapackage.get("problems") or ["digests do not match"])[0]
            err.print(_show(f"failed   {path}: the WACZ's own datapackage check failed: {first_problem}"))
            failed = True
        if imported.bad_records:
            first = next(s for s in imported.skipped if str(s.get("reason", "")).startswith("damaged record"))
            err.print(_show(f"failed   {path}: {imported.bad_records} damaged record(s) skipped; first at byte "
                             f"{first.get('offset', 0):,}: {str(first['reason']).removeprefix('damaged record: ')}"))
            failed = True
    return failed


def _add_with_bar(case: Case, paths: list[str], meta: CaptureMetadata,
                  show: Callable[[AddResult], None], text: bool,
                  show_text: Callable[[TextResult], None], extract: bool,
                  show_extract: Callable[[ExtractResult], None], follow_links: bool) -> Any:
    total = sum(1 for item in iter_inputs(paths, follow_links=follow_links, protect=[case.root])
                if isinstance(item, InputFile))
    columns = (TextColumn("[bold]adding"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("add", total=total)

        def on_result(result: AddResult) -> None:
            show(result)
            progress.advance(task)

        return case.add(paths, meta, on_result=on_result, text=text, on_text=show_text, extract=extract,
                        on_extract=show_extract, follow_links=follow_links)


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
            err.print(_show(f"text failed {result.capture_id[:12]}: {result.reason}"))

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
        heading = " · ".join(x for x in (hit.title or hit.source, hit.outlet, hit.published, hit.language) if x)
        out.print(f"[bold]{number}.[/bold] {escape(heading)}  {where}")
        origin = " · ".join(x for x in (hit.source, hit.locator, f"captured {hit.captured_at}"
                                        if hit.captured_at else "", f"capture {hit.capture_id[:12]}") if x)
        out.print(f"   [dim]{escape(origin)}[/dim]")
        out.print(f"   {escape(hit.snippet)}")
        if hit.duplicates:
            out.print(f"   also in {len(hit.duplicates)} other document(s): "
                      f"{', '.join(map(str, hit.duplicates[:10]))}")
    shown = f"{offset + 1}-{offset + len(page.hits)}" if page.hits else "none"
    more = "; more with --offset" if page.has_more else ""
    cut = "; too many matches to rank all: the newest were ranked (narrow it)" if page.truncated else ""
    out.print(f"{mode} search: hits {shown} of {page.total}{more}{cut}")


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


def _register_resolve() -> None:
    # The resolve commands import networkx, pypinyin and OpenCC only when they run.
    from organwatch.resolve import cli as resolve_cli

    for command in resolve_cli.COMMANDS:
        app.command()(command)
    app.add_typer(resolve_cli.export_app, name="export")


_register_resolve()


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
    try:
        app(prog_name="organwatch")
    except sqlean.DatabaseError as exc:  # a damaged index met outside a command's own error handling
        err.print(f"error: {_show(_index_damaged(exc))}")
        sys.exit(1)
