"""Embedded media of a page (images, video, audio, embeds): find their URLs in the HTML.

The Berkeley Protocol asks for embedded media as separate items, each hashed: a photograph on a
hospital page is evidence of its own, and the same image found on two sites must hash the same.
So each is fetched and stored as its own capture (its bytes, not wrapped), in the page's capture set.

>>> media_urls('<img src="a.png" srcset="b.png 2x"><video poster="p.jpg">', "https://h.example/x/")
['https://h.example/x/a.png', 'https://h.example/x/b.png', 'https://h.example/x/p.jpg']
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

# tag -> attributes that hold one URL; srcset holds several.
_URL_ATTRS: dict[str, tuple[str, ...]] = {
    "img": ("src",), "image": ("href",), "video": ("src", "poster"), "audio": ("src",), "source": ("src",),
    "track": ("src",), "embed": ("src",), "object": ("data",), "input": ("src",),
}


class _MediaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v}
        if tag == "base" and self.base is None and "href" in values:
            self.base = values["href"]
        if tag == "input" and values.get("type", "").lower() != "image":
            return
        for attr in _URL_ATTRS.get(tag, ()):
            if attr in values:
                self.found.append(values[attr])
        if tag in ("img", "source") and "srcset" in values:
            self.found.extend(part.strip().split()[0] for part in values["srcset"].split(",") if part.strip())


def media_urls(html: str, page_url: str, limit: int = 500) -> list[str]:
    """Absolute http(s) URLs of the media ``html`` embeds, in page order, each once (at most ``limit``)."""
    parser = _MediaParser()
    parser.feed(html)
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    seen: dict[str, None] = {}
    for ref in parser.found:
        absolute = urldefrag(urljoin(base, ref.strip())).url
        if absolute.startswith(("http://", "https://")):
            seen.setdefault(absolute, None)
    return list(seen)[:limit]
