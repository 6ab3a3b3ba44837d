"""Errors a user can act on: which file, which line, which column, what is wrong.

Every problem with an input table becomes one :class:`TableInputError` whose ``str()`` is a single line, so the
CLI can print it and exit 1 instead of showing a traceback.

>>> str(TableInputError("hospitals.csv", "negative value -3", line=4, column="beds"))
"hospitals.csv, line 4, column 'beds': negative value -3"
"""

from __future__ import annotations

from organwatch.errors import OrganWatchError


class AnalysisError(OrganWatchError):
    """An analysis cannot run on the inputs it was given (e.g. too few points to fit a model)."""


class TableInputError(AnalysisError):
    """A problem in an input table, located by file, line and column."""

    def __init__(self, path: str, problem: str, *, line: int | None = None, column: str | None = None) -> None:
        self.path = path
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.path]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        # One line, always: newlines inside a cell must not break the message.
        return (", ".join(where) + ": " + self.problem).replace("\n", " ")
