"""Build the gold JSON files from the marked-up sources in ``sources/``.

Offsets are never typed by hand: annotations are written inline as ``⟦span⟧{type=canonical;key=value}``
(nesting allowed, e.g. a quantity inside a quote), and this script strips the markup and records the
code-point offsets of every span in the clean text. ``tests/extract/test_gold.py`` checks that the JSON
files are up to date with the sources and that every offset points at its text.

    .venv/bin/python tests/gold/build_gold.py          # rewrite tests/gold/*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

GOLD = Path(__file__).resolve().parent
OPEN, CLOSE = "⟦", "⟧"


def _parse_spec(spec: str) -> dict[str, Any]:
    head, *rest = spec.split(";")
    kind, _, canonical = head.partition("=")
    fields: dict[str, Any] = {"type": kind.strip(), "canonical": canonical.strip() or None}
    for item in rest:
        key, _, value = item.partition("=")
        fields[key.strip()] = value.strip()
    return fields


def parse(marked: str) -> tuple[str, list[dict[str, Any]]]:
    """Strip the markup; return the clean text and the annotations with offsets, in text order."""
    out: list[str] = []
    length = 0
    stack: list[int] = []
    spans: list[dict[str, Any]] = []
    i = 0
    while i < len(marked):
        ch = marked[i]
        if ch == OPEN:
            stack.append(length)
            i += 1
        elif ch == CLOSE:
            if marked[i + 1 : i + 2] != "{":
                raise ValueError(f"'⟧' not followed by '{{' at {i}: {marked[max(0, i - 40) : i + 10]!r}")
            end_spec = marked.index("}", i)
            fields = _parse_spec(marked[i + 2 : end_spec])
            fields["start"], fields["end"] = stack.pop(), length
            spans.append(fields)
            i = end_spec + 1
        else:
            out.append(ch)
            length += 1
            i += 1
    if stack:
        raise ValueError(f"unclosed '⟦' at text offset {stack[-1]}")
    text = "".join(out)
    for span in spans:
        span["text"] = text[span["start"] : span["end"]]
    spans.sort(key=lambda s: (s["start"], -s["end"]))
    return text, spans


def _number(value: str | None) -> float | int | None:
    if value is None or value == "":
        return None
    number = float(value)
    return int(number) if number.is_integer() and "." not in value else number


def _document(header: str, body: str) -> dict[str, Any]:
    doc_id, language, doc_date, kind = (part.strip() for part in header.split("|"))
    text, spans = parse(body.strip("\n"))
    mentions: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    for span in spans:
        if span["type"] == "quote":
            quotes.append(
                {"speaker": span["canonical"], "text": span["text"], "start": span["start"], "end": span["end"]}
            )
            continue
        mention: dict[str, Any] = {
            "type": span["type"],
            "text": span["text"],
            "start": span["start"],
            "end": span["end"],
            "canonical": span["canonical"] or span["text"],
            "value": None,
        }
        if span["type"] == "date":
            mention["value"] = span["canonical"]
            if "role" in span:
                mention["role"] = span["role"]
        elif span["type"] == "quantity":
            mention["value"] = _number(span["canonical"])
            mention["unit"] = span.get("unit")
            if "low" in span:
                mention["low"], mention["high"] = _number(span["low"]), _number(span.get("high"))
            mention["canonical"] = _quantity_canonical(mention)
        elif span["type"] not in {"person", "organization", "place"}:
            raise ValueError(f"{doc_id}: unknown type {span['type']!r}")
        mentions.append(mention)
    return {"id": doc_id, "language": language, "doc_date": doc_date, "kind": kind, "text": text,
            "mentions": mentions, "quotes": quotes}  # fmt: skip


def _quantity_canonical(mention: dict[str, Any]) -> str:
    if mention.get("low") is not None:
        high = mention.get("high")
        return f"{mention['low']}–{high}" if high is not None else f"{mention['low']}–"
    return str(mention["value"])


def build(sources: Path = GOLD / "sources") -> dict[str, dict[str, Any]]:
    """All gold documents keyed by id, built from every ``sources/*.txt``."""
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(sources.glob("*.txt")):
        chunks = path.read_text(encoding="utf-8").split("=== ")[1:]
        for chunk in chunks:
            header, _, body = chunk.partition("\n")
            doc = _document(header, body)
            documents[doc["id"]] = doc
    return documents


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    docs = build()
    for old in GOLD.glob("*.json"):
        if old.name != "baseline.json":
            old.unlink()
    for doc_id, doc in docs.items():
        (GOLD / f"{doc_id}.json").write_text(render(doc), encoding="utf-8")
    print(f"wrote {len(docs)} gold documents", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
