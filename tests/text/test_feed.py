"""Atom and RSS feeds: one document per entry with its date and link, not the feed's boilerplate."""

from __future__ import annotations

from pathlib import Path

from organwatch.case import Case
from organwatch.text import extract_documents
from tests.text.warcbuild import record

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet href="/feed.xsl" type="text/xsl"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Transplant Watch</title>
  <subtitle>This is an Atom formatted XML site feed. It is intended to be viewed in a newsreader.</subtitle>
  <link href="https://watch.example.org/"/>
  <entry>
    <title>Hospital cuts waiting time</title>
    <link rel="alternate" href="https://watch.example.org/2019/waiting"/>
    <published>2019-03-04T10:00:00+08:00</published>
    <author><name>Li Wei</name></author>
    <content type="html">&lt;p&gt;The hospital said a liver could be found
    &lt;b&gt;within two weeks&lt;/b&gt;.&lt;/p&gt;
    &lt;p&gt;Second paragraph.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>医院回应</title>
    <link href="https://watch.example.org/2019/reply"/>
    <updated>2019-03-05T09:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>医院表示，肝脏移植等待时间为两周。</p></div></content>
  </entry>
</feed>"""

RSS = """<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Registry news</title><link>https://news.example.com/</link>
<description>Latest posts</description>
<item><title>Registry figures</title><link>https://news.example.com/figures</link>
<pubDate>Tue, 05 Mar 2019 08:30:00 GMT</pubDate><dc:creator>Ann Smith</dc:creator>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>The registry listed 10,000 transplants in one year.</p>
<script>var x=1;</script>]]></content:encoded>
</item>
<item><title>Second post</title><guid>https://news.example.com/second</guid>
<description>&lt;p&gt;A plain description with no content module.&lt;/p&gt;</description></item>
</channel></rss>"""


def test_atom_entries_become_documents() -> None:
    documents = list(extract_documents(ATOM.encode(), name="feed.xml"))
    assert [d.title for d in documents] == ["Hospital cuts waiting time", "医院回应"]
    first, second = documents
    assert first.source_url == "https://watch.example.org/2019/waiting"
    assert first.published == "2019-03-04T02:00:00Z" and first.author == "Li Wei"
    assert "within two weeks" in first.text and "Second paragraph." in first.text
    assert "Atom formatted" not in first.text and first.outlet == "Transplant Watch"
    assert first.media_type == "application/atom+xml" and first.language == "en"
    assert second.published == "2019-03-05T09:00:00Z" and "肝脏移植等待时间为两周" in second.text
    assert second.language == "zh-Hans" and first.locator != second.locator


def test_rss_items_become_documents_in_a_case(case: Case, tmp_path: Path) -> None:
    path = tmp_path / "rss"
    path.write_text(RSS)
    case.add([path], text=True)
    documents = list(case.documents())
    assert [d.title for d in documents] == ["Registry figures", "Second post"]
    figures, second = documents
    assert figures.source_url == "https://news.example.com/figures" and figures.published == "2019-03-05T08:30:00Z"
    assert figures.text == "The registry listed 10,000 transplants in one year."
    assert second.source_url == "https://news.example.com/second"
    assert second.text == "A plain description with no content module."


def test_a_feed_inside_a_warc_is_read_as_a_feed() -> None:
    data = record("https://watch.example.org/feed", ATOM.encode(), content_type="application/atom+xml")
    documents = list(extract_documents(data))
    assert [d.source_url for d in documents] == ["https://watch.example.org/2019/waiting",
                                                 "https://watch.example.org/2019/reply"]
    assert documents[0].locator == "warc:offset=0#entry=0"
