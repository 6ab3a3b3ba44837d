"""Archived HTML made safe to look at: an allow-list sanitiser (nh3) that keeps text and structure only.

Archived pages are hostile input. What survives: headings, paragraphs, lists, tables, emphasis, quotes,
and links as plain text (never followable). What goes:
scripts, styles (CSS can load URLs), event handlers, images, frames, forms, objects, SVG, comments, and
every attribute that could name a URL. The workbench also serves the result under a CSP that forbids
every load, inside a sandboxed frame without scripts: three independent walls.

>>> clean_archived_html('<p onclick="x()">Hi<script>alert(1)</script><img src="http://x/y"></p>')
'<p>Hi</p>'
"""

from __future__ import annotations

import html

import nh3

MAX_HTML_CHARS = 5_000_000
_TAGS = {
    "a", "abbr", "article", "aside", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "i", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s",
    "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var",
}
_DROP_WITH_CONTENT = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
                      "head", "title", "textarea", "select", "button", "canvas", "audio", "video", "frameset",
                      "frame", "applet", "noframes", "xmp", "plaintext", "noembed"}
_ATTRIBUTES = {"*": {"lang", "dir"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
               "time": {"datetime"}, "ol": {"start"}}


def clean_archived_html(markup: str) -> str:
    """The sanitised body of an archived page (a fragment, with no URL left in any attribute)."""
    return str(nh3.clean(markup[:MAX_HTML_CHARS], tags=_TAGS, clean_content_tags=_DROP_WITH_CONTENT,
                         attributes=_ATTRIBUTES, strip_comments=True, link_rel=None, url_schemes=set(),
                         generic_attribute_prefixes=set()))


ARCHIVED_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; font-src 'none'; "
                "media-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'; "
                "frame-ancestors 'self'; sandbox")
_STYLE = ("body{font-family:'Noto Sans',Arial,'Noto Sans CJK SC','Noto Sans CJK TC','PingFang SC',"
          "'Microsoft YaHei',sans-serif;line-height:1.5;margin:1rem;color:#222;max-width:60rem}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .4rem}")


def archived_page(fragment: str, title: str, note: str) -> str:
    """A whole, inert HTML page around a sanitised fragment, with a banner saying what it is."""
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{ARCHIVED_CSP.replace('; sandbox', '')}\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<p style='background:#fff3cd;padding:.4rem;border:1px solid #e0c36c'>{html.escape(note)}</p>"
            f"{fragment}</body></html>")
