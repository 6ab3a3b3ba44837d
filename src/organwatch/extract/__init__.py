"""The extraction stage: document text → mentions (people, organisations, places, dates, quantities) and quotes.

Pure functions only (DESIGN §6): nothing here reads a case or the network.

>>> from datetime import date
>>> result = extract("Wang Lijun fled on Feb. 6 to the U.S. Consulate in Chengdu.", doc_date=date(2012, 2, 9))
>>> [(m.type, m.text, m.canonical) for m in result.mentions][:2]
[('person', 'Wang Lijun', 'Wang Lijun'), ('date', 'Feb. 6', '2012-02-06')]
"""

from organwatch.extract.pipeline import ExtractOptions, extract
from organwatch.model.extraction import EXTRACTOR, EXTRACTOR_VERSION, Extraction, Mention, Quote, text_quote_selector

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
