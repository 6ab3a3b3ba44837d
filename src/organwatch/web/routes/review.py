"""Review queue: the sources behind the claims, and grading them with the Admiralty code (logged as evidence)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from organwatch.errors import OrganWatchError
from organwatch.web import claims, services
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area
from organwatch.web.routes.claims import claims_cache

router = APIRouter()
AREA = Area("review", router, "Review", "/review")


class GradeRequest(BaseModel):
    """An Admiralty grade for a source: reliability A–F, credibility 1–6, and why."""

    source: str
    reliability: str
    credibility: int
    reason: str


def _page(request: Request, person: Viewer, *, error: str | None = None, form: dict[str, str] | None = None,
          graded: str | None = None, status_code: int = 200) -> Response:
    reliability, credibility = claims.admiralty_scale()
    rows = claims.sources(case_of(request), person, claims_cache(request))
    return render(request, "review.html", {"sources": rows, "reliability": reliability, "credibility": credibility,
                                           "error": error, "form": form or {}, "graded": graded},
                  status_code=status_code)


@router.get("/review", include_in_schema=False)
def review_page(request: Request, person: Annotated[Viewer, Depends(viewer)], graded: str = "") -> Response:
    return _page(request, person, graded=graded[:300] or None)


@router.post("/review/grade", include_in_schema=False)
def grade_form(request: Request, person: Annotated[Viewer, Depends(viewer)], source: Annotated[str, Form()],
               reliability: Annotated[str, Form()], credibility: Annotated[str, Form()],
               reason: Annotated[str, Form()] = "") -> Response:
    form = {"source": source, "reliability": reliability, "credibility": credibility, "reason": reason}
    try:
        done = claims.grade_source(case_of(request), person, source, reliability, credibility, reason)
    except services.ForbiddenError:
        raise
    except OrganWatchError as exc:
        return _page(request, person, error=str(exc).splitlines()[0], form=form, status_code=400)
    note = f"{done['source']} graded {done['code']} (log entry {done['seq']})"
    return RedirectResponse(f"/review?{urlencode({'graded': note})}#sources", status_code=303)


@router.get("/api/sources", tags=["claims"])
def sources_api(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> list[dict[str, Any]]:
    """Speakers and outlets behind the claims you may see, with their grades and claim counts."""
    return claims.sources(case_of(request), person, claims_cache(request))


@router.post("/api/grades", tags=["claims"])
def grade_api(request: Request, person: Annotated[Viewer, Depends(viewer)], body: GradeRequest) -> dict[str, Any]:
    """Grade a source (reviewers, investigators, admins); the grade is an evidence event in the signed log."""
    return claims.grade_source(case_of(request), person, body.source, body.reliability, str(body.credibility),
                               body.reason)
