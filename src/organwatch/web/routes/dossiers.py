"""Dossier export: name an actor, download everything the case says about it (Markdown, HTML or PDF)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from organwatch.claims.service import ClaimsError
from organwatch.errors import OrganWatchError
from organwatch.web import claims
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area

router = APIRouter()
AREA = Area("dossiers", router, "Dossiers", "/dossiers")


def _download(found: claims.DossierFile) -> Response:
    ascii_name = found.filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.filename)}"
    return Response(found.content, media_type=found.media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store",
                             "X-Dossier-Claims": str(found.claims)})


@router.get("/dossiers", include_in_schema=False)
def dossier_page(request: Request, person: Annotated[Viewer, Depends(viewer)], name: str = "",
                 format: str = "") -> Response:
    form = {"name": name, "format": format or "html"}
    if not name.strip() or not format:
        return render(request, "dossiers.html", {"form": form, "error": None})
    try:
        found = claims.dossier(case_of(request), person, name.strip()[:200], format)
    except OrganWatchError as exc:
        status = 404 if isinstance(exc, ClaimsError) else 400
        return render(request, "dossiers.html", {"form": form, "error": str(exc).splitlines()[0]},
                      status_code=status)
    return _download(found)


@router.get("/api/dossier", tags=["claims"], response_class=Response,
            responses={200: {"content": {"text/markdown": {}, "text/html": {}, "application/pdf": {}}}})
def dossier_api(request: Request, person: Annotated[Viewer, Depends(viewer)], name: str,
                format: Literal["md", "html", "pdf"] = "md") -> Response:
    """A dossier on an actor from the documents you may see; 404 names the nearest known names."""
    try:
        found = claims.dossier(case_of(request), person, name.strip()[:200], format)
    except ClaimsError as exc:
        from fastapi.responses import JSONResponse

        return JSONResponse({"error": str(exc)}, status_code=404)
    return _download(found)
