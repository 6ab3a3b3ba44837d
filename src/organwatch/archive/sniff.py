"""Media type from the first bytes of a file, never from its name.

A file called ``report.pdf`` may be an HTML error page saved by a browser; a ``.txt`` may be a
GB18030 web page. Following the WHATWG MIME Sniffing rules in spirit, we look for signatures of
the formats investigators meet (PDF, HTML, XML, WARC, archives, images, office files) and fall back
to ``text/plain`` when the bytes look like text and ``application/octet-stream`` otherwise.

>>> sniff(b"%PDF-1.7 ...")
'application/pdf'
>>> sniff(b"\\n  <!doctype html><html>")
'text/html'
"""

from __future__ import annotations

import codecs
import io
import zipfile
import zlib
from pathlib import Path

SNIFF_BYTES = 64 * 1024
#: The Internet Archive's older web-archive format (ARC), read like a WARC.
ARC_MEDIA_TYPE = "application/x-internet-archive"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"WARC/", "application/warc"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x00\x00\x01\x00", "image/vnd.microsoft.icon"),
    (b"%!PS", "application/postscript"),
    (b"{\\rtf", "application/rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"\x28\xb5\x2f\xfd", "application/zstd"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "application/ogg"),
    (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"SQLite format 3\x00", "application/vnd.sqlite3"),
)

# WHATWG "identify an unknown MIME type": tags that make a text an HTML document.
_HTML_TAGS = (b"<!DOCTYPE HTML", b"<HTML", b"<HEAD", b"<SCRIPT", b"<IFRAME", b"<H1", b"<DIV", b"<FONT",
              b"<TABLE", b"<A", b"<STYLE", b"<TITLE", b"<B", b"<BODY", b"<BR", b"<P", b"<!--", b"<META")

_BINARY_BYTES = frozenset(range(0x00, 0x09)) | {0x0B} | frozenset(range(0x0E, 0x1B)) | frozenset(range(0x1C, 0x20))


def _strip_bom_and_space(head: bytes) -> tuple[bytes, str | None]:
    """Text in an ASCII-compatible form (UTF-16 decoded) and the BOM's encoding, if any."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            body = head[len(bom):]
            if name != "utf-8":
                body = body[: len(body) // 2 * 2].decode(name, "replace").encode("utf-8", "replace")
            return body.lstrip(b" \t\r\n\x0c"), name
    return head.lstrip(b" \t\r\n\x0c"), None


def _is_html(text: bytes) -> bool:
    upper = text[:1024].upper()
    for tag in _HTML_TAGS:
        if upper.startswith(tag):
            rest = upper[len(tag):len(tag) + 1]
            if tag == b"<!--" or rest in (b" ", b">", b"\t", b"\n", b"\r", b"\x0c", b"/"):
                return True
    # Pages saved by some tools start with another tag (<meta>, <link>) and carry <html>/<body> later.
    return upper.startswith(b"<") and (b"<HTML" in upper or b"<BODY" in upper)


def _looks_like_text(head: bytes, bom: str | None) -> bool:
    if bom in ("utf-16-le", "utf-16-be"):
        return True
    return not any(b in _BINARY_BYTES for b in head[:SNIFF_BYTES])


def _zip_kind(path: Path | None, head: bytes) -> str:
    """Distinguish WACZ, EPUB, office documents and plain ZIP by their member names."""
    try:
        with zipfile.ZipFile(path if path is not None else io.BytesIO(head)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # never inflate more than we look at
                    declared = member.read(100).decode("ascii", "replace").strip()
                if declared:
                    return declared
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return "application/zip"
    if "datapackage.json" in names and any(n.startswith("archive/") for n in names):
        return "application/wacz"
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if any(n.startswith("ppt/") for n in names):
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return "application/zip"


def _gzip_kind(head: bytes) -> str:
    try:
        inner = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return "application/gzip"
    if inner.startswith(b"WARC/"):
        return "application/warc"
    return ARC_MEDIA_TYPE if inner.startswith(b"filedesc://") else "application/gzip"


def _feed_kind(text: bytes) -> str | None:
    """Atom or RSS media type when the first element is a feed's root (ignoring the XML prolog)."""
    rest = text[:4096]
    while rest.startswith((b"<?", b"<!")):
        end = rest.find(b">")
        if end == -1:
            return None
        rest = rest[end + 1 :].lstrip(b" \t\r\n")
    if rest.startswith(b"<rss") and rest[4:5] in (b" ", b">", b"\t", b"\r", b"\n"):
        return "application/rss+xml"
    if rest.startswith(b"<feed") and b"http://www.w3.org/2005/Atom" in rest[:1024]:
        return "application/atom+xml"
    return None


def sniff(head: bytes, path: Path | None = None) -> str:
    """Media type of content whose first bytes are ``head``.

    ``path`` (the stored file) lets ZIP containers be told apart by their member list.
    """
    if not head:
        return "application/x-empty"
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(b"\x1f\x8b"):
        return _gzip_kind(head)
    if head.startswith(b"filedesc://"):
        return ARC_MEDIA_TYPE
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path, head)
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}[head[8:12]]
    if head[4:8] == b"ftyp":
        return "video/mp4"
    text, bom = _strip_bom_and_space(head)
    feed = _feed_kind(text)
    if feed:
        return feed
    if text.startswith(b"<?xml"):
        lowered = text[:2048].lower()
        if b"<html" in lowered or b"xhtml" in lowered:
            return "application/xhtml+xml"
        if b"<svg" in lowered:
            return "image/svg+xml"
        if b"<pubmedarticleset" in lowered:
            return "application/xml"
        return "application/xml"
    if text.startswith(b"<svg"):
        return "image/svg+xml"
    if _is_html(text):
        return "text/html"
    if text.startswith((b"From:", b"Received:", b"Return-Path:", b"MIME-Version:", b"Message-ID:")):
        return "message/rfc822"
    if _looks_like_text(head, bom):
        if text[:1] in (b"{", b"[") and text.rstrip()[-1:] in (b"}", b"]"):
            return "application/json"
        return "text/plain"
    return "application/octet-stream"
