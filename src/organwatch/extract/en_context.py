"""Types of English model mentions corrected by the words around them and by the rest of the document.

The small English model decides a name's type mostly from the name itself, so an unfamiliar surname can
come out as an organisation and a foreign town as a body. News prose usually says what a name is, in
ways that hold in any report:

- "the city of X", "the town of X", "the capital X": X is a place;
- "X, 45,": an age in apposition belongs to a person;
- `..." X said.` after a closing quotation mark: a single name that speaks a quote is a person (an
  organisation speaks through "the company said", not by a bare name after a quote);
- a single word that is the surname of a person named in full elsewhere in the document is that person.

Only mentions the model found are retyped: gazetteer entries and domain rules already know their type.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from organwatch.model.extraction import Mention

_PLACE_BEFORE = re.compile(
    r"(?:\b(?:city|town|village|port|province|region|district|capital|suburb|island)(?: of)?|\bcapital,?)\s+$",
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(r",\s+\d{1,2}\s*,")
_SAID_AFTER_QUOTE = re.compile(r"""[,.!?]\s*["”']\s*$""")
_SAID = re.compile(r"\s+(?:said|says|told|added|asked)\b")
_STAGE = {"person": "people", "organization": "orgs", "place": "places"}


def _retyped(m: Mention, kind: str, why: str) -> Mention:
    return replace(m, type=kind, method=f"{_STAGE[kind]}:{why}")  # type: ignore[arg-type]


def retype(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The same mentions with the model's type corrected where the context says otherwise."""
    surnames = {
        m.text.rsplit(" ", 1)[1]
        for m in mentions
        if m.type == "person" and " " in m.text and m.text.rsplit(" ", 1)[1][:1].isupper()
    }
    out: list[Mention] = []
    for m in mentions:
        if not m.method.endswith(":model"):
            out.append(m)
            continue
        before = text[max(0, m.start - 30) : m.start]
        after = text[m.end : m.end + 12]
        single = " " not in m.text
        if m.type != "place" and _PLACE_BEFORE.search(before):
            out.append(_retyped(m, "place", "context"))
        elif m.type != "person" and (
            _AGE_AFTER.match(after) or (single and _SAID_AFTER_QUOTE.search(before) and _SAID.match(after))
        ):
            out.append(_retyped(m, "person", "context"))
        elif m.type != "person" and single and m.text in surnames:
            out.append(_retyped(m, "person", "surname"))
        else:
            out.append(m)
    return out
