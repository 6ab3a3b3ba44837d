"""Literature screening: runs, per-paper decisions with reasons and quoted spans, the PRISMA figure, and human
coding (score 0/1/2, each an evidence event) for reviewers."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from organwatch.errors import OrganWatchError
from organwatch.web import screening, services
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area

router = APIRouter()
AREA = Area("papers", router, "Screening", "/papers")


class Coding(BaseModel):
    """A reviewer's coding of one paper: 0 = no problem, 1 = unclear, 2 = problematic."""

    record_id: str
    score: int
    note: str = ""


@router.get("/papers", include_in_schema=False)
def papers_page(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> Response:
    return render(request, "papers.html", {"runs": screening.runs(case_of(request), person)})


@router.get("/papers/runs/{run_id}", include_in_schema=False)
def run_page(request: Request, person: Annotated[Viewer, Depends(viewer)], run_id: int, show: str = "all",
             coded: str = "", error: str = "") -> Response:
    view = screening.run_view(case_of(request), person, run_id, show)
    return render(request, "papers_run.html", {"view": view, "run": view.run, "show": show,
                                               "coded": coded[:300] or None, "error": error[:300] or None})


@router.post("/papers/runs/{run_id}/coding", include_in_schema=False)
def code_form(request: Request, person: Annotated[Viewer, Depends(viewer)], run_id: int,
              record_id: Annotated[str, Form()], score: Annotated[str, Form()],
              note: Annotated[str, Form()] = "", show: Annotated[str, Form()] = "all") -> Response:
    show = show if show in ("all", "included", "excluded", "queue") else "all"
    try:
        seq = screening.code_paper(case_of(request), person, run_id, record_id, score, note)
    except (services.ForbiddenError, services.NotFoundError):
        raise
    except OrganWatchError as exc:
        query = urlencode({"show": show, "error": str(exc).splitlines()[0]})
        return RedirectResponse(f"/papers/runs/{run_id}?{query}", status_code=303)
    query = urlencode({"show": show, "coded": f"{record_id} coded {score} (log entry {seq})"})
    return RedirectResponse(f"/papers/runs/{run_id}?{query}", status_code=303)


@router.get("/api/papers/runs", tags=["papers"])
def runs_api(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> list[dict[str, Any]]:
    """Screening runs, newest first."""
    return screening.runs(case_of(request), person)


@router.get("/api/papers/runs/{run_id}", tags=["papers"])
def run_api(request: Request, person: Annotated[Viewer, Depends(viewer)], run_id: int,
            show: Annotated[str, Query(pattern="^(all|included|excluded|queue)$")] = "all") -> dict[str, Any]:
    """A run: its PRISMA counts and every decision with reasons, quoted spans and human coding."""
    view = screening.run_view(case_of(request), person, run_id, show)
    return {"run": {k: view.run[k] for k in ("id", "name", "version", "protocol_sha256", "started_at")
                    if k in view.run},
            "prisma": view.counts.to_dict(),
            "decisions": [{**d.result.to_dict(), "title": d.record.title if d.record else None,
                           "review": d.review, "queued": d.queued} for d in view.decisions]}


@router.post("/api/papers/runs/{run_id}/coding", tags=["papers"])
def code_api(request: Request, person: Annotated[Viewer, Depends(viewer)], run_id: int,
             body: Coding) -> dict[str, Any]:
    """Code one paper 0/1/2 (reviewers and admins); logged as an evidence event."""
    seq = screening.code_paper(case_of(request), person, run_id, body.record_id, str(body.score), body.note)
    return {"run": run_id, "record": body.record_id, "score": body.score, "log_seq": seq}
