"""Documents on PostgreSQL: the same tables as on SQLite (JSON text columns, ``text_sha256`` and
``chars`` derived when a document is stored)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from psycopg.rows import tuple_row

from organwatch.model import Document, DocumentLink
from organwatch.store.base import DocumentsWriter
from organwatch.store.postgres.connection import stream
from organwatch.store.records import ParagraphHash, Signature
from organwatch.store.sqlite.documents import _link, _values, document

Connection = Any  # psycopg.Connection[Row]
_DERIVED_TABLES = ("document_bands", "paragraph_hashes", "document_signatures")


class PostgresDocuments(DocumentsWriter):
    """Documents over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, document_id: int) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = %s", (document_id,)).fetchone()
        return None if row is None else document(row)

    def get_many(self, document_ids: Sequence[int]) -> dict[int, Document]:
        ids = list(dict.fromkeys(int(i) for i in document_ids))
        if not ids:
            return {}
        return {int(row["id"]): document(row)
                for row in self.conn.execute("SELECT * FROM documents WHERE id = ANY(%s)", (ids,))}

    def documents(self, capture_id: str | None = None) -> Iterator[Document]:
        if capture_id is None:
            rows = stream(self.conn, "SELECT * FROM documents ORDER BY id")
        else:
            rows = stream(self.conn, "SELECT * FROM documents WHERE capture_id = %s ORDER BY id", (capture_id,))
        for row in rows:
            yield document(row)

    def ids(self, status: str | None = None, capture_ids: Sequence[str] | None = None) -> list[int]:
        clauses = ["TRUE"]
        params: list[Any] = []
        if status is not None:
            clauses.append("status = %s")
            params.append(status)
        if capture_ids is not None:
            clauses.append("capture_id = ANY(%s)")
            params.append(list(dict.fromkeys(capture_ids)))
        return [int(r[0]) for r in self.conn.execute(
            f"SELECT id FROM documents WHERE {' AND '.join(clauses)} ORDER BY id", params)]

    def capture_ids(self, status: str | None = None) -> list[str]:
        if status is None:
            rows = self.conn.execute("SELECT DISTINCT capture_id FROM documents ORDER BY capture_id")
        else:
            rows = self.conn.execute("SELECT DISTINCT capture_id FROM documents WHERE status = %s "
                                     "ORDER BY capture_id", (status,))
        return [str(r[0]) for r in rows]

    def count(self, status: str | None = None) -> int:
        if status is None:
            return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        return int(self.conn.execute("SELECT count(*) FROM documents WHERE status = %s", (status,)).fetchone()[0])

    def text_sha256(self, document_id: int) -> str | None:
        row = self.conn.execute("SELECT text_sha256 FROM documents WHERE id = %s", (document_id,)).fetchone()
        return None if row is None else row[0]

    def links(self, document_id: int) -> list[DocumentLink]:
        return [_link(r) for r in self.conn.execute(
            "SELECT * FROM document_links WHERE a = %s OR b = %s ORDER BY id", (document_id, document_id))]

    def duplicate_pairs(self, document_ids: Sequence[int]) -> list[tuple[int, int]]:
        batch = [int(i) for i in document_ids]
        if not batch:
            return []
        # Plain tuples, unordered (clusters do not depend on the order): a cluster of many reprints has
        # many links, and building a row object for each costs more than the query.
        with self.conn.cursor(row_factory=tuple_row) as cursor:
            rows: list[tuple[int, int]] = cursor.execute(
                "SELECT a, b FROM document_links WHERE kind IN ('duplicate', 'near-duplicate') "
                "AND (a = ANY(%s) OR b = ANY(%s))", (batch, batch)).fetchall()
        return rows

    def same_text(self, text_sha256: str, exclude: int) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(
            "SELECT id FROM documents WHERE text_sha256 = %s AND id != %s AND status = 'ok' ORDER BY id",
            (text_sha256, exclude))]

    def band_candidates(self, keys: Sequence[tuple[int, bytes]]) -> set[int]:
        if not keys:
            return set()
        bands = [int(band) for band, _ in keys]
        values = [bytes(key) for _, key in keys]
        rows = self.conn.execute(
            "SELECT DISTINCT b.document_id FROM document_bands b JOIN unnest(%s::int[], %s::bytea[]) AS k(band, key) "
            "ON b.band = k.band AND b.key = k.key", (bands, values))
        return {int(r[0]) for r in rows}

    def signature(self, document_id: int) -> Signature | None:
        row = self.conn.execute("SELECT s.signature, d.text_sha256 FROM document_signatures s JOIN documents d "
                                "ON d.id = s.document_id WHERE s.document_id = %s", (document_id,)).fetchone()
        return None if row is None else Signature(document_id, bytes(row[0]), row[1])

    def repeated_paragraphs(self, paragraph_hash: bytes, exclude: int, limit: int) -> list[ParagraphHash]:
        return [ParagraphHash(paragraph_hash, int(r[0]), int(r[1]), int(r[2])) for r in self.conn.execute(
            "SELECT document_id, start_char, end_char FROM paragraph_hashes WHERE hash = %s AND document_id != %s "
            "LIMIT %s", (paragraph_hash, exclude, limit))]

    # -- writes -------------------------------------------------------------------------------------

    def upsert(self, document: Document) -> int:
        values = _values(document)
        row = self.conn.execute("SELECT id FROM documents WHERE capture_id = %s AND locator = %s FOR UPDATE",
                                (document.capture_id, document.locator)).fetchone()
        if row is None:
            columns = ["capture_id", "locator", *values]
            inserted = self.conn.execute(
                f"INSERT INTO documents ({','.join(columns)}) VALUES ({','.join(['%s'] * len(columns))}) "
                "RETURNING id", (document.capture_id, document.locator, *values.values())).fetchone()
            return int(inserted[0])
        document_id = int(row["id"])
        self.conn.execute(f"UPDATE documents SET {', '.join(f'{c} = %s' for c in values)} WHERE id = %s",
                          (*values.values(), document_id))
        for table in _DERIVED_TABLES:
            self.conn.execute(f"DELETE FROM {table} WHERE document_id = %s", (document_id,))
        self.conn.execute("DELETE FROM document_links WHERE a = %s OR b = %s", (document_id, document_id))
        return document_id

    def delete(self, document_id: int) -> None:
        self.conn.execute("DELETE FROM documents WHERE id = %s", (document_id,))

    def add_link(self, link: DocumentLink) -> int:
        row = self.conn.execute(
            "INSERT INTO document_links (kind, a, b, similarity, a_start, a_end, b_start, b_end, method) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (link.kind, link.a, link.b, link.similarity, link.a_start, link.a_end, link.b_start, link.b_end,
             link.method)).fetchone()
        return int(row[0])

    def add_signature(self, document_id: int, signature: bytes, bands: Sequence[tuple[int, bytes]]) -> None:
        self.conn.execute("INSERT INTO document_signatures (document_id, signature) VALUES (%s, %s)",
                          (document_id, signature))
        with self.conn.cursor() as cursor:
            cursor.executemany("INSERT INTO document_bands (band, key, document_id) VALUES (%s, %s, %s)",
                               [(band, key, document_id) for band, key in bands])

    def add_paragraph(self, paragraph: ParagraphHash) -> None:
        self.conn.execute("INSERT INTO paragraph_hashes (hash, document_id, start_char, end_char) "
                          "VALUES (%s, %s, %s, %s)",
                          (paragraph.hash, paragraph.document_id, paragraph.start, paragraph.end))
