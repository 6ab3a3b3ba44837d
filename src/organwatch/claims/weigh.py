"""Weighing claims: group what says the same thing, count independent sources, flag contradictions.

* **Groups.** Two claims say the same thing when they are about the same predicate and period and state the
  same number (within :data:`VALUE_TOLERANCE`), or, without a number, when their folded statements are near
  duplicates (MinHash of character shingles on simplified, case-folded text). The same estimate quoted in
  English and in Chinese lands in one group through its number and period.
* **Independence.** Each instance of a claim has an *origin*: the speaker when the text names one (ten papers
  quoting "Kilgour and Matas estimate…" share one origin), else the reporting document. Documents that are
  copies of each other (duplicate and near-duplicate links, shared paragraphs), share an outlet or an author
  are one source. Corroboration is the number of independent origins in a group.
* **Contradictions.** Groups about the same predicate and period whose numbers disagree beyond the tolerance,
  or whose statements match while one asserts and the other denies, are flagged side by side — never
  reconciled or averaged.

Everything here is pure and recomputable from the stored claims, document metadata and links.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from organwatch.model.claims import Claim

VALUE_TOLERANCE = 0.02  # relative: 41,500 and 41,000 differ by 1.2%, the same figure rounded
TEXT_THRESHOLD = 0.6  # MinHash similarity for claims without numbers


@dataclass(frozen=True)
class Reported:
    """One claim as one document reports it, with what is needed to judge the source's independence."""

    key: str  # stable id of this instance, e.g. "<document id>:<start>-<end>"
    claim: Claim
    document_id: int
    outlet: str | None = None
    author: str | None = None
    published: str | None = None


@dataclass
class ClaimGroup:
    """Claims that say the same thing, with how many independent origins support them."""

    id: str
    predicate: str
    period: str | None
    value: float | None
    members: list[Reported] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    contradicts: list[tuple[str, str]] = field(default_factory=list)  # (other group id, reason)

    @property
    def corroboration(self) -> int:
        """Number of independent origins."""
        return len(self.origins)

    @property
    def stances(self) -> set[str]:
        """The stances its members take."""
        return {m.claim.stance for m in self.members}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "predicate": self.predicate, "period": self.period, "value": self.value,
                "corroboration": self.corroboration, "origins": self.origins,
                "contradicts": [{"group": g, "reason": r} for g, r in self.contradicts],
                "members": [m.key for m in self.members]}


@dataclass(frozen=True)
class GroupDecision:
    """A reviewer's decision on groups, named by claim instance keys so it survives re-derivation.

    ``merge``: the groups holding ``keys[0]`` and ``keys[1]`` say the same thing and become one.
    ``split``: the instances ``keys`` say something else than the rest of their group and leave it as a group
    of their own.
    """

    seq: int
    action: str  # merge | split
    keys: tuple[str, ...]
    reason: str = ""
    decided_by: str = ""
    decided_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"seq": self.seq, "action": self.action, "keys": list(self.keys), "reason": self.reason,
                "decided_by": self.decided_by, "decided_at": self.decided_at}


def apply_decisions(groups: list[ClaimGroup], decisions: Iterable[GroupDecision]) -> list[GroupDecision]:
    """Apply reviewers' merges and splits in the order they were made; return those that no longer apply
    (their claims are gone from the case, or the groups are already as asked)."""
    skipped: list[GroupDecision] = []
    for decision in decisions:
        where = {m.key: g for g in groups for m in g.members}
        if decision.action == "merge" and len(decision.keys) == 2:
            a, b = where.get(decision.keys[0]), where.get(decision.keys[1])
            if a is None or b is None or a is b:
                skipped.append(decision)
                continue
            a.members.extend(b.members)
            groups.remove(b)
        elif decision.action == "split" and decision.keys:
            source = where.get(decision.keys[0])
            moved = {k for k in decision.keys if source is not None and where.get(k) is source}
            if source is None or not moved or len(moved) == len(source.members):
                skipped.append(decision)
                continue
            taken = [m for m in source.members if m.key in moved]
            source.members = [m for m in source.members if m.key not in moved]
            first = taken[0].claim
            digest = hashlib.sha256(b"split|" + "|".join(sorted(moved)).encode()).hexdigest()[:10]
            groups.insert(groups.index(source) + 1, ClaimGroup(f"g{digest}", first.predicate, first.period,
                                                                first.value, taken))
        else:
            skipped.append(decision)
    return skipped


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@functools.cache
def _name_ids() -> dict[str, str]:
    """Every gazetteer name (English, simplified Chinese, aliases) → the entry's id, to bridge scripts."""
    from organwatch.extract.gazetteer import load

    ids: dict[str, str] = {}
    gazetteer = load()
    for entry in gazetteer.entries:
        for name in (entry.en, entry.zh, *entry.aliases):
            if name:
                ids[_fold(name)] = entry.id
    return ids


def _fold(name: str) -> str:
    from organwatch.text import to_simplified

    folded = to_simplified(name).lower().strip()
    folded = re.sub(r"^(?:the|a|an)\s+", "", folded)
    return re.sub(r"[\s.·•\-'’]", "", folded)


def speaker_key(speaker: str | None) -> str | None:
    """The origin key of a speaker: each named person or body mapped to its gazetteer entry when known, so
    "David Kilgour and David Matas" and 乔高和麦塔斯 share a key.

    >>> speaker_key("David Kilgour and David Matas") == speaker_key("乔高和麦塔斯")
    True
    """
    if not speaker:
        return None
    parts = [p for p in re.split(r"\s+and\s+|[和与與、,，&]", speaker) if p.strip()]
    ids = _name_ids()
    return "+".join(sorted(ids.get(_fold(p), _fold(p)) for p in parts))


def _statement_signature(text: str) -> tuple[int, ...]:
    from organwatch.text.dedupe import fold_text

    folded = fold_text(text)
    shingles = {folded[i : i + 3] for i in range(max(1, len(folded) - 2))}
    # A 32-value MinHash; small, deterministic, enough to tell near-identical statements.
    return tuple(min(int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8, salt=bytes([k]) * 8).digest(),
                                    "big") for s in shingles) for k in range(32))


def _similar(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def group_claims(reported: Sequence[Reported]) -> list[ClaimGroup]:
    """Group claims that say the same thing (see the module docstring); groups in order of first appearance."""
    union = _Union()
    numeric: dict[tuple[str, str | None], list[Reported]] = defaultdict(list)
    textual: dict[str, list[tuple[Reported, tuple[int, ...]]]] = defaultdict(list)
    for r in reported:
        union.find(r.key)
        if r.claim.value is not None:
            numeric[(r.claim.predicate, r.claim.period)].append(r)
        else:
            textual[r.claim.predicate].append((r, _statement_signature(r.claim.text)))
    for items in numeric.values():
        items = sorted(items, key=lambda r: r.claim.value or 0.0)
        for a, b in itertools.pairwise(items):
            va, vb = a.claim.value or 0.0, b.claim.value or 0.0
            if abs(va - vb) <= VALUE_TOLERANCE * max(abs(va), abs(vb), 1e-9):
                union.union(a.key, b.key)
    for signed in textual.values():
        # Band the signatures (4 bands of 8) so candidates are found by key, not by comparing every pair.
        buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
        for i, (_, sig) in enumerate(signed):
            for band in range(4):
                buckets[(band, sig[band * 8 : band * 8 + 8])].append(i)
        for members in buckets.values():
            for i in members[1:]:
                if _similar(signed[members[0]][1], signed[i][1]) >= TEXT_THRESHOLD:
                    union.union(signed[members[0]][0].key, signed[i][0].key)
    groups: dict[str, ClaimGroup] = {}
    for r in reported:
        root = union.find(r.key)
        if root not in groups:
            digest = hashlib.sha256(f"{r.claim.predicate}|{r.claim.period}|{r.claim.value}|{root}".encode())
            groups[root] = ClaimGroup(f"g{digest.hexdigest()[:10]}", r.claim.predicate, r.claim.period,
                                      r.claim.value)
        groups[root].members.append(r)
    return list(groups.values())


def document_sources(documents: Iterable[tuple[int, str | None, str | None]],
                     links: Iterable[tuple[int, int]]) -> dict[int, str]:
    """Independence key of each document: copies (linked pairs), one outlet or one author are one source.

    ``documents`` are ``(id, outlet, author)``; ``links`` the duplicate/near-duplicate/paragraph pairs.
    """
    union = _Union()
    for doc_id, outlet, author in documents:
        union.find(f"d{doc_id}")
        if outlet:
            union.union(f"d{doc_id}", f"outlet:{_fold(outlet)}")
        if author:
            union.union(f"d{doc_id}", f"author:{_fold(author)}")
    for a, b in links:
        union.union(f"d{a}", f"d{b}")
    return {int(k[1:]): union.find(k) for k in list(union.parent) if k.startswith("d")}


def count_origins(groups: Iterable[ClaimGroup], sources: dict[int, str]) -> None:
    """Fill each group's independent origins: instances sharing a speaker or a source are one origin."""
    for group in groups:
        union = _Union()
        for r in group.members:
            union.find(r.key)
            speaker = speaker_key(r.claim.speaker)
            if speaker:
                union.union(r.key, f"speaker:{speaker}")
            union.union(r.key, f"source:{sources.get(r.document_id, f'd{r.document_id}')}")
        roots: dict[str, str] = {}
        for r in group.members:
            root = union.find(r.key)
            roots.setdefault(root, r.claim.speaker or r.outlet or f"document {r.document_id}")
        group.origins = sorted(roots.values())


def _range(group: ClaimGroup) -> tuple[float, float]:
    claim = group.members[0].claim
    value = group.value or 0.0
    return (claim.low if claim.low is not None else value, claim.high if claim.high is not None else value)


def _compatible(a: ClaimGroup, b: ClaimGroup) -> bool:
    """Numbers agree when within the tolerance or when one falls inside the other's stated range."""
    va, vb = a.value or 0.0, b.value or 0.0
    if abs(va - vb) <= VALUE_TOLERANCE * max(abs(va), abs(vb), 1e-9):
        return True
    (la, ha), (lb, hb) = _range(a), _range(b)
    return la <= vb <= ha or lb <= va <= hb


def flag_contradictions(groups: Sequence[ClaimGroup]) -> None:
    """Mark groups that contradict each other (numbers that disagree, or the same statement asserted and
    denied), with the reason; both sides stay, side by side."""
    by_topic: dict[tuple[str, str | None], list[ClaimGroup]] = defaultdict(list)
    for g in groups:
        if g.value is not None and g.period is not None:
            by_topic[(g.predicate, g.period)].append(g)
    for (predicate, period), topic in by_topic.items():
        for i, a in enumerate(topic):
            for b in topic[i + 1 : i + 50]:  # bounded: a topic rarely holds more than a few figures
                if _compatible(a, b):
                    continue
                reason = f"{predicate} for {period}: {a.value:g} against {b.value:g}"
                a.contradicts.append((b.id, reason))
                b.contradicts.append((a.id, reason))
    for g in groups:
        if {"asserts", "denies"} <= g.stances or {"estimates", "denies"} <= g.stances:
            g.contradicts.append((g.id, "the same statement is both asserted and denied"))


def weigh(reported: Sequence[Reported], documents: Iterable[tuple[int, str | None, str | None]] = (),
          links: Iterable[tuple[int, int]] = (), decisions: Iterable[GroupDecision] = ()) -> list[ClaimGroup]:
    """Group, apply reviewers' decisions, count independent origins and flag contradictions, in one call."""
    groups = group_claims(reported)
    apply_decisions(groups, decisions)
    count_origins(groups, document_sources(documents, links))
    flag_contradictions(groups)
    return groups
