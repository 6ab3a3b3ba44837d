"""One error tree: every exception OrganWatch declares derives from OrganWatchError and is drawn in
the ``organwatch.errors`` docstring, so a caller catching the root catches everything we raise on purpose."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import organwatch
from organwatch import errors


def _declared_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(organwatch.__path__, "organwatch."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == info.name
                    and not name.startswith("_")):
                found[f"{info.name}.{name}"] = value
    return list(found.values())


def test_every_exception_derives_from_the_root_and_is_drawn() -> None:
    declared = _declared_exceptions()
    assert len(declared) >= 10
    outside = [cls.__qualname__ for cls in declared if not issubclass(cls, errors.OrganWatchError)]
    assert outside == []
    undrawn = [cls.__name__ for cls in declared
               if not re.search(rf"^[ │├└─]*{cls.__name__}\b", errors.__doc__ or "", re.MULTILINE)]
    assert undrawn == []
