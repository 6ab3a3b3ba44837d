"""HTTP-level protection for every response: security headers, CSRF checks and request-size limits.

CSRF: each browser gets a random ``ow_csrf`` cookie (HttpOnly, SameSite=Strict); every POST, PUT, PATCH
and DELETE must echo it in an ``X-CSRF-Token`` header, a ``csrf_token`` form field (URL-encoded forms) or
a ``csrf_token`` query parameter (multipart forms, whose bodies are not buffered), and must not come from
another origin. The token is replaced at login, so a token planted before login is useless after it.

Headers: a strict Content-Security-Policy (scripts, styles and images only from this server; no frames
of us elsewhere), ``nosniff``, no referrer. A route may set its own CSP (the sandboxed archived page does).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from organwatch.errors import OrganWatchError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "ow_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 1_000_000
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")
_HEADERS = {
    b"content-security-policy": PAGE_CSP.encode("ascii"),
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is treated as no cookie
                continue
    return {key: morsel.value for key, morsel in jar.items()}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def new_csrf_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(32)


def csrf_cookie_header(token: str, secure: bool) -> bytes:
    """The Set-Cookie value carrying a CSRF token."""
    flags = "; Secure" if secure else ""
    return f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{flags}".encode("ascii")


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *_HEADERS.items()]})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """Pure ASGI middleware: security headers on every response, CSRF on every state-changing request,
    and a cap on request bodies (``max_body`` bytes; URL-encoded forms at most :data:`MAX_FORM_BYTES`)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        token = cookies.get(CSRF_COOKIE, "")
        set_cookie = None
        if len(token) < 20:
            token = new_csrf_token()
            set_cookie = csrf_cookie_header(token, scope.get("scheme") == "https")
        scope.setdefault("state", {})["csrf_token"] = token
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _plain(send, 413, f"error: the request is larger than the {self.max_body:,}-byte limit")
            return
        receive = self._limited(receive)
        if scope["method"] in UNSAFE_METHODS:
            problem, receive = await self._check_csrf(scope, receive, token if set_cookie is None else "")
            if problem:
                await _plain(send, 403, f"error: {problem}")
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in _HEADERS.items() if k not in present)
                if set_cookie is not None:
                    headers.append((b"set-cookie", set_cookie))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise RequestTooLargeError(self.max_body)
            return message

        return limited

    async def _check_csrf(self, scope: Scope, receive: Receive, expected: str) -> tuple[str | None, Receive]:
        origin = _header(scope, b"origin")
        host = _header(scope, b"host")
        if origin and origin != "null" and host and urlsplit(origin).netloc != host:
            return "cross-origin request refused", receive
        if not expected:
            return "missing CSRF token: reload the page and try again", receive
        given = _header(scope, CSRF_HEADER.encode())
        if given is None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = next(iter(query.get(CSRF_FIELD, [])), None)
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if given is None and content_type == "application/x-www-form-urlencoded":
            body, receive = await _buffer(receive, MAX_FORM_BYTES)
            if body is None:
                return "form too large", receive
            given = next(iter(parse_qs(body.decode("latin-1")).get(CSRF_FIELD, [])), None)
        if given is None or not hmac.compare_digest(given.encode("latin-1", "replace"), expected.encode("ascii")):
            return "missing or wrong CSRF token: reload the page and try again", receive
        return None, receive


class RequestTooLargeError(OrganWatchError):
    """Raised inside the app when a streamed body passes the size limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request is larger than the {limit:,}-byte limit")


async def _buffer(receive: Receive, limit: int) -> tuple[bytes | None, Receive]:
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return None, receive
        more = bool(message.get("more_body"))
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
