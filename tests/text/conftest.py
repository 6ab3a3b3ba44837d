"""Shared fixtures of the text-stage tests: the committed sample files in tests/fixtures/text/."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
