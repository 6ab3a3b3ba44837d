"""Errors of the search package: each names what is wrong and what to do."""

from __future__ import annotations

from organwatch.errors import OrganWatchError


class SearchError(OrganWatchError):
    """Base class of search errors."""


class SearchQueryError(SearchError):
    """A query cannot be run as written (empty, only negated terms, a prefix that is too short...).

    This is the only error a hostile or malformed query raises: SQLite errors never reach the user.
    """


class SearchIndexError(SearchError):
    """The search index cannot do what was asked (no embeddings yet, another embedder, missing extension)."""
