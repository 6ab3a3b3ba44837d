"""Upload evidence files (progress shown by htmx); they are archived, read and extracted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response

from organwatch.web import services
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area

router = APIRouter(include_in_schema=False)
AREA = Area("upload", router, "Upload", "/upload", permission="upload")
MAX_FILES = 50


@router.get("/upload")
def upload_page(request: Request, person: Annotated[Viewer, Depends(viewer)]) -> Response:
    services.require(person, "upload")
    return render(request, "upload.html", {"results": None})


@router.post("/upload")
def upload(request: Request, person: Annotated[Viewer, Depends(viewer)], files: list[UploadFile],
           note: Annotated[str, Form()] = "", source_url: Annotated[str, Form()] = "") -> Response:
    services.require(person, "upload")
    if len(files) > MAX_FILES:
        return render(request, "upload.html", {"results": None, "error": f"at most {MAX_FILES} files at once"},
                      status_code=400)
    results = services.add_uploads(case_of(request), person, [(f.filename or "upload", f.file) for f in files],
                                   note=note, source_url=source_url,
                                   max_size=request.app.state.max_upload)
    failed = any(r.status == "failed" for r in results)
    return render(request, "upload.html", {"results": results}, status_code=400 if failed and len(results) == 1
                  else 200)
