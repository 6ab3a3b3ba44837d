"""The examples in the text stage's docstrings run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["__init__", "chinese", "dedupe", "documents", "encoding", "html", "language", "plain"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module("organwatch.text" if name == "__init__" else f"organwatch.text.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
