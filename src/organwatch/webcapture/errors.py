"""Why one URL could not be captured, in one line a user can act on."""

from __future__ import annotations

from organwatch.errors import OrganWatchError


class WebCaptureError(OrganWatchError):
    """One URL failed; nothing of it was stored. ``kind`` is a stable code for scripts and tests.

    Kinds: ``invalid-url``, ``dns``, ``unreachable``, ``tls``, ``timeout``, ``too-large``,
    ``redirect-loop``, ``protocol``, ``browser``, ``refused`` (a non-public destination),
    ``deadline`` (the overall time allowed for one URL ran out).
    """

    def __init__(self, url: str, kind: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.kind = kind
        self.reason = reason


class BrowserUnavailableError(OrganWatchError):
    """Chromium or Playwright is missing: say what to install (or to pass --no-screenshot)."""


def deadline_error(url: str, seconds: float | None, doing: str) -> WebCaptureError:
    """The one line for a URL whose fetch and rendering did not finish within the overall deadline."""
    budget = f"the {seconds:g} s deadline" if seconds is not None else "the deadline"
    return WebCaptureError(url, "deadline", f"not finished within {budget} for one URL (while {doing}); "
                           "nothing stored: raise --deadline for very slow sites")
