"""Archive records: a capture (exact bytes, named by their SHA-256) and every sighting of them.

Pure data: no I/O. The archive writes them; the store reads them back; every other part may import them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Capture:
    """Exact bytes of a source, with every sighting of them.

    >>> Capture("ab" * 32, 3, "text/plain", 1, "2026-01-01T00:00:00Z", ()).sha256 == "ab" * 32
    True
    """

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
                "observations": [o.to_dict() for o in self.observations]}
