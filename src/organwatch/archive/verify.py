"""``organwatch verify``: check that nothing in a case changed since it was logged, and say what did.

Checks, in order: the key; every log entry (parsable, canonical, numbered in sequence); every
signed tree head (signature, key, chain, root recomputed from the entries); every blob (present,
re-hashed, nothing unknown stored beside them); and every database row against what the log says
it should be. Each problem is a :class:`Finding` with a stable code. States that an interrupted
``add`` leaves behind (see :mod:`organwatch.archive.commit`) are warnings: the case is intact and
the next write completes or cuts them.

Finding codes — errors: ``key-missing``, ``key-mismatch``, ``entry-malformed``, ``entry-edited``,
``entry-deleted``, ``entry-reordered``, ``entry-duplicated``, ``head-malformed``, ``head-mismatch``,
``signature-bad``, ``signature-missing``, ``blob-modified``, ``blob-missing``, ``blob-unknown``,
``blob-stray``, ``db-mismatch``, ``db-missing-row``, ``db-extra-row``. Warnings: ``interrupted-batch``,
``index-behind``, ``blob-pending``, ``staging-leftover``.
"""

from __future__ import annotations

import itertools
import json
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from organwatch.archive import signing
from organwatch.archive.blobs import StrayFile, hash_file
from organwatch.archive.canonical import canonical_json
from organwatch.archive.index import TABLES, rows_for_entry
from organwatch.archive.log import iter_lines, tree_head_valid
from organwatch.archive.merkle import StreamingRoot, leaf_hash
from organwatch.errors import CanonicalJSONError

if TYPE_CHECKING:
    from organwatch.case import Case

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, a stable code, where, and what exactly is wrong."""

    severity: Severity
    code: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity.upper()} {self.code}: {self.where}: {self.message}"


@dataclass
class VerifyReport:
    """All findings plus what was checked."""

    findings: list[Finding] = field(default_factory=list)
    entries: int = 0
    tree_heads: int = 0
    blobs: int = 0
    bytes_hashed: int = 0
    key_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity error."""
        return [f for f in self.findings if f.severity == "error"]

    def codes(self) -> set[str]:
        """The codes found, for tests and scripts."""
        return {f.code for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ok": self.ok, "entries": self.entries, "tree_heads": self.tree_heads, "blobs": self.blobs,
                "bytes_hashed": self.bytes_hashed, "key_id": self.key_id,
                "findings": [f.__dict__ for f in self.findings]}


class _Verifier:
    def __init__(self, case: Case) -> None:
        self.case = case
        self.report = VerifyReport()
        self.public: Ed25519PublicKey | None = None
        # Streaming state over the log; per-entry memory is one int and one 32-byte hash.
        self.seqs = array("q")
        self.captures: dict[bytes, int] = {}  # sha256 digest -> seq of its capture entry
        self.structural: list[int] = []  # seqs where the log's structure is broken
        self.heads: list[dict[str, Any]] = []
        self.bad_heads: set[int] = set()  # tree sizes whose head is already reported as damaged
        self.deleted: set[int] = set()
        with case.store.view() as conn:
            state = conn.execute("SELECT size FROM log_state").fetchone()
            self.indexed = int(state["size"]) if state else 0
            self.db_heads = {r["tree_size"]: dict(r) for r in conn.execute("SELECT * FROM tree_heads")}

    def add(self, severity: Severity, code: str, where: str, message: str) -> None:
        self.report.findings.append(Finding(severity, code, where, message))

    # -- key -----------------------------------------------------------------------------------------

    def check_key(self) -> None:
        try:
            self.public = signing.load_public_key(self.case.keys_dir)
        except FileNotFoundError:
            self.add("error", "key-missing", "keys/", "the case's public key is missing: signatures cannot be checked")
            return
        except ValueError as exc:
            self.add("error", "key-missing", "keys/", f"the public key is unreadable ({exc})")
            return
        self.report.key_id = signing.key_id(self.public)

    # -- log -----------------------------------------------------------------------------------------

    def read_heads(self) -> list[dict[str, Any]]:
        heads = []
        for line in iter_lines(self.case.log.heads_path):
            where = f"log/tree-heads.jsonl line {line.number + 1}"
            try:
                head = json.loads(line.data)
                valid_shape = isinstance(head, dict) and isinstance(head.get("tree_size"), int)
            except (ValueError, UnicodeDecodeError):
                valid_shape = False
            if not line.complete or not valid_shape:
                self.add("error", "head-malformed", where, "not a tree head (the line is damaged or torn)")
                continue
            heads.append(head)
        return heads

    def check_heads(self, heads: list[dict[str, Any]]) -> None:
        previous = 0
        for head in heads:
            size = head["tree_size"]
            where = f"tree head of size {size}"
            if "signature" not in head:
                self.add("error", "signature-missing", where, "the tree head carries no signature")
                self.bad_heads.add(size)
            elif self.public is not None and not tree_head_valid(head, self.public):
                self.add("error", "signature-bad", where, "the signature does not verify with the case's public key")
                self.bad_heads.add(size)
            if self.report.key_id and head.get("key_id") != self.report.key_id:
                self.add("error", "key-mismatch", where,
                         f"signed by key {str(head.get('key_id'))[:16]}..., not this case's key "
                         f"{self.report.key_id[:16]}...")
            if head.get("prev_tree_size") != previous:
                self.add("error", "signature-missing", where,
                         f"follows a tree head of size {head.get('prev_tree_size')}, but the previous one in "
                         f"the file has size {previous}: a signed tree head was removed")
            if size < previous:
                self.add("error", "head-mismatch", where, f"smaller than the previous tree head ({previous})")
            previous = size
        file_sizes = {h["tree_size"] for h in heads}
        for size in sorted(set(self.db_heads) - file_sizes):
            self.add("error", "signature-missing", f"tree head of size {size}",
                     "indexed in the database but missing from log/tree-heads.jsonl")

    def scan_entries(self, heads: list[dict[str, Any]]) -> None:
        """Stream the entries: structure, roots at every tree head, and the capture list."""
        head_at = {h["tree_size"]: h for h in heads}
        stream = StreamingRoot()
        last_seq = -1
        seen_max = -1
        with self.case.store.view() as conn:
            db_leaf = conn.execute("SELECT seq, leaf_hash FROM log_entries ORDER BY seq")
            db_next = db_leaf.fetchone()
            for line in iter_lines(self.case.log.entries_path):
                where = f"log entry at line {line.number + 1}"
                leaf = leaf_hash(line.data)
                stream.append(leaf)
                entry = self._parse_entry(line.data, line.complete, where)
                seq = entry.get("seq") if entry else None
                if isinstance(seq, int):
                    where = f"log entry {seq}"
                    self.seqs.append(seq)
                    if seq <= last_seq:
                        self.add("error", "entry-reordered", where,
                                 f"appears after entry {last_seq}: entries are out of order")
                        self.structural.append(seq)
                    elif seq > last_seq + 1:
                        self.structural.extend(range(last_seq + 1, seq))  # a gap: see _check_sequence
                    last_seq = seq
                    seen_max = max(seen_max, seq)
                    while db_next is not None and db_next["seq"] < seq:
                        db_next = db_leaf.fetchone()
                    if (db_next is not None and db_next["seq"] == seq and db_next["leaf_hash"] != leaf.hex()
                            and seq == line.number):
                        self.add("error", "entry-edited", where,
                                 "its content differs from what was logged and signed (hash "
                                 f"{leaf.hex()[:16]}..., indexed as {db_next['leaf_hash'][:16]}...)")
                        self.structural.append(seq)
                    if entry and entry.get("type") == "capture" and isinstance(entry.get("capture"), str):
                        try:
                            self.captures[bytes.fromhex(entry["capture"])] = seq
                        except ValueError:
                            self.add("error", "entry-malformed", where, "capture id is not hexadecimal")
                elif entry is not None:
                    self.add("error", "entry-malformed", where, "entry has no sequence number")
                    self.structural.append(line.number)
                size = stream.size
                head = head_at.get(size)
                if head is not None and head.get("root_hash") != stream.root().hex():
                    if not any(s < size for s in self.structural):
                        self.add("error", "head-mismatch", f"tree head of size {size}",
                                 "the entries do not hash to the signed root: an entry before it was altered")
                    self.structural.append(size - 1)
        self.report.entries = stream.size
        self._check_sequence(seen_max)
        self._check_coverage(heads, stream.size)

    def _parse_entry(self, data: bytes, complete: bool, where: str) -> dict[str, Any] | None:
        if not complete:
            return None  # a torn last line: reported with the unsigned tail
        try:
            value = json.loads(data)
            if not isinstance(value, dict):
                raise ValueError("not an object")
            if canonical_json(value) != data:
                self.add("error", "entry-edited", where, "not in canonical form: it was rewritten after logging")
        except (ValueError, UnicodeDecodeError, CanonicalJSONError) as exc:
            self.add("error", "entry-malformed", where, f"not a valid entry ({exc})")
            return None
        return value

    def _check_sequence(self, seen_max: int) -> None:
        present = sorted(self.seqs)
        duplicates = sorted({a for a, b in itertools.pairwise(present) if a == b})
        for seq in duplicates:
            self.add("error", "entry-duplicated", f"log entry {seq}", "appears more than once")
        missing = sorted(set(range(seen_max + 1)) - set(present))
        if missing and self.seqs != array("q", sorted(self.seqs)):
            # Entries were moved, not removed, when every number is still there once.
            missing = [m for m in missing if m not in self.structural]
        self.deleted = set(missing)
        for seq in missing:
            self.add("error", "entry-deleted", f"log entry {seq}",
                     "is missing from the log (later entries are still numbered after it); "
                     "the database still indexes it" if seq < self.indexed else
                     "is missing from the log (later entries are still numbered after it)")
            self.structural.append(seq)
        if seen_max + 1 < self.indexed and not missing:
            for seq in range(seen_max + 1, self.indexed):
                self.add("error", "entry-deleted", f"log entry {seq}",
                         "is indexed in the database but missing from the end of the log")

    def _check_coverage(self, heads: list[dict[str, Any]], size: int) -> None:
        signed = max((h["tree_size"] for h in heads), default=0)
        if signed > size and not self.structural:
            self.add("error", "entry-deleted", "log/entries.jsonl",
                     f"holds {size} entries but a signed tree head covers {signed}")
        if size > signed:
            if self.indexed > signed:
                self.add("error", "signature-missing", f"log entries {signed}-{size - 1}",
                         "are indexed but not covered by any signed tree head (a tree head was removed)")
            else:
                self.add("warning", "interrupted-batch", f"log entries {signed}-{size - 1}",
                         "were written by an add that stopped before signing them; the next write "
                         "removes them and re-running the add logs them again")

    # -- blobs ---------------------------------------------------------------------------------------

    def check_blobs(self) -> None:
        blobs = self.case.blobs
        for digest, seq in self.captures.items():
            sha = digest.hex()
            path = blobs.path(sha)
            where = f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"
            if not path.is_file():
                staged = blobs.staged_copies(sha)
                if staged and seq >= self.indexed:
                    self.add("warning", "blob-pending", where, "logged but still in staging (an add was "
                             "interrupted); the next write moves it into place")
                else:
                    self.add("error", "blob-missing", where, f"the original bytes of capture {sha[:12]} "
                             f"(log entry {seq}) are missing")
                continue
            actual = hash_file(path)
            self.report.blobs += 1
            self.report.bytes_hashed += path.stat().st_size
            if actual != sha:
                self.add("error", "blob-modified", where,
                         f"the bytes changed since capture (they now hash to {actual[:16]}...)")
        for item in blobs.iter_stored():
            if isinstance(item, StrayFile):
                rel = item.path.relative_to(self.case.root)
                self.add("error", "blob-stray", str(rel), "a file that is not a stored blob sits in blobs/")
                continue
            sha, _path = item
            if bytes.fromhex(sha) not in self.captures and sha not in self._deleted_captures():
                self.add("error", "blob-unknown", f"blobs/{sha[:2]}/{sha[2:4]}/{sha}",
                         "stored, but no log entry records capturing it")
        leftovers = blobs.staging_files()
        if leftovers:
            self.add("warning", "staging-leftover", "blobs/.staging",
                     f"{len(leftovers)} file(s) left by an add in progress or interrupted: not evidence; "
                     "cleaned up by the next add")

    def _deleted_captures(self) -> set[str]:
        """Captures whose log entry was deleted: their blob is explained by the deletion."""
        if not self.deleted:
            return set()
        with self.case.store.view() as conn:
            marks = ",".join("?" * len(self.deleted))
            rows = conn.execute(f"SELECT id FROM captures WHERE first_seq IN ({marks})", tuple(self.deleted))
            return {r[0] for r in rows}

    # -- database ------------------------------------------------------------------------------------

    def check_database(self) -> None:
        broken = set(self.structural)
        expected_keys: dict[str, set[Any]] = {t: set() for t in TABLES}
        with self.case.store.view() as conn:
            for seq, entry, leaf_hex in self._entries():
                rows = rows_for_entry(seq, entry, leaf_hex)
                for table, table_rows in rows.items():
                    key_col, columns = TABLES[table]
                    for row in table_rows:
                        key = row[columns.index(key_col)]
                        expected_keys[table].add(key)
                        if seq in broken:
                            continue
                        self._compare_row(conn, table, key_col, columns, key, row, seq)
            for table, (key_col, _columns) in TABLES.items():
                seq_col = "first_seq" if table == "captures" else "seq"
                for key, seq in conn.execute(f"SELECT {key_col}, {seq_col} FROM {table} ORDER BY {key_col}"):
                    if key not in expected_keys[table]:
                        if seq in broken:
                            continue
                        self.add("error", "db-extra-row", f"organwatch.db {table} [{key_col}={key}]",
                                 "the database has a row that no log entry accounts for")
            for size, db_head in self.db_heads.items():
                head = self._head_in_file(size)
                if head is None or size in self.bad_heads:
                    continue
                if any(str(head.get(k)) != str(v) for k, v in db_head.items()):
                    self.add("error", "db-mismatch", f"organwatch.db tree_heads [tree_size={size}]",
                             "differs from the tree head in the log")

    def _head_in_file(self, size: int) -> dict[str, Any] | None:
        return next((h for h in self.heads if h.get("tree_size") == size), None)

    def _entries(self) -> Iterator[tuple[int, dict[str, Any], str]]:
        for line in iter_lines(self.case.log.entries_path):
            if not line.complete:
                continue
            try:
                entry = json.loads(line.data)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(entry, dict) and isinstance(entry.get("seq"), int):
                yield entry["seq"], entry, leaf_hash(line.data).hex()

    def _compare_row(self, conn: Any, table: str, key_col: str, columns: tuple[str, ...], key: Any,
                     expected: tuple[Any, ...], seq: int) -> None:
        where = f"organwatch.db {table} [{key_col}={key if not isinstance(key, str) else key[:16]}]"
        actual = conn.execute(f"SELECT {','.join(columns)} FROM {table} WHERE {key_col} = ?", (key,)).fetchone()
        if actual is None:
            if seq >= self.indexed:
                if table == "log_entries":
                    self.add("warning", "index-behind", f"log entry {seq}",
                             "signed but not yet indexed (an add was interrupted); the next write indexes it")
                return
            self.add("error", "db-missing-row", where, f"log entry {seq} says this row should exist")
            return
        for column, want, have in zip(columns, expected, tuple(actual), strict=True):
            if want != have:
                self.add("error", "db-mismatch", where,
                         f"{column} is {_short(have)} but log entry {seq} says {_short(want)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def verify_case(case: Case) -> VerifyReport:
    """Run every check on ``case`` and return the findings (never raises on damage)."""
    verifier = _Verifier(case)
    verifier.check_key()
    heads = verifier.heads = verifier.read_heads()
    verifier.report.tree_heads = len(heads)
    verifier.check_heads(heads)
    verifier.scan_entries(heads)
    verifier.check_blobs()
    verifier.check_database()
    # Capture sets (web capture) bind several captures in one signed event: check every member is there.
    from organwatch.webcapture.captureset import check_capture_sets

    verifier.report.findings.extend(check_capture_sets(case))
    return verifier.report
