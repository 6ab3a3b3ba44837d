"""Fetch one URL with httpx and write every hop of it (request and exact response) into a WARC file.

Redirects are followed by hand so each hop is recorded with its own status, headers, body, peer IP
address and, over HTTPS, the SHA-256 fingerprint of the server's TLS certificate. Bodies are
streamed into a temporary file and cut at ``max_bytes``: a 3 GB answer never sits in memory, and a
response over the limit is an error, never a silently truncated piece of evidence.

>>> # with tempfile.TemporaryDirectory() as tmp: fetch("https://example.org/", FetchOptions(), Path(tmp))
"""

from __future__ import annotations

import hashlib
import socket
import ssl
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from organwatch.archive.captures import format_size
from organwatch.archive.log import utc_now
from organwatch.version import __version__
from organwatch.webcapture.errors import WebCaptureError, deadline_error
from organwatch.webcapture.netguard import (
    OPT_IN_HINT,
    DeadlineExceeded,
    GuardedTransport,
    NetworkPolicy,
    RefusedDestination,
    current_deadline,
    refused_in,
)
from organwatch.webcapture.warcwrite import ExchangeWriter, open_warc

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_USER_AGENT = f"Mozilla/5.0 (compatible; OrganWatch/{__version__}; evidence capture)"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class FetchOptions:
    """How to fetch: limits, identity, TLS trust. Defaults suit a hostile web on a laptop."""

    #: Largest body accepted per hop, in bytes; a larger response is refused, not truncated.
    max_bytes: int = DEFAULT_MAX_BYTES
    #: Seconds allowed to connect, and between two reads of the body.
    timeout: float = 30.0
    max_redirects: int = 20
    user_agent: str = DEFAULT_USER_AGENT
    #: True (system CA bundle), False (no check: still records the certificate) or an SSL context.
    verify: bool | ssl.SSLContext = True
    #: Honour HTTP(S)_PROXY and NO_PROXY from the environment (e.g. to capture through Tor).
    trust_env: bool = True
    #: A custom httpx transport: the seam for tests of failures no loopback server can produce.
    transport: httpx.BaseTransport | None = None
    #: Reach loopback, private, link-local and other non-public addresses (refused by default).
    allow_private_network: bool = False
    #: Non-public addresses, networks or address:port pairs allowed all the same (e.g. ``10.0.0.5:8080``).
    allow_addresses: tuple[str, ...] = ()

    @property
    def policy(self) -> NetworkPolicy:
        """Which destinations every hop, media item and browser request may reach."""
        return NetworkPolicy(self.allow_private_network, self.allow_addresses)


@dataclass(frozen=True)
class Hop:
    """One request and its response, as recorded."""

    url: str
    status: int
    reason: str
    http_version: str
    headers: tuple[tuple[str, str], ...]
    ip: str | None
    port: int | None
    tls_certificate_sha256: str | None
    body_bytes: int
    body_sha256: str
    fetched_at: str
    warc_record_id: str

    def header(self, name: str) -> str | None:
        """First value of a response header (case-insensitive)."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def to_json(self) -> dict[str, Any]:
        """Canonical-JSON-ready form (no floats) for the evidence log."""
        return {"url": self.url, "status": self.status, "reason": self.reason, "http_version": self.http_version,
                "headers": [list(h) for h in self.headers], "ip": self.ip, "port": self.port,
                "tls_certificate_sha256": self.tls_certificate_sha256, "body_bytes": self.body_bytes,
                "body_sha256": self.body_sha256, "fetched_at": self.fetched_at,
                "warc_record_id": self.warc_record_id}


@dataclass
class Exchange:
    """The hops of one fetch and the WARC file that holds them."""

    requested_url: str
    warc_path: Path
    hops: list[Hop] = field(default_factory=list)

    @property
    def final(self) -> Hop:
        """The last hop: the page itself (or the error page)."""
        return self.hops[-1]

    @property
    def final_url(self) -> str:
        """Where the redirects ended."""
        return self.final.url

    def to_json(self) -> dict[str, Any]:
        """What the log records of this exchange."""
        return {"requested_url": self.requested_url, "final_url": self.final_url, "status": self.final.status,
                "hops": [hop.to_json() for hop in self.hops]}


def check_url(url: str) -> httpx.URL:
    """Parse ``url``, accepting only absolute http(s) URLs with a host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise WebCaptureError(url, "invalid-url", f"not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise WebCaptureError(url, "invalid-url", "not a valid URL: give an absolute http:// or https:// address")
    return parsed


def make_client(options: FetchOptions) -> httpx.Client:
    """An httpx client that never follows redirects by itself (each hop must be recorded).

    Direct connections go through :class:`GuardedTransport` (destination checked and pinned, the
    URL's deadline enforced); through a proxy from the environment the host is checked as written.
    """
    timeout = httpx.Timeout(options.timeout)
    common: dict[str, Any] = {"timeout": timeout, "follow_redirects": False,
                              "headers": {"User-Agent": options.user_agent}}
    if options.transport is not None:
        return httpx.Client(transport=options.transport, **common)
    transport = GuardedTransport(options.policy, verify=options.verify, trust_env=options.trust_env)
    return httpx.Client(transport=transport, verify=options.verify, trust_env=options.trust_env, **common)


def refused_error(url: str, at: str, refused: RefusedDestination) -> WebCaptureError:
    """The one line for a destination the network policy refused."""
    where = "" if at == url else f" (redirected to {at})"
    return WebCaptureError(url, "refused", f"refused{where}: {refused.reason}, not on the public internet; "
                           f"nothing stored ({OPT_IN_HINT})")


def fetch(url: str, options: FetchOptions, workdir: Path, *, client: httpx.Client | None = None,
          warcinfo: dict[str, str] | None = None) -> Exchange:
    """Fetch ``url`` following redirects, writing ``workdir/exchange.warc.gz``; raise :class:`WebCaptureError`.

    On error the WARC file is removed: nothing half-written is left to be archived.
    """
    parsed = check_url(url)
    exchange = Exchange(url, workdir / "exchange.warc.gz")
    own_client = client is None
    active = client or make_client(options)
    try:
        with open_warc(exchange.warc_path) as warc:
            warc.warcinfo(warcinfo or {})
            _follow(active, parsed, url, options, warc, exchange)
    except BaseException:
        exchange.warc_path.unlink(missing_ok=True)
        raise
    finally:
        if own_client:
            active.close()
    return exchange


def _follow(client: httpx.Client, parsed: httpx.URL, url: str, options: FetchOptions, warc: ExchangeWriter,
            exchange: Exchange) -> None:
    request = client.build_request("GET", parsed)
    seen: list[str] = []
    policy = options.policy
    while True:
        seen.append(str(request.url))
        try:
            policy.check_url(request.url)
            response = client.send(request, stream=True)
        except RefusedDestination as exc:
            raise refused_error(url, str(request.url), exc) from None
        except httpx.HTTPError as exc:
            raise _explain(url, str(request.url), exc) from None
        try:
            hop = _record(response, options, warc, url)
            next_request = response.next_request if response.is_redirect else None
        finally:
            response.close()
        exchange.hops.append(hop)
        if next_request is None:
            return
        if len(seen) > options.max_redirects:
            loop = " → ".join(seen[-4:])
            raise WebCaptureError(url, "redirect-loop", f"more than {options.max_redirects} redirects "
                                  f"(a redirect loop? ... {loop} → {next_request.url}); nothing stored")
        request = next_request


def _record(response: httpx.Response, options: FetchOptions, warc: ExchangeWriter, url: str) -> Hop:
    fetched_at = utc_now()
    ip, port, fingerprint = _peer(response)
    announced = response.headers.get("Content-Length", "")
    if announced.isdigit() and int(announced) > options.max_bytes:
        raise WebCaptureError(url, "too-large", f"the server announces {format_size(int(announced))}, over the "
                              f"{format_size(options.max_bytes)} limit (raise --max-size to capture it); "
                              "nothing stored")
    deadline = current_deadline()
    with tempfile.TemporaryFile() as body:
        digest = hashlib.sha256()
        size = 0
        try:
            for chunk in response.iter_raw(_CHUNK):
                if deadline is not None and time.monotonic() > deadline[0]:
                    raise deadline_error(url, deadline[1], f"downloading {response.request.url}")
                size += len(chunk)
                if size > options.max_bytes:
                    raise WebCaptureError(url, "too-large", f"response passed the {format_size(options.max_bytes)}"
                                          " limit while downloading (raise --max-size to capture it); nothing stored")
                digest.update(chunk)
                body.write(chunk)
        except httpx.HTTPError as exc:
            raise _explain(url, str(response.request.url), exc) from None
        body.seek(0)
        request = response.request
        target = request.url.raw_path.decode("ascii")
        http_version = response.http_version or "HTTP/1.1"
        extension = {"WARC-Protocol": "tls" if fingerprint else "http"}
        if fingerprint:
            extension["WARC-TLS-Certificate-SHA256"] = fingerprint
        record_id = warc.exchange(
            url=str(request.url), method=request.method, request_target=target, http_version=http_version,
            request_headers=_decode_headers(request.headers.raw),
            status_line=f"{response.status_code} {response.reason_phrase}".strip(),
            response_headers=_decode_headers(response.headers.raw), body=body, body_length=size,
            date=fetched_at, ip=ip, extension_headers=extension)
    return Hop(str(request.url), response.status_code, response.reason_phrase, http_version,
               tuple(_decode_headers(response.headers.raw)), ip, port, fingerprint, size, digest.hexdigest(),
               fetched_at, record_id)


def _decode_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    # Latin-1 maps every byte to one character, so the exact header bytes survive the round trip.
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


def _peer(response: httpx.Response) -> tuple[str | None, int | None, str | None]:
    """(IP address, port, TLS certificate SHA-256) of the server that answered, when the transport says."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None, None, None
    address = stream.get_extra_info("server_addr")
    ip, port = (str(address[0]), int(address[1])) if address else (None, None)
    ssl_object = stream.get_extra_info("ssl_object")
    fingerprint = None
    if ssl_object is not None:
        der = ssl_object.getpeercert(True)  # positional: the C-level socket takes no keywords
        fingerprint = hashlib.sha256(der).hexdigest() if der else None
    return ip, port, fingerprint


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _explain(url: str, at: str, exc: httpx.HTTPError) -> WebCaptureError:
    """Turn an httpx error into one line saying what went wrong and what to try."""
    where = "" if at == url else f" (at {at})"
    chain = _causes(exc)
    refused = refused_in(exc)
    if refused is not None:
        return refused_error(url, at, refused)
    if any(isinstance(c, DeadlineExceeded) for c in chain):
        budget = current_deadline()
        return deadline_error(url, budget[1] if budget else None, f"fetching {at}")
    if any(isinstance(c, socket.gaierror) for c in chain) or "Name or service not known" in str(exc):
        return WebCaptureError(url, "dns", f"host name not found (DNS failure){where}; check the address")
    cert_error = next((c for c in chain if isinstance(c, ssl.SSLCertVerificationError)), None)
    if cert_error is not None:
        return WebCaptureError(url, "tls", f"TLS certificate not trusted{where}: "
                               f"{cert_error.verify_message or cert_error}; nothing stored")
    if any(isinstance(c, ssl.SSLError) for c in chain):
        return WebCaptureError(url, "tls", f"TLS handshake failed{where}: {exc}")
    if isinstance(exc, httpx.TimeoutException):
        return WebCaptureError(url, "timeout", f"timed out{where} ({type(exc).__name__}); the server is slow or "
                               "down: retry later or raise --timeout")
    if isinstance(exc, httpx.ConnectError):
        return WebCaptureError(url, "unreachable", f"cannot connect{where}: {exc or 'connection failed'}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return WebCaptureError(url, "invalid-url", f"not a URL that can be fetched{where}: {exc}")
    return WebCaptureError(url, "protocol", f"the server broke the HTTP exchange{where}: {exc or type(exc).__name__}")
