"""The public API is pinned (httpx-style): changing it must be a decision, not an accident."""

from __future__ import annotations

import organwatch


def test_all_is_pinned() -> None:
    assert sorted(organwatch.__all__) == sorted([
        "AddResult", "AddSummary", "Capture", "CaptureMetadata", "Case", "CaseError", "Document", "Observation",
        "OrganWatchError", "UnknownCaptureError", "__version__", "init_case", "open_case",
    ])
    for name in organwatch.__all__:
        assert hasattr(organwatch, name)
