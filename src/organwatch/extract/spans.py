"""A set of non-overlapping spans with logarithmic overlap checks (keeps every stage linear-time)."""

from __future__ import annotations

import bisect


class SpanSet:
    """Non-overlapping ``[start, end)`` spans; ``overlaps`` and ``add`` cost O(log n) lookups."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)  # spans starting before ``end``
        return i > 0 and self._ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)

    def covers(self, start: int, end: int, slack: int = 1) -> bool:
        """True when one span contains ``[start, end)`` (give or take ``slack``)."""
        i = bisect.bisect_right(self._starts, start + slack)
        return i > 0 and self._starts[i - 1] <= start + slack and self._ends[i - 1] >= end - slack
