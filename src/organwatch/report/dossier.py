"""Dossiers: everything the case holds about one actor, where every sentence that states something cites an
archived, verifiable span — and no contested claim is stated in the dossier's own voice.

A dossier is built as data (:class:`Dossier`) by :mod:`organwatch.claims.service` and rendered here as
Markdown, self-contained HTML, or PDF (the HTML printed by headless Chromium). Each claim becomes one
attributed sentence — "David Matas estimated that …", "Qin Gang denied that …" — with a footnote giving the
source's title, outlet, date and URL, the capture's SHA-256, its index in the signed log and the exact quote.
The appendix gives the signed tree head the citations can be checked against, and how to check them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from organwatch.model.claims import Claim

_VERBS = {"asserts": "said", "denies": "denied", "estimates": "estimated", "calls_for": "called for"}


@dataclass(frozen=True)
class Citation:
    """Where one quoted span is archived."""

    document_id: int
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    capture_sha256: str
    log_index: int | None
    quote: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class DossierClaim:
    """One claim about the subject, as one source reports it, with how it was weighed."""

    claim: Claim
    citation: Citation
    group_id: str
    corroboration: int
    grade: str
    contradicted: bool


@dataclass
class Dossier:
    """Everything a dossier shows, each item already tied to its evidence."""

    subject: str
    kind: str
    names: dict[str, list[str]]  # script → names ("Latin", "Hans", "Hant")
    claims: list[DossierClaim]
    roles: list[tuple[str, Citation]] = field(default_factory=list)  # (sentence, citation)
    relations_svg: str | None = None
    tree_head: dict[str, Any] = field(default_factory=dict)
    key_id: str = ""
    case_name: str = ""
    generated_at: str = ""
    unavailable: list[str] = field(default_factory=list)  # sources gone from the case since, with why

    @property
    def contested(self) -> list[DossierClaim]:
        """Claims that another claim in the case contradicts."""
        return [c for c in self.claims if c.contradicted]


def attributed_sentence(item: DossierClaim) -> str:
    """The claim in words that say who said it — never in the dossier's own voice.

    >>> from organwatch.model.claims import Claim
    >>> c = Claim("about 60,000 transplants were done", 0, 9, "estimates", "David Matas", None, None, None, "t")
    >>> cite = Citation(1, "T", "Ledger", "2019", None, "ab" * 32, 3, "q", 0, 1)
    >>> attributed_sentence(DossierClaim(c, cite, "g1", 1, "F6", False))
    'David Matas estimated that “about 60,000 transplants were done”'
    """
    claim = item.claim
    speaker = claim.speaker or item.citation.outlet or "An archived source"
    verb = _VERBS[claim.stance]
    if claim.stance == "calls_for":
        return f"{speaker} {verb} “{claim.text}”"
    if claim.stance == "denies":
        return f"{speaker} denied that “{claim.text}”"
    return f"{speaker} {verb} that “{claim.text}”"


def _footnote_text(c: Citation) -> str:
    parts = [f"“{c.title}”" if c.title else f"document {c.document_id}", c.outlet, c.published, c.url,
             f"capture SHA-256 {c.capture_sha256}",
             f"log entry {c.log_index}" if c.log_index is not None else None,
             f"characters {c.start}–{c.end}", f"quote: “{c.quote}”"]
    return ", ".join(p for p in parts if p)


def _summary(d: Dossier) -> str:
    groups = {c.group_id for c in d.claims}
    return (f"{len(d.claims)} claim(s) from {len({c.citation.document_id for c in d.claims})} archived document(s), "
            f"in {len(groups)} group(s) of claims that say the same thing; {len(d.contested)} contradicted by "
            "another claim in the case.")


def render_markdown(d: Dossier) -> str:
    """The dossier as Markdown with numbered footnotes."""
    lines = [f"# Dossier: {d.subject}", "",
             f"Case “{d.case_name}”, generated {d.generated_at}. This dossier reports what sources say; it does "
             "not state contested facts on its own authority. Every statement cites an archived span.", ""]
    notes: list[str] = []

    def cite(c: Citation) -> str:
        notes.append(_footnote_text(c))
        return f"[^{len(notes)}]"

    names = "; ".join(f"{script}: {', '.join(values)}" for script, values in d.names.items() if values)
    lines += ["## Names", "", names or d.subject, "", f"Type: {d.kind}", ""]
    if d.roles:
        lines += ["## Roles and positions", ""]
        lines += [f"- {sentence}{cite(c)}" for sentence, c in d.roles]
        lines.append("")
    if d.relations_svg:
        lines += ["## Relations", "", "The relations figure is in the HTML and PDF editions of this dossier.", ""]
    lines += ["## What sources say", "", _summary(d), ""]
    for item in d.claims:
        flags = [f"grade {item.grade}", f"{item.corroboration} independent source(s)"]
        if item.contradicted:
            flags.append("contradicted")
        lines.append(f"- {attributed_sentence(item)}.{cite(item.citation)} ({'; '.join(flags)})")
    if d.unavailable:
        lines += ["", "## Sources no longer available", "", _UNAVAILABLE, ""]
        lines += [f"- {reason}" for reason in d.unavailable]
    lines += ["", "## Verifying this dossier", "", *_appendix(d), "", "## Sources", ""]
    lines += [f"[^{i}]: {text}" for i, text in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"


_UNAVAILABLE = ("Claims from these sources are left out of this dossier: they can no longer be checked against "
                "the archive.")


def _appendix(d: Dossier) -> list[str]:
    head = d.tree_head
    return [f"Signed tree head: size {head.get('tree_size')}, root {head.get('root_hash')}, "
            f"time {head.get('timestamp')}, signature {head.get('signature')}.",
            f"Case signing key fingerprint: {d.key_id}.",
            "To check a citation: ask the case holder for an evidence bundle of the cited captures "
            "(`organwatch bundle --captures <sha256>`), run `organwatch verify-bundle bundle.zip --expect-key "
            f"{d.key_id}`, and compare each quote with the characters it cites in the original."]


_CSS = """
body{font-family:"Noto Serif CJK SC","Noto Sans CJK SC","Noto Serif","DejaVu Serif",serif;max-width:52em;
margin:2em auto;line-height:1.5;color:#111;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
.flags{color:#555;font-size:.9em}.contested{color:#8a1c1c}
ol.notes{font-size:.85em;word-break:break-all}sup a{text-decoration:none}
.meta{color:#444}p,li{overflow-wrap:anywhere}
"""


def render_html(d: Dossier) -> str:
    """The dossier as one self-contained HTML page (no scripts, no external resources)."""
    e = html.escape
    notes: list[str] = []

    def cite(c: Citation) -> str:
        notes.append(_footnote_text(c))
        n = len(notes)
        return f'<sup id="r{n}"><a href="#n{n}">[{n}]</a></sup>'

    parts = ['<!doctype html><html lang="en"><head><meta charset="utf-8">',
             f"<title>Dossier: {e(d.subject)}</title><style>{_CSS}</style></head><body>",
             f"<h1>Dossier: {e(d.subject)}</h1>",
             f'<p class="meta">Case “{e(d.case_name)}”, generated {e(d.generated_at)}. This dossier reports what '
             "sources say; it does not state contested facts on its own authority. Every statement cites an "
             "archived span.</p>", "<h2>Names</h2><ul>"]
    for script, values in d.names.items():
        if values:
            parts.append(f"<li>{e(script)}: {e(', '.join(values))}</li>")
    parts.append(f"</ul><p>Type: {e(d.kind)}</p>")
    if d.roles:
        parts.append("<h2>Roles and positions</h2><ul>")
        parts += [f"<li>{e(sentence)}{cite(c)}</li>" for sentence, c in d.roles]
        parts.append("</ul>")
    if d.relations_svg:
        parts.append(f"<h2>Relations</h2><figure>{d.relations_svg}</figure>")
    parts.append(f"<h2>What sources say</h2><p>{e(_summary(d))}</p><ul>")
    for item in d.claims:
        flags = f"grade {item.grade}; {item.corroboration} independent source(s)"
        css = ' class="contested"' if item.contradicted else ""
        if item.contradicted:
            flags += "; contradicted by another claim"
        parts.append(f"<li{css}>{e(attributed_sentence(item))}.{cite(item.citation)} "
                     f'<span class="flags">({e(flags)})</span></li>')
    parts.append("</ul>")
    if d.unavailable:
        parts.append(f"<h2>Sources no longer available</h2><p>{e(_UNAVAILABLE)}</p><ul>")
        parts += [f"<li>{e(reason)}</li>" for reason in d.unavailable]
        parts.append("</ul>")
    parts.append("<h2>Verifying this dossier</h2>")
    parts += [f"<p>{e(line)}</p>" for line in _appendix(d)]
    parts.append('<h2>Sources</h2><ol class="notes">')
    parts += [f'<li id="n{i}">{e(text)} <a href="#r{i}">↩</a></li>' for i, text in enumerate(notes, 1)]
    parts.append("</ol></body></html>")
    return "\n".join(parts)


def render_pdf(d: Dossier, out: Path) -> None:
    """Print the HTML dossier to PDF with headless Chromium (Debian's ``chromium``; nothing is downloaded)."""
    from organwatch.report.pdf import html_to_pdf

    html_to_pdf(render_html(d), out)
