"""The one way times are written in records and log entries: UTC, ISO 8601, microseconds, a ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Current UTC time as ISO 8601 with microseconds and a ``Z``.

    >>> len(utc_now()), utc_now().endswith("Z")
    (27, True)
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
