"""Claims in a case: derive them from the stored text and mentions, weigh them, grade their sources, and
build dossiers. The CLI, the Python API and the web workbench all call these functions.

Claims are derived data: re-running gives the same claims from the same documents. Reviewers' grades are
evidence events (``grade`` entries in the signed log), replayed on every read, so they survive any
re-derivation and anyone can see who graded what, when and why.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from organwatch.claims.detect import detect_claims
from organwatch.claims.weigh import ClaimGroup, Reported, _fold, speaker_key, weigh
from organwatch.errors import OrganWatchError
from organwatch.model.claims import CREDIBILITY, RELIABILITY, UNGRADED, Grade
from organwatch.model.extraction import Mention, MentionType, Quote
from organwatch.model.mentions import StoredMention, StoredQuote
from organwatch.report.dossier import Citation, Dossier, DossierClaim

if TYPE_CHECKING:
    from organwatch.case import Case
    from organwatch.model import Document


class ClaimsError(OrganWatchError):
    """A claims request cannot be answered as asked (unknown actor, nothing said about it, bad grade)."""


@dataclass(frozen=True)
class CaseClaims:
    """Every claim of a case, weighed: instances, groups, the documents they come from, and grades."""

    reported: list[Reported]
    groups: list[ClaimGroup]
    documents: dict[int, Document]
    grades: dict[str, Grade]

    def group_of(self, key: str) -> ClaimGroup:
        """The group an instance belongs to."""
        return self._by_member[key]

    @property
    def _by_member(self) -> dict[str, ClaimGroup]:
        return {m.key: g for g in self.groups for m in g.members}


def _row(item: Mapping[str, Any] | StoredMention | StoredQuote) -> dict[str, Any]:
    return item.to_dict() if isinstance(item, StoredMention | StoredQuote) else dict(item)


def _as_mention(item: Mapping[str, Any] | StoredMention) -> Mention:
    """A stored mention back as the extractor's record (offsets in code points of the document text)."""
    data = _row(item)
    kind = cast(MentionType, data["type"])
    return Mention(kind, str(data["text"]), int(data["start_char"]), int(data["end_char"]),
                   str(data.get("canonical") or data["text"]), data.get("value"), data.get("unit"), data.get("low"),
                   data.get("high"), data.get("role"), None, str(data.get("method") or ""))


def _as_quote(item: Mapping[str, Any] | StoredQuote) -> Quote:
    """A stored quote back as the extractor's record."""
    data = _row(item)
    kind = cast(Literal["direct", "reported"], data.get("kind") or "direct")
    return Quote(str(data["speaker"]), str(data["text"]), int(data["start_char"]), int(data["end_char"]), kind,
                 data.get("speaker_start"), data.get("speaker_end"), str(data.get("method") or ""))


def document_claims(case: Case, document: Document) -> list[Reported]:
    """The claims of one stored document (its text, mentions and quotes as the extract stage stored them)."""
    if document.status != "ok" or not document.text:
        return []
    language = document.language if document.language in ("en", "zh-Hans", "zh-Hant") else None
    if language is None:
        return []
    mentions = [_as_mention(m) for m in case.mentions(document.id)]
    quotes = [_as_quote(q) for q in case.quotes(document.id)]
    return [Reported(f"{document.id}:{c.start}-{c.end}", c, document.id, document.outlet, document.author,
                     document.published)
            for c in detect_claims(document.text, language, mentions, quotes)]


def grades(case: Case) -> dict[str, Grade]:
    """The newest grade of every graded source, replayed from the signed log."""
    found: dict[str, Grade] = {}
    for entry in case.log_entries():
        if entry.get("type") == "grade":
            grade = Grade(entry["source"], entry["reliability"], int(entry["credibility"]), entry.get("reason", ""),
                          entry.get("graded_by", ""), entry.get("time", ""), entry.get("seq"))
            found[_source_key(grade.source)] = grade
    return found


def _source_key(name: str) -> str:
    return speaker_key(name) or _fold(name)


DocumentFilter = Callable[["Document"], bool]


def weigh_case(case: Case, include: DocumentFilter | None = None) -> CaseClaims:
    """Derive and weigh every claim of the case.

    ``include`` keeps only the documents it accepts (a reader's visible documents): the others add no claim,
    no corroboration and no contradiction, as if they were not in the case.
    """
    reported: list[Reported] = []
    documents: dict[int, Document] = {}
    links: list[tuple[int, int]] = []
    excluded: set[int] = set()
    for document in case.documents():
        if include is not None and not include(document):
            excluded.add(document.id)
            continue
        claims = document_claims(case, document)
        if not claims:
            continue
        documents[document.id] = document
        reported.extend(claims)
    for document_id in documents:
        for link in case.document_links(document_id):
            a, b = (link["a"], link["b"]) if isinstance(link, dict) else (link.a, link.b)
            if a not in excluded and b not in excluded:
                links.append((a, b))
    groups = weigh(reported, [(d.id, d.outlet, d.author) for d in documents.values()], links)
    return CaseClaims(reported, groups, documents, grades(case))


def grade_of(weighed: CaseClaims, item: Reported) -> str:
    """The Admiralty code for one claim instance: its speaker's grade, else its outlet's, else F6."""
    for name in (item.claim.speaker, item.outlet):
        if name and _source_key(name) in weighed.grades:
            return weighed.grades[_source_key(name)].code
    return UNGRADED


def grade(case: Case, source: str, reliability: str, credibility: int, reason: str,
          graded_by: str | None = None) -> Grade:
    """Grade a source with the Admiralty code; the grade is logged as an evidence event."""
    reliability = reliability.strip().upper()
    if reliability not in RELIABILITY:
        raise ClaimsError(f"reliability {reliability!r} is not A–F ({', '.join(RELIABILITY)})")
    if credibility not in CREDIBILITY:
        raise ClaimsError(f"credibility {credibility!r} is not 1–6")
    if not source.strip():
        raise ClaimsError("name the source to grade (an outlet, author or speaker, as `organwatch sources` lists)")
    if not reason.strip():
        raise ClaimsError("give the reason for the grade (--reason): a grade without one cannot be reviewed")
    by = graded_by or case.default_captured_by()
    seq = case.log_event({"type": "grade", "source": source.strip(), "reliability": reliability,
                          "credibility": credibility, "reason": reason.strip(), "graded_by": by})
    return Grade(source.strip(), reliability, credibility, reason.strip(), by, "", seq)


def subject_names(name: str) -> list[str]:
    """The names an actor goes by in both scripts: the gazetteer's entry when it knows the name, else the name."""
    from organwatch.claims.weigh import _name_ids
    from organwatch.extract.gazetteer import load
    from organwatch.text import to_traditional

    entry_id = _name_ids().get(_fold(name))
    names = [name]
    if entry_id is not None:
        for entry in load().entries:
            if entry.id == entry_id:
                names += [n for n in (entry.en, entry.zh, *entry.aliases) if n]
                break
    names += [to_traditional(n) for n in names if re.search(r"[\u4e00-\u9fff]", n)]
    return list(dict.fromkeys(names))


def _mentions_any(text: str | None, folded_names: list[str]) -> bool:
    return bool(text) and any(n in _fold(text or "") for n in folded_names)


def claims_about(weighed: CaseClaims, name: str) -> list[Reported]:
    """Claim instances whose statement, subject or speaker names the actor (in either script)."""
    folded = [_fold(n) for n in subject_names(name) if len(_fold(n)) >= 2]
    return [r for r in weighed.reported
            if _mentions_any(r.claim.text, folded) or _mentions_any(r.claim.subject, folded)
            or _mentions_any(r.claim.speaker, folded)]


def known_names(case: Case, include: DocumentFilter | None = None) -> Counter[str]:
    """Every person and organisation name the extract stage found (in the documents ``include`` accepts),
    with how often."""
    counts: Counter[str] = Counter()
    for document in case.documents():
        if document.status != "ok" or (include is not None and not include(document)):
            continue
        for m in case.mentions(document.id):
            mention = _as_mention(m)
            if mention.type in ("person", "organization"):
                counts[mention.canonical] += 1
    return counts


def nearest_names(case: Case, name: str, limit: int = 5, include: DocumentFilter | None = None) -> list[str]:
    """The known names closest to ``name`` (compared in simplified script, case-folded)."""
    names = list(known_names(case, include))
    folded = {_fold(n): n for n in names}
    return [folded[f] for f in difflib.get_close_matches(_fold(name), list(folded), n=limit, cutoff=0.5)]


def citation(case: Case, item: Reported, document: Document) -> Citation:
    """Where one claim instance is archived: the document, its capture and the capture's log entry."""
    capture = case.capture(document.capture_id)
    return Citation(document.id, document.title, document.outlet, document.published,
                    document.canonical_url or document.source_url, capture.id, capture.first_seq,
                    item.claim.text, item.claim.start, item.claim.end)


def build_dossier(case: Case, name: str, *, generated_at: str | None = None,
                  include: DocumentFilter | None = None) -> Dossier:
    """Everything the case says about one actor, each claim cited; a clear error when there is nothing.

    ``include`` limits the dossier (claims, weighing and the names suggested) to the documents it accepts.
    """
    from organwatch.archive.log import utc_now

    if not name.strip():
        raise ClaimsError("name the person, organisation or hospital the dossier is about")
    weighed = weigh_case(case, include)
    about = claims_about(weighed, name)
    if not about:
        known = known_names(case, include)
        if not any(_fold(n) in {_fold(x) for x in subject_names(name)} for n in known):
            near = nearest_names(case, name, include=include)
            hint = f"; nearest names in the case: {', '.join(near)}" if near else ""
            raise ClaimsError(f"no actor named {name!r} in case {case.name!r}{hint}")
        raise ClaimsError(f"{name!r} is named in the case but no claim about it was found: nothing to put in a "
                          "dossier yet (see `organwatch mentions` for where it is named)")
    items: list[DossierClaim] = []
    for r in about:
        document = weighed.documents[r.document_id]
        group = weighed.group_of(r.key)
        items.append(DossierClaim(r.claim, citation(case, r, document), group.id, group.corroboration,
                                  grade_of(weighed, r), bool(group.contradicts)))
    heads = case.tree_heads()
    names = subject_names(name)
    scripts: dict[str, list[str]] = {"Latin": [n for n in names if not re.search(r"[\u4e00-\u9fff]", n)],
                                     "Han": [n for n in names if re.search(r"[\u4e00-\u9fff]", n)]}
    return Dossier(name, _kind(case, name), scripts, items, tree_head=heads[-1] if heads else {},
                   key_id=case.key_id(), case_name=case.name, generated_at=generated_at or utc_now())


def _kind(case: Case, name: str) -> str:
    from organwatch.claims.weigh import _name_ids
    from organwatch.extract.gazetteer import load

    entry_id = _name_ids().get(_fold(name))
    for entry in load().entries if entry_id else ():
        if entry.id == entry_id:
            return entry.type
    return "actor"


def iter_claim_rows(weighed: CaseClaims) -> Iterator[dict[str, Any]]:
    """Claim instances as JSON-ready rows with their document, group, corroboration and grade."""
    for r in weighed.reported:
        document = weighed.documents[r.document_id]
        group = weighed.group_of(r.key)
        yield {**r.claim.to_dict(), "key": r.key, "document_id": r.document_id, "capture_id": document.capture_id,
               "title": document.title, "outlet": document.outlet, "published": document.published,
               "group": group.id, "corroboration": group.corroboration, "origins": group.origins,
               "contested": bool(group.contradicts),
               "contradictions": [reason for _, reason in group.contradicts], "grade": grade_of(weighed, r)}


def source_rows(weighed: CaseClaims) -> list[dict[str, Any]]:
    """The sources of the claims (speakers and outlets) with their grade, claim and document counts, most
    claims first; what ``organwatch sources`` lists and the review queue shows."""
    by_source: dict[tuple[str, str], dict[str, Any]] = {}
    documents: dict[tuple[str, str], set[int]] = {}
    for r in weighed.reported:
        for kind, name in (("speaker", r.claim.speaker), ("outlet", r.outlet)):
            if not name:
                continue
            row = by_source.setdefault((kind, name), {"source": name, "kind": kind, "claims": 0,
                                                      "grade": UNGRADED})
            row["claims"] += 1
            documents.setdefault((kind, name), set()).add(r.document_id)
            if kind == "speaker":
                row["grade"] = grade_of(weighed, r)
    for key, row in by_source.items():
        row["documents"] = len(documents[key])
        graded = weighed.grades.get(_source_key(row["source"]))
        row["grade"] = graded.code if graded else row["grade"]
        row["graded_by"] = graded.graded_by if graded else None
        row["reason"] = graded.reason if graded else None
    return sorted(by_source.values(), key=lambda r: (-r["claims"], r["source"]))
