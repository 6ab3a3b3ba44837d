from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["fuzzy", "records", "affiliations"])
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"organwatch.papers.{name}")
    failures, attempted = doctest.testmod(module)
    assert attempted > 0 and failures == 0
