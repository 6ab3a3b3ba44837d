"""The workbench's areas, one router module each, registered here in menu order.

To add an area (entities, claims, screening...): write ``routes/<area>.py`` with a ``router`` and an
``AREA = Area(...)``, and add it to :data:`AREAS`. Its pages extend ``base.html``; its JSON lives
under ``/api/<area>`` in the same module or in :mod:`.api`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, FastAPI

from organwatch.web.access import Viewer


@dataclass(frozen=True)
class Area:
    """One part of the workbench: its router and, if it has a menu entry, its label, path and the
    permission a user needs to see that entry."""

    name: str
    router: APIRouter
    label: str | None = None
    path: str | None = None
    permission: str = "read"


def _areas() -> tuple[Area, ...]:
    from organwatch.web.routes import (
        analyses,
        api,
        auth,
        claims,
        documents,
        dossiers,
        entities,
        overview,
        papers,
        review,
        search,
        upload,
    )

    return (overview.AREA, search.AREA, documents.AREA, entities.AREA, entities.GRAPH_AREA, entities.TIMELINE_AREA,
            claims.AREA, review.AREA, dossiers.AREA, papers.AREA,
            upload.AREA, analyses.AREA, auth.AREA, api.AREA)


def register(app: FastAPI) -> None:
    """Include every area's router in the app."""
    for area in _areas():
        app.include_router(area.router)


def navigation(viewer: Viewer) -> list[tuple[str, str]]:
    """Menu entries ``(label, path)`` this person may use."""
    return [(a.label, a.path) for a in _areas() if a.label and a.path and viewer.can(a.permission)]
