"""HTML: main text and metadata through trafilatura, and the streaming stripper for huge pages."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from organwatch.text import TextOptions, extract_documents
from organwatch.text.html import extract_html, strip_tags


def test_metadata_and_main_text_of_a_chinese_news_page(fixtures: Path) -> None:
    (document,) = extract_documents(fixtures / "gb18030_declared_gb2312.html")
    assert document.media_type == "text/html"
    assert document.title == "器官移植调查报告"
    assert document.author == "李明"  # trafilatura drops Chinese bylines; the meta fallback keeps them
    assert document.outlet == "调查新闻网"
    assert document.published == "2016-06-22"
    assert document.canonical_url == "https://news.example.cn/2016/06/22/organs.html"
    assert document.extractor == "trafilatura"
    assert "首页" not in document.text and "版权所有" not in document.text  # navigation and footer dropped
    assert document.text.startswith("器官移植调查报告\n据报道")


def test_short_page_falls_back_to_visible_text() -> None:
    page = extract_html(b"<html><body><footer>Wang Lijun, 2012</footer></body></html>")
    assert page.text == "Wang Lijun, 2012"
    assert page.extractor == "organwatch-strip-tags"
    assert any("no main text" in warning for warning in page.warnings)


SAMPLE = (
    "<html><head><title>T</title><style>p { color: red }</style></head><body>"
    "<p>Organ <b>wait</b>: 2&nbsp;weeks &amp; 肝脏</p><script>if (a < b) { x('<p>') }</script>"
    "<!-- a comment with <p>markup</p> --><div>next<br>line</div><table><tr><td>a</td><td>b</td></tr>"
    "</table><p>a < b, 1<2</p></body></html>"
)


def test_strip_tags_result() -> None:
    text, truncated = strip_tags([SAMPLE])
    assert text == "Organ wait: 2 weeks & 肝脏\nnext\nline\na b\na < b, 1<2"
    assert not truncated


def test_strip_tags_gives_the_same_text_whatever_the_chunk_boundaries() -> None:
    expected, _ = strip_tags([SAMPLE])
    for cut in range(1, len(SAMPLE)):
        assert strip_tags([SAMPLE[:cut], SAMPLE[cut:]])[0] == expected, cut
    for size in (3, 7, 16):
        chunks = [SAMPLE[i : i + size] for i in range(0, len(SAMPLE), size)]
        assert strip_tags(chunks)[0] == expected, size


def test_strip_tags_caps_its_output() -> None:
    text, truncated = strip_tags(["<p>word</p>" * 100_000], max_chars=1000)
    assert truncated and len(text) == 1000


@pytest.mark.slow
def test_a_200_mb_single_line_page_is_streamed_in_bounded_time_and_memory(tmp_path: Path) -> None:
    unit = "<div class='row'><p>Transplant record 肝脏移植 &amp; data</p><span>x</span></div>"
    path = tmp_path / "huge.html"
    block = unit * 10_000
    with path.open("w", encoding="utf-8") as handle:
        handle.write("<html><head><title>Huge register</title></head><body>")
        while handle.tell() < 200_000_000:
            handle.write(block)
        handle.write("</body></html>")
    options = TextOptions(max_text_chars=5_000_000)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        (document,) = extract_documents(path, options=options)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 60, elapsed  # about 4 s here; tracemalloc itself triples it
    assert peak < 400_000_000, peak  # far less than the file: it is never read whole
    assert document.title == "Huge register"
    assert document.text.startswith("Transplant record 肝脏移植 & data\nx\n")
    assert len(document.text) == 5_000_000 and document.truncated
    assert any("too large for main-text extraction" in warning for warning in document.warnings)
    assert any("text cut at 5,000,000 characters" in warning for warning in document.warnings)


def test_a_large_page_given_as_bytes_uses_the_stripper() -> None:
    data = ("<html><body>" + "<p>Organ transplant hospital records show the waiting time.</p>" * 60_000).encode()
    (document,) = extract_documents(data, options=TextOptions(max_trafilatura_chars=1_000_000))
    assert document.extractor == "organwatch-strip-tags"
    assert document.text.count("\n") == 59_999
    assert document.language == "en"
