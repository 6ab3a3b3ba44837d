"""The tiny examples in the analysis docstrings run, so they cannot go stale."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import organwatch.analysis

MODULES = sorted(m.name for m in pkgutil.iter_modules(organwatch.analysis.__path__, "organwatch.analysis."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
