"""Renamed bodies: "renamed X in 2008", "X更名为Y", "Y (formerly X)", "Y（原名X）", "X, now called Y".

A source that states a rename says two names are one body at different times: the two local entities are
joined (as a reviewer's merge would join them, but only inside the document that says so) and the names
get validity dates: the old name is valid until the date in the sentence, the new one from it. "Merged into"
is not a rename: a merger makes another body.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from organwatch.resolve.sentences import sentence_spans

if TYPE_CHECKING:
    from organwatch.resolve.merge import DocumentIn, LocalEntity

# Text between the old name and the new one.
_FORWARD = re.compile(
    r"^\s*(?:(?:was|were|has been|had been|is)\s+)?(?:renamed|re-named)(?:\s+(?:as|to))?(?:\s+the)?\s*$|"
    r"^\s*,?\s*(?:now|later|since then)\s+(?:called|known as|named)(?:\s+the)?\s*$|"
    r"^\s*(?:已|正式|被)?(?:更名为|改名为|更名|改称|易名为)\s*$",
    re.I,
)
# Text between the new name and the old one.
_BACKWARD = re.compile(
    r"^\s*[,(（，]\s*(?:formerly|previously|once)(?:\s+(?:known as|called|named))?(?:\s+the)?\s*$|"
    r"^\s*[(（，,]?\s*(?:原名|原称|前身为|前身是|旧称|原)\s*$",
    re.I,
)


@dataclass(frozen=True)
class Rename:
    """One stated rename in a document: old and new local names, the date if the sentence gives one."""

    old: str
    new: str
    date: str | None
    start: int
    end: int


def read_renames(doc: DocumentIn, locals_: list[LocalEntity]) -> list[Rename]:
    """Renames of organisations stated in a document (each cited by its sentence)."""
    spans = sorted((start, end, loc.name) for loc in locals_ if loc.type == "organization" and not loc.partial
                   for start, end in loc.spans)
    if len(spans) < 2:
        return []
    dates = [(m.start, str(m.canonical or m.value or "")) for m in doc.mentions if m.type == "date"
             and re.match(r"\d{4}", str(m.canonical or m.value or ""))]
    found: list[Rename] = []
    for s_start, s_end in sentence_spans(doc.text):
        inside = [s for s in spans if s_start <= s[0] < s_end]
        when = next((value[:7] if len(value) >= 7 and value[4] == "-" else value[:4]
                     for start, value in dates if s_start <= start < s_end), None)
        for (_, a_end, a_name), (b_start, _, b_name) in itertools.pairwise(inside):
            if a_name == b_name:
                continue
            between = doc.text[a_end:b_start]
            if _FORWARD.match(between):
                found.append(Rename(a_name, b_name, when, s_start, s_end))
            elif _BACKWARD.match(between):
                found.append(Rename(b_name, a_name, when, s_start, s_end))
    return found
