"""Search page: full text, by meaning or both, with filters and highlighted snippets."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from organwatch.errors import OrganWatchError
from organwatch.search import Hit
from organwatch.web import services
from organwatch.web.access import Viewer
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area

router = APIRouter(include_in_schema=False)
AREA = Area("search", router, "Search", "/search")
PAGE_SIZE = 20


def snippet_parts(hit: Hit) -> list[tuple[str, bool]]:
    """A hit's snippet as ``(text, highlighted)`` runs, read from the search engine's «markers»."""
    parts: list[tuple[str, bool]] = []
    inside = False
    for piece in re.split("([«»])", hit.snippet):
        if piece == "«":
            inside = True
        elif piece == "»":
            inside = False
        elif piece:
            parts.append((piece, inside))
    return parts


@router.get("/search")
def search_page(request: Request, person: Annotated[Viewer, Depends(viewer)], q: str = "",
                mode: str = "fts", date_from: str = "", date_to: str = "", language: str = "", outlet: str = "",
                media_type: str = "", page: Annotated[int, Query(ge=1, le=1000)] = 1, rank_all: str = "") -> Response:
    form = {"q": q, "mode": mode, "date_from": date_from, "date_to": date_to, "language": language,
            "outlet": outlet, "media_type": media_type, "rank_all": "1" if rank_all else ""}
    context: dict[str, Any] = {"form": form, "results": None, "error": None, "hits": []}
    if q.strip():
        try:
            if mode not in ("fts", "semantic", "hybrid"):
                raise OrganWatchError(f"unknown search mode {mode!r}: use fts, semantic or hybrid")
            results = services.search(case_of(request), person, q, mode=mode,  # type: ignore[arg-type]
                                      date_from=date_from, date_to=date_to, language=language, outlet=outlet,
                                      media_type=media_type, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                                      rank_all=bool(rank_all))
        except OrganWatchError as exc:
            context["error"] = str(exc)
        else:
            context["results"] = results
            context["hits"] = [(hit, snippet_parts(hit)) for hit in results.hits]
            base = {k: v for k, v in form.items() if v}
            context["next_url"] = f"/search?{urlencode({**base, 'page': page + 1})}" if results.has_more else None
            context["prev_url"] = f"/search?{urlencode({**base, 'page': page - 1})}" if page > 1 else None
            context["rank_all_url"] = f"/search?{urlencode({**base, 'rank_all': '1'})}" if results.truncated else None
    return render(request, "search.html", context, status_code=400 if context["error"] else 200)
