"""The JSON API under ``/api``: the same service functions as the pages, as JSON (schema at /api/openapi.json).

Authentication is the session cookie of ``POST /login``; state-changing calls need the ``X-CSRF-Token``
header (the value of the ``ow_csrf`` cookie is set on every response, HttpOnly: API clients read it from
``GET /api/csrf``).
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, UploadFile
from pydantic import BaseModel

from organwatch.web import services
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, csrf_token, viewer
from organwatch.web.routes import Area

router = APIRouter(prefix="/api", tags=["workbench"])
AREA = Area("api", router)


class Me(BaseModel):
    """Who is signed in."""

    name: str
    role: str
    permissions: list[str]


class Csrf(BaseModel):
    """The CSRF token to send as ``X-CSRF-Token``."""

    csrf_token: str


class Restriction(BaseModel):
    """A restriction to set: users and roles (``["alice", "role:investigator"]``); empty lifts it."""

    to: list[str]


@router.get("/me", response_model=Me)
def me(person: Annotated[Viewer, Depends(viewer)]) -> Me:
    from organwatch.web.access import PERMISSIONS

    return Me(name=person.name, role=person.role, permissions=sorted(PERMISSIONS.get(person.role, ())))


@router.get("/csrf", response_model=Csrf)
def csrf(request: Request) -> Csrf:
    return Csrf(csrf_token=csrf_token(request))


@router.get("/overview")
def overview(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> dict[str, Any]:
    """Counts, recent evidence events and the verification status (restricted material left out)."""
    return services.overview(case_of(request), person, request.app.state.verify).to_dict(person)


@router.get("/search")
def search(request: Request, person: Annotated[Viewer, Depends(viewer)], q: str,
           mode: Literal["fts", "semantic", "hybrid"] = "fts", date_from: str | None = None,
           date_to: str | None = None, language: str | None = None, outlet: str | None = None,
           media_type: str | None = None, limit: Annotated[int, Query(ge=1, le=100)] = 20,
           offset: Annotated[int, Query(ge=0, le=100_000)] = 0, rank_all: bool = False) -> dict[str, Any]:
    """Search the documents you may see; hits carry exact spans and snippets marked with « ».
    ``rank_all``: rank and count every match even of a very common word (``truncated`` and
    ``total_exact`` in the answer say when that was not done)."""
    page = services.search(case_of(request), person, q, mode=mode, date_from=date_from, date_to=date_to,
                           language=language, outlet=outlet, media_type=media_type, limit=limit, offset=offset,
                           rank_all=rank_all)
    return services.search_to_dict(page)


@router.get("/documents/{document_id}")
def document(request: Request, person: Annotated[Viewer, Depends(viewer)], document_id: int,
             part: Annotated[int, Query(ge=1)] = 1) -> dict[str, Any]:
    """A document: text (one part), metadata, capture, mentions, quotes, links, log entries."""
    view = services.document_view(case_of(request), person, document_id, part)
    return view.to_dict()


@router.put("/documents/{document_id}/restriction")
def restrict(request: Request, person: Annotated[Viewer, Depends(viewer)], document_id: int,
             body: Restriction) -> dict[str, Any]:
    """Restrict a document to users and roles, or lift the restriction (admins; logged as evidence)."""
    services.require(person, "restrict")
    change = services.restrict(case_of(request), person.name, str(document_id), body.to or None)
    return {"document": change.document_id, "before": list(change.before), "after": list(change.after),
            "seq": change.seq}


@router.get("/restrictions")
def restrictions(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> list[dict[str, Any]]:
    """Every restricted document and to whom (admins)."""
    return services.restricted_documents(case_of(request), person)


@router.post("/uploads")
def upload(request: Request, person: Annotated[Viewer, Depends(viewer)], files: list[UploadFile],
           note: Annotated[str, Form()] = "", source_url: Annotated[str, Form()] = "") -> list[dict[str, Any]]:
    """Archive files (then read and extract them); one result per file."""
    results = services.add_uploads(case_of(request), person, [(f.filename or "upload", f.file) for f in files],
                                   note=note, source_url=source_url,
                                   max_size=request.app.state.max_upload)
    return [r.__dict__ for r in results]


@router.get("/analyses")
def analyses(person: Annotated[Viewer, Depends(viewer)]) -> list[dict[str, str]]:
    """The analyses offered."""
    return [{"name": k.name, "title": k.title, "help": k.help} for k in services.analysis_kinds()]


@router.post("/analyses/{kind}")
def analyse(person: Annotated[Viewer, Depends(viewer)], kind: str, file: UploadFile,
            metric: Annotated[str, Form()] = "", years: Annotated[str, Form()] = "",
            baseline: Annotated[str, Form()] = "") -> dict[str, Any]:
    """Run an analysis on a CSV: its result, summary, method, caveats and plot (PNG, base64)."""
    run = services.run_analysis(person, kind, file.filename or "input.csv", file.file,
                                {"metric": metric, "years": years, "baseline": baseline})
    return {"kind": run.kind, "title": run.title, "summary": run.summary, "method": run.method,
            "caveats": list(run.caveats), "result": run.data, "plot_png": base64.b64encode(run.png).decode()}
