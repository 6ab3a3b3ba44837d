"""Cross-document entity resolution: mentions in, entities with explained merges out. Pure: no I/O.

1. Per document, mentions of one type with one canonical name form a *local entity* (the extractor has already
   resolved "Wang" to "Wang Lijun" inside the document). Generic organisation names ("the Public Security
   Bureau") are qualified by an adjacent place ("... in Jinzhou") when the text gives one.
2. Blocking: local entities are grouped by name key (see :mod:`.names`) and shipped-gazetteer id, so work grows
   with the number of mentions, not its square. Inside a block each member is scored against the block's first
   member; fuzzy candidates come from a sorted neighbourhood over surname/token blocks.
3. Scoring: the name comparison plus context (co-mentioned entities, titles, organisations, years), each a
   :class:`~.names.Feature`. Merges happen automatically only at or above ``AUTO_MERGE``; pairs between
   ``REVIEW`` and that go to the review queue with their features.
4. Reviewer decisions (merge, split, reject) are keyed on names, not on row ids, so they survive
   re-extraction and re-resolution; a split or reject forbids the automatic merge, a merge forces it.

Mentions are never changed: the result links each mention id to an entity id beside it.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from organwatch.resolve.names import (
    Feature,
    compare_names,
    fold,
    gazetteer_id,
    has_han,
    is_generic_org,
    name_keys,
    org_tokens,
    place_key,
    romanise,
    script_of,
)
from organwatch.resolve.renames import read_renames
from organwatch.text.chinese import to_simplified

RESOLVER_VERSION = "0.1.0"
AUTO_MERGE = 0.95
REVIEW = 0.6
NAMESAKE = 0.9  # an exact name with nothing else in common: for a reviewer, never automatic
NEIGHBOURHOOD = 8  # fuzzy candidates: each key is compared with this many following keys in sorted order
ENTITY_TYPES = ("person", "organization", "place")
_TITLE = re.compile(
    r"\b(?:(?:vice |deputy |former )?(?:mayor|governor|minister|police chief|chief|director|secretary|surgeon|"
    r"president|chairman|judge|spokesman|spokesperson|lawyer|doctor|professor|head))\b|"
    r"(?:副?市长|副?省长|副?部长|局长|书记|主任|院长|医生|教授|律师|法官|发言人|主席|总理)", re.I)
_CN_ROLE_PREFIX = re.compile(r"^(?:时任|時任|曾任|原任|前任|现任|現任)")
_QUALIFIER = re.compile(r"^\s*(?:in|of|,)\s+(?:the\s+)?(?:city of\s+)?$", re.I)


@dataclass(frozen=True)
class MentionIn:
    """What resolution needs of a stored mention (works with dict rows and typed records alike)."""

    id: int
    document_id: int
    type: str
    text: str
    start: int
    end: int
    canonical: str | None
    value: Any = None


def mention_in(record: Any) -> MentionIn:
    """Adapt a stored mention (``StoredMention`` or a dict row with ``start_char``) to :class:`MentionIn`."""
    get = record.get if isinstance(record, Mapping) else lambda key, default=None: getattr(record, key, default)
    start: Any = get("start", None)
    end: Any = get("end", None)
    if start is None:
        start, end = get("start_char"), get("end_char")
    ident: Any = get("id")
    document: Any = get("document_id")
    return MentionIn(int(ident), int(document), str(get("type")), str(get("text")),
                     int(start), int(end), get("canonical"), get("value"))


@dataclass
class DocumentIn:
    """A document's text, language, date and stored mentions."""

    id: int
    text: str
    mentions: list[MentionIn]
    language: str | None = None
    date: str | None = None
    title: str | None = None


@dataclass
class LocalEntity:
    """One actor as one document names it: all its mentions there, its names, and its context."""

    document_id: int
    type: str
    name: str
    mention_ids: list[int] = field(default_factory=list)
    surfaces: Counter[str] = field(default_factory=Counter)
    spans: list[tuple[int, int]] = field(default_factory=list)
    keys: frozenset[str] = frozenset()
    gazetteer: str | None = None
    partial: bool = False
    context: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    years: set[str] = field(default_factory=set)
    renamed: set[str] = field(default_factory=set)  # names of this document's locals it was renamed from or to
    valid_from: str | None = None  # stated in this document: the name holds from this date ...
    valid_to: str | None = None  # ... or until this one

    @property
    def identity(self) -> str:
        """How reviewer decisions name this actor: type and simplified, case-folded name."""
        return identity(self.type, self.name)

    @property
    def document_identity(self) -> str:
        """How a decision names this actor in one document only (``person:wang jun@12``)."""
        return f"{self.identity}@{self.document_id}"

    def block_id(self) -> str:
        """The one key that stands for this actor in other actors' context."""
        return self.gazetteer or (min(self.keys) if self.keys else fold(self.name))


@functools.lru_cache(maxsize=100_000)
def identity(kind: str, name: str) -> str:
    """Decision key for a name: ``person:王立军`` and ``person:王立軍`` are one, "Wang Lijun" another."""
    return f"{kind}:{to_simplified(name).casefold().strip()}"


@dataclass
class Alias:
    """One name of an entity, with its script, romanisation and (when a source states them) validity dates."""

    name: str
    script: str
    romanisation: str | None
    count: int
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass
class Entity:
    """A resolved actor: its local entities across documents, names and schema."""

    id: str
    type: str
    schema: str
    name: str
    locals: list[LocalEntity]
    aliases: list[Alias]

    @property
    def document_ids(self) -> list[int]:
        return sorted({loc.document_id for loc in self.locals})


@dataclass
class Suggestion:
    """A possible merge for a reviewer, with the features that argue for and against it."""

    a: str
    b: str
    score: float
    features: list[Feature]


@dataclass
class Decision:
    """A reviewer's decision: ``merge`` forces names together, ``split`` (unmerge or reject) keeps them apart."""

    kind: str
    a: list[str]
    b: list[str]
    seq: int = 0


@dataclass
class Resolution:
    """Everything one run of resolution produced."""

    entities: dict[str, Entity]
    local_entity: dict[tuple[int, str, str], str]  # (document, type, local name) → entity id
    suggestions: list[Suggestion]
    links: list[tuple[int, str, str, float]]  # (mention id, entity id, method, score)

    def entity_of(self, document_id: int, kind: str, name: str) -> str | None:
        return self.local_entity.get((document_id, kind, name))


def _qualified_name(doc: DocumentIn, mention: MentionIn, places: list[MentionIn]) -> str:
    """A generic organisation named with an adjacent place: "Public Security Bureau" + "in Jinzhou"."""
    name = _CN_ROLE_PREFIX.sub("", mention.canonical or mention.text)
    if mention.type != "organization":
        return name
    tokens = set(org_tokens(name))
    for place in places:
        if place_key(place.canonical or place.text) in tokens or (place.canonical or place.text) in name:
            continue
        between = doc.text[mention.end : place.start]
        if 0 <= place.start - mention.end <= 16 and _QUALIFIER.match(between):
            return f"{name} in {place.canonical or place.text}"
        if 0 <= mention.start - place.end <= 1 and not doc.text[place.end : mention.start].strip():
            return f"{place.canonical or place.text} {name}"
    return name


def local_entities(doc: DocumentIn) -> list[LocalEntity]:
    """Group a document's person/organisation/place mentions into local entities with their context."""
    places = [m for m in doc.mentions if m.type == "place"]
    found: dict[tuple[str, str], LocalEntity] = {}
    for mention in doc.mentions:
        if mention.type not in ENTITY_TYPES:
            continue
        name = _qualified_name(doc, mention, places).strip()
        if not name:
            continue
        local = found.get((mention.type, name))
        if local is None:
            local = found[(mention.type, name)] = LocalEntity(doc.id, mention.type, name)
        local.mention_ids.append(mention.id)
        local.surfaces[mention.text] += 1
        local.spans.append((mention.start, mention.end))
    dated = [(m.start, str(m.canonical or m.value or "")[:4]) for m in doc.mentions if m.type == "date"
             and re.match(r"\d{4}", str(m.canonical or m.value or ""))]
    paragraphs = _paragraph_starts(doc.text)
    locals_ = list(found.values())
    for local in locals_:
        local.keys = name_keys(local.name, local.type)
        local.gazetteer = gazetteer_id(local.name, local.type)
        if local.gazetteer is None and local.type == "organization" and " in " in local.name:
            # "Ruijin Hospital in Shanghai": the place completes the name, the body is still the one the
            # gazetteer knows.
            local.gazetteer = gazetteer_id(local.name.rsplit(" in ", 1)[0], local.type)
        if local.type == "person":
            tokens = [t for k in local.keys for t in k.split()]
            single_latin = not has_han(local.name) and len(fold(local.name).split()) < 2
            local.partial = local.gazetteer is None and (single_latin or not tokens or len(local.name) < 2)
        elif local.type == "organization":
            local.partial = local.gazetteer is None and is_generic_org(local.name)
        for start, end in local.spans[:20]:
            window = doc.text[max(0, start - 60) : end + 60]
            local.titles.update(t.lower() for t in _TITLE.findall(window))
        local.years = {year for start, year in dated if _paragraph(paragraphs, start) in _paragraphs_of(
            paragraphs, local)}
    # Context is what shares a paragraph with the actor: two namesakes in one document stay told apart.
    blocks = [(loc, loc.block_id(), _paragraphs_of(paragraphs, loc)) for loc in locals_ if not loc.partial]
    for local in locals_:
        mine = _paragraphs_of(paragraphs, local)
        local.context = {block for other, block, theirs in blocks if other is not local and mine & theirs}
    by_name = {loc.name: loc for loc in locals_ if loc.type == "organization"}
    for rename in read_renames(doc, locals_):
        before, after = by_name[rename.old], by_name[rename.new]
        before.renamed.add(after.name)
        after.renamed.add(before.name)
        if rename.date:
            before.valid_to = rename.date
            after.valid_from = rename.date
    return locals_


def _paragraph_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\n\s*\n|\n", text)]


def _paragraph(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def _paragraphs_of(starts: list[int], local: LocalEntity) -> set[int]:
    return {_paragraph(starts, start) for start, _ in local.spans}


class _Clusters:
    """Union-find over local entities that refuses unions a reviewer split."""

    def __init__(self, locals_: list[LocalEntity], cannot: dict[str, set[str]]) -> None:
        self.parent = list(range(len(locals_)))
        self.cannot = cannot
        self.ids: dict[int, set[str]] = {i: {key for key in (loc.identity, loc.document_identity) if key in cannot}
                                         for i, loc in enumerate(locals_)}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def blocked(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        ids_b = self.ids[rb]
        return any(self.cannot.get(x, set()) & ids_b for x in self.ids[ra])

    def union(self, a: int, b: int, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and self.blocked(ra, rb):
            return False
        if len(self.ids[ra]) < len(self.ids[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.ids[ra] |= self.ids.pop(rb)
        return True


def decision_pairs(decisions: Iterable[Decision]) -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    """The latest decision per pair of names: cannot-links (split) and must-links (merge)."""
    state: dict[frozenset[str], str] = {}
    for decision in sorted(decisions, key=lambda d: d.seq):
        for a in decision.a:
            for b in decision.b:
                if a != b:
                    state[frozenset((a, b))] = decision.kind
    cannot: dict[str, set[str]] = defaultdict(set)
    must: list[tuple[str, str]] = []
    for pair, kind in state.items():
        a, b = sorted(pair)
        if kind == "merge":
            must.append((a, b))
        else:
            cannot[a].add(b)
            cannot[b].add(a)
    return cannot, must


def score_pair(a: LocalEntity, b: LocalEntity) -> tuple[float, list[Feature]]:
    """Name similarity plus context, each feature explained. Exact name keys are the only route to 1.0."""
    if a.type != b.type:
        return 0.0, [Feature("type", 0.0, f"{a.type} vs {b.type}")]
    match = compare_names(a.name, b.name, a.type)
    features = list(match.features)
    score = match.score
    shared = a.context & b.context
    union = a.context | b.context
    if union:
        jac = len(shared) / len(union)
        listed = ", ".join(sorted(shared)[:4])
        features.append(Feature("co-mentioned", jac, f"{len(shared)} shared co-mentioned entities"
                                                     + (f" ({listed})" if listed else "")))
        if 0.5 <= score < 1.0 and shared:
            score = min(0.9, score + 0.05 * min(len(shared), 3))  # context supports, never alone reaches auto
    if a.titles and b.titles:
        common = a.titles & b.titles
        differ = f"titles differ ({', '.join(sorted(a.titles)[:3])} / {', '.join(sorted(b.titles)[:3])})"
        features.append(Feature("titles", 1.0 if common else 0.0,
                                f"shared titles: {', '.join(sorted(common))}" if common else differ))
    if a.years and b.years:
        common_years = a.years & b.years
        features.append(Feature("dates", 1.0 if common_years else 0.0,
                                f"years in common: {', '.join(sorted(common_years)[:5])}" if common_years else
                                "no year in common"))
    known = a.gazetteer is not None and a.gazetteer == b.gazetteer  # a public figure the gazetteer names
    if (a.type == "person" and a.document_id != b.document_id and score >= AUTO_MERGE and not known
            and not (shared or (a.titles & b.titles) or (a.years & b.years))):
        features.append(Feature("namesake", 0.0, "same name in unrelated contexts: no co-mentioned person, "
                                                 "organisation or place, no title and no year in common"))
        score = min(score, NAMESAKE)
    if a.partial or b.partial:
        features.append(Feature("name", 0.0, "a partial or generic name (one word, or an office without its "
                                             "place) is linked within its document only"))
        score = min(score, 0.5)
    return round(score, 3), features


def _fuzzy_blocks(local: LocalEntity) -> Iterator[str]:
    for key in local.keys:
        tokens = key.split()
        if local.type == "person" and len(tokens) == 2:
            yield f"p|{tokens[0]}|{tokens[1][:1]}"
            yield f"p|{tokens[1]}|{tokens[0][:1]}"
        elif local.type == "organization":
            for token in tokens:
                if len(token) > 3:
                    yield f"o|{token}"
        else:
            yield f"{local.type[0]}|{key[:3]}"


def resolve(documents: Iterable[DocumentIn], decisions: Iterable[Decision] = ()) -> Resolution:
    """Resolve the mentions of many documents into entities (see the module docstring for the stages)."""
    locals_: list[LocalEntity] = []
    for doc in documents:
        locals_.extend(local_entities(doc))
    cannot, must = decision_pairs(decisions)
    clusters, groups, misses = cluster(locals_, cannot, must)
    entities: dict[str, Entity] = {}
    local_entity: dict[tuple[int, str, str], str] = {}
    links: list[tuple[int, str, str, float]] = []
    root_entity: dict[int, str] = {}
    for root, members in groups.items():
        entity = entity_of_members([locals_[i] for i in members], entities.__contains__)
        entities[entity.id] = entity
        root_entity[root] = entity.id
        for loc in entity.locals:
            local_entity[(loc.document_id, loc.type, loc.name)] = entity.id
            links.extend((mid, entity.id, link_method(len(members)), 1.0) for mid in loc.mention_ids)
    suggestions = _suggest(locals_, clusters, root_entity)
    seen = {(x.a, x.b) for x in suggestions}
    extra = near_misses(locals_, misses, lambda i: root_entity[clusters.find(i)], cannot)
    suggestions = sorted(suggestions + [x for x in extra if (x.a, x.b) not in seen], key=lambda x: (-x.score, x.a))
    return Resolution(entities, local_entity, suggestions, links)


def link_method(members: int) -> str:
    """How a mention came to its entity: alone, or merged with other documents' names."""
    return "resolve:single" if members == 1 else "resolve:merged"


def cluster(locals_: list[LocalEntity], cannot: dict[str, set[str]],
            must: list[tuple[str, str]]) -> tuple[_Clusters, dict[int, list[int]], list[tuple[int, int]]]:
    """Union local entities inside exact-key blocks (score at or above ``AUTO_MERGE``) and by reviewers' merges.

    Returns the union-find, its groups (root index → member indexes) and the near misses (pairs scored for
    review but left apart, such as namesakes). Callers that resolve a part of a case pass one connected block
    at a time: nothing outside it could merge with it. Two different names in Chinese characters never merge
    automatically, even through a shared romanisation (王军 and 王君 are both "Wang Jun").
    """
    cannot = _han_apart(locals_, cannot)
    clusters = _Clusters(locals_, cannot)
    by_identity: dict[str, list[int]] = defaultdict(list)
    for i, loc in enumerate(locals_):
        by_identity[loc.identity].append(i)
        by_identity[loc.document_identity].append(i)
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, loc in enumerate(locals_):
        for key in sorted(exact_keys(loc)):  # sorted: the same order in every process, whatever its hash seed
            blocks[key].append(i)
    near: dict[tuple[int, int], None] = {}
    for members in blocks.values():
        # Each member against one representative per name (and per namesake cluster) met so far.
        reps: list[int] = []
        for i in members:
            merged = False
            for j in reps[-NEIGHBOURHOOD:]:
                if clusters.find(i) == clusters.find(j):
                    merged = True
                    break
                score, _ = score_pair(locals_[j], locals_[i])
                if score >= AUTO_MERGE and clusters.union(j, i):
                    merged = True
                    break
                if score >= REVIEW:
                    near[(j, i)] = None
            if not merged:
                reps.append(i)
    by_local = {(loc.document_id, loc.name): i for i, loc in enumerate(locals_)}
    for i, loc in enumerate(locals_):
        for other in loc.renamed:  # the source says so; a reviewer's split still wins
            partner = by_local.get((loc.document_id, other))
            if partner is not None:
                clusters.union(i, partner)
    for a, b in must:
        for i in by_identity.get(a, [])[:1]:
            for j in by_identity.get(b, [])[:1]:
                clusters.union(i, j, force=True)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(locals_)):
        groups[clusters.find(i)].append(i)
    # In index order, so a block resolved in parts (on a cluster) lists its near misses as it would whole.
    misses = sorted((i, j) for i, j in near if clusters.find(i) != clusters.find(j))
    return clusters, groups, misses


def _han_apart(locals_: list[LocalEntity], cannot: dict[str, set[str]]) -> dict[str, set[str]]:
    """Cannot-links between different names in Chinese characters that share a name key."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for loc in locals_:
        if loc.type == "person" and has_han(loc.name) and not loc.partial:
            for key in loc.keys:
                by_key[key].add(loc.identity)
    extra = {k: set(v) for k, v in cannot.items()}
    for names in by_key.values():
        if len(names) > 1:
            for a in names:
                extra.setdefault(a, set()).update(names - {a})
    return extra


def near_misses(locals_: list[LocalEntity], misses: list[tuple[int, int]], entity_of: Any,
                cannot: dict[str, set[str]]) -> list[Suggestion]:
    """Review suggestions from the pairs a block left apart (``entity_of(index)`` gives the entity id)."""
    return suggestions_of(score_misses(locals_, misses, cannot), entity_of)


ScoredMiss = tuple[int, int, float, list[Feature]]


def score_misses(locals_: list[LocalEntity], misses: list[tuple[int, int]],
                 cannot: dict[str, set[str]]) -> list[ScoredMiss]:
    """The near misses a reviewer has not already kept apart, each scored (the costly half of
    :func:`near_misses`, which needs no entity ids)."""
    scored: list[ScoredMiss] = []
    for i, j in misses:
        if locals_[j].identity in cannot.get(locals_[i].identity, set()) or locals_[j].document_identity \
                in cannot.get(locals_[i].document_identity, set()) | cannot.get(locals_[i].identity, set()):
            continue
        score, features = score_pair(locals_[i], locals_[j])
        scored.append((i, j, score, features))
    return scored


def suggestions_of(scored: Iterable[ScoredMiss], entity_of: Any) -> list[Suggestion]:
    """One suggestion per pair of entities (``entity_of(index)`` gives the entity id), the best score kept."""
    found: dict[tuple[str, str], Suggestion] = {}
    for i, j, score, features in scored:
        a, b = sorted((entity_of(i), entity_of(j)))
        if a == b:
            continue
        if (a, b) not in found or found[(a, b)].score < score:
            found[(a, b)] = Suggestion(a, b, score, features)
    return list(found.values())


def exact_keys(local: LocalEntity) -> set[str]:
    """The blocks a local entity is compared in: its type with each name key (and its gazetteer id)."""
    if local.partial:
        return set()
    keys = {local.gazetteer} | set(local.keys) if local.gazetteer else set(local.keys)
    found = {f"{local.type}|{key}" for key in keys}
    for other in local.renamed:  # a stated rename joins the two names' blocks
        found.add(f"rename|{local.document_id}|{'|'.join(sorted((local.name, other)))}")
    return found


def fuzzy_keys(local: LocalEntity) -> set[str]:
    """The neighbourhoods a local entity is suggested for review in (prefixed ``~``)."""
    return {f"~{block}" for block in _fuzzy_blocks(local)}


def entity_of_members(member_locals: list[LocalEntity], taken: Any) -> Entity:
    """An entity from its local entities, with an id no other entity has (``taken(id)`` tells)."""
    return unique_entity(_entity(member_locals), taken)


def draft_entity(member_locals: list[LocalEntity]) -> Entity:
    """An entity from its local entities, its id not yet checked against the others (see :func:`unique_entity`)."""
    return _entity(member_locals)


def unique_entity(entity: Entity, taken: Any) -> Entity:
    """Give ``entity`` an id no other entity has: two namesake clusters kept apart still get distinct ids."""
    if taken(entity.id):
        base = f"{entity.id}-{min(loc.document_id for loc in entity.locals)}"
        entity.id, n = base, 1
        while taken(entity.id):
            n += 1
            entity.id = f"{base}-{n}"
    return entity


def local_to_json(local: LocalEntity) -> str:
    """What the stage keeps of a local entity so its block can be resolved again without the document."""
    return json.dumps({"m": local.mention_ids, "s": dict(local.surfaces), "k": sorted(local.keys),
                       "g": local.gazetteer, "p": local.partial, "c": sorted(local.context),
                       "t": sorted(local.titles), "y": sorted(local.years), "sp": local.spans[:20],
                       "r": sorted(local.renamed), "vf": local.valid_from, "vt": local.valid_to},
                      ensure_ascii=False, separators=(",", ":"))


def local_from_json(document_id: int, kind: str, name: str, data: str) -> LocalEntity:
    """The inverse of :func:`local_to_json`."""
    d = json.loads(data)
    return LocalEntity(document_id, kind, name, list(d["m"]), Counter(d["s"]), [tuple(s) for s in d["sp"]],
                       frozenset(d["k"]), d["g"], bool(d["p"]), set(d["c"]), set(d["t"]), set(d["y"]),
                       set(d.get("r", ())), d.get("vf"), d.get("vt"))


def _suggest(locals_: list[LocalEntity], clusters: _Clusters, root_entity: dict[int, str]) -> list[Suggestion]:
    """Review candidates: sorted neighbourhood inside fuzzy blocks, one suggestion per entity pair."""
    fuzzy: dict[str, dict[str, int]] = defaultdict(dict)
    for i, loc in enumerate(locals_):
        for block in _fuzzy_blocks(loc):
            fuzzy[block].setdefault(loc.name, i)  # one representative per distinct name
    best: dict[tuple[str, str], Suggestion] = {}
    for names in fuzzy.values():
        if len(names) < 2:
            continue
        members = sorted(names.items())
        for pos, (_, i) in enumerate(members):
            for _, j in members[pos + 1 : pos + 1 + NEIGHBOURHOOD]:
                ri, rj = clusters.find(i), clusters.find(j)
                if ri == rj or clusters.blocked(ri, rj):
                    continue
                a, b = sorted((root_entity[ri], root_entity[rj]))
                score, features = score_pair(locals_[i], locals_[j])
                if score < REVIEW or (score >= AUTO_MERGE and not (locals_[i].partial or locals_[j].partial)):
                    continue
                if (a, b) not in best or best[(a, b)].score < score:
                    best[(a, b)] = Suggestion(a, b, score, features)
    return sorted(best.values(), key=lambda s: (-s.score, s.a, s.b))


def schema_of(kind: str, names: Iterable[str]) -> str:
    """The FollowTheMoney schema for an entity type (public bodies told apart by their names)."""
    if kind == "person":
        return "Person"
    if kind == "place":
        return "Address"
    public = re.compile(r"bureau|ministry|committee|government|court|office|council|commission|department|"
                        r"consulate|embassy|party|politburo|procuratorate|police|局|部|委|政府|法院|办公室|领事馆|党",
                        re.I)
    return "PublicBody" if any(public.search(n) for n in names) else "Organization"


def _entity(member_locals: list[LocalEntity]) -> Entity:
    kind = member_locals[0].type
    counts: Counter[str] = Counter()
    for loc in member_locals:
        counts[loc.name] += sum(loc.surfaces.values())
        for surface, n in loc.surfaces.items():
            # "Wang" alone is a reference, not a name of the entity; "王立軍" and "Wang Li-jun" are names.
            if surface != loc.name and (loc.type != "person" or has_han(surface) or len(fold(surface).split()) > 1):
                counts[surface] += n
    identities = sorted(loc.identity for loc in member_locals)
    entity_id = f"{kind[:3]}-" + hashlib.sha1(identities[0].encode()).hexdigest()[:10]
    latin = [n for n, _ in counts.most_common() if script_of(n) == "Latin" and not any(
        loc.partial for loc in member_locals if loc.name == n)]
    display = latin[0] if latin else counts.most_common(1)[0][0] if counts else member_locals[0].name
    valid_from: dict[str, str] = {}
    valid_to: dict[str, str] = {}
    for loc in member_locals:  # the earliest stated start and the latest stated end of each name
        if loc.valid_from and (loc.name not in valid_from or loc.valid_from < valid_from[loc.name]):
            valid_from[loc.name] = loc.valid_from
        if loc.valid_to and (loc.name not in valid_to or loc.valid_to > valid_to[loc.name]):
            valid_to[loc.name] = loc.valid_to
    aliases = [Alias(name, script_of(name), romanise(name) if has_han(name) else None, n, valid_from.get(name),
                     valid_to.get(name)) for name, n in counts.most_common()]
    return Entity(entity_id, kind, schema_of(kind, counts), display, member_locals, aliases)
