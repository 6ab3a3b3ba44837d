"""Analyses: upload a CSV, run one of the quantitative analyses, see its plot and report."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response

from organwatch.errors import OrganWatchError
from organwatch.web import services
from organwatch.web.access import Viewer
from organwatch.web.pages import render, viewer
from organwatch.web.routes import Area

router = APIRouter(include_in_schema=False)
AREA = Area("analyses", router, "Analyses", "/analyses", permission="analyse")


@router.get("/analyses")
def analyses_page(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> Response:
    services.require(person, "analyse")
    return render(request, "analyses.html", {"kinds": services.analysis_kinds(), "run": None, "error": None,
                                             "form": {}})


@router.post("/analyses")
def run(request: Request, person: Annotated[Viewer, Depends(viewer)], file: UploadFile,
        kind: Annotated[str, Form()], metric: Annotated[str, Form()] = "", years: Annotated[str, Form()] = "",
        baseline: Annotated[str, Form()] = "") -> Response:
    services.require(person, "analyse")
    form = {"kind": kind, "metric": metric, "years": years, "baseline": baseline}
    context: dict[str, Any] = {"kinds": services.analysis_kinds(), "run": None, "error": None, "form": form,
                               "plot": None}
    try:
        result = services.run_analysis(person, kind, file.filename or "input.csv", file.file, form)
    except OrganWatchError as exc:
        context["error"] = str(exc).splitlines()[0]
        return render(request, "analyses.html", context, status_code=400)
    context["run"] = result
    context["plot"] = "data:image/png;base64," + base64.b64encode(result.png).decode("ascii")
    context["report"] = "data:text/html;base64," + base64.b64encode(result.report_html.encode("utf-8")).decode()
    return render(request, "analyses.html", context)
