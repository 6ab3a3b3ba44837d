"""Documents in SQLite: ``documents``, ``document_links``, ``document_signatures``, ``document_bands``,
``paragraph_hashes``.

``paragraphs``, ``pages`` and ``warnings`` are JSON columns; ``text_sha256`` and ``chars`` are derived
from the text when a document is stored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from organwatch.model import Document, DocumentLink
from organwatch.store.base import DocumentsWriter
from organwatch.store.records import ParagraphHash, Signature

Connection = Any  # sqlean.Connection
_BATCH = 400  # ids per IN (...) list; well under SQLite's parameter limit
_DERIVED_TABLES = ("document_bands", "paragraph_hashes", "document_signatures")


def document(row: Any) -> Document:
    """A ``documents`` row as a model record."""
    return Document(row["id"], row["capture_id"], row["locator"], row["status"], row["error"], row["media_type"],
                    row["title"], row["author"], row["outlet"], row["published"], row["canonical_url"],
                    row["source_url"], row["captured_at"], row["encoding"], row["encoding_method"], row["language"],
                    bool(row["mixed_language"]), row["text"],
                    tuple(tuple(p) for p in json.loads(row["paragraphs"])),
                    tuple(tuple(p) for p in json.loads(row["pages"])),
                    tuple(json.loads(row["warnings"])), row["extractor"], row["extractor_version"],
                    row["pipeline_version"], row["processed_at"])


def _values(doc: Document) -> dict[str, Any]:
    text = doc.text
    return {
        "status": doc.status, "error": doc.error, "media_type": doc.media_type, "title": doc.title,
        "author": doc.author, "outlet": doc.outlet, "published": doc.published, "canonical_url": doc.canonical_url,
        "source_url": doc.source_url, "captured_at": doc.captured_at, "encoding": doc.encoding,
        "encoding_method": doc.encoding_method, "language": doc.language, "mixed_language": int(doc.mixed_language),
        "text": text, "text_sha256": None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "chars": len(text or ""), "paragraphs": json.dumps([list(p) for p in doc.paragraphs]),
        "pages": json.dumps([list(p) for p in doc.pages]), "warnings": json.dumps(list(doc.warnings)),
        "extractor": doc.extractor, "extractor_version": doc.extractor_version,
        "pipeline_version": doc.pipeline_version, "processed_at": doc.processed_at,
    }


def _link(row: Any) -> DocumentLink:
    return DocumentLink(row["id"], row["kind"], row["a"], row["b"], row["similarity"], row["a_start"], row["a_end"],
                        row["b_start"], row["b_end"], row["method"])


class SQLiteDocuments(DocumentsWriter):
    """Documents over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, document_id: int) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        return None if row is None else document(row)

    def get_many(self, document_ids: Sequence[int]) -> dict[int, Document]:
        found: dict[int, Document] = {}
        ids = list(dict.fromkeys(document_ids))
        for begin in range(0, len(ids), _BATCH):
            batch = ids[begin:begin + _BATCH]
            for row in self.conn.execute(f"SELECT * FROM documents WHERE id IN ({','.join('?' * len(batch))})",
                                         batch):
                found[int(row["id"])] = document(row)
        return found

    def documents(self, capture_id: str | None = None) -> Iterator[Document]:
        if capture_id is None:
            rows = self.conn.execute("SELECT * FROM documents ORDER BY id")
        else:
            rows = self.conn.execute("SELECT * FROM documents WHERE capture_id = ? ORDER BY id", (capture_id,))
        for row in rows:
            yield document(row)

    def ids(self, status: str | None = None, capture_ids: Sequence[str] | None = None) -> list[int]:
        where = "1" if status is None else "status = ?"
        params: list[Any] = [] if status is None else [status]
        if capture_ids is None:
            return [int(r[0]) for r in self.conn.execute(f"SELECT id FROM documents WHERE {where} ORDER BY id",
                                                         params)]
        found: list[int] = []
        wanted = list(dict.fromkeys(capture_ids))
        for begin in range(0, len(wanted), _BATCH):
            batch = wanted[begin:begin + _BATCH]
            found.extend(int(r[0]) for r in self.conn.execute(
                f"SELECT id FROM documents WHERE {where} AND capture_id IN ({','.join('?' * len(batch))})",
                [*params, *batch]))
        return sorted(found)

    def capture_ids(self, status: str | None = None) -> list[str]:
        if status is None:
            rows = self.conn.execute("SELECT DISTINCT capture_id FROM documents ORDER BY capture_id")
        else:
            rows = self.conn.execute("SELECT DISTINCT capture_id FROM documents WHERE status = ? ORDER BY capture_id",
                                     (status,))
        return [str(r[0]) for r in rows]

    def count(self, status: str | None = None) -> int:
        if status is None:
            return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        return int(self.conn.execute("SELECT count(*) FROM documents WHERE status = ?", (status,)).fetchone()[0])

    def text_sha256(self, document_id: int) -> str | None:
        row = self.conn.execute("SELECT text_sha256 FROM documents WHERE id = ?", (document_id,)).fetchone()
        return None if row is None else row[0]

    def links(self, document_id: int) -> list[DocumentLink]:
        return [_link(r) for r in self.conn.execute("SELECT * FROM document_links WHERE a = ? OR b = ? ORDER BY id",
                                                    (document_id, document_id))]

    def duplicate_pairs(self, document_ids: Sequence[int]) -> list[tuple[int, int]]:
        batch = list(document_ids)
        if not batch:
            return []
        marks = ",".join("?" * len(batch))
        rows = self.conn.execute(
            f"SELECT a, b FROM document_links WHERE kind IN ('duplicate', 'near-duplicate') "
            f"AND (a IN ({marks}) OR b IN ({marks}))", (*batch, *batch)).fetchall()
        return [(int(a), int(b)) for a, b in rows]

    def same_text(self, text_sha256: str, exclude: int) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM documents WHERE text_sha256 = ? AND id != ? AND status = 'ok' ORDER BY id",
            (text_sha256, exclude))]

    def band_candidates(self, keys: Sequence[tuple[int, bytes]]) -> set[int]:
        found: set[int] = set()
        for band, key in keys:
            found.update(int(r[0]) for r in self.conn.execute(
                "SELECT document_id FROM document_bands WHERE band = ? AND key = ?", (band, key)))
        return found

    def signature(self, document_id: int) -> Signature | None:
        row = self.conn.execute("SELECT s.signature, d.text_sha256 FROM document_signatures s JOIN documents d "
                                "ON d.id = s.document_id WHERE s.document_id = ?", (document_id,)).fetchone()
        return None if row is None else Signature(document_id, bytes(row[0]), row[1])

    def repeated_paragraphs(self, paragraph_hash: bytes, exclude: int, limit: int) -> list[ParagraphHash]:
        return [ParagraphHash(paragraph_hash, int(r[0]), int(r[1]), int(r[2])) for r in self.conn.execute(
            "SELECT document_id, start_char, end_char FROM paragraph_hashes WHERE hash = ? AND document_id != ? "
            "LIMIT ?", (paragraph_hash, exclude, limit))]

    # -- writes -------------------------------------------------------------------------------------

    def upsert(self, document: Document) -> int:
        values = _values(document)
        row = self.conn.execute("SELECT id FROM documents WHERE capture_id = ? AND locator = ?",
                                (document.capture_id, document.locator)).fetchone()
        if row is None:
            columns = ["capture_id", "locator", *values]
            cursor = self.conn.execute(
                f"INSERT INTO documents ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})",
                (document.capture_id, document.locator, *values.values()))
            return int(cursor.lastrowid)
        document_id = int(row["id"])
        self.conn.execute(f"UPDATE documents SET {', '.join(f'{c} = ?' for c in values)} WHERE id = ?",
                          (*values.values(), document_id))
        for table in _DERIVED_TABLES:
            self.conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (document_id,))
        self.conn.execute("DELETE FROM document_links WHERE a = ? OR b = ?", (document_id, document_id))
        return document_id

    def delete(self, document_id: int) -> None:
        self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))

    def add_link(self, link: DocumentLink) -> int:
        cursor = self.conn.execute(
            "INSERT INTO document_links (kind, a, b, similarity, a_start, a_end, b_start, b_end, method) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (link.kind, link.a, link.b, link.similarity, link.a_start, link.a_end, link.b_start, link.b_end,
             link.method))
        return int(cursor.lastrowid)

    def add_signature(self, document_id: int, signature: bytes, bands: Sequence[tuple[int, bytes]]) -> None:
        self.conn.execute("INSERT INTO document_signatures (document_id, signature) VALUES (?, ?)",
                          (document_id, signature))
        self.conn.executemany("INSERT INTO document_bands (band, key, document_id) VALUES (?, ?, ?)",
                              [(band, key, document_id) for band, key in bands])

    def add_paragraph(self, paragraph: ParagraphHash) -> None:
        self.conn.execute("INSERT INTO paragraph_hashes (hash, document_id, start_char, end_char) VALUES (?, ?, ?, ?)",
                          (paragraph.hash, paragraph.document_id, paragraph.start, paragraph.end))
