"""The case overview: counts, recent evidence events, verification status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from organwatch.web import services
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area

router = APIRouter(include_in_schema=False)
AREA = Area("overview", router, "Overview", "/")


@router.get("/")
def overview_page(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> Response:
    data = services.overview(case_of(request), person, request.app.state.verify)
    return render(request, "overview.html", {"overview": data})


@router.post("/verify")
def verify_now(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> Response:
    services.require(person, "upload")
    request.app.state.verify.status(case_of(request), refresh=True)
    return RedirectResponse("/", status_code=303)
