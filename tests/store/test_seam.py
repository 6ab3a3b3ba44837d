"""SQL lives behind the store: no module outside ``organwatch/store`` runs a statement itself."""

from __future__ import annotations

import re
from pathlib import Path

import organwatch

# Integrity checks that still compare database rows themselves, until they read through the repositories.
NOT_YET_MOVED: set[str] = set()
_CALL = re.compile(r"\.(execute|executemany|executescript)\(")


def test_no_sql_outside_the_store() -> None:
    package = Path(organwatch.__file__).parent
    outside = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith("store/") or relative in NOT_YET_MOVED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _CALL.search(line):
                outside.append(f"{relative}:{number}: {line.strip()}")
    assert outside == []
