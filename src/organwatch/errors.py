"""Exceptions a user can act on. Each message names the thing that is wrong and what to do."""

from __future__ import annotations


class OrganWatchError(Exception):
    """Base class: the CLI prints the message on one line and exits with status 1."""


class CaseError(OrganWatchError):
    """A case folder is missing, incomplete or of a newer format."""


class UnknownCaptureError(OrganWatchError):
    """No capture (or more than one) matches an id or prefix."""


class CanonicalJSONError(OrganWatchError):
    """A value cannot be written as canonical JSON (floats, non-string keys, invalid text)."""
