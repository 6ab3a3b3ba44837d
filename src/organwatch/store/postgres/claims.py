"""Claims on PostgreSQL, in the same tables as on SQLite: ``claim_instances``, ``claim_runs``,
``claim_groups``, ``claim_group_members`` and ``claim_decisions``.

A claim is stored as JSON (its fields are those of :class:`organwatch.model.claims.Claim`), with its span
and document as columns so a document's claims are read by index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from organwatch.claims.weigh import ClaimGroup, GroupDecision, Reported
from organwatch.model.claims import Claim
from organwatch.store.base import ClaimsWriter

Connection = Any  # psycopg.Connection[Row]


def _reported(row: Any) -> Reported:
    return Reported(row["key"], Claim(**json.loads(row["claim"])), row["document_id"], row["outlet"], row["author"],
                    row["published"])


class PostgresClaims(ClaimsWriter):
    """Claims over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _many(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            with self.conn.cursor() as cursor:
                cursor.executemany(sql, rows)

    def instances(self, document_id: int | None = None) -> list[Reported]:
        if document_id is None:
            rows = self.conn.execute("SELECT * FROM claim_instances ORDER BY document_id, start_char, end_char")
        else:
            rows = self.conn.execute("SELECT * FROM claim_instances WHERE document_id = %s "
                                     "ORDER BY start_char, end_char", (document_id,))
        return [_reported(r) for r in rows]

    def groups(self) -> list[ClaimGroup]:
        instances = {r.key: r for r in self.instances()}
        members: dict[str, list[Reported]] = {}
        for row in self.conn.execute("SELECT group_id, key FROM claim_group_members ORDER BY group_id, position"):
            if row["key"] in instances:  # an instance whose document was deleted since drops out
                members.setdefault(row["group_id"], []).append(instances[row["key"]])
        groups = []
        for row in self.conn.execute("SELECT * FROM claim_groups ORDER BY position"):
            if row["id"] not in members:
                continue
            groups.append(ClaimGroup(row["id"], row["predicate"], row["period"], row["value"], members[row["id"]],
                                     list(json.loads(row["origins"])),
                                     [(str(g), str(r)) for g, r in json.loads(row["contradicts"])]))
        return groups

    def run_version(self, document_id: int) -> str | None:
        row = self.conn.execute("SELECT version FROM claim_runs WHERE document_id = %s", (document_id,)).fetchone()
        return None if row is None else str(row[0])

    def processed(self) -> dict[int, str]:
        return {int(r[0]): str(r[1]) for r in self.conn.execute("SELECT document_id, version FROM claim_runs")}

    def decisions(self) -> list[GroupDecision]:
        return [GroupDecision(r["seq"], r["action"], tuple(json.loads(r["keys"])), r["reason"], r["decided_by"],
                              r["decided_at"])
                for r in self.conn.execute("SELECT * FROM claim_decisions ORDER BY seq")]

    def replace_instances(self, document_id: int, instances: Sequence[Reported], version: str) -> None:
        self.conn.execute("DELETE FROM claim_instances WHERE document_id = %s", (document_id,))
        self._many(
            "INSERT INTO claim_instances (key, document_id, start_char, end_char, claim, outlet, author, published) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
            [(r.key, document_id, r.claim.start, r.claim.end, json.dumps(r.claim.to_dict(), ensure_ascii=False),
              r.outlet, r.author, r.published) for r in instances])
        self.conn.execute("INSERT INTO claim_runs (document_id, version) VALUES (%s, %s) ON CONFLICT (document_id) "
                          "DO UPDATE SET version = excluded.version", (document_id, version))

    def remove(self, document_id: int) -> None:
        self.conn.execute("DELETE FROM claim_instances WHERE document_id = %s", (document_id,))
        self.conn.execute("DELETE FROM claim_runs WHERE document_id = %s", (document_id,))

    def replace_groups(self, groups: Sequence[ClaimGroup]) -> None:
        self.conn.execute("DELETE FROM claim_group_members")
        self.conn.execute("DELETE FROM claim_groups")
        self._many(
            "INSERT INTO claim_groups (id, position, predicate, period, value, origins, contradicts) "
            "VALUES (%s,%s,%s,%s,%s,%s,%s)",
            [(g.id, i, g.predicate, g.period, g.value, json.dumps(g.origins, ensure_ascii=False),
              json.dumps([list(c) for c in g.contradicts], ensure_ascii=False)) for i, g in enumerate(groups)])
        self._many("INSERT INTO claim_group_members (group_id, key, position) VALUES (%s,%s,%s)",
                              [(g.id, m.key, i) for g in groups for i, m in enumerate(g.members)])

    def add_decision(self, decision: GroupDecision) -> None:
        self.conn.execute("INSERT INTO claim_decisions (seq, action, keys, reason, decided_by, decided_at) "
                          "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (seq) DO UPDATE SET action = excluded.action, "
                          "keys = excluded.keys, reason = excluded.reason, decided_by = excluded.decided_by, "
                          "decided_at = excluded.decided_at",
                          (decision.seq, decision.action, json.dumps(list(decision.keys)),
                           decision.reason, decision.decided_by, decision.decided_at))
