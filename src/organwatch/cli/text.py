"""Commands over the documents read from captures: reprocess, text and mentions."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from organwatch.case import ReindexSummary
from organwatch.cli.common import (
    CaseOption,
    Format,
    FormatOption,
    _emit_json,
    _errors,
    _fail,
    _open,
    _show,
    err,
    out,
)
from organwatch.stages.extract import ExtractSummary

if TYPE_CHECKING:
    from organwatch.stages.text import TextResult

app = typer.Typer()


@app.command()
def reprocess(case: CaseOption = None,
              stage: Annotated[str, typer.Option(help="Stage to run again: text, extract, resolve, claims or "
                                                      "search.")] = "text",
              failed_only: Annotated[bool, typer.Option("--failed-only", help="Only captures whose documents "
                                                        "failed.")] = False,
              jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes that read "
                                                       "and extract (default: $ORGANWATCH_JOBS, else the number "
                                                       "of cores).")] = None,
              cluster: Annotated[str | None, typer.Option("--cluster", help="Decide the resolve stage's blocks "
                                                          "on a Dask cluster: tcp://scheduler:8786, or local:N "
                                                          "for N local worker processes.")] = None) -> None:
    """Run a stage again over the captures: after an upgrade, or to retry documents that failed.

    Example: organwatch reprocess --case mycase --stage text --failed-only    (resolve: --cluster local:4)
    """
    opened = _open(case)
    if cluster is not None and stage != "resolve":
        _fail(f"--cluster works with --stage resolve; to read and extract on a cluster, add the files with "
              f"`organwatch add --cluster {cluster}`")
    if stage == "resolve":
        with _errors():
            if cluster is None:
                resolved = opened.resolve(full=True)
            else:
                from organwatch.distributed import resolve_on_cluster
                from organwatch.distributed.stages import connect

                with connect(cluster) as client:
                    resolved = resolve_on_cluster(opened.store, client, full=True)
        out.print(f"Resolved actors in {resolved.documents} document(s): {resolved.entities} entities, "
                  f"{resolved.suggestions} merge suggestion(s) for review.")
        return
    if stage == "claims":
        with _errors():
            derived = opened.derive_claims()
        out.print(f"Claims of {derived.documents} document(s): {derived.claims} claim(s) in {derived.groups} "
                  f"group(s), {derived.failed} failed.")
        return

    def show(result: TextResult) -> None:
        if stage == "text" and result.failed:
            err.print(_show(f"text failed {result.capture_id[:12]}: {result.reason}"))

    with _errors():
        summary = opened.reprocess(stage, failed_only=failed_only, on_result=show, jobs=jobs)
    if isinstance(summary, ReindexSummary):
        out.print(f"Re-indexed {summary.documents} document(s) for full-text search.")
        return
    if isinstance(summary, ExtractSummary):
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.by_type.items())) or "none"
        out.print(f"Extracted from {summary.documents} document(s): {summary.mentions} mention(s) ({kinds}), "
                  f"{summary.quotes} quote(s).")
        return
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


