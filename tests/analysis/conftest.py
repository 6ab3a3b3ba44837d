from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "analysis"
SAMPLE = Path(__file__).resolve().parents[2] / "sample" / "analysis"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def sample() -> Path:
    return SAMPLE
