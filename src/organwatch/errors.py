"""Exceptions a user can act on. Each message names the thing that is wrong and what to do.

Every error OrganWatch raises on purpose derives from :class:`OrganWatchError`; the CLI prints its message
on one line and exits with status 1, and the library's callers need catch only the root. The tree (a test
keeps this drawing complete):

::

    OrganWatchError
    ├── CaseError                       a case folder is missing, incomplete, locked or of a newer format
    ├── UnknownCaptureError             no capture or document (or more than one) matches an id or prefix
    ├── CanonicalJSONError              a value cannot be written as canonical JSON
    ├── SettingError                    an ORGANWATCH_* variable holds an unusable value (also a ValueError)
    ├── FileTooLargeError               a file grew past the size limit while being archived
    ├── TextExtractionError             bytes could not be turned into document text (text)
    ├── WorkerDiedError                 a worker process ended without a result for one input (stages)
    ├── StoreError                      the store cannot do what was asked (store)
    │   ├── QuerySyntaxError            the storage engine could not read a query expression
    │   └── StoreUnavailableError       the database server cannot be reached or dropped the connection
    ├── SearchError                     (search)
    │   ├── SearchQueryError            a query cannot be run as written
    │   └── SearchIndexError            the index cannot do what was asked (no embeddings yet, ...)
    ├── WebCaptureError                 one URL could not be captured (webcapture)
    ├── BrowserUnavailableError         Chromium or Playwright is missing
    ├── RefusedDestination              a capture would reach a private network (webcapture)
    ├── DeadlineExceeded                one URL's capture ran past its deadline (also httpcore.ReadTimeout)
    ├── HeadError                       a tree head given to check against cannot be read (archive)
    ├── LoginRequiredError              a workbench page needs a signed-in user (web)
    ├── RequestTooLargeError            a request to the workbench is over its size limit (web)
    ├── AccessError                     a user name, role or principal that cannot be used (web)
    ├── LoginError                      wrong user name or password, deliberately not saying which (web)
    ├── LoginRateLimitedError           too many failed logins recently (web)
    ├── NotFoundError                   nothing with that id that this reader may see (web)
    ├── ForbiddenError                  the reader's role does not allow this action (web)
    ├── ClaimsError                     unknown actor, nothing said about it, a bad grade (claims)
    ├── ClusterError                    a Dask cluster cannot be reached or used (distributed)
    ├── ResolveError                    an unknown or ambiguous actor name, or a merge that cannot be (resolve)
    └── AnalysisError                   an analysis cannot run on its inputs (analysis)
        └── TableInputError             a problem in an input table, by file, line and column

Errors specific to one area are declared in that area's ``errors`` module and derive from this root.
"""

from __future__ import annotations


class OrganWatchError(Exception):
    """Base class: the CLI prints the message on one line and exits with status 1."""


class CaseError(OrganWatchError):
    """A case folder is missing, incomplete or of a newer format: the message says how to fix it."""


class UnknownCaptureError(OrganWatchError):
    """No capture or document (or more than one) matches an id or prefix: give a longer or listed one."""


class CanonicalJSONError(OrganWatchError):
    """A value cannot be written as canonical JSON (floats, non-string keys, invalid text)."""
