"""``organwatch verify``: check that nothing in a case changed since it was logged, and say what did.

Checks, in order: the key; every log entry (parsable, canonical, numbered in sequence); every
signed tree head (signature, key, chain, root recomputed from the entries); every blob (present,
re-hashed, nothing unknown stored beside them); and every database row against what the log says
it should be. Each problem is a :class:`Finding` with a stable code. States that an interrupted
``add`` leaves behind (see :mod:`organwatch.archive.commit`) are warnings: the case is intact and
the next write completes or cuts them.

What is checked is a consistent state: the log up to the last signed tree head found when verify
starts. An ``add`` running at the same time appends entries, a tree head, blobs and index rows in
that order; whatever it wrote after that head (entries, blobs placed, rows indexed) is re-read at the
end and reported as in progress when the log accounts for it, never as tampering.

The key is checked three ways: ``keys/`` against the key named in the first entry
(``case.created``), every tree head against ``keys/``, and, with ``expect_key``, against the
fingerprint the owner published. With ``witnesses`` (heads kept by a third party, see
:mod:`organwatch.archive.heads`) a consistency proof shows the log still contains each of them.

Finding codes — errors: ``key-missing``, ``key-mismatch``, ``key-unexpected``, ``entry-malformed``,
``entry-edited``, ``entry-deleted``, ``entry-reordered``, ``entry-duplicated``, ``head-malformed``,
``head-mismatch``, ``signature-bad``, ``signature-missing``, ``blob-modified``, ``blob-missing``,
``blob-unknown``, ``blob-stray``, ``db-mismatch``, ``db-missing-row``, ``db-extra-row``,
``index-missing``, ``index-damaged``, ``head-key-mismatch``, ``head-invalid``, ``head-truncated``,
``head-inconsistent``, ``head-unproven``. Warnings: ``interrupted-batch``, ``in-progress``,
``head-torn``, ``index-behind``, ``blob-pending``, ``staging-leftover``, ``key-permissions``.
"""

from __future__ import annotations

import itertools
import json
import os
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import sqlean
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from organwatch.archive import signing
from organwatch.archive.blobs import StrayFile, hash_file
from organwatch.archive.canonical import canonical_json
from organwatch.archive.index import rows_for_entry
from organwatch.archive.log import iter_lines, tree_head_valid
from organwatch.archive.merkle import MerkleTree, StreamingRoot, leaf_hash
from organwatch.errors import CanonicalJSONError, CaseError
from organwatch.store.records import INDEX_TABLES as TABLES

if TYPE_CHECKING:
    from organwatch.archive.heads import Witness

if TYPE_CHECKING:
    from organwatch.case import Case

REBUILD_HINT = "rebuild it from the log and the blobs with `organwatch rebuild-index --case {root}`"
# rebuild-index writes a SQLite index; a server's index is rebuilt that way and then moved back with migrate.
SERVER_REBUILD_HINT = ("rebuild it from the log and the blobs: set [store] backend = \"sqlite\" in {root}/case.toml, "
                       "run `organwatch rebuild-index --case {root}`, then `organwatch migrate --from {root} --to "
                       "URL` with the URL of an empty database")


def index_name(case: Case) -> str:
    """How findings name a case's index: its SQLite file, or the server and database."""
    where = getattr(case.store, "where", None)
    return "organwatch.db" if case.store.backend == "sqlite" or where is None else f"PostgreSQL {where}"


def rebuild_hint(case: Case) -> str:
    """What to do about an index that is damaged or gone, for the case's backend."""
    hint = REBUILD_HINT if case.store.backend == "sqlite" else SERVER_REBUILD_HINT
    return hint.format(root=case.root)

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
    #: Size of the last signed tree head verified: the consistent state everything was checked at.
    signed_size: int = 0
    #: Whether the signer was compared with a fingerprint given by the user (``expect_key``).
    key_checked: bool = False
    #: Witness heads proven to be contained in the log, in words.
    witnesses_proven: list[str] = field(default_factory=list)

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
        return {"ok": self.ok, "entries": self.entries, "signed_size": self.signed_size,
                "tree_heads": self.tree_heads, "blobs": self.blobs, "bytes_hashed": self.bytes_hashed,
                "key_id": self.key_id, "key_checked": self.key_checked, "witnesses_proven": self.witnesses_proven,
                "findings": [f.__dict__ for f in self.findings]}


def writer_active(case: Case) -> bool:
    """True when a live process says it holds the case lock (it writes its PID there while writing)."""
    from organwatch.archive.commit import LOCK_FILE

    try:
        data = json.loads((case.root / LOCK_FILE).read_bytes()[:4096] or b"{}")
        pid = int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return pid != os.getpid()


class _Verifier:
    def __init__(self, case: Case, expect_key: str | None = None,
                 witnesses: Sequence[Witness] = ()) -> None:
        self.case = case
        self.expect_key = expect_key
        self.witnesses = list(witnesses)
        self.report = VerifyReport()
        self.public: Ed25519PublicKey | None = None
        # Streaming state over the log; per-entry memory is one int and one 32-byte hash.
        self.seqs = array("q")
        self.captures: dict[bytes, int] = {}  # sha256 digest -> seq of its capture entry
        self.structural: list[int] = []  # seqs where the log's structure is broken
        self.heads: list[dict[str, Any]] = []
        self.bad_heads: set[int] = set()  # tree sizes whose head is already reported as damaged
        self.deleted: set[int] = set()
        self.active = writer_active(case)
        self.signed = 0  # the snapshot: size of the last complete tree head when verify started
        self.signed_offset: int | None = None  # byte offset of entry number ``signed`` in the entries file
        self.leaves: list[bytes] | None = [] if witnesses else None
        self.indexed = 0
        self.db_heads: dict[int, dict[str, Any]] = {}
        self._deleted_cache: set[str] | None = None
        self.db_ok = self._read_index_state()

    def _read_index_state(self) -> bool:
        # Read before the log: the index never runs ahead of the log, so this order gives a consistent pair.
        hint = rebuild_hint(self.case)
        damage = getattr(self.case, "index_damage", None)
        if damage:
            self.add("error", "index-damaged", index_name(self.case), f"cannot be read ({damage}); {hint}")
            return False
        try:
            with self.case.store.view() as view:
                try:
                    self.indexed = view.archive.log_position().size
                except CaseError:
                    self.indexed = 0  # no log position at all: an empty or foreign index
                self.db_heads = {h.tree_size: dict(h.__dict__) for h in view.archive.tree_heads()}
        except sqlean.DatabaseError as exc:
            self.add("error", "index-damaged", index_name(self.case), f"cannot be read ({exc}); {hint}")
            return False
        return True

    def check_index_present(self, heads: list[dict[str, Any]]) -> None:
        """An index that is empty while the log holds signed entries was deleted or replaced."""
        if self.db_ok and heads and self.indexed == 0 and not self.db_heads:
            self.add("error", "index-missing", index_name(self.case),
                     f"is missing or empty although the log holds {self.signed} signed entries (nothing in the "
                     f"index can be compared with the log); {rebuild_hint(self.case)}")
            self.db_ok = False

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
        kid = self.report.key_id = signing.key_id(self.public)
        try:
            private = signing.load_private_key(self.case.keys_dir)
        except Exception:  # a missing or unreadable private key only stops new writes, not verification
            private = None
        if private is not None and signing.key_id(private.public_key()) != kid:
            self.add("error", "key-mismatch", "keys/", "the private key does not belong to the public key beside it")
        warning = signing.key_permission_warning(self.case.keys_dir)
        if warning:
            self.add("warning", "key-permissions", "keys/signing-key.pem", warning.split(": ", 1)[1])
        created = self._created_key()
        if created is not None and created != kid:
            self.add("error", "key-mismatch", "keys/",
                     f"holds key {kid}, but the case was created with key {created} (log entry 0): the key pair was "
                     "replaced, and tree heads signed with the new key prove nothing about the old evidence")
        if self.expect_key is not None:
            self.report.key_checked = True
            for label, value in (("keys/", kid), ("log entry 0 (case.created)", created)):
                if value is not None and value != self.expect_key:
                    self.add("error", "key-unexpected", label,
                             f"names key {value}, not the expected {self.expect_key}")

    def _created_key(self) -> str | None:
        """The key named by the first log entry, ``case.created`` (None when it cannot be read)."""
        for line in iter_lines(self.case.log.entries_path):
            try:
                entry = json.loads(line.data)
            except (ValueError, UnicodeDecodeError):
                return None
            if isinstance(entry, dict) and entry.get("type") == "case.created" and isinstance(entry.get("key_id"),
                                                                                                str):
                return str(entry["key_id"])
            return None
        return None

    # -- log -----------------------------------------------------------------------------------------

    def read_heads(self) -> list[dict[str, Any]]:
        heads = []
        for line in iter_lines(self.case.log.heads_path):
            where = f"log/tree-heads.jsonl line {line.number + 1}"
            if not line.complete:  # only ever the last line: a head being written, or cut by a crash
                self.add("warning", "in-progress" if self.active else "head-torn", where,
                         "a tree head still being written by a running add" if self.active else
                         "an incomplete tree head left by an interrupted write; the next write removes it")
                continue
            try:
                head = json.loads(line.data)
                valid_shape = isinstance(head, dict) and isinstance(head.get("tree_size"), int)
            except (ValueError, UnicodeDecodeError):
                valid_shape = False
            if not line.complete or not valid_shape:
                self.add("error", "head-malformed", where, "not a tree head (the line is damaged or torn)")
                continue
            heads.append(head)
        self.signed = max((h["tree_size"] for h in heads), default=0)
        self.report.signed_size = self.signed
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
        """Stream the entries: structure, roots at every tree head, and the capture list.

        Entries past the snapshot (the last signed head) are only counted: an add may be writing them.
        """
        head_at = {h["tree_size"]: h for h in heads}
        stream = StreamingRoot()
        last_seq = -1
        seen_max = -1
        tail = 0
        db_leaf = None
        with self.case.store.view() as view:
            if self.db_ok:
                try:
                    db_leaf = _Rows({"seq": e.seq, "leaf_hash": e.leaf_hash} for e in view.archive.log_entries())
                    db_next = db_leaf.fetchone()
                except sqlean.DatabaseError:
                    db_leaf = db_next = None
            else:
                db_next = None
            for line in iter_lines(self.case.log.entries_path):
                if line.number >= self.signed:
                    if self.signed_offset is None:
                        self.signed_offset = line.offset
                    tail += 1
                    continue
                where = f"log entry at line {line.number + 1}"
                leaf = leaf_hash(line.data)
                stream.append(leaf)
                if self.leaves is not None:
                    self.leaves.append(leaf)
                entry = self._parse_entry(line.data, line.complete, where)
                seq = entry.get("seq") if entry else None
                if isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < 2**62:
                    where = f"log entry {seq}"
                    self.seqs.append(seq)
                    if seq <= last_seq:
                        self.add("error", "entry-reordered", where,
                                 f"appears after entry {last_seq}: entries are out of order")
                        self.structural.append(seq)
                    elif seq > last_seq + 1:
                        self.structural.extend(range(last_seq + 1, min(seq, last_seq + 1 + 1_000_000)))
                    last_seq = seq
                    seen_max = max(seen_max, seq)
                    if db_leaf is not None:
                        try:
                            while db_next is not None and db_next["seq"] < seq:
                                db_next = db_leaf.fetchone()
                        except sqlean.DatabaseError:
                            db_next = None
                    if (db_next is not None and db_next["seq"] == seq and db_next["leaf_hash"] != leaf.hex()
                            and seq == line.number):
                        self.add("error", "entry-edited", where,
                                 "its content differs from what was logged and signed (hash "
                                 f"{leaf.hex()[:16]}..., indexed as {str(db_next['leaf_hash'])[:16]}...)")
                        self.structural.append(seq)
                    if entry and entry.get("type") == "capture" and isinstance(entry.get("capture"), str):
                        try:
                            self.captures[bytes.fromhex(entry["capture"])] = seq
                        except ValueError:
                            self.add("error", "entry-malformed", where, "capture id is not hexadecimal")
                elif entry is not None:
                    self.add("error", "entry-malformed", where, "entry has no valid sequence number")
                    self.structural.append(line.number)
                size = stream.size
                head = head_at.get(size)
                if head is not None and head.get("root_hash") != stream.root().hex():
                    if not any(s < size for s in self.structural):
                        self.add("error", "head-mismatch", f"tree head of size {size}",
                                 "the entries do not hash to the signed root: an entry before it was altered")
                    self.structural.append(size - 1)
        self.report.entries = stream.size + tail
        self._check_sequence(seen_max, tail)
        self._check_coverage(heads, stream.size, tail)

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

    def _check_sequence(self, seen_max: int, tail: int) -> None:
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
        if seen_max + 1 + tail < self.indexed and not missing:
            for seq in range(seen_max + 1 + tail, self.indexed):
                self.add("error", "entry-deleted", f"log entry {seq}",
                         "is indexed in the database but missing from the end of the log")

    def _check_coverage(self, heads: list[dict[str, Any]], size: int, tail: int) -> None:
        signed = self.signed
        if signed > size and not self.structural:
            self.add("error", "entry-deleted", "log/entries.jsonl",
                     f"holds {size} entries but a signed tree head covers {signed}")
        if tail:
            where = f"log entries {signed}-{signed + tail - 1}"
            if self.indexed > signed:
                self.add("error", "signature-missing", where,
                         "are indexed but not covered by any signed tree head (a tree head was removed)")
            elif self.active:
                self.add("warning", "in-progress", where,
                         "are being written by an add running now; they are checked once it has signed them")
            else:
                self.add("warning", "interrupted-batch", where,
                         "were written by an add that stopped before signing them (an interruption or a full "
                         "disk); they are not evidence: the next write removes them and re-running the add "
                         "logs them again")

    # -- blobs ---------------------------------------------------------------------------------------

    def check_blobs(self) -> None:
        blobs = self.case.blobs
        for digest, seq in self.captures.items():
            sha = digest.hex()
            path = blobs.path(sha)
            where = f"blobs/{sha[:2]}/{sha[2:4]}/{sha}"
            if not path.is_file():
                staged = blobs.staged_copies(sha)
                if path.is_file():  # moved into place while we looked in staging
                    pass
                elif staged and (seq >= self.indexed or self.active):
                    self.add("warning", "blob-pending", where, "logged but still in staging (an add is running or "
                             "was interrupted); the next write moves it into place")
                    continue
                else:
                    self.add("error", "blob-missing", where, f"the original bytes of capture {sha[:12]} "
                             f"(log entry {seq}) are missing")
                    continue
            try:
                actual = hash_file(path)
                self.report.bytes_hashed += path.stat().st_size
            except OSError as exc:
                self.add("error", "blob-missing", where, f"cannot be read ({exc.strerror or exc})")
                continue
            self.report.blobs += 1
            if actual != sha:
                self.add("error", "blob-modified", where,
                         f"the bytes changed since capture (they now hash to {actual[:16]}...)")
        unexplained: list[str] = []
        for item in blobs.iter_stored():
            if isinstance(item, StrayFile):
                rel = item.path.relative_to(self.case.root)
                self.add("error", "blob-stray", str(rel), "a file that is not a stored blob sits in blobs/")
                continue
            sha, _path = item
            if bytes.fromhex(sha) not in self.captures and sha not in self._deleted_captures():
                unexplained.append(sha)
        if unexplained:
            # Read the log again now: an add running meanwhile logs a capture before placing its blob.
            later = self._later_entries()
            in_progress = [sha for sha in unexplained if sha in later["captures"]]
            for sha in unexplained:
                if sha not in later["captures"]:
                    self.add("error", "blob-unknown", f"blobs/{sha[:2]}/{sha[2:4]}/{sha}",
                             "stored, but no log entry records capturing it")
            if in_progress and self.indexed <= self.signed:  # else the unsigned tail is already an error
                self.add("warning", "in-progress", "blobs/", f"{len(in_progress)} blob(s) of captures logged after "
                         "the last signed tree head verify started from (an add is running or was interrupted)")
        leftovers = blobs.staging_files()
        if leftovers:
            self.add("warning", "staging-leftover", "blobs/.staging",
                     f"{len(leftovers)} file(s) left by an add in progress or interrupted: not evidence; "
                     "cleaned up by the next add")

    def _later_entries(self) -> dict[str, set[Any]]:
        """Sequence numbers and capture ids of the entries written after the snapshot, read now."""
        found: dict[str, set[Any]] = {"seqs": set(), "captures": set()}
        if self.signed_offset is None:
            # The log held no line past the snapshot when it was scanned: find where it ends now.
            offset = sum(len(line.data) + 1 for line in iter_lines(self.case.log.entries_path)
                         if line.number < self.signed)
        else:
            offset = self.signed_offset
        for line in iter_lines(self.case.log.entries_path, offset, self.signed):
            if not line.complete:
                break
            try:
                entry = json.loads(line.data)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(entry, dict):
                if isinstance(entry.get("seq"), int):
                    found["seqs"].add(entry["seq"])
                if entry.get("type") == "capture":
                    found["captures"].add(entry.get("capture"))
        return found

    def _deleted_captures(self) -> set[str]:
        """Captures whose log entry was deleted: their blob is explained by the deletion."""
        if not self.deleted or not self.db_ok:
            return set()
        if self._deleted_cache is None:
            with self.case.store.view() as view:
                self._deleted_cache = view.archive.captures_first_logged_at(sorted(self.deleted))
        return self._deleted_cache

    # -- database ------------------------------------------------------------------------------------

    def check_database(self) -> None:
        if not self.db_ok:
            return
        broken = set(self.structural)
        expected_keys: dict[str, set[Any]] = {t: set() for t in TABLES}
        late: list[tuple[str, str, Any, int]] = []
        with self.case.store.view() as view:
            for seq, entry, leaf_hex in self._entries():
                rows = rows_for_entry(seq, entry, leaf_hex)
                for table, table_rows in rows.items():
                    key_col, columns = TABLES[table]
                    for row in table_rows:
                        key = row[columns.index(key_col)]
                        expected_keys[table].add(key)
                        if seq in broken:
                            continue
                        self._compare_row(view, table, key_col, columns, key, row, seq)
            for table, (key_col, _columns) in TABLES.items():
                for key, seq in view.archive.index_keys(table):
                    if key not in expected_keys[table]:
                        if seq in broken:
                            continue
                        if isinstance(seq, int) and seq >= self.signed:
                            late.append((table, key_col, key, seq))  # maybe indexed by an add running now
                            continue
                        self.add("error", "db-extra-row", f"{index_name(self.case)} {table} [{key_col}={key}]",
                                 "the database has a row that no log entry accounts for")
            for size, db_head in self.db_heads.items():
                head = self._head_in_file(size)
                if head is None or size in self.bad_heads:
                    continue
                if any(str(head.get(k)) != str(v) for k, v in db_head.items()):
                    self.add("error", "db-mismatch", f"{index_name(self.case)} tree_heads [tree_size={size}]",
                             "differs from the tree head in the log")
        if late:
            logged = self._later_entries()["seqs"]  # read after the rows: the log is always written first
            for table, key_col, key, seq in late:
                if seq not in logged:
                    self.add("error", "db-extra-row", f"{index_name(self.case)} {table} [{key_col}={key}]",
                             "the database has a row that no log entry accounts for")

    def check_witnesses(self) -> None:
        """Prove with consistency proofs that the log still contains every head a third party kept."""
        if not self.witnesses:
            return
        from organwatch.archive.heads import check_witness, proofs_from_tree

        if self.public is None:
            for witness in self.witnesses:
                self.add("error", "head-unproven", witness.source, "the case's public key is missing")
            return
        leaves = self.leaves or []
        tree = MerkleTree(leaves[: self.signed])
        head = next((h for h in self.heads if h["tree_size"] == self.signed), None)
        valid = head is not None and tree.size == self.signed and head.get("root_hash") == tree.root().hex()
        for witness in self.witnesses:
            # When the log's own last head does not match its entries (reported above), prove against the
            # entries as they are, which is what a reader of the case would get.
            size = self.signed if valid else tree.size
            result = check_witness(witness, self.public, size, tree.root(size) if size else b"",
                                   proofs_from_tree(tree, size))
            if result.code is None:
                self.report.witnesses_proven.append(result.message)
            else:
                self.add("error", result.code, f"published head of size {witness.size}", result.message)

    def _head_in_file(self, size: int) -> dict[str, Any] | None:
        return next((h for h in self.heads if h.get("tree_size") == size), None)

    def _entries(self) -> Iterator[tuple[int, dict[str, Any], str]]:
        for line in iter_lines(self.case.log.entries_path):
            if line.number >= self.signed:
                break
            if not line.complete:
                continue
            try:
                entry = json.loads(line.data)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(entry, dict) and isinstance(entry.get("seq"), int):
                yield entry["seq"], entry, leaf_hash(line.data).hex()

    def _compare_row(self, view: Any, table: str, key_col: str, columns: tuple[str, ...], key: Any,
                     expected: tuple[Any, ...], seq: int) -> None:
        where = f"{index_name(self.case)} {table} [{key_col}={key if not isinstance(key, str) else key[:16]}]"
        actual = view.archive.index_row(table, key)
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


_PENDING = {
    "import": ("web archive(s) not yet split into record captures", "run `organwatch add` again (the same files "
               "or any other) to finish"),
    "text": ("capture(s) not yet read by the text stage nor indexed for search",
             "run `organwatch add` again or `organwatch reprocess --failed-only`"),
    "extract": ("document(s) not yet through extraction", "run `organwatch reprocess --stage extract`"),
}


def _pending_findings(case: Case) -> list[tuple[str, str, str]]:
    """Work an interrupted run left unfinished: the evidence is intact, but not all of it is read yet."""
    try:
        counts = case.pending()
    except sqlean.DatabaseError:
        return []
    return [("pending-work", f"pending {kind}", f"{n} {_PENDING.get(kind, (kind, 'run `organwatch add` again'))[0]}"
             f" (an add was interrupted or is running); {_PENDING.get(kind, ('', 'run `organwatch add` again'))[1]}")
            for kind, n in sorted(counts.items())]


def verify_case(case: Case, *, expect_key: str | None = None,
                witnesses: Sequence[Witness] = ()) -> VerifyReport:
    """Run every check on ``case`` and return the findings (never raises on damage).

    ``expect_key`` is a full fingerprint (see :func:`organwatch.archive.signing.normalize_fingerprint`);
    ``witnesses`` are heads kept elsewhere that the log must still contain.
    """
    verifier = _Verifier(case, expect_key, witnesses)
    verifier.check_key()
    heads = verifier.heads = verifier.read_heads()
    verifier.report.tree_heads = len(heads)
    verifier.check_index_present(heads)
    verifier.check_heads(heads)
    try:
        verifier.scan_entries(heads)
        verifier.check_blobs()
        verifier.check_database()
    except sqlean.DatabaseError as exc:
        verifier.add("error", "index-damaged", index_name(case), f"cannot be read ({exc}); {rebuild_hint(case)}")
        verifier.db_ok = False
    verifier.check_witnesses()
    if verifier.db_ok:
        for code, where, message in _pending_findings(case):
            verifier.add("warning", code, where, message)
    if verifier.db_ok:
        # Capture sets (web capture) bind several captures in one signed event: check every member is there.
        from organwatch.webcapture.captureset import check_capture_sets

        try:
            verifier.report.findings.extend(check_capture_sets(case))
        except sqlean.DatabaseError as exc:
            verifier.add("error", "index-damaged", index_name(case), f"cannot be read ({exc}); {rebuild_hint(case)}")
    return verifier.report


class _Rows:
    """Rows from an iterator, read one at a time (``fetchone`` returns None at the end)."""

    def __init__(self, rows: Iterator[dict[str, Any]]) -> None:
        self._rows = rows

    def fetchone(self) -> dict[str, Any] | None:
        return next(self._rows, None)
