"""Web capture: a URL → WARC exchange, screenshot, PDF, DOM and media, bound in a signed capture set.

Also: recapture to notice edits and deletions, and import of WARC/WACZ files made by other tools.
Captures reach public internet addresses only, unless told otherwise (:class:`NetworkPolicy`).

>>> # from organwatch.webcapture import capture_url; capture_url(case, "https://hospital.example/x.html")
"""

from organwatch.webcapture.browser import BrowserOptions, Rendering
from organwatch.webcapture.capture import CaptureOptions, Capturer, CaptureResult, capture_url, capture_urls
from organwatch.webcapture.captureset import Member, check_capture_sets
from organwatch.webcapture.changes import Change, list_changes
from organwatch.webcapture.errors import BrowserUnavailableError, WebCaptureError
from organwatch.webcapture.fetch import Exchange, FetchOptions, Hop, fetch
from organwatch.webcapture.netguard import NetworkPolicy, RefusedDestination
from organwatch.webcapture.recapture import RecaptureResult, recapture
from organwatch.webcapture.wacz import ImportSummary, import_web_archive, record_web_archive

__all__ = [
    "BrowserOptions",
    "BrowserUnavailableError",
    "CaptureOptions",
    "CaptureResult",
    "Capturer",
    "Change",
    "Exchange",
    "FetchOptions",
    "Hop",
    "ImportSummary",
    "Member",
    "NetworkPolicy",
    "RecaptureResult",
    "RefusedDestination",
    "Rendering",
    "WebCaptureError",
    "capture_url",
    "capture_urls",
    "check_capture_sets",
    "fetch",
    "import_web_archive",
    "list_changes",
    "recapture",
    "record_web_archive",
]
