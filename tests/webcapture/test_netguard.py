"""Captures never reach non-public addresses unless allowed: every hop, every media item, every browser request.

Every test server here is on loopback, so "refused by default" is shown on loopback itself, and the
page under test is opened with ``allow_addresses=("127.0.0.1:<its port>",)``: the page's own server
is allowed, and a second loopback server (another port), 169.254.169.254 and private networks stand
for the internal services a hostile page points at. The second server counts its requests: a
refused destination must never receive one.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from organwatch.case import Case
from organwatch.cli import capture as webcapture_cli
from organwatch.webcapture import (
    BrowserOptions,
    CaptureOptions,
    FetchOptions,
    WebCaptureError,
    capture_url,
    capture_urls,
    fetch,
)
from organwatch.webcapture.captureset import iter_sets
from organwatch.webcapture.netguard import NetworkPolicy, RefusedDestination, refusal
from tests.webcapture.conftest import needs_chromium
from tests.webcapture.servers import Site, page, redirect, send

REFUSED = ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
           "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.0.8", "198.18.0.1", "::1", "::",
           "fe80::1", "fc00::1", "ff02::1", "ff0e::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
           "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2001:db8::1"]
PUBLIC = ["8.8.8.8", "93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::1"]


def only(site: Site) -> FetchOptions:
    """Fetch options that allow exactly the server under test (its address and port) and nothing else private."""
    port = httpx.URL(site.base).port
    return FetchOptions(timeout=5, trust_env=False, allow_addresses=(f"127.0.0.1:{port}",))


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert refusal(address) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(address) is None


def test_embedded_forms_name_the_inner_address() -> None:
    assert refusal("::ffff:169.254.169.254") == "an IPv4-mapped form of 169.254.169.254, a link-local address"
    assert refusal("64:ff9b::7f00:1") == "a NAT64 form of 127.0.0.1, a loopback address"


def test_allow_entries_are_checked_and_scoped() -> None:
    policy = NetworkPolicy(allow=("127.0.0.1:8080", "10.0.0.0/8", "[::1]:9000"))
    policy.check_address("127.0.0.1", ipaddress.ip_address("127.0.0.1"), 8080)
    policy.check_url("http://10.20.30.40/")
    policy.check_url("http://[::1]:9000/")
    policy.check_url("http://[::ffff:127.0.0.1]:8080/")  # the same address, written the IPv6 way
    for refused in ("http://127.0.0.1:8081/", "http://192.168.0.1/", "http://[::1]:9001/", "http://localhost/"):
        with pytest.raises(RefusedDestination):
            policy.check_url(refused)
    for bad in ("localhost", "10.0.0.0/33", "127.0.0.1:http", "127.0.0.1:70000"):
        with pytest.raises(ValueError, match="--allow-address"):
            NetworkPolicy(allow=(bad,))


def test_loopback_is_refused_by_default_and_nothing_reaches_it(case: Case, site: Site) -> None:
    site.routes["/admin"] = page("<p>internal admin panel</p>")
    for url in (site.url("/admin"), site.url("/admin").replace("127.0.0.1", "localhost"),
                site.url("/admin").replace("127.0.0.1", "[::ffff:127.0.0.1]")):
        result = capture_url(case, url, CaptureOptions(fetch=FetchOptions(timeout=5, trust_env=False), browser=None))
        assert result.error_kind == "refused", (url, result.error)
        assert result.error and "\n" not in result.error and "--allow-private-network" in result.error
        assert "loopback" in result.error
    assert site.hits == {} and case.count_captures() == 0


def test_every_address_a_name_resolves_to_is_checked() -> None:
    with pytest.raises(RefusedDestination) as caught:
        NetworkPolicy().resolve("localhost", 80)  # a real lookup (/etc/hosts): 127.0.0.1 and perhaps ::1
    assert caught.value.reason.startswith("localhost resolves to ") and "loopback" in caught.value.reason
    assert NetworkPolicy(allow_private=True).resolve("localhost", 80)


def test_a_name_resolving_to_a_non_public_address_is_refused_before_connecting(tmp_path: Path, site: Site) -> None:
    """The machine's own host name resolves (through /etc/hosts or DNS) to a loopback or private address."""
    name = socket.gethostname()
    try:
        socket.getaddrinfo(name, 80)
    except OSError:
        pytest.skip(f"this machine's host name {name!r} does not resolve")
    site.routes["/admin"] = page("<p>internal</p>")
    with pytest.raises(WebCaptureError) as caught:
        fetch(site.url("/admin").replace("127.0.0.1", name), FetchOptions(timeout=5, trust_env=False), tmp_path)
    assert caught.value.kind == "refused" and f"{name} resolves to " in caught.value.reason
    assert site.hits == {} and not (tmp_path / "exchange.warc.gz").exists()


def test_opt_in_allows_private_addresses(case: Case, site: Site) -> None:
    site.routes["/intranet.html"] = page("<p>Intranet notice on transplant quotas.</p>")
    opted = CaptureOptions(fetch=FetchOptions(timeout=5, trust_env=False, allow_private_network=True), browser=None)
    assert capture_url(case, site.url("/intranet.html"), opted).ok
    assert capture_url(case, site.url("/intranet.html"), CaptureOptions(fetch=only(site), browser=None)).ok
    assert site.hits["/intranet.html"] == 2


@pytest.mark.parametrize("target", ["other-port", "other-port-by-name", "metadata", "private", "mapped"])
def test_redirect_into_the_private_network_is_refused_at_that_hop(case: Case, site: Site, other_site: Site,
                                                                  target: str) -> None:
    other_site.routes["/secret"] = page("<p>SECRET internal token 8c1f</p>")
    location = {"other-port": other_site.url("/secret"),
                "other-port-by-name": other_site.url("/secret").replace("127.0.0.1", "localhost"),
                "metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "private": "http://10.0.0.1/admin", "mapped": other_site.url("/secret").replace(
                    "127.0.0.1", "[::ffff:127.0.0.1]")}[target]
    site.routes.update({"/story.html": redirect("/hop"), "/hop": redirect(location)})
    result = capture_url(case, site.url("/story.html"), CaptureOptions(fetch=only(site), browser=None))
    assert result.error_kind == "refused", result.error
    assert result.error is not None and "\n" not in result.error
    assert f"redirected to {location}" in result.error and "nothing stored" in result.error
    assert site.hits == {"/story.html": 1, "/hop": 1}
    assert other_site.hits == {} and case.count_captures() == 0


def test_media_pointing_inside_are_refused_and_the_page_kept(case: Case, site: Site, other_site: Site) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"public image bytes"
    other_site.routes["/secret.png"] = lambda h: send(h, 200, b"\x89PNG internal", "image/png")
    inside = [other_site.url("/secret.png"), other_site.url("/secret.png").replace("127.0.0.1", "localhost"),
              "http://169.254.169.254/latest/meta-data/", "http://192.168.1.1/router.png"]
    site.routes["/gallery.html"] = page("<p>Ward photos</p><img src='/ward.png'>"
                                        + "".join(f"<img src='{url}'>" for url in inside))
    site.routes["/ward.png"] = lambda h: send(h, 200, png, "image/png")
    result = capture_url(case, site.url("/gallery.html"), CaptureOptions(fetch=only(site), browser=None, media=True))
    assert result.ok, result.error
    assert [m.url for m in result.members if m.role == "media"] == [site.url("/ward.png")]
    assert [f["url"] for f in result.media_failures] == inside
    assert all(f["reason"].startswith("refused") and "\n" not in f["reason"] for f in result.media_failures)
    assert other_site.hits == {}
    assert case.count_captures() == 2  # the exchange and the one public image


@needs_chromium
def test_browser_requests_inside_are_refused_and_recorded(case: Case, site: Site, other_site: Site) -> None:
    other_site.routes.update({"/secret.png": lambda h: send(h, 200, b"internal", "image/png"),
                              "/admin": page("<p>SECRET admin</p>"), "/api": page("{}", content_type="text/json")})
    inside_img, inside_frame = other_site.url("/secret.png"), other_site.url("/admin").replace("127.0.0.1",
                                                                                               "localhost")
    metadata = "http://169.254.169.254/latest/meta-data/"
    socket_url = other_site.url("/api").replace("http://", "ws://")
    site.routes["/story.html"] = page(
        f"<html><body><h1>Public story</h1><img src='/ok.png'><img src='{inside_img}'>"
        f"<iframe src='{inside_frame}'></iframe><img src='/moved.png'>"
        f"<script>fetch('{metadata}').catch(() => {{}}); try {{ new WebSocket('{socket_url}'); }} catch (e) {{}}"
        "</script></body></html>")
    site.routes["/ok.png"] = lambda h: send(h, 200, _png(), "image/png")
    site.routes["/moved.png"] = redirect(other_site.url("/secret.png?via=redirect"))
    options = CaptureOptions(fetch=only(site), browser=BrowserOptions(timeout=10))
    result = capture_url(case, site.url("/story.html"), options)
    assert result.ok, result.error
    refused = {r["url"].rstrip("/") for r in result.refused}
    assert {inside_img, inside_frame, metadata.rstrip("/"), socket_url,
            other_site.url("/secret.png?via=redirect")} <= refused, result.refused
    assert all("\n" not in r["reason"] for r in result.refused)
    assert other_site.hits == {}
    assert site.hits.get("/ok.png") == 1  # allowed requests are fetched (through the guarded client)
    assert "browser request(s) to non-public addresses refused" in result.line()
    [event] = list(iter_sets(case))
    assert {r["url"].rstrip("/") for r in event["refused_requests"]} == refused
    shot = next(m.capture for m in result.members if m.role == "screenshot")
    logged = case.capture(shot).observations[0].extra["browser"]["refused_requests"]  # type: ignore[index]
    assert {r["url"].rstrip("/") for r in logged} == refused
    assert case.verify().ok


def test_batch_goes_on_after_a_refusal(case: Case, site: Site, other_site: Site) -> None:
    site.routes.update({"/bad": redirect(other_site.url("/x")), "/good.html": page("<p>fine</p>")})
    results = capture_urls(case, [site.url("/bad"), site.url("/good.html")], CaptureOptions(fetch=only(site),
                                                                                          browser=None))
    assert [r.error_kind for r in results] == ["refused", None]


def test_cli_refuses_by_default_and_explains(case: Case, site: Site) -> None:
    app = typer.Typer()
    app.command()(webcapture_cli.capture)
    app.command("other")(webcapture_cli.changes)
    site.routes["/p.html"] = page("<p>local</p>")
    runner = CliRunner()
    refused = runner.invoke(app, ["capture", "--case", str(case.root), "--no-screenshot", site.url("/p.html")])
    assert refused.exit_code == 1
    [line] = [ln for ln in refused.output.splitlines() if ln.startswith("failed")]
    assert "refused" in line and "--allow-private-network" in line
    allowed = runner.invoke(app, ["capture", "--case", str(case.root), "--no-screenshot", "--allow-address",
                                  f"127.0.0.1:{httpx.URL(site.base).port}", site.url("/p.html")])
    assert allowed.exit_code == 0, allowed.output
    bad = runner.invoke(app, ["capture", "--case", str(case.root), "--allow-address", "intranet", site.url("/p")])
    assert bad.exit_code == 1 and bad.output.count("\n") == 1 and "--allow-address 'intranet'" in bad.output
    assert site.hits == {"/p.html": 1}  # only the allowed capture reached the server


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()
