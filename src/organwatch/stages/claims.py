"""The claims stage of a case: stored text, mentions and quotes → claim instances, then groups across the case.

Instances are replaced per document; groups are recomputed over the whole case (a claim in one document is
grouped with its repeats in others) and reviewers' merge and split decisions are applied on top, so running
the stage again on the same case stores the same claims and the same groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from organwatch.claims.derive import CLAIMS_VERSION, claims_of
from organwatch.claims.weigh import ClaimGroup, weigh
from organwatch.store import Store


@dataclass
class ClaimsSummary:
    """Counts of one run of the claims stage."""

    documents: int = 0
    claims: int = 0
    groups: int = 0
    failed: int = 0


def derive_claims(store: Store, document_ids: Iterable[int] | None = None,
                  on_document: Callable[[int, int, str | None], None] | None = None) -> ClaimsSummary:
    """Derive the claims of documents (all ``ok`` ones by default), then regroup the whole case.

    ``on_document(document_id, claims, failure)`` is called after each document.
    """
    summary = ClaimsSummary()
    if document_ids is None:
        with store.view() as view:
            document_ids = view.documents.ids()
            gone = {r.document_id for r in view.claims.instances()} - set(document_ids)
        with store.writer() as writer:
            for document_id in sorted(gone):  # documents deleted since the last run
                writer.claims.remove(document_id)
    for document_id in document_ids:
        with store.view() as view:
            document = view.documents.get(document_id)
            if document is None:
                continue
            mentions = view.mentions.mentions(document_id)
            quotes = view.mentions.quotes(document_id)
        failure = None
        try:
            found = claims_of(document, mentions, quotes)
        except Exception as exc:  # one document's failure must not stop the others
            failure = f"claims failed ({type(exc).__name__}: {str(exc)[:200]})"
            found = []
            summary.failed += 1
        with store.writer() as writer:
            writer.claims.replace_instances(document_id, found, CLAIMS_VERSION)
        summary.documents += 1
        summary.claims += len(found)
        if on_document is not None:
            on_document(document_id, len(found), failure)
    summary.groups = len(regroup(store))
    return summary


def regroup(store: Store) -> list[ClaimGroup]:
    """Group every stored claim instance of the case, apply reviewers' decisions, and store the groups."""
    with store.view() as view:
        reported = view.claims.instances()
        document_ids = sorted({r.document_id for r in reported})
        documents = view.documents.get_many(document_ids)
        links = {(link.a, link.b) for d in document_ids for link in view.documents.links(d)}
        decisions = view.claims.decisions()
    groups = weigh(reported, [(d.id, d.outlet, d.author) for d in documents.values()], sorted(links), decisions)
    with store.writer() as writer:
        writer.claims.replace_groups(groups)
    return groups
