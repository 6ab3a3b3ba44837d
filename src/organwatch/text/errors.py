"""The one exception the text stage raises for input it cannot read."""

from __future__ import annotations

from organwatch.errors import OrganWatchError


class TextExtractionError(OrganWatchError):
    """Input could not be turned into document text.

    ``reason`` is a single line a person can act on ("PDF is encrypted and needs a password"), so
    the CLI prints it as is instead of a traceback. ``name`` is the file or record it concerns.
    """

    def __init__(self, reason: str, *, name: str | None = None) -> None:
        self.reason = " ".join(reason.split())
        self.name = name
        super().__init__(self.reason)

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}" if self.name else self.reason
