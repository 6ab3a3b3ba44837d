"""Entity resolution on SQLite: entities, aliases by script, mention links, relations, events, merge
suggestions and reviewer decisions (tables of the ``entities`` area). The derived tables are replaced as a
whole by each run; decisions are only appended."""

from __future__ import annotations

import json
from typing import Any

from organwatch.resolve.merge import Decision, Resolution, Suggestion
from organwatch.resolve.relations import Relation
from organwatch.resolve.timeline import EventReport
from organwatch.store.base import EntitiesWriter

Connection = Any

_DERIVED = ("merge_suggestions", "entity_events", "entity_relations", "mention_links", "entity_aliases", "entities")


class SQLiteEntities(EntitiesWriter):
    """Entities, their links and the reviewers' decisions over one SQLite connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

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
            "INSERT INTO resolution_decisions (seq, kind, a, b, reason) VALUES (?, ?, ?, ?, ?)",
            (
                seq,
                decision.kind,
                json.dumps(decision.a, ensure_ascii=False),
                json.dumps(decision.b, ensure_ascii=False),
                reason,
            ),
        )

    def write_resolution(
        self,
        result: Resolution,
        relations: list[tuple[str, str | None, Relation]],
        events: list[EventReport],
        version: str,
    ) -> None:
        """Replace the derived tables with one run's results."""
        for table in _DERIVED:
            self.conn.execute(f"DELETE FROM {table}")
        self.conn.executemany(
            "INSERT INTO entities (id, type, schema, name, resolver_version) VALUES (?, ?, ?, ?, ?)",
            [(e.id, e.type, e.schema, e.name, version) for e in result.entities.values()],
        )
        self.conn.executemany(
            "INSERT INTO entity_aliases (entity_id, name, script, romanisation, mentions, valid_from, "
            "valid_to) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (e.id, a.name, a.script, a.romanisation, a.count, a.valid_from, a.valid_to)
                for e in result.entities.values()
                for a in e.aliases
            ],
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO mention_links (mention_id, entity_id, method, score) VALUES (?, ?, ?, ?)",
            result.links,
        )
        self.conn.executemany(
            "INSERT INTO entity_relations (schema, subject, object, position, role, start_date, end_date, "
            "document_id, start_char, end_char, quote, method) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.schema,
                    s,
                    o,
                    r.position,
                    r.role,
                    r.start_date,
                    r.end_date,
                    r.document_id,
                    r.start,
                    r.end,
                    r.text,
                    r.method,
                )
                for s, o, r in relations
            ],
        )
        self.conn.executemany(
            "INSERT INTO entity_events (date, precision, kind, actors, document_id, start_char, end_char, "
            "quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (e.date, e.precision, e.kind, json.dumps(e.actors), e.document_id, e.start, e.end, e.text)
                for e in events
            ],
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO merge_suggestions (a, b, score, features) VALUES (?, ?, ?, ?)",
            [
                (s.a, s.b, s.score, json.dumps([f.to_dict() for f in s.features], ensure_ascii=False))
                for s in result.suggestions
            ],
        )

    def entities(self, kind: str | None = None) -> list[dict[str, Any]]:
        query = (
            "SELECT e.*, (SELECT count(*) FROM mention_links l WHERE l.entity_id = e.id) AS mentions, "
            "(SELECT count(DISTINCT m.document_id) FROM mention_links l JOIN mentions m ON m.id = l.mention_id "
            "WHERE l.entity_id = e.id) AS documents FROM entities e"
        )
        params: tuple[Any, ...] = ()
        if kind:
            query += " WHERE e.type = ?"
            params = (kind,)
        return [dict(r) for r in self.conn.execute(query + " ORDER BY mentions DESC, e.name", params)]

    def entity(self, entity_id: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return dict(row) if row else None

    def aliases(self, entity_id: str) -> list[dict[str, Any]]:
        return [
            dict(r)
            for r in self.conn.execute(
                "SELECT name, script, romanisation, mentions, valid_from, valid_to FROM "
                "entity_aliases WHERE entity_id = ? ORDER BY mentions DESC, name",
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
                "mention_links l JOIN mentions m ON m.id = l.mention_id WHERE l.entity_id = ? "
                "ORDER BY m.document_id, m.start_char LIMIT ?",
                (entity_id, limit),
            )
        ]

    def relations(self, entity_id: str | None = None) -> list[dict[str, Any]]:
        query = "SELECT * FROM entity_relations"
        params: tuple[Any, ...] = ()
        if entity_id:
            query += " WHERE subject = ? OR object = ?"
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
        try:
            return [(r[0], r[1]) for r in self.conn.execute("SELECT a, b FROM document_links")]
        except Exception:  # an older case without the table: every document is independent
            return []

    def identities_of(self, entity_id: str) -> list[str]:
        """Decision keys of every name the entity was resolved from."""
        from organwatch.resolve.merge import identity

        rows = self.conn.execute(
            "SELECT DISTINCT e.type, m.canonical, m.text FROM mention_links l JOIN mentions m "
            "ON m.id = l.mention_id JOIN entities e ON e.id = l.entity_id WHERE l.entity_id = ?",
            (entity_id,),
        )
        return sorted({identity(r["type"], r["canonical"] or r["text"]) for r in rows})
