"""Claims board: who said what, where, with corroboration, grade and contradictions side by side."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from organwatch.errors import OrganWatchError
from organwatch.web import claims
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area

router = APIRouter()
AREA = Area("claims", router, "Claims", "/claims")


def claims_cache(request: Request) -> claims.ClaimsCache:
    """The app's cache of weighed claims (one per app, made on first use)."""
    cache = getattr(request.app.state, "claims", None)
    if not isinstance(cache, claims.ClaimsCache):
        cache = claims.ClaimsCache()
        request.app.state.claims = cache
    return cache


def _filters(contested: bool, min_sources: int, grade: str, speaker: str, about: str) -> claims.ClaimFilters:
    return claims.ClaimFilters(contested, min_sources, grade.strip(), speaker.strip()[:200], about.strip()[:200])


@router.get("/claims", include_in_schema=False)
def claims_page(request: Request, person: Annotated[Viewer, Depends(viewer)], contested: bool = False,
                min_sources: Annotated[int, Query(ge=1, le=1000)] = 1, grade: str = "", speaker: str = "",
                about: str = "", page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    filters = _filters(contested, min_sources, grade, speaker, about)
    form = {"contested": contested, "min_sources": min_sources, "grade": grade, "speaker": speaker, "about": about}
    context: dict[str, Any] = {"form": form, "board": None, "error": None}
    try:
        found = claims.board(case_of(request), person, claims_cache(request), filters,
                             offset=(page - 1) * claims.BOARD_PAGE)
    except OrganWatchError as exc:
        context["error"] = str(exc).splitlines()[0]
        return render(request, "claims.html", context, status_code=400)
    context["board"] = found
    base = {k: v for k, v in form.items() if v and not (k == "min_sources" and v == 1)}
    shown = found.offset + len(found.rows)
    context["next_url"] = f"/claims?{urlencode({**base, 'page': page + 1})}" if shown < found.total else None
    context["prev_url"] = f"/claims?{urlencode({**base, 'page': page - 1})}" if page > 1 else None
    return render(request, "claims.html", context)


@router.get("/api/claims", tags=["claims"])
def claims_api(request: Request, person: Annotated[Viewer, Depends(viewer)], contested: bool = False,
               min_sources: Annotated[int, Query(ge=1, le=1000)] = 1, grade: str = "", speaker: str = "",
               about: str = "", limit: Annotated[int, Query(ge=1, le=1000)] = 100,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
    """Attributed claims you may see (never from documents restricted from you), filtered, with contradictions."""
    filters = _filters(contested, min_sources, grade, speaker, about)
    return claims.board(case_of(request), person, claims_cache(request), filters, offset=offset,
                        limit=limit).to_dict()
