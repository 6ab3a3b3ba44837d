"""Claims of one document from what the extract stage stored: its text, mentions and quotes.

Pure: the same document, mentions and quotes always give the same claims, with the same keys
(``<document id>:<start>-<end>``), so a reviewer's decisions naming those keys survive re-derivation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from organwatch.claims.detect import detect_claims
from organwatch.claims.weigh import Reported
from organwatch.model import Document
from organwatch.model.extraction import Mention, MentionType, Quote
from organwatch.model.mentions import StoredMention, StoredQuote

#: Bumped whenever detection or grouping changes what is stored, so stale claims can be found.
CLAIMS_VERSION = "claims/2"


def _row(item: Mapping[str, Any] | StoredMention | StoredQuote) -> dict[str, Any]:
    return item.to_dict() if isinstance(item, StoredMention | StoredQuote) else dict(item)


def as_mention(item: Mapping[str, Any] | StoredMention) -> Mention:
    """A stored mention back as the extractor's record (offsets in code points of the document text)."""
    data = _row(item)
    kind = cast(MentionType, data["type"])
    return Mention(kind, str(data["text"]), int(data["start_char"]), int(data["end_char"]),
                   str(data.get("canonical") or data["text"]), data.get("value"), data.get("unit"), data.get("low"),
                   data.get("high"), data.get("role"), None, str(data.get("method") or ""))


def as_quote(item: Mapping[str, Any] | StoredQuote) -> Quote:
    """A stored quote back as the extractor's record."""
    data = _row(item)
    kind = cast(Literal["direct", "reported"], data.get("kind") or "direct")
    return Quote(str(data["speaker"]), str(data["text"]), int(data["start_char"]), int(data["end_char"]), kind,
                 data.get("speaker_start"), data.get("speaker_end"), str(data.get("method") or ""))


def claims_of(document: Document, mentions: Sequence[StoredMention | Mapping[str, Any]],
              quotes: Sequence[StoredQuote | Mapping[str, Any]]) -> list[Reported]:
    """The claim instances of one document (none for a failed document or a language the detector cannot read)."""
    if document.status != "ok" or not document.text:
        return []
    language = document.language if document.language in ("en", "zh-Hans", "zh-Hant") else None
    if language is None:
        return []
    found = detect_claims(document.text, language, [as_mention(m) for m in mentions], [as_quote(q) for q in quotes])
    return [Reported(f"{document.id}:{c.start}-{c.end}", c, document.id, document.outlet, document.author,
                     document.published) for c in found]
