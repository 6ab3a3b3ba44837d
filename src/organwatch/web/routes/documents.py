"""Document page, sanitised archived HTML, download of the original bytes, and restriction (admins)."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from organwatch.web import services
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area
from organwatch.web.sanitize import ARCHIVED_CSP

router = APIRouter(include_in_schema=False)
AREA = Area("documents", router)
_SPAN = re.compile(r"(\d{1,9})-(\d{1,9})")


def body_html(segments: list[services.Segment]) -> Markup:
    """The highlighted text as one escaped HTML string: built in one pass rather than a template loop, as a
    long document has thousands of segments and the loop cost more than the rest of the page."""
    out: list[str] = []
    for s in segments:
        text = escape(s.text)
        if s.mark is None:
            out.append(text)
            continue
        hit = ' id="hit"' if s.mark.kind == "hit" else ""
        out.append(f'<mark class="m m-{escape(s.mark.kind)}"{hit} title="{escape(s.mark.label)}" '
                   f'data-start="{s.start}">{text}</mark>')
    return Markup("".join(out))


def parse_span(text: str | None) -> tuple[int, int] | None:
    """``"10-14"`` → ``(10, 14)``; anything else → None."""
    match = _SPAN.fullmatch(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


@router.get("/documents/{document_id}")
def document_page(request: Request, person: Annotated[Viewer, Depends(viewer)], document_id: int,
                  part: Annotated[int, Query(ge=1)] = 1, hl: str | None = None) -> Response:
    view = services.document_view(case_of(request), person, document_id, part, parse_span(hl))
    kinds = sorted({m.kind for m in view.mentions})
    return render(request, "document.html", {"view": view, "doc": view.document, "capture": view.capture,
                                             "mention_kinds": kinds, "hl": hl, "body": body_html(view.segments)})


@router.get("/documents/{document_id}/archived")
def archived(request: Request, person: Annotated[Viewer, Depends(viewer)], document_id: int) -> Response:
    page = services.archived_html(case_of(request), person, document_id)
    return HTMLResponse(page, headers={"Content-Security-Policy": ARCHIVED_CSP, "X-Frame-Options": "SAMEORIGIN",
                                       "Cache-Control": "no-store"})


@router.get("/captures/{capture_id}/original")
def download_original(request: Request, person: Annotated[Viewer, Depends(viewer)], capture_id: str) -> Response:
    found = services.original(case_of(request), person, capture_id)
    disposition = f"attachment; filename=\"{found.sha256[:16]}\"; filename*=UTF-8''{quote(found.filename)}"
    # Always a download and never sniffed: archived bytes must not run in our origin.
    return FileResponse(found.path, media_type="application/octet-stream",
                        headers={"Content-Disposition": disposition, "X-Content-SHA256": found.sha256,
                                 "Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; sandbox"})


@router.post("/documents/{document_id}/restriction")
def set_restriction(request: Request, person: Annotated[Viewer, Depends(viewer)], document_id: int,
                    to: Annotated[str, Form()] = "") -> Response:
    services.require(person, "restrict")
    services.restrict(case_of(request), person.name, str(document_id), to if to.strip() else None)
    return RedirectResponse(f"/documents/{document_id}", status_code=303)
