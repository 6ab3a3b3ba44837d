"""What every page needs: the templates, who is signed in, and the navigation.

Route modules depend on :func:`viewer` (a signed-in person, or a redirect to the login page) and
render with :func:`render`, which adds the signed-in user, the CSRF token and the menu.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from organwatch.case import Case
from organwatch.errors import OrganWatchError
from organwatch.web import accounts
from organwatch.web.access import Viewer

SESSION_COOKIE = "ow_session"
TEMPLATES = Path(__file__).parent / "templates"
# Templates ship with the package and do not change while it runs: no modification check per render.
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True, auto_reload=False)


class LoginRequiredError(OrganWatchError):
    """No valid session: pages redirect to /login, the API answers 401."""


def case_of(request: Request) -> Case:
    """The case this app serves."""
    case: Case = request.app.state.case
    return case


def optional_viewer(request: Request) -> Viewer | None:
    """The signed-in person, or None."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached if isinstance(cached, Viewer) else None
    found = accounts.session_viewer(case_of(request), request.cookies.get(SESSION_COOKIE))
    request.state.viewer = found or False
    return found


def viewer(request: Request) -> Viewer:
    """The signed-in person (FastAPI dependency); raises :class:`LoginRequiredError` otherwise."""
    found = optional_viewer(request)
    if found is None:
        raise LoginRequiredError()
    return found


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (set by the security middleware)."""
    return str(request.scope.get("state", {}).get("csrf_token", ""))


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    """Render a page with the common context (user, CSRF token, menu, case name)."""
    from organwatch.web.routes import navigation

    person = optional_viewer(request)
    data = {"request": request, "user": person, "csrf_token": csrf_token(request),
            "nav": navigation(person) if person else [], "case_name": case_of(request).name,
            "path": request.url.path, **(context or {})}
    return HTMLResponse(_ENV.get_template(template).render(data), status_code=status_code)
