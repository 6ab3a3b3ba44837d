"""Entity resolution on PostgreSQL, in the same tables as on SQLite: entities, aliases by script, mention
links, relations, events, merge suggestions and reviewer decisions (tables of the ``entities`` area). The
resolution stage keeps each document's local entities with their name keys and re-resolves only the blocks
new documents touch; decisions are only appended. Name keys compare byte-wise (``COLLATE "C"``), as on SQLite."""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from organwatch.resolve.merge import (
    Decision,
    Entity,
    LocalEntity,
    Suggestion,
    exact_keys,
    fuzzy_keys,
    link_method,
    local_from_json,
    local_to_json,
)
from organwatch.resolve.relations import Relation
from organwatch.resolve.timeline import EventReport
from organwatch.store.base import EntitiesWriter

Connection = Any  # psycopg.Connection[Row]

_CHUNK = 500  # ids per IN (...) list: bounded statements, as on SQLite


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _marks(chunk: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(chunk))


class PostgresEntities(EntitiesWriter):
    """Entities, their links and the reviewers' decisions over one PostgreSQL connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql, rows)

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM entities").fetchone()[0])

    def linked_mentions(self) -> list[tuple[int, int, str]]:
        rows = self.conn.execute(
            "SELECT m.document_id, m.start_char, l.entity_id FROM mention_links l JOIN mentions m "
            "ON m.id = l.mention_id ORDER BY m.document_id, m.start_char"
        )
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    def decisions(self) -> list[Decision]:
        """Reviewer decisions in the order they were logged."""
        rows = self.conn.execute("SELECT * FROM resolution_decisions ORDER BY seq").fetchall()
        return [Decision(r["kind"], json.loads(r["a"]), json.loads(r["b"]), r["seq"]) for r in rows]

    def write_decision(self, seq: int, decision: Decision, reason: str) -> None:
        """Record a reviewer's merge or split (already logged as an evidence event with this seq)."""
        self.conn.execute(
            "INSERT INTO resolution_decisions (seq, kind, a, b, reason) VALUES (%s, %s, %s, %s, %s)",
            (
                seq,
                decision.kind,
                json.dumps(decision.a, ensure_ascii=False),
                json.dumps(decision.b, ensure_ascii=False),
                reason,
            ),
        )

    # -- the resolution stage ----------------------------------------------------------------------------

    def unresolved_documents(self, version: str) -> list[int]:
        """Documents with stored text whose local entities are missing or from another resolver version."""
        rows = self.conn.execute(
            "SELECT d.id FROM documents d LEFT JOIN resolution_documents r ON r.document_id = d.id "
            "WHERE d.status = 'ok' AND (r.document_id IS NULL OR r.resolver_version != %s) ORDER BY d.id",
            (version,),
        )
        return [int(r[0]) for r in rows]

    def reset_resolution(self) -> None:
        """Forget every derived row (a full run follows); reviewer decisions stay."""
        for table in ("merge_suggestions", "entity_events", "entity_relations", "mention_links", "entity_aliases",
                      "resolution_keys", "resolution_locals", "resolution_documents", "entities"):
            self.conn.execute(f"DELETE FROM {table}")

    def replace_document(
        self,
        document_id: int,
        locals_: list[LocalEntity],
        relations: list[Relation],
        version: str,
        at: str,
    ) -> tuple[list[int], set[str]]:
        """Replace a document's local entities and relations (its events go too: :meth:`add_events` follows);
        return the new local ids and the entities the old locals belonged to (their blocks must be resolved
        again)."""
        old = {
            str(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT entity_id FROM resolution_locals WHERE document_id = %s AND entity_id IS NOT NULL",
                (document_id,),
            )
        }
        self.conn.execute("DELETE FROM entity_events WHERE document_id = %s", (document_id,))
        self.conn.execute("DELETE FROM entity_relations WHERE document_id = %s", (document_id,))
        self.conn.execute("DELETE FROM resolution_locals WHERE document_id = %s", (document_id,))
        ids: list[int] = []
        by_name: dict[tuple[str, str], int] = {}
        for local in locals_:
            local_id = int(self.conn.execute(
                "INSERT INTO resolution_locals (document_id, type, name, identity, data) VALUES (%s, %s, %s, %s, %s) "
                "RETURNING id",
                (document_id, local.type, local.name, local.identity, local_to_json(local)),
            ).fetchone()[0])
            ids.append(local_id)
            by_name[(local.type, local.name)] = local_id
            self._many(
                "INSERT INTO resolution_keys (key, local_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [(key, local_id) for key in exact_keys(local) | fuzzy_keys(local)],
            )
        self._many(
            "INSERT INTO entity_relations (schema, subject_local, object_local, position, role, start_date, "
            "end_date, document_id, start_char, end_char, quote, method) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (r.schema, by_name[r.subject], by_name.get(r.object) if r.object else None, r.position, r.role,
                 r.start_date, r.end_date, document_id, r.start, r.end, r.text, r.method)
                for r in relations
                if r.subject in by_name
            ],
        )
        self.conn.execute(
            "INSERT INTO resolution_documents (document_id, resolver_version, resolved_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (document_id) DO UPDATE SET resolver_version = excluded.resolver_version, "
            "resolved_at = excluded.resolved_at",
            (document_id, version, at),
        )
        return ids, old

    def add_events(self, document_id: int, events: list[EventReport]) -> None:
        """Store a document's events; their actors are local entity ids (mapped to entities by the block write)."""
        self._many(
            "INSERT INTO entity_events (date, precision, kind, actor_locals, actors, document_id, start_char, "
            "end_char, quote) VALUES (%s, %s, %s, %s, '[]', %s, %s, %s, %s)",
            [(e.date, e.precision, e.kind, json.dumps([int(a) for a in e.actors]), document_id, e.start, e.end,
              e.text) for e in events],
        )

    def local_ids_of(self, identities: set[str]) -> list[int]:
        """Local entities named by these decision keys."""
        found: list[int] = []
        for chunk in _chunks(sorted(identities)):
            found.extend(int(r[0]) for r in self.conn.execute(
                f"SELECT id FROM resolution_locals WHERE identity IN ({_marks(chunk)})", chunk))
        return found

    def block_closure(self, seeds: set[int], entities: set[str], must: list[tuple[str, str]]) -> list[int]:
        """Every local entity that could merge with the seeds: the connected part of the key graph (exact keys,
        current entities, reviewers' merges) around them. Only this part needs resolving again."""
        partners: dict[str, set[str]] = {}
        for a, b in must:
            partners.setdefault(a, set()).add(b)
            partners.setdefault(b, set()).add(a)
        seen: set[int] = set(seeds)
        seen_keys: set[str] = set()
        seen_entities: set[str] = set()
        frontier = set(seeds)
        new_entities = set(entities)
        while frontier or new_entities:
            found: set[int] = set()
            for chunk in _chunks(sorted(new_entities - seen_entities)):
                found.update(int(r[0]) for r in self.conn.execute(
                    f"SELECT id FROM resolution_locals WHERE entity_id IN ({_marks(chunk)})", chunk))
            seen_entities |= new_entities
            keys: set[str] = set()
            named: set[str] = set()
            for chunk in _chunks(sorted(frontier)):
                for row in self.conn.execute(
                    f"SELECT key FROM resolution_keys WHERE local_id IN ({_marks(chunk)}) AND key < '~'", chunk):
                    keys.add(str(row[0]))
                for row in self.conn.execute(
                    f"SELECT identity, entity_id FROM resolution_locals WHERE id IN ({_marks(chunk)})", chunk):
                    named |= partners.get(str(row[0]), set())
                    if row[1] is not None and row[1] not in seen_entities:
                        new_entities.add(str(row[1]))
            new_entities -= seen_entities
            keys -= seen_keys
            seen_keys |= keys
            for chunk in _chunks(sorted(keys)):
                found.update(int(r[0]) for r in self.conn.execute(
                    f"SELECT local_id FROM resolution_keys WHERE key IN ({_marks(chunk)})", chunk))
            found.update(self.local_ids_of(named))
            frontier = found - seen
            seen |= frontier
        return sorted(seen)

    def components(self) -> Iterator[list[int]]:
        """Connected parts of the whole key graph (for a full run), smallest local id first in each.

        Union-find over integer arrays fed by one ordered scan of the keys: memory grows with the number of
        local entities (a few bytes each), never with the number of pairs.
        """
        top = int(self.conn.execute("SELECT coalesce(max(id), 0) FROM resolution_locals").fetchone()[0])
        parent = array("q", range(top + 1))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        previous_key, previous_root = None, 0
        for key, local_id in self.conn.execute(
                "SELECT key, local_id FROM resolution_keys WHERE key < '~' ORDER BY key"):
            if key == previous_key:
                a, b = find(previous_root), find(int(local_id))
                if a != b:
                    parent[max(a, b)] = min(a, b)
            previous_key, previous_root = key, int(local_id)
        roots = array("q", (find(i) for i in range(top + 1)))
        exists = bytearray(top + 1)
        for (local_id,) in self.conn.execute("SELECT id FROM resolution_locals"):
            exists[int(local_id)] = 1
        order = sorted((i for i in range(top + 1) if exists[i]), key=roots.__getitem__)
        group: list[int] = []
        for i in order:
            if group and roots[group[0]] != roots[i]:
                yield group
                group = []
            group.append(i)
        if group:
            yield group

    def load_locals(self, local_ids: list[int]) -> list[tuple[int, LocalEntity, str | None]]:
        """Local entities by id, with the entity each resolved to last time."""
        found = []
        for chunk in _chunks(local_ids):
            for r in self.conn.execute(
                    f"SELECT id, document_id, type, name, data, entity_id FROM resolution_locals "
                    f"WHERE id IN ({_marks(chunk)})", chunk):
                found.append((int(r[0]), local_from_json(int(r[1]), r[2], r[3], r[4]), r[5]))
        found.sort(key=lambda item: item[0])
        return found

    def entity_exists(self, entity_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM entities WHERE id = %s", (entity_id,)).fetchone() is not None

    def write_block(self, members: list[tuple[int, LocalEntity, Entity]], old: set[str], version: str) -> None:
        """Write the entities one block resolved to (``members``: local id and its entity) and drop the block's
        former entities that no longer exist; relations and events citing the block are remapped."""
        entities = {entity.id: entity for _, _, entity in members}
        self._many(
            "INSERT INTO entities (id, type, schema, name, resolver_version) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET type = excluded.type, schema = excluded.schema, name = excluded.name, "
            "resolver_version = excluded.resolver_version",
            [(e.id, e.type, e.schema, e.name, version) for e in entities.values()],
        )
        stale = sorted(set(old) | set(entities))
        for chunk in _chunks(stale):
            self.conn.execute(f"DELETE FROM entity_aliases WHERE entity_id IN ({_marks(chunk)})", chunk)
            self.conn.execute(
                f"DELETE FROM merge_suggestions WHERE a IN ({_marks(chunk)}) OR b IN ({_marks(chunk)})", chunk + chunk)
        self._many(
            "INSERT INTO entity_aliases (entity_id, name, script, romanisation, mentions, valid_from, "
            "valid_to) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(e.id, a.name, a.script, a.romanisation, a.count, a.valid_from, a.valid_to)
             for e in entities.values() for a in e.aliases],
        )
        self._many("UPDATE resolution_locals SET entity_id = %s WHERE id = %s",
                              [(entity.id, local_id) for local_id, _, entity in members])
        links: list[tuple[int, str, str, float]] = []
        for _, loc, entity in members:
            method = link_method(len(entity.locals))
            links.extend((mid, entity.id, method, 1.0) for mid in loc.mention_ids)
        self._many(
            "INSERT INTO mention_links (mention_id, entity_id, method, score) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (mention_id) DO UPDATE SET entity_id = excluded.entity_id, method = excluded.method, "
            "score = excluded.score", links)
        ids = [local_id for local_id, _, _ in members]
        for chunk in _chunks(ids):
            marks = _marks(chunk)
            self.conn.execute(
                "UPDATE entity_relations SET subject = (SELECT entity_id FROM resolution_locals WHERE id = "
                f"subject_local) WHERE subject_local IN ({marks})", chunk)
            self.conn.execute(
                "UPDATE entity_relations SET object = (SELECT entity_id FROM resolution_locals WHERE id = "
                f"object_local) WHERE object_local IN ({marks})", chunk)
        documents = sorted({loc.document_id for e in entities.values() for loc in e.locals})
        mapping = {local_id: entity.id for local_id, _, entity in members}
        for chunk in _chunks(documents):
            rows = self.conn.execute(
                f"SELECT id, actor_locals, actors FROM entity_events WHERE document_id IN ({_marks(chunk)})",
                chunk).fetchall()
            updates = []
            for row in rows:
                local_ids = json.loads(row[1])
                if not any(i in mapping for i in local_ids):
                    continue
                actors = sorted({mapping.get(i) or self._entity_of_local(i) or "" for i in local_ids} - {""})
                updates.append((json.dumps(actors), row[0]))
            self._many("UPDATE entity_events SET actors = %s WHERE id = %s", updates)
        gone = sorted(set(old) - set(entities))
        for chunk in _chunks(gone):
            self.conn.execute(f"DELETE FROM entities WHERE id IN ({_marks(chunk)})", chunk)

    def _entity_of_local(self, local_id: int) -> str | None:
        row = self.conn.execute("SELECT entity_id FROM resolution_locals WHERE id = %s", (local_id,)).fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def fuzzy_keys_of(self, local_ids: list[int]) -> list[str]:
        """The review neighbourhoods these local entities sit in."""
        keys: set[str] = set()
        for chunk in _chunks(local_ids):
            keys.update(str(r[0]) for r in self.conn.execute(
                f"SELECT key FROM resolution_keys WHERE local_id IN ({_marks(chunk)}) AND key >= '~'", chunk))
        return sorted(keys)

    def all_fuzzy_keys(self) -> Iterator[str]:
        for (key,) in self.conn.execute("SELECT DISTINCT key FROM resolution_keys WHERE key >= '~' ORDER BY key"):
            yield str(key)

    def fuzzy_block(self, key: str) -> list[tuple[str, int, str]]:
        """One neighbourhood: each distinct name once (its first local entity) with its entity, in name order."""
        rows = self.conn.execute(
            "SELECT DISTINCT ON (l.name) l.name, l.id, l.entity_id FROM resolution_keys k JOIN resolution_locals l "
            "ON l.id = k.local_id WHERE k.key = %s ORDER BY l.name, l.id", (key,))
        return [(str(r[0]), int(r[1]), str(r[2])) for r in rows if r[2] is not None]

    def identities_in(self, entity_id: str) -> set[str]:
        return {str(r[0]) for r in self.conn.execute(
            "SELECT DISTINCT identity FROM resolution_locals WHERE entity_id = %s", (entity_id,))}

    def write_suggestions(self, suggestions: list[Suggestion]) -> None:
        """Add review suggestions, keeping the best score per pair."""
        self._many(
            "INSERT INTO merge_suggestions (a, b, score, features) VALUES (%s, %s, %s, %s) ON CONFLICT (a, b) DO "
            "UPDATE SET score = excluded.score, features = excluded.features "
            "WHERE excluded.score > merge_suggestions.score",
            [(s.a, s.b, s.score, json.dumps([f.to_dict() for f in s.features], ensure_ascii=False))
             for s in suggestions],
        )

    def entities(self, kind: str | None = None) -> list[dict[str, Any]]:
        query = (
            "SELECT e.*, (SELECT count(*) FROM mention_links l WHERE l.entity_id = e.id) AS mentions, "
            "(SELECT count(DISTINCT m.document_id) FROM mention_links l JOIN mentions m ON m.id = l.mention_id "
            "WHERE l.entity_id = e.id) AS documents FROM entities e"
        )
        params: tuple[Any, ...] = ()
        if kind:
            query += " WHERE e.type = %s"
            params = (kind,)
        return [dict(r) for r in self.conn.execute(query + " ORDER BY mentions DESC, e.name", params)]

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM entities WHERE id = %s", (entity_id,)).fetchone()
        return dict(row) if row else None

    def aliases(self, entity_id: str) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT name, script, romanisation, mentions, valid_from, valid_to FROM "
                "entity_aliases WHERE entity_id = %s ORDER BY mentions DESC, name",
                (entity_id,),
            )
        ]

    def all_aliases(self) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT a.entity_id, a.name, a.script, e.type FROM entity_aliases a "
                "JOIN entities e ON e.id = a.entity_id"
            )
        ]

    def mentions_of(self, entity_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT m.id, m.document_id, m.text, m.start_char, m.end_char, m.prefix, m.suffix, l.method FROM "
                "mention_links l JOIN mentions m ON m.id = l.mention_id WHERE l.entity_id = %s "
                "ORDER BY m.document_id, m.start_char LIMIT %s",
                (entity_id, limit),
            )
        ]

    def relations(self, entity_id: str | None = None) -> list[dict[str, Any]]:
        query = "SELECT * FROM entity_relations WHERE subject IS NOT NULL"
        params: tuple[Any, ...] = ()
        if entity_id:
            query += " AND (subject = %s OR object = %s)"
            params = (entity_id, entity_id)
        return [dict(r) for r in self.conn.execute(query + " ORDER BY start_date IS NULL, start_date, id", params)]

    def events(self) -> list[EventReport]:
        return [
            EventReport(
                r["date"],
                r["precision"],
                r["kind"],
                json.loads(r["actors"]),
                r["document_id"],
                r["start_char"],
                r["end_char"],
                r["quote"],
            )
            for r in self.conn.execute("SELECT * FROM entity_events ORDER BY date, id")
        ]

    def suggestions(self) -> list[Suggestion]:
        from organwatch.resolve.names import Feature

        return [
            Suggestion(
                r["a"],
                r["b"],
                r["score"],
                [Feature(f["feature"], f["score"], f["detail"]) for f in json.loads(r["features"])],
            )
            for r in self.conn.execute("SELECT * FROM merge_suggestions ORDER BY score DESC, a, b")
        ]

    def document_links(self) -> list[tuple[int, int]]:
        """Pairs of documents that are duplicates or reprints of each other (they count once as sources)."""
        return [(int(r[0]), int(r[1])) for r in self.conn.execute("SELECT a, b FROM document_links")]

    def identities_of(self, entity_id: str) -> list[str]:
        """Decision keys of every name the entity was resolved from, as resolution named them (an organisation
        completed with its place, "U.S. Consulate in Chengdu", is keyed on the completed name)."""
        return sorted(self.identities_in(entity_id))
