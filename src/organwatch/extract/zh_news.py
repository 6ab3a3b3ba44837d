"""How Chinese news names its actors, applied to the words LAC tags: teams, national governments, "the X side".

Three habits of Chinese news prose that a word tagger alone gets wrong, each decided with the tagger's
own reading rather than a list of names:

- a sports team is its country or city plus 队 ("中国队", "南非队"): LAC often tags the place and leaves
  队 as a common noun, so the team (an organisation) is lost and a place is reported instead;
- a national government is cited as its country ("英国政府", "克罗地亚政府"): news NER marks the
  country as the place and not the phrase as a body, while a local government with an administrative
  suffix ("重庆市政府", "新疆维吾尔自治区政府") is a named body of its own and stays an organisation;
- "中方", "印方", "加方" (the Chinese / Indian / Canadian side) name the country by its one-character
  abbreviation: that character is the place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Protocol

from organwatch.extract import names

# an administrative unit (省, 市, 自治区...) makes "X政府" a local government, a body with a name of its own
_ADMINISTRATIVE = re.compile(r"(?:省|市|县|區|区|州|盟|旗|镇|乡|村|特区|自治区|地区)$")
_GOVERNMENT = re.compile(r"^(.{2,8}?)(?:新|现|前)?政府$")
_SIDE = re.compile(rf"^[{names.ZH_COUNTRY_ABBREVIATIONS}]方$")


class Tagged(Protocol):
    """A word of LAC's output: offsets into the simplified text and its tag."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def tag(self) -> str: ...


def teams(simplified: str, words: Sequence[Tagged]) -> list[tuple[int, int, str]]:
    """Place (or a place LAC calls a body) + 队 read as two words: the team, an organisation."""
    out: list[tuple[int, int, str]] = []
    for a, b in pairwise(words):
        if a.tag in {"LOC", "ORG"} and b.end - b.start == 1 and simplified[b.start] == "队" and a.end == b.start:
            out.append((a.start, b.end, "organization"))
    return out


def sides(simplified: str, words: Sequence[Tagged]) -> list[tuple[int, int, str]]:
    """ "中方", "加方": the abbreviated country is a place (LAC reads the word as a noun or a person)."""
    return [(w.start, w.start + 1, "place") for w in words if _SIDE.match(simplified[w.start : w.end])]


def national_government(simplified: str, start: int, end: int, is_place: Callable[[str], bool]) -> int | None:
    """End of the country in "英国政府" / "英国新政府" when ``[start, end)`` is a national government, else None.

    ``is_place`` asks the tagger whether the part before 政府, read alone, is a place name: "联邦政府"
    (federal government) names no country and stays as it is.
    """
    match = _GOVERNMENT.match(simplified[start:end])
    if match is None:
        return None
    country = match.group(1)
    if _ADMINISTRATIVE.search(country) or not is_place(country):
        return None
    return start + len(country)
