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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from organwatch.claims.derive import CLAIMS_VERSION, as_mention, claims_of
from organwatch.claims.weigh import ClaimGroup, GroupDecision, Reported, _fold, speaker_key, weigh
from organwatch.errors import OrganWatchError
from organwatch.model.claims import CREDIBILITY, RELIABILITY, UNGRADED, Grade
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
    gone: dict[int, list[Reported]] = field(default_factory=dict)  # documents deleted since the stage ran

    def group_of(self, key: str) -> ClaimGroup:
        """The group an instance belongs to."""
        return self._by_member[key]

    @property
    def _by_member(self) -> dict[str, ClaimGroup]:
        return {m.key: g for g in self.groups for m in g.members}


def document_claims(case: Case, document: Document) -> list[Reported]:
    """The claims of one stored document, derived afresh (its text, mentions and quotes as stored)."""
    return claims_of(document, case.mentions(document.id), case.quotes(document.id))


def ensure_claims(case: Case) -> int:
    """Run the claims stage over documents it has not seen (or saw with older code); return how many."""
    from organwatch.stages.claims import derive_claims

    with case.store.view() as view:
        processed = view.claims.processed()
        pending = [d for d in view.documents.ids(status="ok") if processed.get(d) != CLAIMS_VERSION]
    if pending:
        derive_claims(case.store, pending)
    return len(pending)


def grades(case: Case) -> dict[str, Grade]:
    """The newest grade of every graded source, replayed from the signed log."""
    return _replay(case)[0]


def _replay(case: Case) -> tuple[dict[str, Grade], list[GroupDecision]]:
    """Grades and group decisions from the signed log, in one pass (the log is their source of truth)."""
    found: dict[str, Grade] = {}
    decisions: list[GroupDecision] = []
    for entry in case.log_entries():
        if entry.get("type") == "grade":
            grade = Grade(entry["source"], entry["reliability"], int(entry["credibility"]), entry.get("reason", ""),
                          entry.get("graded_by", ""), entry.get("time", ""), entry.get("seq"))
            found[_source_key(grade.source)] = grade
        elif entry.get("type") == "claim_group" and entry.get("seq") is not None:
            decisions.append(GroupDecision(int(entry["seq"]), str(entry.get("action", "")),
                                           tuple(str(k) for k in entry.get("keys", ())), str(entry.get("reason", "")),
                                           str(entry.get("decided_by", "")), str(entry.get("time", ""))))
    return found, decisions


def _source_key(name: str) -> str:
    return speaker_key(name) or _fold(name)


DocumentFilter = Callable[["Document"], bool]


def weigh_case(case: Case, include: DocumentFilter | None = None) -> CaseClaims:
    """Every stored claim of the case, weighed (documents not yet through the claims stage go through it
    first).

    ``include`` keeps only the documents it accepts (a reader's visible documents): the others add no claim,
    no corroboration and no contradiction, as if they were not in the case, so the claims are weighed again
    over what remains.
    """
    from organwatch.stages.claims import regroup

    ensure_claims(case)
    graded, logged = _replay(case)
    with case.store.view() as view:
        known = {d.seq for d in view.claims.decisions()}
    lost = [d for d in logged if d.seq not in known]
    if lost:  # decisions in the log but not in the store (an index rebuilt from the log): restore them
        with case.store.writer() as writer:
            for decision in lost:
                writer.claims.add_decision(decision)
        regroup(case.store)
    with case.store.view() as view:
        groups = view.claims.groups()
        reported = [m for g in groups for m in g.members]
        reported.sort(key=lambda r: (r.document_id, r.claim.start, r.claim.end))
        documents = view.documents.get_many(sorted({r.document_id for r in reported}))
    present = [r for r in reported if r.document_id in documents]
    gone: dict[int, list[Reported]] = {}
    if len(present) != len(reported):  # a document deleted since the stage ran: its claims drop out
        for r in reported:
            if r.document_id not in documents:
                gone.setdefault(r.document_id, []).append(r)
        keep = {r.key for r in present}
        for g in groups:
            g.members = [m for m in g.members if m.key in keep]
        groups = [g for g in groups if g.members]
    if include is not None:
        hidden = {d for d, document in documents.items() if not include(document)}
        if hidden:
            present = [r for r in present if r.document_id not in hidden]
            documents = {d: doc for d, doc in documents.items() if d not in hidden}
            links: list[tuple[int, int]] = []
            for document_id in documents:
                for link in case.document_links(document_id):
                    if link.a not in hidden and link.b not in hidden:
                        links.append((link.a, link.b))
            groups = weigh(present, [(d.id, d.outlet, d.author) for d in documents.values()], links)
            gone = {d: lost for d, lost in gone.items() if d not in hidden}
    return CaseClaims(present, groups, documents, graded, gone)


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


def _name_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for an actor's names: Latin names as whole words (so "Li" does not match "police"),
    Chinese names anywhere (Chinese has no spaces), both compared in simplified script and lower case."""
    from organwatch.text import to_simplified

    parts = []
    for name in dict.fromkeys(to_simplified(n).lower().strip() for n in names):
        if len(_fold(name)) < 2:
            continue
        words = [re.escape(w) for w in re.split(r"[\s\-·•]+", name) if w]
        body = r"[\s\-·•]*".join(words)
        parts.append(body if re.search(r"[\u4e00-\u9fff]", name) else rf"(?<![\w]){body}(?![\w])")
    return re.compile("|".join(parts)) if parts else None


def _mentions_any(text: str | None, pattern: re.Pattern[str] | None) -> bool:
    from organwatch.text import to_simplified

    return bool(text) and pattern is not None and pattern.search(to_simplified(text or "").lower()) is not None


def claims_about(weighed: CaseClaims, name: str, linked: Mapping[int, list[tuple[int, int]]] | None = None,
                 aliases: Sequence[str] = ()) -> list[Reported]:
    """Claim instances about the actor: a mention linked to its entity lies in the claim or is its speaker
    (``linked``: document id → mention spans), or the statement, subject or speaker names it (in either
    script, with the entity's ``aliases``)."""
    return claims_about_reported(weighed.reported, name, linked, aliases)


def claims_about_reported(reported: list[Reported], name: str,
                          linked: Mapping[int, list[tuple[int, int]]] | None = None,
                          aliases: Sequence[str] = ()) -> list[Reported]:
    """Those of ``reported`` about the actor (see :func:`claims_about`)."""
    pattern = _name_pattern([*subject_names(name), *aliases])
    linked = linked or {}

    def is_linked(r: Reported) -> bool:
        c = r.claim
        for start, end in linked.get(r.document_id, ()):
            if c.start <= start and end <= c.end:
                return True
            if c.speaker_start is not None and c.speaker_end is not None and \
                    c.speaker_start <= start and end <= c.speaker_end:
                return True
        return False

    return [r for r in reported
            if is_linked(r) or _mentions_any(r.claim.text, pattern) or _mentions_any(r.claim.subject, pattern)
            or _mentions_any(r.claim.speaker, pattern)]


def known_names(case: Case, include: DocumentFilter | None = None) -> Counter[str]:
    """Every person and organisation name the extract stage found (in the documents ``include`` accepts),
    with how often."""
    counts: Counter[str] = Counter()
    for document in case.documents():
        if document.status != "ok" or (include is not None and not include(document)):
            continue
        for m in case.mentions(document.id):
            mention = as_mention(m)
            if mention.type in ("person", "organization"):
                counts[mention.canonical] += 1
    return counts


def nearest_names(case: Case, name: str, limit: int = 5, include: DocumentFilter | None = None) -> list[str]:
    """The known names closest to ``name`` (compared in simplified script, case-folded)."""
    names = list(known_names(case, include))
    folded = {_fold(n): n for n in names}
    return [folded[f] for f in difflib.get_close_matches(_fold(name), list(folded), n=limit, cutoff=0.5)]


def unavailable(case: Case, document: Document) -> str | None:
    """Why a document can no longer be cited (its capture or the capture's original bytes are gone), or None."""
    try:
        capture = case.capture(document.capture_id)
    except OrganWatchError:
        return (f"document {document.id} ({document.title or 'untitled'}): its capture {document.capture_id[:12]} "
                "is no longer in the case")
    if not case.blob_path(capture.id).is_file():
        return (f"document {document.id} ({document.title or 'untitled'}): the original bytes of capture "
                f"{capture.id[:12]} are missing from the archive (run `organwatch verify`)")
    return None


def citation(case: Case, item: Reported, document: Document) -> Citation:
    """Where one claim instance is archived: the document, its capture and the capture's log entry."""
    capture = case.capture(document.capture_id)
    return Citation(document.id, document.title, document.outlet, document.published,
                    document.canonical_url or document.source_url, capture.id, capture.first_seq,
                    item.claim.text, item.claim.start, item.claim.end)


def build_dossier(case: Case, name: str, *, generated_at: str | None = None,
                  include: DocumentFilter | None = None) -> Dossier:
    """Everything the case says about one actor, each claim and role cited; a clear error when there is
    nothing to cite. An ambiguous name raises with the candidate entities.

    ``include`` limits the dossier (claims, their weighing, roles and the names suggested) to the documents it
    accepts: what a reader may not see never shapes what they are shown.
    """
    from organwatch.archive.log import utc_now
    from organwatch.claims import entities

    if not name.strip():
        raise ClaimsError("name the person, organisation or hospital the dossier is about")
    weighed = weigh_case(case, include)
    entity_id = entities.find(case, name)
    info = entities.profile(case, entity_id) if entity_id else {}
    aliases = [str(a["name"]) for group in (info.get("names") or {}).values() for a in group]
    linked = entities.linked_spans(case, entity_id) if entity_id else {}
    about = claims_about(weighed, name, linked, aliases)
    roles_found = list(info.get("roles") or [])
    if include is not None and roles_found:
        with case.store.view() as view:
            cited = view.documents.get_many(sorted({int(r["cite"]["document_id"]) for r in roles_found}))
        roles_found = [r for r in roles_found if (doc := cited.get(int(r["cite"]["document_id"]))) is not None
                       and include(doc)]
        linked = {d: spans for d, spans in linked.items() if d in weighed.documents}
    if not about and not roles_found:
        known = known_names(case, include)
        if not entity_id and not any(_fold(n) in {_fold(x) for x in subject_names(name)} for n in known):
            near = nearest_names(case, name, include=include)
            hint = f"; nearest names in the case: {', '.join(near)}" if near else ""
            raise ClaimsError(f"no actor named {name!r} in case {case.name!r}{hint}")
        raise ClaimsError(f"{name!r} is named in the case but no claim about it was found: nothing to put in a "
                          "dossier yet (see `organwatch mentions` for where it is named)")
    items: list[DossierClaim] = []
    missing: dict[int, str] = {}
    for document_id, lost in weighed.gone.items():
        if claims_about_reported(lost, name, linked, aliases):
            missing[document_id] = f"document {document_id}: deleted from the case since its claims were derived"
    for r in about:
        document = weighed.documents[r.document_id]
        if r.document_id not in missing:
            reason = unavailable(case, document)
            if reason:
                missing[r.document_id] = reason
        if r.document_id in missing:
            continue
        group = weighed.group_of(r.key)
        items.append(DossierClaim(r.claim, citation(case, r, document), group.id, group.corroboration,
                                  grade_of(weighed, r), bool(group.contradicts)))
    shown = str(info.get("name") or name)
    roles = _roles(case, shown, roles_found, missing)
    if not items and not roles:
        raise ClaimsError(f"every source of what the case says about {name!r} is gone from the case, so nothing "
                          "can be cited: " + "; ".join(missing.values()))
    heads = case.tree_heads()
    scripts = entities.names_by_script(info, subject_names(name))
    figure = entities.relations_svg(case, entity_id) if entity_id else None
    return Dossier(name, str(info.get("type") or _kind(case, name)), scripts, items, roles=roles,
                   relations_svg=figure, tree_head=heads[-1] if heads else {}, key_id=case.key_id(),
                   case_name=case.name, generated_at=generated_at or utc_now(),
                   unavailable=[missing[k] for k in sorted(missing)])


def _roles(case: Case, name: str, found: list[dict[str, Any]], missing: dict[int, str]) -> list[tuple[str, Citation]]:
    """Each role the entity holds in some source, as a sentence saying which source says so, cited."""
    from organwatch.claims.entities import role_sentence

    roles: list[tuple[str, Citation]] = []
    with case.store.view() as view:
        documents = view.documents.get_many(sorted({int(r["cite"]["document_id"]) for r in found}))
    for role in found:
        cite = role["cite"]
        document = documents.get(int(cite["document_id"]))
        if document is None:
            missing.setdefault(int(cite["document_id"]), f"document {cite['document_id']}: deleted from the case "
                               "since entities were resolved")
            continue
        reason = missing.get(document.id) or unavailable(case, document)
        if reason:
            missing[document.id] = reason
            continue
        capture = case.capture(document.capture_id)
        source = document.outlet or (f"“{document.title}”" if document.title else f"document {document.id}")
        roles.append((role_sentence(name, role, source),
                      Citation(document.id, document.title, document.outlet, document.published,
                               document.canonical_url or document.source_url, capture.id, capture.first_seq,
                               str(cite["quote"]), int(cite["start"]), int(cite["end"]))))
    return roles


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


def _anchor(weighed: CaseClaims, ref: str) -> ClaimGroup:
    """The group a reference names: a group id (``g…``) or a claim instance key (``<doc>:<start>-<end>``)."""
    ref = ref.strip()
    for group in weighed.groups:
        if group.id == ref or any(m.key == ref for m in group.members):
            return group
    raise ClaimsError(f"no claim group or claim {ref!r} in the case (see `organwatch claims --format json` for "
                      "group ids and claim keys)")


def _decide(case: Case, action: str, keys: list[str], reason: str, decided_by: str | None) -> GroupDecision:
    from organwatch.archive.log import utc_now
    from organwatch.stages.claims import regroup

    if not reason.strip():
        raise ClaimsError(f"give the reason for the {action} (--reason): a decision without one cannot be reviewed")
    by = decided_by or case.default_captured_by()
    seq = case.log_event({"type": "claim_group", "action": action, "keys": keys, "reason": reason.strip(),
                          "decided_by": by})
    decision = GroupDecision(seq, action, tuple(keys), reason.strip(), by, utc_now())
    with case.store.writer() as writer:
        writer.claims.add_decision(decision)
    regroup(case.store)
    return decision


def merge_groups(case: Case, first: str, second: str, reason: str,
                 decided_by: str | None = None) -> GroupDecision:
    """A reviewer says two groups say the same thing: logged as evidence, applied now and after every
    re-derivation (the decision names claim keys, which stay the same as long as the texts do)."""
    weighed = weigh_case(case)
    a, b = _anchor(weighed, first), _anchor(weighed, second)
    if a is b:
        raise ClaimsError(f"{first!r} and {second!r} are already in one group ({a.id})")
    return _decide(case, "merge", [a.members[0].key, b.members[0].key], reason, decided_by)


def split_group(case: Case, claim_keys: list[str], reason: str, decided_by: str | None = None) -> GroupDecision:
    """A reviewer says some claims of a group say something else: they leave it as a group of their own."""
    weighed = weigh_case(case)
    if not claim_keys:
        raise ClaimsError("name the claims to split off (their keys, as `organwatch claims --format json` lists)")
    groups = {_anchor(weighed, k).id for k in claim_keys}
    if any(not re.fullmatch(r"\d+:\d+-\d+", k.strip()) for k in claim_keys):
        raise ClaimsError("split takes claim keys (<document>:<start>-<end>), not group ids")
    if len(groups) != 1:
        raise ClaimsError("the claims to split off must all be in one group")
    group = _anchor(weighed, claim_keys[0])
    if len(set(claim_keys)) >= len(group.members):
        raise ClaimsError(f"that is every claim of group {group.id}: nothing would be left to split from")
    return _decide(case, "split", [k.strip() for k in claim_keys], reason, decided_by)


def group_decisions(case: Case) -> list[GroupDecision]:
    """Reviewers' merges and splits, in the order they were made."""
    with case.store.view() as view:
        return view.claims.decisions()


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
