"""HTTP exchanges against loopback servers: WARC records, redirects, limits, and one-line errors."""

from __future__ import annotations

import hashlib
import socket
import time
import tracemalloc
from pathlib import Path

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

from organwatch.case import Case
from organwatch.webcapture import CaptureOptions, FetchOptions, WebCaptureError, capture_url, capture_urls, fetch
from tests.webcapture.servers import Site, endless, page, redirect, send, slow

GBK_PAGE = ("<html><head><meta charset='gbk'><title>肝移植中心</title></head><body>"
            "<p>本院肝脏移植等待时间为一至两周。</p><p>欢迎患者咨询。</p></body></html>")


def _records(case: Case, capture_id: str) -> list[tuple[str, str | None, bytes]]:
    with open(case.blob_path(capture_id), "rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                for r in ArchiveIterator(fh)]


def test_gbk_page_is_stored_as_warc_and_read(case: Case, site: Site, http_only: CaptureOptions) -> None:
    site.routes["/gbk.html"] = page(GBK_PAGE, content_type="text/html; charset=GBK", encoding="gbk")
    result = capture_url(case, site.url("/gbk.html"), http_only)
    assert result.ok, result.error
    exchange = case.capture(result.members[0].capture)
    assert exchange.media_type == "application/warc"
    kinds = [(kind, uri) for kind, uri, _ in _records(case, exchange.id)]
    assert kinds == [("warcinfo", None), ("response", site.url("/gbk.html")), ("request", site.url("/gbk.html"))]
    body = _records(case, exchange.id)[1][2]
    assert body == GBK_PAGE.encode("gbk")  # the exact bytes, not re-encoded
    obs = exchange.observations[0]
    assert obs.tool["method"] == "web capture" and obs.captured_by == "test investigator"
    hop = obs.extra["http"]["hops"][0]  # type: ignore[index]
    assert hop["ip"] == "127.0.0.1" and hop["status"] == 200 and hop["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert obs.extra["capture_set"] == result.capture_set and obs.extra["role"] == "http-exchange"  # type: ignore[index]
    texts = [doc.text for doc in case.documents(exchange.id)]
    assert any("等待时间为一至两周" in t for t in texts if t)
    assert case.verify().ok


def test_redirect_chain_records_every_hop(case: Case, site: Site, http_only: CaptureOptions) -> None:
    site.routes.update({"/old": redirect("/moved", 301), "/moved": redirect("/final.html"),
                        "/final.html": page("<p>Final page</p>")})
    result = capture_url(case, site.url("/old"), http_only)
    assert result.ok and result.final_url == site.url("/final.html")
    hops = case.capture(result.members[0].capture).observations[0].extra["http"]["hops"]  # type: ignore[index]
    assert [h["status"] for h in hops] == [301, 302, 200]
    uris = [uri for kind, uri, _ in _records(case, result.members[0].capture) if kind == "response"]
    assert uris == [site.url("/old"), site.url("/moved"), site.url("/final.html")]


def test_endless_redirect_loop_is_refused_and_nothing_stored(case: Case, site: Site,
                                                             http_only: CaptureOptions) -> None:
    site.routes.update({"/a": redirect("/b"), "/b": redirect("/a")})
    before = case.count_captures()
    result = capture_url(case, site.url("/a"), http_only)
    assert not result.ok and result.error_kind == "redirect-loop"
    assert "\n" not in (result.error or "") and "redirect" in (result.error or "")
    assert case.count_captures() == before


def test_slow_server_times_out(case: Case, site: Site) -> None:
    site.routes["/slow"] = slow(10)
    started = time.monotonic()
    options = FetchOptions(timeout=0.5, trust_env=False, allow_private_network=True)
    result = capture_url(case, site.url("/slow"), CaptureOptions(fetch=options, browser=None))
    assert result.error_kind == "timeout" and "timed out" in (result.error or "")
    assert time.monotonic() - started < 5
    assert case.count_captures() == 0


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "streamed"])
def test_3gb_response_is_cut_at_the_limit_without_holding_it(tmp_path: Path, site: Site, announce: bool) -> None:
    site.routes["/huge"] = endless(3 * 1024**3, announce)
    options = FetchOptions(max_bytes=8 * 1024 * 1024, timeout=5, trust_env=False,
                           allow_private_network=True)
    tracemalloc.start()
    try:
        with pytest.raises(WebCaptureError) as caught:
            fetch(site.url("/huge"), options, tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "too-large" and "8.0 MiB limit" in str(caught.value)
    assert ("announces 3.0 GiB" in str(caught.value)) is announce
    assert peak < 4 * 1024 * 1024  # streamed to disk, never held
    assert not (tmp_path / "exchange.warc.gz").exists()


def test_bad_input_gives_one_line_per_url_and_the_batch_goes_on(case: Case, site: Site,
                                                                http_only: CaptureOptions) -> None:
    site.routes["/ok.html"] = page("<p>Still here</p>")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    urls = ["not a url", "ftp://127.0.0.1/x", f"http://127.0.0.1:{closed}/", site.url("/ok.html"), "http://"]
    results = capture_urls(case, urls, http_only)
    assert [r.ok for r in results] == [False, False, False, True, False]
    assert [r.error_kind for r in results] == ["invalid-url", "invalid-url", "unreachable", None, "invalid-url"]
    for failed in (r for r in results if not r.ok):
        assert failed.error and "\n" not in failed.error and failed.error.startswith(failed.url)
    assert case.count_captures() == 1


def test_dns_failure_is_named(tmp_path: Path) -> None:
    def no_such_host(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known") from socket.gaierror(-2, "not known")

    options = FetchOptions(transport=httpx.MockTransport(no_such_host))
    with pytest.raises(WebCaptureError) as caught:
        fetch("https://gone.example/page", options, tmp_path)
    assert caught.value.kind == "dns" and "DNS" in str(caught.value)


def test_tls_certificate_fingerprint_is_recorded(case: Case, tls_site: tuple[Site, FetchOptions, bytes]) -> None:
    site, options, der = tls_site
    site.routes["/secure.html"] = page("<p>Served over TLS</p>")
    result = capture_url(case, site.url("/secure.html"), CaptureOptions(fetch=options, browser=None))
    assert result.ok, result.error
    hop = case.capture(result.members[0].capture).observations[0].extra["http"]["hops"][0]  # type: ignore[index]
    assert hop["tls_certificate_sha256"] == hashlib.sha256(der).hexdigest()
    with open(case.blob_path(result.members[0].capture), "rb") as fh:
        response = next(r for r in ArchiveIterator(fh) if r.rec_type == "response")
        assert response.rec_headers.get_header("WARC-TLS-Certificate-SHA256") == hop["tls_certificate_sha256"]


def test_untrusted_certificate_fails_cleanly(case: Case, tls_site: tuple[Site, FetchOptions, bytes]) -> None:
    site, _, _ = tls_site
    site.routes["/secure.html"] = page("<p>Served over TLS</p>")
    result = capture_url(case, site.url("/secure.html"),
                         CaptureOptions(fetch=FetchOptions(timeout=5, trust_env=False, allow_private_network=True),
                                        browser=None))
    assert result.error_kind == "tls" and "certificate" in (result.error or "")
    assert case.count_captures() == 0


def test_media_are_separate_captures_in_the_set(case: Case, site: Site, fetch_options: FetchOptions) -> None:
    png = _png()
    site.routes["/gallery.html"] = page('<p>Ward photos</p><img src="/ward.png"><img src="/missing.jpg">'
                                        '<video poster="/ward.png"></video>')
    site.routes["/ward.png"] = lambda h: send(h, 200, png, "image/png")
    result = capture_url(case, site.url("/gallery.html"), CaptureOptions(fetch=fetch_options, browser=None,
                                                                         media=True))
    assert result.ok
    media = [m for m in result.members if m.role == "media"]
    assert len(media) == 1 and media[0].capture == hashlib.sha256(png).hexdigest()
    assert media[0].url == site.url("/ward.png")
    assert result.media_failures == ({"url": site.url("/missing.jpg"), "reason": "HTTP 404"},)
    assert case.capture(media[0].capture).observations[0].source_url == site.url("/ward.png")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()
