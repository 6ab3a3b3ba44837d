"""Docstrings and comments speak to a reader of this repository: no documents outside it, no issue numbers or roles."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "organwatch"

FORBIDDEN = [
    (re.compile(r"\bDESIGN\b|DESIGN\.md"), "the shared design document"),
    (re.compile(r"\bSTYLE(\.md| §)"), "the shared style guide"),
    (re.compile(r"\bissues? #?\d+", re.IGNORECASE), "an issue number"),
    (re.compile(r"(?<![\w:/&\"'])#\d+\b"), "an issue number"),
    (re.compile(r"\b(the lead|lead developer|helper (session|developer)s?)\b", re.IGNORECASE), "a team role"),
]


def _prose(path: Path) -> list[tuple[int, str]]:
    """Every docstring and comment of a module, with its line number."""
    source = path.read_text(encoding="utf-8")
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc and node.body:
                found.append((node.body[0].lineno, doc))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.string))
    return found


def offending(text: str) -> list[str]:
    """What a piece of prose refers to that a reader of the repository cannot follow.

    >>> offending("See DESIGN §5 and issue 4.")
    ['the shared design document', 'an issue number']
    >>> offending("the span capture:ab12#10-20")
    []
    """
    return [why for pattern, why in FORBIDDEN if pattern.search(text)]


def test_no_docstring_or_comment_points_outside_the_repository() -> None:
    problems = [f"{path.relative_to(SRC.parent)}:{line}: {why}"
                for path in sorted(SRC.rglob("*.py")) for line, text in _prose(path) for why in offending(text)]
    assert problems == []


def test_the_check_finds_what_it_looks_for() -> None:
    assert offending("the lead registers them") == ["a team role"]
    assert offending("fixed in #12") == ["an issue number"]
    assert offending("STYLE §2") == ["the shared style guide"]
