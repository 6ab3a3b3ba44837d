"""Rendering in real Chromium: screenshots are real images of the page; the DOM is the one scripts made."""

from __future__ import annotations

import io

from PIL import Image, ImageStat

from organwatch.case import Case
from organwatch.webcapture import CaptureOptions, capture_url, check_capture_sets
from organwatch.webcapture.browser import FOOTER_HEIGHT
from tests.webcapture.conftest import needs_chromium
from tests.webcapture.servers import Site, page

SCRIPTED = """<!doctype html><html><head><meta charset="utf-8"><title>Transplant centre</title>
<style>body{font-size:28px} .box{background:#0a3d91;color:white;height:1500px;padding:20px}</style></head>
<body><h1>肝移植 Liver transplant centre</h1><div class="box" id="box">Original text</div>
<script>document.getElementById('box').textContent = 'Waiting time: one week (set by script)';
document.title = 'Changed by script';</script></body></html>"""


@needs_chromium
def test_screenshot_pdf_and_dom_of_a_scripted_page(case: Case, site: Site, with_browser: CaptureOptions) -> None:
    site.routes["/scripted.html"] = page(SCRIPTED)
    result = capture_url(case, site.url("/scripted.html"), with_browser)
    assert result.ok, result.error
    roles = {m.role: m.capture for m in result.members}
    assert set(roles) == {"http-exchange", "screenshot", "pdf", "dom", "rendered-text"}
    shown = case.blob_path(roles["rendered-text"]).read_text(encoding="utf-8")
    assert "Waiting time: one week (set by script)" in shown and "<script>" not in shown

    dom = case.blob_path(roles["dom"]).read_text(encoding="utf-8")
    assert "Waiting time: one week (set by script)" in dom and "Changed by script" in dom
    assert "Original text" not in dom.split("<script>")[0]

    with Image.open(case.blob_path(roles["screenshot"])) as shot:
        assert shot.format == "PNG" and shot.width == 1280
        assert shot.height >= 1500 + FOOTER_HEIGHT  # the full page, not the viewport
        body = shot.convert("RGB").crop((0, 0, shot.width, shot.height - FOOTER_HEIGHT))
        footer = shot.convert("RGB").crop((0, shot.height - FOOTER_HEIGHT, shot.width, shot.height))
    colours = body.getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20  # text and a coloured box: not blank
    assert (10, 61, 145) in {c for _, c in (colours or [])} or colours is None
    stat = ImageStat.Stat(footer)
    assert max(stat.mean) < 80 and max(stat.extrema[0][1], stat.extrema[1][1]) > 200  # dark band, light text

    assert case.blob_path(roles["pdf"]).read_bytes().startswith(b"%PDF-")
    assert case.capture(roles["screenshot"]).media_type == "image/png"
    assert case.verify().ok and check_capture_sets(case) == []


@needs_chromium
def test_blank_page_screenshot_is_still_a_png_with_footer(case: Case, site: Site,
                                                          with_browser: CaptureOptions) -> None:
    site.routes["/empty.html"] = page("<html><body></body></html>")
    result = capture_url(case, site.url("/empty.html"), with_browser)
    shot = next(m.capture for m in result.members if m.role == "screenshot")
    with Image.open(io.BytesIO(case.blob_path(shot).read_bytes())) as image:
        assert image.size == (1280, 800 + FOOTER_HEIGHT)
