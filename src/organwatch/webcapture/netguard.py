"""Which network destinations a capture may reach, and an httpx transport that enforces it at every hop.

A page on the public web can redirect, embed an image or run a script that points at the
investigator's own machine or network: ``http://169.254.169.254/`` (cloud metadata), a router's
admin page, a service listening only on 127.0.0.1. Following it would archive (and later bundle)
private data as "evidence" of a public page. So, unless the user opts in, every destination is
resolved and *every* address it resolves to must be global: loopback, private, link-local,
unspecified, multicast, reserved, shared (carrier-grade NAT) and documentation addresses are
refused, as are IPv6 forms that embed one of them (IPv4-mapped, 6to4, Teredo, NAT64).

The connection then goes to the address that was checked (the socket is opened on the IP, TLS
still checks the certificate against the host name), so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot slip past. The same transport enforces the
overall per-URL deadline on every read and write (see :func:`deadline_scope`).

>>> refusal("169.254.169.254")
'a link-local address'
>>> refusal("93.184.215.14") is None
True
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from organwatch.errors import OrganWatchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
#: Ranges Python's ``is_global`` lets through that no public web server lives in.
_EXTRA = ((ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol address"),
          (ipaddress.ip_network("192.88.99.0/24"), "a 6to4 relay address"))
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="organwatch-dns")
OPT_IN_HINT = "pass --allow-private-network to capture private or local addresses"

#: (time.monotonic() at which the current URL's work must end, the budget in seconds), or None.
_deadline: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "organwatch_capture_deadline", default=None)


class RefusedDestination(OrganWatchError):  # noqa: N818 (a refusal, not a malfunction)
    """A destination the policy refuses; ``reason`` says which address and why, in words."""

    def __init__(self, host: str, reason: str, url: str | None = None) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason
        #: The URL whose request was refused, when known (a redirect target, for example).
        self.url = url


class DeadlineExceeded(httpcore.ReadTimeout, OrganWatchError):  # noqa: N818 (httpcore names it so)
    """The overall deadline of one URL passed during a network read, write or connect."""


@dataclass(frozen=True)
class NetworkPolicy:
    """Which destinations may be reached: global addresses, plus what the user explicitly allows.

    ``allow`` holds addresses (``10.0.0.5``), networks (``10.0.0.0/8``) or one port of an address
    (``127.0.0.1:8080``, ``[::1]:8080``): a single intranet server can be opened without opening them all.
    """

    allow_private: bool = False
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for entry in self.allow:
            _parse_allow(entry)  # fail at once, with the entry named, not at the first request

    def _allowed(self, address: IPAddress, port: int | None) -> bool:
        for entry in self.allow:
            network, only_port = _parse_allow(entry)
            if _unmapped(address) in network and (only_port is None or only_port == port):
                return True
        return False

    def check_address(self, host: str, address: IPAddress, port: int | None) -> None:
        """Raise :class:`RefusedDestination` unless ``address`` may be reached."""
        if self.allow_private or self._allowed(address, port):
            return
        why = refusal(address)
        if why is not None:
            shown = host if host == str(address) else f"{host} resolves to {address}"
            raise RefusedDestination(host, f"{shown}, {why}")

    def check_host(self, host: str, port: int | None) -> None:
        """Check a host as written (an IP literal or a local name), without resolving it.

        Used where the connection is made by someone else (a proxy): what can be seen is checked.
        """
        if self.allow_private:
            return
        literal = _literal(host)
        if literal is not None:
            self.check_address(host, literal, port)
        elif host.lower().rstrip(".") in _LOCAL_NAMES or host.lower().rstrip(".").endswith(".localhost"):
            raise RefusedDestination(host, f"{host} names this computer (loopback)")

    def resolve(self, host: str, port: int) -> list[str]:
        """Addresses of ``host`` in resolver order, after checking every one; raise :class:`RefusedDestination`.

        Any refused address refuses the host: an attacker's DNS can list a public and a private
        address and let the client choose.
        """
        literal = _literal(host)
        if literal is not None:
            self.check_address(host, literal, port)
            return [str(literal)]
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for text in addresses:
            self.check_address(host, ipaddress.ip_address(text.split("%")[0]), port)
        return addresses

    def check_url(self, url: str | httpx.URL) -> None:
        """Check the host of a URL as written (no DNS); see :meth:`check_host`."""
        parsed = httpx.URL(url) if isinstance(url, str) else url
        self.check_host(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))


def _parse_allow(entry: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None]:
    text, port = entry.strip(), None
    if text.startswith("[") and "]:" in text:
        text, _, port_text = text[1:].partition("]:")
        port = int(port_text) if port_text.isdigit() else -1
    elif text.count(":") == 1:
        text, _, port_text = text.partition(":")
        port = int(port_text) if port_text.isdigit() else -1
    try:
        network = ipaddress.ip_network(text.strip("[]"), strict=False)
    except ValueError:
        network = None
    if network is None or port == -1 or (port is not None and not 0 < port < 65536):
        raise ValueError(f"--allow-address {entry!r}: give an IP address, a network such as 10.0.0.0/8, or "
                         "an address and port such as 127.0.0.1:8080")
    return network, port


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _embedded(address: ipaddress.IPv6Address) -> Iterator[tuple[str, ipaddress.IPv4Address]]:
    if address.ipv4_mapped is not None:
        yield "an IPv4-mapped form", address.ipv4_mapped
    if address.sixtofour is not None:
        yield "a 6to4 form", address.sixtofour
    if address.teredo is not None:
        yield "a Teredo form", address.teredo[1]
    for network in _NAT64:
        if address in network:
            yield "a NAT64 form", ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def refusal(address: IPAddress | str) -> str | None:
    """Why ``address`` is not a public internet address (words for a person), or None when it is."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        for form, inner in _embedded(ip):
            why = refusal(inner)
            if why is not None:
                return f"{form} of {inner}, {why}"
    for label, flag in (("an unspecified address", ip.is_unspecified), ("a loopback address", ip.is_loopback),
                        ("a link-local address", ip.is_link_local), ("a multicast address", ip.is_multicast)):
        if flag:
            return label
    if isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"):
        return "a shared (carrier-grade NAT) address"
    if ip.is_private:
        return "a private-network address"
    if ip.is_reserved:
        return "a reserved address"
    for network, label in _EXTRA:
        if ip.version == network.version and ip in network:
            return label
    if not ip.is_global:
        return "not a public internet address"
    return None


@contextmanager
def deadline_scope(seconds: float | None, deadline: float | None = None) -> Iterator[None]:
    """Within the block, every guarded read, write and connect ends ``seconds`` from now (or at ``deadline``).

    ``deadline`` is a ``time.monotonic()`` value, for work handed to another thread mid-way.
    """
    if seconds is None:
        token = _deadline.set(None)
    else:
        token = _deadline.set((deadline if deadline is not None else time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def current_deadline() -> tuple[float, float] | None:
    """``(monotonic end, budget in seconds)`` set by the innermost :func:`deadline_scope`, if any."""
    return _deadline.get()


def remaining() -> float | None:
    """Seconds left before the current deadline (negative once passed), or None without one."""
    current = _deadline.get()
    return None if current is None else current[0] - time.monotonic()


def _bounded(timeout: float | None) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0.01:
        raise DeadlineExceeded("the overall deadline for this URL passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A socket stream whose reads and writes also stop at the URL's overall deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bounded = _bounded(timeout)
        try:
            return self._inner.read(max_bytes, bounded)
        except httpcore.ReadTimeout:
            left = remaining()
            if left is not None and left < 0.05:  # the deadline, rather than the read timeout, ran out
                raise DeadlineExceeded("the overall deadline for this URL passed") from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks every address against the policy, then connects to a checked IP (pinned)."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        # The system resolver has no timeout of its own: wait for it no longer than the connect allows.
        lookup = _RESOLVER.submit(self.policy.resolve, host, port)
        try:
            addresses = lookup.result(timeout=_bounded(timeout))
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"[Errno {exc.errno}] {exc.strerror}") from exc
        except FutureTimeout:
            _bounded(None)
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from None
        last: Exception | None = None
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(address, port, _bounded(timeout), local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _Stream(stream)
        raise last or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for web capture")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with every direct connection made by :class:`GuardedBackend`."""

    def __init__(self, policy: NetworkPolicy, verify: bool | ssl.SSLContext = True, trust_env: bool = True) -> None:
        super().__init__(verify=verify, trust_env=trust_env)
        self._pool.close()
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(verify=verify, trust_env=trust_env),
                                             network_backend=GuardedBackend(policy))


def refused_in(exc: BaseException) -> RefusedDestination | None:
    """The refusal behind an exception, if that is what it is."""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return None
        if isinstance(current, RefusedDestination):
            return current
        current = current.__cause__ or current.__context__
    return None
