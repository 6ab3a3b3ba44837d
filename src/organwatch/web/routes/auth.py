"""Signing in and out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from organwatch.web import accounts
from organwatch.web.pages import SESSION_COOKIE, case_of, optional_viewer, render
from organwatch.web.routes import Area
from organwatch.web.security import CSRF_COOKIE, new_csrf_token

router = APIRouter(include_in_schema=False)
AREA = Area("auth", router)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//evil.example`` or a full URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if optional_viewer(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str, Form()] = "/") -> Response:
    try:
        session = accounts.login(case_of(request), username, password, _client(request))
    except accounts.LoginRateLimitedError as exc:
        return render(request, "login.html", {"next": _safe_next(next), "error": str(exc)}, status_code=429)
    except accounts.LoginError as exc:
        return render(request, "login.html", {"next": _safe_next(next), "error": str(exc)}, status_code=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, session.token, max_age=int(accounts.SESSION_LIFETIME), httponly=True,
                        samesite="lax", secure=secure, path="/")
    # A new CSRF token at login: one planted in the browser before it is worthless afterwards.
    response.set_cookie(CSRF_COOKIE, new_csrf_token(), httponly=True, samesite="strict", secure=secure, path="/")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    accounts.logout(case_of(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
