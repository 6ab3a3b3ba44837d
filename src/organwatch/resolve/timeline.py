"""Dated events: a sentence with a date and an actor becomes an event; reports of one event are grouped.

An event keeps the date at the precision the source gave (``2006`` year, ``2006-09`` month, ``2012-02-06``
day). Reports from several documents with the same kind of happening (fled to a consulate, an award, an
appointment, a sentence...) and a shared actor are one event with several sources. When their dates
disagree (not merely differ in precision: 2012-02 and 2012-02-06 agree), the event is flagged as conflicting
and every source keeps its own date: dates are never averaged.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from organwatch.resolve.merge import DocumentIn, LocalEntity
from organwatch.resolve.sentences import sentence_spans

KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("consulate visit", re.compile(r"consulate|领事馆|領事館", re.I)),
    ("award", re.compile(r"\baward|prize|奖|獎", re.I)),
    ("sentence", re.compile(r"sentenced|verdict|prison term|判处|判處|有期徒刑", re.I)),
    ("detention", re.compile(r"detained|arrested|removed|dismissed|免职|免職|被捕|拘留", re.I)),
    ("campaign", re.compile(r"campaign|crackdown|运动|運動|镇压|鎮壓", re.I)),
    ("founding", re.compile(r"set up|established|founded|成立", re.I)),
    ("announcement", re.compile(r"announc|宣布", re.I)),
    ("report", re.compile(r"\breport|published|released|发布|發布|报告|報告", re.I)),
    ("appointment", re.compile(r"became|appointed|named|moved to|调任|調任|升任|出任|任", re.I)),
)


@dataclass
class EventReport:
    """One source's report of an event: its date as written, and the span that says it."""

    date: str
    precision: str
    kind: str
    actors: list[str]
    document_id: int
    start: int
    end: int
    text: str


@dataclass
class Event:
    """One happening with every report of it; ``conflict`` when the reports' dates disagree."""

    date: str
    precision: str
    kind: str
    actors: list[str]
    reports: list[EventReport] = field(default_factory=list)
    conflict: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "precision": self.precision, "kind": self.kind, "actors": self.actors,
                "conflict": self.conflict, "sources": len({r.document_id for r in self.reports}),
                "reports": [r.__dict__ for r in self.reports]}


def precision_of(value: str) -> str:
    """``year``, ``month``, ``day``, ``week`` or ``range`` for an ISO 8601 value at its precision."""
    if "/" in value:
        return "range"
    if "W" in value:
        return "week"
    return {4: "year", 7: "month", 10: "day"}.get(len(value), "other")


def read_events(doc: DocumentIn, locals_: list[LocalEntity], entity_of: dict[str, str]) -> list[EventReport]:
    """Event reports of one document; ``entity_of`` maps a local name to its entity id."""
    dates = [m for m in doc.mentions if m.type == "date" and m.canonical and re.match(r"\d{4}", m.canonical)
             and (m.canonical or "") != doc.date]
    actors = [(s, e, loc) for loc in locals_ if loc.type in ("person", "organization") and not loc.partial
              for s, e in loc.spans]
    found: list[EventReport] = []
    for s_start, s_end in sentence_spans(doc.text):
        sentence = doc.text[s_start:s_end]
        in_dates = [m for m in dates if s_start <= m.start < s_end]
        ids = sorted({entity_of[loc.name] for s, _, loc in actors if s_start <= s < s_end and loc.name in entity_of})
        if not in_dates or not ids:
            continue
        kind = next((name for name, rx in KINDS if rx.search(sentence)), "other")
        for date in in_dates[:2]:
            value = str(date.canonical)
            found.append(EventReport(value, precision_of(value), kind, ids, doc.id, s_start, s_end, sentence))
    return found


def _compatible(a: str, b: str) -> bool:
    a, b = a.split("/")[0], b.split("/")[0]
    if "W" in a or "W" in b:
        return a[:4] == b[:4]
    return a.startswith(b) or b.startswith(a)


def group_events(reports: list[EventReport]) -> list[Event]:
    """Group reports into events (same kind, a shared actor, same year); flag disagreeing dates."""
    buckets: dict[tuple[str, str], list[list[EventReport]]] = defaultdict(list)
    for report in reports:
        bucket = buckets[(report.kind, report.date if report.kind == "other" else report.date[:4])]
        for group in bucket:
            if set(report.actors) & {a for r in group for a in r.actors}:
                group.append(report)
                break
        else:
            bucket.append([report])
    groups = {(kind, str(i), year): group for (kind, year), bucket in buckets.items()
              for i, group in enumerate(bucket)}
    events: list[Event] = []
    for (kind, _, _), members in groups.items():
        same_doc_ok: dict[int, EventReport] = {}
        for report in members:
            same_doc_ok.setdefault(report.document_id, report)
        by_doc = list(same_doc_ok.values()) if kind != "other" else members
        best = max(by_doc, key=lambda r: (len(r.date.split("/")[0]), r.date))
        conflict = len({r.document_id for r in members}) > 1 and any(
            not _compatible(r.date, best.date) for r in members)
        actors = sorted({a for r in members for a in r.actors})
        events.append(Event(best.date, best.precision, kind, actors, members, conflict))
    return sorted(events, key=lambda e: (e.date, e.kind))


def timeline_html(events: list[dict[str, Any]], names: dict[str, str], title: str) -> str:
    """A self-contained HTML page (no scripts, no external files) listing events with their sources."""
    rows = []
    for event in events:
        actors = ", ".join(html.escape(names.get(a, a)) for a in event["actors"])
        flag = ' <strong class="conflict">dates conflict</strong>' if event["conflict"] else ""
        cites = "".join(
            f"<li><code>{html.escape(r['date'])}</code> document {r['document_id']} "
            f"[{r['start']}–{r['end']}]: “{html.escape(r['text'])}”</li>" for r in event["reports"])
        rows.append(f"<section><h2><time>{html.escape(event['date'])}</time> · {html.escape(event['kind'])}"
                    f"{flag}</h2><p>{actors} · {event['sources']} source(s)</p><ul>{cites}</ul></section>")
    data = html.escape(json.dumps(events, ensure_ascii=False))
    return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html.escape(title) + "</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:auto}section{border-left:3px solid #446;"
            "padding-left:1em;margin:1em 0}.conflict{color:#b00}</style></head><body><h1>" + html.escape(title)
            + "</h1>" + "".join(rows) + f"<script type=\"application/json\" id=\"events\">{data}</script>"
            "</body></html>")
