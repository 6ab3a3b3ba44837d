"""Claims: who said what, where — held as attributed statements, never as facts.

A claim is a statement in a document attributed to a speaker, with its stance (asserts, denies, estimates,
calls for), what it is about (subject, predicate) and, when it states a number, the value with its unit and
period. The document that carries it is the *reporting* source; the speaker is the *origin*. Ten newspapers
reporting one researcher's estimate give ten claim instances with one origin.

Pure data: no I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Stance = Literal["asserts", "denies", "estimates", "calls_for"]
STANCES: tuple[Stance, ...] = ("asserts", "denies", "estimates", "calls_for")

#: Admiralty (NATO) code: reliability of the source, A (completely reliable) to F (cannot be judged),
#: and credibility of the information, 1 (confirmed) to 6 (cannot be judged). Ungraded is F6.
RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged"}
CREDIBILITY = {1: "confirmed by other sources", 2: "probably true", 3: "possibly true", 4: "doubtful",
               5: "improbable", 6: "truth cannot be judged"}


@dataclass(frozen=True)
class Claim:
    """One attributed statement: ``text == document_text[start:end]`` (code points).

    ``value`` is a number, or ``None``; a range ("between 60,000 and 100,000") has ``low``/``high`` and
    ``value`` at their midpoint. ``period`` is an ISO 8601 year or interval (``2005``, ``2000/2005``).
    ``method`` names the rule that found it, so a reviewer can see why.
    """

    text: str
    start: int
    end: int
    stance: Stance
    speaker: str | None
    speaker_start: int | None
    speaker_end: int | None
    subject: str | None
    predicate: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    period: str | None = None
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Grade:
    """An Admiralty grade given by a reviewer to a source (reliability) and its information (credibility)."""

    source: str
    reliability: str
    credibility: int
    reason: str
    graded_by: str
    graded_at: str
    seq: int | None = None

    @property
    def code(self) -> str:
        """The two-character code, e.g. ``B2``."""
        return f"{self.reliability}{self.credibility}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "code": self.code}


UNGRADED = "F6"
