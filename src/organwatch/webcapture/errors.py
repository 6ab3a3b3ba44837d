"""Why one URL could not be captured, in one line a user can act on."""

from __future__ import annotations

from organwatch.errors import OrganWatchError


class WebCaptureError(OrganWatchError):
    """One URL failed; nothing of it was stored. ``kind`` is a stable code for scripts and tests.

    Kinds: ``invalid-url``, ``dns``, ``unreachable``, ``tls``, ``timeout``, ``too-large``,
    ``redirect-loop``, ``protocol``, ``browser``.
    """

    def __init__(self, url: str, kind: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.kind = kind
        self.reason = reason


class BrowserUnavailableError(OrganWatchError):
    """Chromium or Playwright is missing: say what to install (or to pass --no-screenshot)."""
