"""The extraction stage: document text → mentions (people, organisations, places, dates, quantities) and quotes.

Pure functions only: nothing here reads a case or the network.

>>> from datetime import date
>>> from organwatch.extract import extract
>>> result = extract("Wang Lijun fled on Feb. 6 to the U.S. Consulate in Chengdu.", doc_date=date(2012, 2, 9))
>>> [(m.type, m.text, m.canonical) for m in result.mentions][:2]
[('person', 'Wang Lijun', 'Wang Lijun'), ('date', 'Feb. 6', '2012-02-06')]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from organwatch.model.extraction import EXTRACTOR, EXTRACTOR_VERSION, Extraction, Mention, Quote, text_quote_selector

if TYPE_CHECKING:
    from organwatch.extract.pipeline import ExtractOptions, extract


def __getattr__(name: str) -> Any:
    """``extract`` and ``ExtractOptions`` load the pipeline (text core, gazetteers) on first use only, so
    importing this package (as the command line does to register its commands) costs almost nothing."""
    if name in {"extract", "ExtractOptions"}:
        from organwatch.extract import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXTRACTOR",
    "EXTRACTOR_VERSION",
    "ExtractOptions",
    "Extraction",
    "Mention",
    "Quote",
    "extract",
    "text_quote_selector",
]
