"""Claims, sources, grades and dossiers as a workbench reader may see them.

Claims are weighed over the documents the reader may see and nothing else: a restricted document adds no
claim, no corroborating source, no contradiction and no name to "did you mean" hints for someone it is
hidden from, exactly as if it were not in the case. The same visibility check the document pages use
(``accounts.document_visible``) decides which documents count.

Weighing re-reads every document, so results are cached per set of visible documents and dropped whenever
the evidence log grows (new evidence, grades and restriction changes are all log entries).

>>> # board(case, viewer, cache, ClaimFilters(contested=True)).rows
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from organwatch.claims.service import (
    CaseClaims,
    build_dossier,
    claims_about,
    grade,
    iter_claim_rows,
    source_rows,
    weigh_case,
)
from organwatch.claims.weigh import speaker_key
from organwatch.errors import OrganWatchError
from organwatch.model.claims import CREDIBILITY, RELIABILITY
from organwatch.report.dossier import Dossier
from organwatch.web.access import Viewer
from organwatch.web.services import require

if TYPE_CHECKING:
    from organwatch.case import Case
    from organwatch.model import Document

CACHE_ENTRIES = 8
BOARD_PAGE = 100
_GRADE = re.compile(r"[A-Fa-f][1-6]?|[1-6]")


@dataclass(frozen=True)
class Visibility:
    """The documents one reader may see, as a set of ids and a filter for the claims functions."""

    ids: frozenset[int]
    restricted: frozenset[int]  # visible to this reader but restricted (reading them is an access event)

    def include(self, document: Document) -> bool:
        """Whether the claims functions may use ``document``."""
        return document.id in self.ids


def visibility(case: Case, viewer: Viewer) -> Visibility:
    """Which documents ``viewer`` may see, asked of the same access checks the document pages use."""
    with case.store.view() as session:
        ids = session.documents.ids()
        visible = frozenset(i for i in ids if session.accounts.document_visible(viewer, i))
        restricted = frozenset(i for i in visible if session.accounts.is_restricted_document(i))
    return Visibility(visible, restricted)


class ClaimsCache:
    """Weighed claims per set of visible documents, valid while the evidence log keeps its size."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries = entries
        self._log_size = -1
        self._weighed: OrderedDict[frozenset[int], CaseClaims] = OrderedDict()

    def weighed(self, case: Case, seen: Visibility) -> CaseClaims:
        """The claims of the documents in ``seen``, weighed among themselves only."""
        size = case.log.entries_path.stat().st_size if case.log.entries_path.exists() else 0
        with self._lock:
            if size != self._log_size:
                self._weighed.clear()
                self._log_size = size
            found = self._weighed.get(seen.ids)
            if found is not None:
                self._weighed.move_to_end(seen.ids)
                return found
        result = weigh_case(case, seen.include)
        with self._lock:
            if size == self._log_size:
                self._weighed[seen.ids] = result
                while len(self._weighed) > self._entries:
                    self._weighed.popitem(last=False)
        return result


def _log_restricted_use(case: Case, viewer: Viewer, seen: Visibility, used: set[int], action: str) -> None:
    """Reading restricted material is an evidence event, whichever page shows it."""
    shown = sorted(used & seen.restricted)
    if shown:
        case.log_event({"type": "access", "user": viewer.name, "role": viewer.role, "documents": shown,
                        "action": action})


# -- claims board -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimFilters:
    """What the claims board shows: all claims, or those matching every filter given."""

    contested: bool = False
    min_sources: int = 1
    grade: str = ""  # "B2", "B" (any credibility) or "2" (any reliability)
    speaker: str = ""
    about: str = ""

    def check(self) -> ClaimFilters:
        """Raise a one-line error for a filter that cannot be used."""
        if self.grade and not _GRADE.fullmatch(self.grade.strip()):
            raise OrganWatchError(f"grade {self.grade!r}: write an Admiralty code such as B2, a letter A–F or a "
                                  "digit 1–6")
        if self.min_sources < 1:
            raise OrganWatchError("minimum independent sources must be 1 or more")
        return self

    def active(self) -> bool:
        """Whether any filter narrows the list."""
        return bool(self.contested or self.min_sources > 1 or self.grade or self.speaker or self.about)


@dataclass(frozen=True)
class Contradiction:
    """Two groups of claims that cannot both be right, side by side, with why."""

    reason: str
    left: list[dict[str, Any]]
    right: list[dict[str, Any]]


@dataclass
class ClaimBoard:
    """One page of the claims board."""

    rows: list[dict[str, Any]]
    total: int
    groups: int
    offset: int
    contradictions: list[Contradiction] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"total": self.total, "groups": self.groups, "offset": self.offset, "claims": self.rows,
                "contradictions": [{"reason": c.reason, "left": c.left, "right": c.right}
                                   for c in self.contradictions]}


def _grade_matches(code: str, wanted: str) -> bool:
    wanted = wanted.strip().upper()
    if not wanted:
        return True
    if wanted.isdigit():
        return code[1:] == wanted
    return code.startswith(wanted) if len(wanted) == 1 else code == wanted


def _matching(weighed: CaseClaims, filters: ClaimFilters) -> list[dict[str, Any]]:
    keys = {r.key for r in claims_about(weighed, filters.about)} if filters.about.strip() else None
    wanted = speaker_key(filters.speaker.strip()) if filters.speaker.strip() else None
    return [row for row in iter_claim_rows(weighed)
            if (keys is None or row["key"] in keys) and (not filters.contested or row["contested"])
            and row["corroboration"] >= filters.min_sources and _grade_matches(row["grade"], filters.grade)
            and (wanted is None or wanted in (speaker_key(row["speaker"]) or ""))]


def _contradictions(weighed: CaseClaims, rows: list[dict[str, Any]]) -> list[Contradiction]:
    """Each contradicting pair of groups among ``rows`` once; each side lists every member of its group."""
    by_group: dict[str, list[dict[str, Any]]] = {}
    for row in iter_claim_rows(weighed):
        by_group.setdefault(row["group"], []).append(row)
    groups = {g.id: g for g in weighed.groups}
    shown = {row["group"] for row in rows}
    pairs: list[Contradiction] = []
    seen: set[tuple[str, str]] = set()
    for group_id in dict.fromkeys(row["group"] for row in rows if row["contested"]):
        for other, reason in groups[group_id].contradicts:
            key = (min(group_id, other), max(group_id, other))
            if key in seen or (other != group_id and other not in groups):
                continue
            seen.add(key)
            left = by_group.get(group_id, [])
            if other == group_id:  # asserted and denied within one group: split by stance
                right = [r for r in left if r["stance"] == "denies"]
                left = [r for r in left if r["stance"] != "denies"]
            else:
                right = by_group.get(other, [])
                if other not in shown and not right:
                    continue
            pairs.append(Contradiction(reason, left, right))
    return pairs


def board(case: Case, viewer: Viewer, cache: ClaimsCache, filters: ClaimFilters, *, offset: int = 0,
          limit: int = BOARD_PAGE) -> ClaimBoard:
    """The claims ``viewer`` may see that match ``filters``, one page, with contradictions side by side."""
    require(viewer, "read")
    filters.check()
    seen = visibility(case, viewer)
    weighed = cache.weighed(case, seen)
    rows = _matching(weighed, filters)
    page = rows[offset:offset + limit]
    contradictions = _contradictions(weighed, page)
    used = {r["document_id"] for r in page} | {r["document_id"] for c in contradictions for r in (*c.left, *c.right)}
    _log_restricted_use(case, viewer, seen, used, "claims")
    return ClaimBoard(page, len(rows), len({r["group"] for r in rows}), offset, contradictions)


# -- sources and grades ---------------------------------------------------------------------------------------

def sources(case: Case, viewer: Viewer, cache: ClaimsCache) -> list[dict[str, Any]]:
    """The speakers and outlets behind the claims ``viewer`` may see, with grades (``organwatch sources``)."""
    require(viewer, "read")
    seen = visibility(case, viewer)
    return source_rows(cache.weighed(case, seen))


def grade_source(case: Case, viewer: Viewer, source: str, reliability: str, credibility: str,
                 reason: str) -> dict[str, Any]:
    """Grade a source with the Admiralty code, logged as an evidence event under the reviewer's name."""
    require(viewer, "grade")
    try:
        level = int(credibility)
    except ValueError:
        raise OrganWatchError(f"credibility {credibility!r} is not 1–6") from None
    return grade(case, source, reliability, level, reason, graded_by=viewer.name).to_dict()


def admiralty_scale() -> tuple[dict[str, str], dict[int, str]]:
    """The two halves of the Admiralty code with their meanings, for forms and legends."""
    return dict(RELIABILITY), dict(CREDIBILITY)


# -- dossiers -------------------------------------------------------------------------------------------------

DOSSIER_FORMATS: dict[str, tuple[str, str]] = {
    "md": ("text/markdown; charset=utf-8", ".md"),
    "html": ("text/html; charset=utf-8", ".html"),
    "pdf": ("application/pdf", ".pdf"),
}


@dataclass(frozen=True)
class DossierFile:
    """A rendered dossier ready to download."""

    filename: str
    media_type: str
    content: bytes
    claims: int


def dossier(case: Case, viewer: Viewer, name: str, fmt: str) -> DossierFile:
    """A dossier on ``name`` from the documents ``viewer`` may see, as Markdown, HTML or PDF.

    Unknown names get the nearest known (visible) names; a known name without claims says so. Including
    restricted documents the viewer is cleared for is logged as an access event.
    """
    require(viewer, "read")
    if fmt not in DOSSIER_FORMATS:
        raise OrganWatchError(f"format {fmt!r}: use md, html or pdf")
    from organwatch.report.dossier import render_html, render_markdown

    seen = visibility(case, viewer)
    built: Dossier = build_dossier(case, name, include=seen.include)
    _log_restricted_use(case, viewer, seen, {c.citation.document_id for c in built.claims}, "dossier")
    if fmt == "md":
        content = render_markdown(built).encode()
    elif fmt == "html":
        content = render_html(built).encode()
    else:
        content = _print_pdf(render_html(built))
    media_type, suffix = DOSSIER_FORMATS[fmt]
    return DossierFile(f"dossier-{_slug(name)}{suffix}", media_type, content, len(built.claims))


def _print_pdf(page_html: str) -> bytes:
    import tempfile
    from pathlib import Path

    from organwatch.report.pdf import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="organwatch-dossier-") as tmp:
        out = Path(tmp) / "dossier.pdf"
        html_to_pdf(page_html, out)
        return out.read_bytes()


def _slug(name: str) -> str:
    """A file-name-safe form of an actor's name (letters of any script kept, the rest dashes)."""
    slug = re.sub(r"[^\w]+", "-", name.strip(), flags=re.UNICODE).strip("-_")
    return slug[:60] or "actor"
