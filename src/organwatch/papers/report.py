"""A self-contained HTML report of a screening run: protocol, PRISMA flow, decisions and evidence.

One file with inline CSS and the flow diagram as inline SVG, no scripts and no external links, so it
can be mailed to an editor or archived as is. Every reason shows the quoted span it rests on, and the
protocol text (with its SHA-256) is included so the run can be reproduced.
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Any

from organwatch.model.clock import utc_now
from organwatch.papers.prisma import PrismaCounts, render
from organwatch.papers.records import Record
from organwatch.papers.screen import ScreenResult
from organwatch.version import __version__

_CSS = """
body{font-family:system-ui,-apple-system,"Noto Sans CJK SC",sans-serif;margin:2em auto;max-width:70em;color:#222;
line-height:1.45;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #ddd;padding:.35em .5em;
vertical-align:top;text-align:left}th{background:#f4f7fb}
.included{background:#fff4e5}.flag{color:#a40000;font-weight:bold}.muted{color:#666}
mark{background:#ffe08a}blockquote{margin:.2em 0;padding:.2em .6em;border-left:3px solid #ccc;color:#333}
.military{color:#a40000}pre{white-space:pre-wrap;background:#f7f7f7;padding:1em;font-size:.85em}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _reason_html(reason: Any, text: str) -> str:
    quote = ""
    if reason.quote:
        shown = _e(reason.quote)
        if reason.start is not None and reason.end is not None and text:
            exact = text[reason.start:reason.end]
            if exact and exact in reason.quote:
                before, _, after = reason.quote.partition(exact)
                shown = f"{_e(before)}<mark>{_e(exact)}</mark>{_e(after)}"
        where = f" <span class='muted'>[{_e(reason.field)} {reason.start}–{reason.end}]</span>" \
            if reason.start is not None else ""
        quote = f"<blockquote>{shown}{where}</blockquote>"
    return f"<li><b>{_e(reason.stage)}</b>: {_e(reason.message)}{quote}</li>"


def build(*, case_name: str, run: dict[str, Any], results: list[ScreenResult], records: dict[str, Record],
          counts: PrismaCounts, reviews: dict[str, dict[str, Any]], affiliations: dict[str, Any],
          issues: list[str]) -> str:
    """The report as one HTML string."""
    with tempfile.TemporaryDirectory() as tmp:
        svg_path = render(counts, Path(tmp) / "prisma.svg", run["name"])[0]
        svg = svg_path.read_text(encoding="utf-8")
        svg = svg[svg.find("<svg"):]
    included = [r for r in results if r.decision == "included"]
    flags = sorted({k for r in results for k in r.flags})
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Screening report: "
             f"{_e(run['name'])}</title><style>{_CSS}</style></head><body>",
             f"<h1>Literature screening: {_e(run['name'])} {_e(run['version'])}</h1>",
             f"<p>Case <b>{_e(case_name)}</b> · run {run['id']} of {_e(run['started_at'])} · {len(results)} "
             f"records · {len(included)} included · protocol SHA-256 <code>{_e(run['protocol_sha256'])}</code> · "
             f"OrganWatch {_e(__version__)} · report written {_e(utc_now())}</p>",
             "<p class='muted'>Automatic screening finds and quotes the passages a decision rests on; it does "
             "not replace reading the paper. Human coding (if any) is shown beside each decision.</p>",
             "<h2>PRISMA 2020 flow</h2>", svg]
    if flags:
        parts.append("<h2>Checks across assessed papers</h2><table><tr><th>check</th><th>papers found</th>"
                     "<th>of assessed</th><th>%</th></tr>")
        assessed = [r for r in results if r.flags]
        for name in flags:
            n = sum(1 for r in assessed if r.flags.get(name))
            share = f"{100 * n / len(assessed):.1f}" if assessed else "–"
            parts.append(f"<tr><td>{_e(name)}</td><td>{n}</td><td>{len(assessed)}</td><td>{share}</td></tr>")
        parts.append("</table>")
    parts.append("<h2>Decisions</h2><table><tr><th>id</th><th>paper</th><th>decision</th><th>score</th>"
                 "<th>human coding</th><th>reasons and quoted evidence</th></tr>")
    for result in sorted(results, key=lambda r: (r.decision != "included", r.record_id)):
        record = records.get(result.record_id)
        title = record.title if record else ""
        year = record.year if record and record.year else ""
        review = reviews.get(result.record_id)
        coded = f"{review['score']} ({_e(review['reviewer'])}) {_e(review['note'] or '')}" if review else ""
        flagged = " class='flag'" if result.flags.get("dead_donor_rule") else ""
        text_by_field = {}
        if record:
            for reason in result.reasons:
                if reason.field and reason.field not in text_by_field:
                    text_by_field[reason.field] = record.field_text(reason.field)
        reasons = "".join(_reason_html(r, text_by_field.get(r.field or "", "")) for r in result.reasons)
        parts.append(f"<tr class='{result.decision}'><td>{_e(result.record_id)}</td><td>{_e(title)} "
                     f"<span class='muted'>{_e(year)}</span></td><td{flagged}>{_e(result.decision)}<br>"
                     f"<span class='muted'>{_e(result.stage)}</span></td><td>{_e(result.score)}</td>"
                     f"<td>{coded}</td><td><ul>{reasons}</ul></td></tr>")
    parts.append("</table>")
    parts.append("<h2>Hospitals, cities and authors of included papers</h2>")
    if affiliations["hospitals"]:
        parts.append(f"<p>{len(affiliations['hospitals'])} hospitals, of which {affiliations['military_hospitals']} "
                     "military (marked).</p><table><tr><th>hospital</th><th>city</th><th>papers</th>"
                     "<th>case documents naming it</th></tr>")
        for hospital in affiliations["hospitals"]:
            mark = " <span class='military'>(military)</span>" if hospital["military"] else ""
            docs = ", ".join(str(d) for d in hospital.get("case_documents", []))
            parts.append(f"<tr><td>{_e(hospital['name'])}{mark}</td><td>{_e(hospital['city'] or '')}</td>"
                         f"<td>{_e(', '.join(hospital['papers']))}</td><td>{_e(docs)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p class='muted'>No affiliations in the included papers.</p>")
    if affiliations["cities"]:
        parts.append("<p>Cities: " + ", ".join(f"{_e(c['city'])} ({_e(c['english'])}) {c['papers']}"
                                               for c in affiliations["cities"]) + "</p>")
    if affiliations["authors"]:
        parts.append("<p>Authors: " + ", ".join(f"{_e(a['author'])} ({a['papers']})"
                                                for a in affiliations["authors"][:100]) + "</p>")
    if issues:
        parts.append(f"<h2>Import problems ({len(issues)})</h2><ul>"
                     + "".join(f"<li>{_e(i)}</li>" for i in issues[:500]) + "</ul>")
    parts.append(f"<h2>Protocol</h2><pre>{_e(run['yaml'])}</pre></body></html>")
    return "\n".join(parts)
