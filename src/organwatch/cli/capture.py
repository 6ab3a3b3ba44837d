"""Typer commands ``capture``, ``recapture`` and ``changes``; the main app registers them with ``app.command()``.

They call one library function each (:func:`.capture_urls`, :func:`.recapture`, :func:`.list_changes`)
and print one line per URL; errors a user can act on end with status 1 and no traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from organwatch import settings
from organwatch.cli.common import CaseOption, _errors, _open, err, out
from organwatch.webcapture.browser import BrowserOptions
from organwatch.webcapture.capture import CaptureOptions, CaptureResult, capture_urls
from organwatch.webcapture.changes import list_changes
from organwatch.webcapture.fetch import DEFAULT_USER_AGENT, FetchOptions
from organwatch.webcapture.recapture import RecaptureResult
from organwatch.webcapture.recapture import recapture as run_recapture


class ListFormat(str, Enum):
    """Output formats of listing commands."""

    table = "table"
    json = "json"


MaxSize = Annotated[str, typer.Option("--max-size", help="Largest response accepted per URL (e.g. 100MiB); "
                                      "a larger one is refused, never truncated.")]
Timeout = Annotated[int, typer.Option("--timeout", help="Seconds to wait for a server (connect, each read).")]
UserAgent = Annotated[str, typer.Option("--user-agent", help="User-Agent header sent (and recorded).")]
Screenshot = Annotated[bool, typer.Option("--screenshot/--no-screenshot", help="Render in Chromium: full-page "
                                          "PNG with capture time, and the DOM after scripts ran.")]
Note = Annotated[str | None, typer.Option(help="Why it was captured, what it is.")]
Deadline = Annotated[int, typer.Option("--deadline", help="Seconds allowed for one URL in all (fetch, browser, "
                                       "media); then it fails and the batch goes on.")]
AllowPrivate = Annotated[bool, typer.Option("--allow-private-network", help="Also reach loopback, private and "
                                            "link-local addresses (refused by default, at every redirect, media "
                                            "item and browser request).")]
AllowAddress = Annotated[list[str] | None, typer.Option("--allow-address", help="Allow one non-public address, "
                                                        "network or address:port (e.g. 10.0.0.5:8080); repeatable.",
                                                        show_default=False)]


def _options(max_size: str, timeout: int, user_agent: str, screenshot: bool, pdf: bool, media: bool,
             note: str | None, network: tuple[bool, list[str] | None, int]) -> CaptureOptions:
    allow_private, allow_addresses, deadline = network
    try:
        limit = settings.parse_size(max_size)
    except ValueError as exc:
        err.print(f"error: --max-size: {escape(str(exc))}")
        raise typer.Exit(1) from None
    if deadline < 1:
        err.print(f"error: --deadline must be at least 1 second, not {deadline}")
        raise typer.Exit(1)
    try:
        fetch = FetchOptions(max_bytes=limit, timeout=float(timeout), user_agent=user_agent,
                             allow_private_network=allow_private, allow_addresses=tuple(allow_addresses or ()))
        fetch.policy  # noqa: B018 (parses --allow-address now, so a typo is one line before any URL)
    except ValueError as exc:
        err.print(f"error: {escape(str(exc))}")
        raise typer.Exit(1) from None
    browser = BrowserOptions(pdf=pdf, timeout=float(timeout), user_agent=user_agent) if screenshot or pdf else None
    return CaptureOptions(fetch=fetch, browser=browser, media=media, note=note, deadline=float(deadline))


def _read_urls(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"error: {escape(str(path))}: cannot read the URL list ({exc})")
        raise typer.Exit(1) from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _with_progress(total: int, label: str, run: Callable[[Callable[[Any], None]], Any],
                   show: Callable[[Any], None]) -> Any:
    mode = str(settings.get("ORGANWATCH_PROGRESS"))
    if mode == "auto":
        mode = "bar" if err.is_terminal else "lines"
    if mode != "bar" or total < 2:
        return run(show)
    columns = (TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(label, total=total)

        def step(result: Any) -> None:
            show(result)
            progress.advance(task)

        return run(step)


def capture(
    urls: Annotated[list[str] | None, typer.Argument(help="Web addresses to capture.", metavar="URL...",
                                                     show_default=False)] = None,
    case: CaseOption = None,
    from_file: Annotated[Path | None, typer.Option("--from-file", help="A file with one URL per line "
                                                   "(# comments allowed).")] = None,
    screenshot: Screenshot = True,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print the page to PDF in Chromium.")] = False,
    media: Annotated[bool, typer.Option("--media/--no-media", help="Also capture every embedded image, video "
                                        "and audio file, each as its own item.")] = False,
    user_agent: UserAgent = DEFAULT_USER_AGENT,
    note: Note = None,
    max_size: MaxSize = "100MiB",
    timeout: Timeout = 30,
    deadline: Deadline = 120,
    allow_private_network: AllowPrivate = False,
    allow_address: AllowAddress = None,
) -> None:
    """Capture web pages as evidence: the HTTP exchange (WARC), a full-page screenshot with the capture
    time, the DOM, optionally a PDF and embedded media, each hashed, logged and bound in one capture set.

    Example: organwatch capture --case mycase https://hospital.example/transplant.html --pdf --media
    """
    targets = list(urls or []) + (_read_urls(from_file) if from_file else [])
    if not targets:
        err.print("error: give at least one URL, or --from-file with one URL per line")
        raise typer.Exit(1)
    opened = _open(case)
    options = _options(max_size, timeout, user_agent, screenshot, pdf, media, note,
                       (allow_private_network, allow_address, deadline))

    def show(result: CaptureResult) -> None:
        (out if result.ok else err).print(escape(result.line()))

    with _errors():
        results: list[CaptureResult] = _with_progress(
            len(targets), "capturing", lambda step: capture_urls(opened, targets, options, step), show)
    failed = sum(1 for r in results if not r.ok)
    out.print(f"Captured {len(results) - failed} of {len(results)} URL(s); {failed} failed.")
    if failed:
        raise typer.Exit(1)


def recapture(
    refs: Annotated[list[str] | None, typer.Argument(help="Capture ids (or prefixes) of pages to check again.",
                                                     metavar="CAPTURE...", show_default=False)] = None,
    case: CaseOption = None,
    all_pages: Annotated[bool, typer.Option("--all", help="Check every page captured with `capture`.")] = False,
    changed_only: Annotated[bool, typer.Option("--changed-only", help="Store a new capture set only for pages "
                                               "that changed or went; the others get the event alone.")] = False,
    screenshot: Screenshot = True,
    user_agent: UserAgent = DEFAULT_USER_AGENT,
    max_size: MaxSize = "100MiB",
    timeout: Timeout = 30,
    deadline: Deadline = 120,
    allow_private_network: AllowPrivate = False,
    allow_address: AllowAddress = None,
) -> None:
    """Fetch captured pages again and record, as evidence, whether each is unchanged, changed (saying what:
    main text, other visible text or markup only, with a text diff; every version kept) or gone (404/410,
    DNS failure, redirect to the home page).

    Example: organwatch recapture --case mycase --all --changed-only
    """
    if not refs and not all_pages:
        err.print("error: name capture ids to check again, or use --all")
        raise typer.Exit(1)
    opened = _open(case)
    options = _options(max_size, timeout, user_agent, screenshot, False, False, None,
                       (allow_private_network, allow_address, deadline))

    def show(result: RecaptureResult) -> None:
        (err if result.status == "failed" else out).print(escape(result.line()))

    with _errors():
        results: list[RecaptureResult] = run_recapture(opened, refs or [], all_pages=all_pages,
                                                       changed_only=changed_only, options=options, on_result=show)
    counts = {s: sum(1 for r in results if r.status == s) for s in ("unchanged", "changed", "gone", "failed")}
    out.print(", ".join(f"{n} {s}" for s, n in counts.items()) + ".")
    if counts["failed"]:
        raise typer.Exit(1)


def changes(
    case: CaseOption = None,
    since: Annotated[str | None, typer.Option(help="Only checks made on or after this date/time (UTC).")] = None,
    include_all: Annotated[bool, typer.Option("--all", help="Also list unchanged pages and failed checks.")] = False,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="table for people, json for machines.")]
    = ListFormat.table,
) -> None:
    """List the edits and deletions found by recapture: what changed, with text diffs.

    Example: organwatch changes --case mycase --since 2026-01-01 --format json
    """
    opened = _open(case)
    statuses = ("changed", "gone", "unchanged", "failed") if include_all else ("changed", "gone")
    with _errors():
        found = list_changes(opened, since, statuses)
    if fmt is ListFormat.json:
        sys.stdout.write(json.dumps([c.to_json() for c in found], ensure_ascii=False, indent=1) + "\n")
        return
    table = Table("checked (UTC)", "status", "URL", "detail", box=None)
    for change in found:
        lines = f"+{change.added} -{change.removed} lines" if change.added is not None else ""
        detail = change.reason or ", ".join(part for part in (change.what, lines) if part)
        table.add_row(change.checked_at[:19].replace("T", " "), change.status, escape(change.url), escape(detail))
    out.print(table)
    for change in found:
        if change.diff:
            out.print(f"\n[bold]{escape(change.url)}[/bold] ({change.checked_at[:19]})")
            out.print(escape(change.diff.rstrip("\n")))
    out.print(f"{len(found)} change(s).")


app = typer.Typer()
for _command in (capture, recapture, changes):
    app.command()(_command)
