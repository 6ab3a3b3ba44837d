"""Commands over the search index: search (full text, by meaning, or both) and embed."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from organwatch.cli.common import CaseOption, Format, FormatOption, _emit_json, _errors, _open, err, out

app = typer.Typer()


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
    rank_all: Annotated[bool, typer.Option("--rank-all", help="Rank and count every match, even of a word "
                                           "found in very many documents (slower in a big case).")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Search the documents of a case; every hit points to an exact span of a document.

    Example: organwatch search --case mycase "王立军 AND 锦州" --from 2006 --to 2012
    """
    from organwatch.search import SearchFilters
    from organwatch.search.service import RANK_LIMIT

    opened = _open(case)
    mode: Literal["fts", "semantic", "hybrid"] = "hybrid" if hybrid else "semantic" if semantic else "fts"
    filters = SearchFilters(date_from=date_from, date_to=date_to, language=lang, outlet=outlet,
                            media_type=_MEDIA_SHORT.get(media.lower(), media) if media else None)
    with _errors():
        page = opened.search(query, mode=mode, filters=filters, limit=limit, offset=offset, rank_all=rank_all)
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
    total = f"{page.total:,}" if page.total_exact else f"at least {page.total:,}"
    cut = (f"; so many match that only the {RANK_LIMIT:,} most recently added were ranked (add words or filters, "
           "or --rank-all)") if page.truncated else ""
    out.print(f"{mode} search: hits {shown} of {total}{more}{cut}")


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
