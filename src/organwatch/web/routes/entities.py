"""Entities, their profiles, the graph explorer and the timeline (pages and their JSON under /api)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from organwatch.claims.service import claims_about, iter_claim_rows
from organwatch.web import entities
from organwatch.web.access import Viewer
from organwatch.web.claims import visibility
from organwatch.web.pages import case_of, render, viewer
from organwatch.web.routes import Area
from organwatch.web.routes.claims import claims_cache

router = APIRouter()
AREA = Area("entities", router, "Entities", "/entities")
GRAPH_AREA = Area("graph", APIRouter(), "Graph", "/graph")
TIMELINE_AREA = Area("timeline", APIRouter(), "Timeline", "/timeline")
CLAIMS_SHOWN = 50
_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"

Kind = Annotated[str, Query(pattern=r"^(|person|organization|place)$")]
Page = Annotated[int, Query(ge=1, le=100_000)]


def graph_cache(request: Request) -> entities.GraphCache:
    """The app's cached actor graph (made on first use)."""
    cache = getattr(request.app.state, "graph", None)
    if not isinstance(cache, entities.GraphCache):
        cache = entities.GraphCache()
        request.app.state.graph = cache
    return cache


def _page_urls(path: str, params: dict[str, Any], page: int, shown: int, total: int,
               key: str = "page") -> tuple[str | None, str | None]:
    base = {k: v for k, v in params.items() if v}
    following = f"{path}?{urlencode({**base, key: page + 1})}" if shown < total else None
    previous = f"{path}?{urlencode({**base, key: page - 1})}" if page > 1 else None
    return previous, following


@router.get("/entities", include_in_schema=False)
def entities_page(request: Request, person: Annotated[Viewer, Depends(viewer)], type: Kind = "",
                  q: str = "", page: Page = 1) -> Response:
    found = entities.entity_list(case_of(request), person, type, q, offset=(page - 1) * entities.LIST_PAGE)
    prev_url, next_url = _page_urls("/entities", {"type": type, "q": q}, page, found.offset + len(found.rows),
                                    found.total)
    return render(request, "entities.html", {"found": found, "types": entities.TYPES, "prev_url": prev_url,
                                             "next_url": next_url})


@router.get("/api/entities", tags=["entities"])
def entities_api(request: Request, person: Annotated[Viewer, Depends(viewer)], type: Kind = "", q: str = "",
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict[str, Any]:
    """Resolved actors you may see (named in documents you may see), optionally of one type or named like ``q``."""
    return entities.entity_list(case_of(request), person, type, q, offset=offset, limit=limit).to_dict()


@router.get("/entities/{entity_id}", include_in_schema=False)
def entity_page(request: Request, person: Annotated[Viewer, Depends(viewer)], entity_id: str,
                rpage: Page = 1, dpage: Page = 1) -> Response:
    found = entities.entity_profile(case_of(request), person, entity_id,
                                    relations_offset=(rpage - 1) * entities.RELATION_PAGE,
                                    documents_offset=(dpage - 1) * entities.DOCUMENT_PAGE)
    path = f"/entities/{entity_id}"
    rprev, rnext = _page_urls(path, {"dpage": dpage if dpage > 1 else 0}, rpage,
                              found.relations_offset + len(found.relations), found.relations_total, "rpage")
    dprev, dnext = _page_urls(path, {"rpage": rpage if rpage > 1 else 0}, dpage,
                              found.documents_offset + len(found.documents), found.documents_total, "dpage")
    return render(request, "entity.html", {"p": found, "rprev": rprev, "rnext": rnext, "dprev": dprev,
                                           "dnext": dnext, "about": urlencode({"about": found.name})})


def _claims_of(request: Request, person: Viewer, name: str) -> tuple[list[dict[str, Any]], int]:
    case = case_of(request)
    seen = visibility(case, person)
    weighed = claims_cache(request).weighed(case, seen)
    keys = {r.key for r in claims_about(weighed, name)}
    rows = [row for row in iter_claim_rows(weighed) if row["key"] in keys]
    return rows[:CLAIMS_SHOWN], len(rows)


@router.get("/entities/{entity_id}/claims", include_in_schema=False)
def entity_claims_fragment(request: Request, person: Annotated[Viewer, Depends(viewer)],
                           entity_id: str) -> Response:
    """The claims about an entity, loaded after the profile (weighing claims is the slow part)."""
    found = entities.entity_profile(case_of(request), person, entity_id, relations_limit=1, documents_limit=1)
    rows, total = _claims_of(request, person, found.name)
    return render(request, "entity_claims.html", {"rows": rows, "total": total, "name": found.name,
                                                  "about": urlencode({"about": found.name})})


@router.get("/api/entities/{entity_id}", tags=["entities"])
def entity_api(request: Request, person: Annotated[Viewer, Depends(viewer)], entity_id: str,
               relations_offset: Annotated[int, Query(ge=0)] = 0, documents_offset: Annotated[int, Query(ge=0)] = 0,
               claims: bool = False) -> dict[str, Any]:
    """An entity's names by script, roles with dates and cited spans, relation groups with independent sources,
    and documents (paged); ``claims=true`` adds the claims about it."""
    found = entities.entity_profile(case_of(request), person, entity_id, relations_offset=relations_offset,
                                    documents_offset=documents_offset)
    data = found.to_dict()
    if claims:
        data["claims"], data["claims_total"] = _claims_of(request, person, found.name)
    return data


@router.get("/graph", include_in_schema=False)
def graph_page(request: Request, person: Annotated[Viewer, Depends(viewer)], entity: str = "",
               depth: Annotated[int, Query(ge=1, le=entities.MAX_DEPTH)] = 1) -> Response:
    if not entity:
        return render(request, "graph.html", {"graph": None, "entity": "", "depth": depth})
    found = entities.entity_graph(case_of(request), person, graph_cache(request), entity, depth)
    return render(request, "graph.html", {"graph": found, "entity": entity, "depth": depth,
                                          "api": "/api/graph?" + urlencode({"entity": entity, "depth": depth})})


@router.get("/api/graph", tags=["entities"])
def graph_api(request: Request, person: Annotated[Viewer, Depends(viewer)], entity: str,
              depth: Annotated[int, Query(ge=1, le=entities.MAX_DEPTH)] = 1) -> dict[str, Any]:
    """Actors within ``depth`` steps of an entity; every edge with its evidence and independent sources."""
    return entities.entity_graph(case_of(request), person, graph_cache(request), entity, depth)


@router.get("/timeline", include_in_schema=False)
def timeline_page(request: Request, person: Annotated[Viewer, Depends(viewer)], entity: str = "",
                  start: Annotated[str, Query(alias="from", pattern=_DATE + "|^$")] = "",
                  end: Annotated[str, Query(alias="to", pattern=_DATE + "|^$")] = "") -> Response:
    found = entities.entity_timeline(case_of(request), person, entity, start, end)
    return render(request, "timeline.html", {"t": found, "entity": entity, "start": start, "end": end})


@router.get("/api/timeline", tags=["entities"])
def timeline_api(request: Request, person: Annotated[Viewer, Depends(viewer)], entity: str = "",
                 start: Annotated[str, Query(alias="from", pattern=_DATE + "|^$")] = "",
                 end: Annotated[str, Query(alias="to", pattern=_DATE + "|^$")] = "") -> dict[str, Any]:
    """Dated events (of one entity, or all) with date precision, every source, and conflicting dates flagged."""
    return entities.entity_timeline(case_of(request), person, entity, start, end)
