"""Gazetteers shipped as TSV data files in ``gazetteers/`` (each names its public sources in its header).

One :class:`Gazetteer` holds every entry with its English and Chinese names; lookups are by exact
surface form (English, case-sensitive) or by simplified Chinese form. Loaded once per process.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

from organwatch.text import to_simplified

FILES: dict[str, str] = {
    "people.tsv": "person",
    "bodies.tsv": "organization",
    "detention.tsv": "organization",
    "hospitals.tsv": "organization",
    "places.tsv": "place",
}


@dataclass(frozen=True)
class Entry:
    """A gazetteer row: ``id`` is stable and becomes the mention's ``entity_id`` (``gaz:<file>/<id>``)."""

    id: str
    type: str
    en: str
    zh: str
    aliases: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Gazetteer:
    entries: tuple[Entry, ...]
    english: dict[str, Entry]  # surface form → entry
    chinese: dict[str, Entry]  # simplified surface form → entry

    def canonical(self, entry: Entry, language: str) -> str:
        """The display name in the document's language (falls back to the other language)."""
        if language == "zh":
            return entry.zh or entry.en
        return entry.en or entry.zh


def _has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _rows(name: str) -> list[dict[str, str]]:
    raw = resources.files("organwatch.extract").joinpath("gazetteers").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in raw.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@functools.cache
def load() -> Gazetteer:
    """Read every shipped gazetteer file (cached)."""
    entries: list[Entry] = []
    english: dict[str, Entry] = {}
    chinese: dict[str, Entry] = {}
    for name, kind in FILES.items():
        for row in _rows(name):
            aliases = tuple(a for a in (row.get("aliases") or "").split("|") if a)
            entry = Entry(
                id=f"gaz:{name.removesuffix('.tsv')}/{row['id']}",
                type=kind,
                en=row.get("en") or "",
                zh=row.get("zh") or "",
                aliases=aliases,
                kind=row.get("kind") or row.get("note") or "",
            )
            entries.append(entry)
            for form in (entry.en, entry.zh, *aliases):
                if not form:
                    continue
                if _has_han(form):
                    chinese.setdefault(to_simplified(form), entry)
                else:
                    english.setdefault(form, entry)
    return Gazetteer(tuple(entries), english, chinese)
