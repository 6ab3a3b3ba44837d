"""Errors of the store: each names what is wrong and what to do."""

from __future__ import annotations

from organwatch.errors import CaseError, OrganWatchError


class StoreError(OrganWatchError):
    """The store cannot do what was asked (a database extension is missing, a schema is unknown)."""


class QuerySyntaxError(StoreError):
    """The storage engine could not read a query expression (the search layer says how to rephrase it)."""


class StoreUnavailableError(StoreError, CaseError):
    """The store's server cannot be reached, or the connection was lost mid-way: nothing more can be stored
    in this run, so a batch stops here (instead of recording a failure per item) and says how to resume."""
