"""Atom and RSS feeds → one document per entry, with its title, link, author and date.

Read as HTML, a feed keeps only its boilerplate ("This is an Atom formatted XML site feed") and loses
every post. Here the XML is parsed without network access, entity expansion or huge-tree mode (a
hostile feed cannot fetch or balloon), and each entry's content (``content:encoded``, Atom
``content``, else the summary or description) is turned from HTML into text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from organwatch.text.errors import TextExtractionError
from organwatch.text.plain import clean_text

FeedFormat = Literal["atom", "rss"]
MEDIA_TYPES: dict[FeedFormat, str] = {"atom": "application/atom+xml", "rss": "application/rss+xml"}

_ATOM = "http://www.w3.org/2005/Atom"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"
_DC = "http://purl.org/dc/elements/1.1/"
_RSS1 = "http://purl.org/rss/1.0/"
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)\b[^>]*>", re.IGNORECASE)
_BLOCKS = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|blockquote|section|article)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class FeedEntry:
    """One post of a feed."""

    index: int
    title: str | None
    link: str | None
    published: str | None
    author: str | None
    text: str


def sniff_feed(head: bytes) -> FeedFormat | None:
    """"atom" or "rss" when the first element of ``head`` is a feed's root, else None."""
    text = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return None
    for match in _ROOT.finditer(text[:4096]):
        before = text[: match.start()]
        if re.search(rb"<(?![?!])", before):
            return None  # another element came first: not a feed root
        root = match.group(1).lower()
        if root == b"feed":
            return "atom" if _ATOM.encode() in match.group(0) else None
        if root == b"rss":
            return "rss"
        return "rss" if _RSS1.encode() in text[:4096] else None
    return None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Any, *names: str) -> Any:
    """The first child named by any of ``names`` (``{namespace}local`` exactly, or a bare local name)."""
    for name in names:
        for child in element:
            if (child.tag == name) if name.startswith("{") else (_local(child.tag) == name):
                return child
    return None


def _text(element: Any) -> str | None:
    if element is None:
        return None
    value = " ".join("".join(element.itertext()).split())
    return value or None


def _html_to_text(markup: str) -> str:
    """Text of an entry's HTML content: block elements become line breaks, then tags go."""
    import lxml.html

    if "<" not in markup:
        return clean_text(markup)
    marked = _BLOCKS.sub("\n", markup)
    try:
        fragment = lxml.html.fragment_fromstring(marked, create_parent="div")
    except Exception:  # lxml raises ParserError and others on junk: keep the text without tags
        return clean_text(re.sub(r"<[^>]+>", " ", marked))
    for bad in fragment.xpath(".//script|.//style"):
        bad.drop_tree()
    lines = [" ".join(line.split()) for line in fragment.text_content().split("\n")]
    return clean_text("\n".join(line for line in lines if line))


def _content(element: Any) -> str:
    for name in (f"{{{_CONTENT}}}encoded", f"{{{_ATOM}}}content", "content", "description",
                 f"{{{_ATOM}}}summary", "summary"):
        node = _child(element, name)
        if node is None:
            continue
        kind = (node.get("type") or "").lower()
        if kind in ("xhtml", "application/xhtml+xml"):
            import lxml.etree

            inner = "".join(lxml.etree.tostring(child, encoding="unicode") for child in node)
            text = _html_to_text(inner)
        else:
            text = _html_to_text(node.text or "")
        if text.strip():
            return text
    return ""


def _date(value: str | None) -> str | None:
    """ISO 8601 (UTC when a zone is known) from an RFC 822 (RSS) or ISO (Atom, Dublin Core) date."""
    if not value:
        return None
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _link(element: Any) -> str | None:
    for child in element:
        if _local(child.tag) != "link":
            continue
        if child.get("href") and child.get("rel", "alternate") == "alternate":
            return str(child.get("href")).strip()
        if child.text and child.text.strip():
            return str(child.text).strip()
    guid = _child(element, "guid")
    if guid is not None and (guid.get("isPermaLink", "true") != "false") and guid.text:
        return str(guid.text).strip()
    return None


def read_feed(data: bytes) -> tuple[str | None, list[FeedEntry]]:
    """The feed's title and its entries, in feed order. Raises :class:`TextExtractionError` on broken XML."""
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True,
                                  remove_comments=True)
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except lxml.etree.XMLSyntaxError as error:
        raise TextExtractionError(f"feed XML cannot be parsed ({error})") from error
    if root is None:
        raise TextExtractionError("feed XML cannot be parsed (no root element)")
    channel = _child(root, "channel")
    title = _text(_child(channel if channel is not None else root, "title"))
    items = [node for node in root.iter() if _local(node.tag) in ("entry", "item")]
    entries = []
    for index, item in enumerate(items):
        author = _child(item, "author", f"{{{_DC}}}creator", "creator")
        if author is not None and _child(author, "name") is not None:
            author = _child(author, "name")
        entries.append(FeedEntry(
            index=index,
            title=_text(_child(item, "title")),
            link=_link(item),
            published=_date(_text(_child(item, "published", "pubDate", f"{{{_DC}}}date", "date", "updated"))),
            author=_text(author),
            text=_content(item),
        ))
    return title, entries
