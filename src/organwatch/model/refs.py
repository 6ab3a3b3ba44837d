"""References to evidence, parsed into one small typed value: the one parser every part uses.

A source is free text (a citation), a URL, or a reference into a case: ``capture:<sha256>`` for a whole
capture, ``capture:<sha256>#<start>-<end>`` for a span of its text (Unicode code points, end exclusive),
``document:<id>`` or ``document:<id>#<start>-<end>`` for a document or a span of it, or ``claim:<id>``.
Checking that the capture, document or claim exists in a case is the store's job; here we only make sure the
reference is well formed, so a typo fails at load time.

>>> parse_source("capture:" + "ab" * 32 + "#10-20").span
(10, 20)
>>> parse_source("Xinhua, 26 Jun 2007").kind
'citation'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

SourceKind = Literal["capture", "document", "claim", "url", "citation"]

_CAPTURE = re.compile(r"^capture:([0-9a-fA-F]*)(?:#(.*))?$")
_SPAN = re.compile(r"^(\d+)-(\d+)$")
_DOCUMENT = re.compile(r"^document:(\d+)(?:#(.*))?$")
_CLAIM = re.compile(r"^claim:([A-Za-z0-9_.:-]+)$")


@dataclass(frozen=True)
class SourceRef:
    """A parsed source: the original text plus what kind of reference it is."""

    text: str
    kind: SourceKind
    sha256: str | None = None
    span: tuple[int, int] | None = None
    claim_id: str | None = None
    document_id: int | None = None

    @property
    def is_case_reference(self) -> bool:
        """True when the source points into a case (capture or claim) rather than outside it."""
        return self.kind in ("capture", "document", "claim")

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "sha256": self.sha256,
            "span": list(self.span) if self.span else None,
            "claim_id": self.claim_id,
            **({"document_id": self.document_id} if self.document_id is not None else {}),
        }


def parse_source(text: str) -> SourceRef:
    """Parse one source cell; raise ``ValueError`` with a readable reason when a case reference is malformed.

    >>> parse_source("https://example.org/t7").kind
    'url'
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty source: every input needs a citation, URL or capture:/claim: reference")
    lowered = raw.lower()
    if lowered.startswith("capture:"):
        match = _CAPTURE.match(raw)
        digest = match.group(1) if match else ""
        if len(digest) != 64:
            raise ValueError(f"capture reference {raw!r} needs a 64-character hex sha256 after 'capture:'")
        span = _parse_span("capture", match.group(2) if match else None)
        return SourceRef(text=raw, kind="capture", sha256=digest.lower(), span=span)
    if lowered.startswith("document:"):
        doc = _DOCUMENT.match(raw)
        if not doc:
            raise ValueError(f"document reference {raw!r} must be 'document:<number>' (see `organwatch text`)")
        return SourceRef(text=raw, kind="document", document_id=int(doc.group(1)),
                         span=_parse_span("document", doc.group(2)))
    if lowered.startswith("claim:"):
        claim = _CLAIM.match(raw)
        if not claim:
            raise ValueError(f"claim reference {raw!r} must be 'claim:<id>' with no spaces")
        return SourceRef(text=raw, kind="claim", claim_id=claim.group(1))
    if lowered.startswith(("http://", "https://")) and " " not in raw:
        return SourceRef(text=raw, kind="url")
    return SourceRef(text=raw, kind="citation")


def _parse_span(kind: str, fragment: str | None) -> tuple[int, int] | None:
    if fragment is None:
        return None
    span_match = _SPAN.match(fragment)
    if not span_match:
        raise ValueError(f"{kind} span {fragment!r} must be '<start>-<end>' in code points")
    start, end = int(span_match.group(1)), int(span_match.group(2))
    if end <= start:
        raise ValueError(f"{kind} span {fragment!r} is empty or reversed (end must exceed start)")
    return (start, end)


def format_ref(kind: str, ident: str | int, span: tuple[int, int] | None = None) -> str:
    """The text form of a case reference, the inverse of :func:`parse_source`.

    >>> format_ref("document", 12, (3, 9))
    'document:12#3-9'
    """
    return f"{kind}:{ident}" + (f"#{span[0]}-{span[1]}" if span else "")
