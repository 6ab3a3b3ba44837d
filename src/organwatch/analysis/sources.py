"""Where an input number came from, parsed into a small typed reference.

Every input row of every analysis keeps a ``source``. It is free text (a citation), a URL, or a reference into
a case: ``capture:<sha256>`` for a whole capture, ``capture:<sha256>#<start>-<end>`` for a span of its text
(Unicode code points, end exclusive) or ``claim:<id>``. Checking that the capture or claim exists in a case is
the archive's job; here we only make sure the reference is well formed, so a typo fails at load time.

>>> parse_source("capture:" + "ab" * 32 + "#10-20").span
(10, 20)
>>> parse_source("Xinhua, 26 Jun 2007").kind
'citation'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

SourceKind = Literal["capture", "claim", "url", "citation"]

_CAPTURE = re.compile(r"^capture:([0-9a-fA-F]*)(?:#(.*))?$")
_SPAN = re.compile(r"^(\d+)-(\d+)$")
_CLAIM = re.compile(r"^claim:([A-Za-z0-9_.:-]+)$")


@dataclass(frozen=True)
class SourceRef:
    """A parsed source: the original text plus what kind of reference it is."""

    text: str
    kind: SourceKind
    sha256: str | None = None
    span: tuple[int, int] | None = None
    claim_id: str | None = None

    @property
    def is_case_reference(self) -> bool:
        """True when the source points into a case (capture or claim) rather than outside it."""
        return self.kind in ("capture", "claim")

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "sha256": self.sha256,
            "span": list(self.span) if self.span else None,
            "claim_id": self.claim_id,
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
        span: tuple[int, int] | None = None
        fragment = match.group(2) if match else None
        if fragment is not None:
            span_match = _SPAN.match(fragment)
            if not span_match:
                raise ValueError(f"capture span {fragment!r} must be '<start>-<end>' in code points")
            start, end = int(span_match.group(1)), int(span_match.group(2))
            if end <= start:
                raise ValueError(f"capture span {fragment!r} is empty or reversed (end must exceed start)")
            span = (start, end)
        return SourceRef(text=raw, kind="capture", sha256=digest.lower(), span=span)
    if lowered.startswith("claim:"):
        claim = _CLAIM.match(raw)
        if not claim:
            raise ValueError(f"claim reference {raw!r} must be 'claim:<id>' with no spaces")
        return SourceRef(text=raw, kind="claim", claim_id=claim.group(1))
    if lowered.startswith(("http://", "https://")) and " " not in raw:
        return SourceRef(text=raw, kind="url")
    return SourceRef(text=raw, kind="citation")
