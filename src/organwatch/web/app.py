"""The workbench application: ``create_app(case)`` builds a FastAPI app serving pages and ``/api``.

Pages are server-rendered (Jinja2) and readable without JavaScript; htmx (installed by npm at build
time into ``static/vendor``) makes forms update in place and shows upload progress. Each area of the
workbench is one router module in :mod:`organwatch.web.routes`, registered in one list there.

>>> # import uvicorn; uvicorn.run(create_app(open_case("mycase")), host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from organwatch import __version__, settings
from organwatch.case import Case
from organwatch.errors import OrganWatchError
from organwatch.web.pages import LoginRequiredError, render
from organwatch.web.security import RequestTooLargeError, SecurityMiddleware
from organwatch.web.services import ForbiddenError, NotFoundError, VerifyCache

STATIC = Path(__file__).parent / "static"
VENDOR_FILES = ("htmx.min.js", "cytoscape.min.js")


def vendor_missing() -> list[str]:
    """JavaScript files that the build step (``make web-assets``) should have put in ``static/vendor``."""
    return [name for name in VENDOR_FILES if not (STATIC / "vendor" / name).is_file()]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _error(request: Request, status: int, message: str) -> Response:
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=status)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def create_app(case: Case, *, max_upload: int | None = None) -> FastAPI:
    """The workbench for one case. ``max_upload`` caps request bodies (default: ORGANWATCH_MAX_FILE_SIZE)."""
    from organwatch.web.routes import register

    app = FastAPI(title="OrganWatch workbench API", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Search, read and add evidence in an OrganWatch case. Sign in with a session "
                              "cookie (POST /login); state-changing requests need the X-CSRF-Token header.")
    app.state.case = case
    app.state.verify = VerifyCache()
    app.state.max_upload = max_upload or int(settings.get("ORGANWATCH_MAX_FILE_SIZE"))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, exc: LoginRequiredError) -> Response:
        if _is_api(request):
            return JSONResponse({"error": "sign in first (POST /login)"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(OrganWatchError)
    async def bad_input(request: Request, exc: OrganWatchError) -> Response:
        return _error(request, 400, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path"))
        return _error(request, 422, f"{where or 'request'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(RequestTooLargeError)
    async def too_large(request: Request, exc: RequestTooLargeError) -> Response:
        return PlainTextResponse(f"error: {exc}", status_code=413)

    @app.exception_handler(404)
    async def no_route(request: Request, exc: Exception) -> Response:
        return _error(request, 404, f"nothing at {request.url.path}")

    register(app)
    app.add_middleware(SecurityMiddleware, max_body=app.state.max_upload + 65_536)
    return app


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
