"""The text stage: source bytes → document text, metadata, paragraphs, language.

Pure functions only: nothing here touches a case, the store or the network.

>>> from organwatch.text import extract_documents
>>> [doc.text for doc in extract_documents(b"<html><body><p>Hello</p></body></html>")]
['Hello']
"""

from organwatch.text.chinese import (
    Token,
    normalise_pinyin,
    pinyin_keys,
    segment,
    to_simplified,
    to_simplified_aligned,
    to_traditional,
)
from organwatch.text.dedupe import (
    MinHashLSH,
    Signature,
    fingerprint,
    fold_text,
    paragraph_fingerprints,
    similarity,
)
from organwatch.text.documents import (
    PIPELINE_VERSION,
    ExtractedDocument,
    TextOptions,
    extract_documents,
    sniff_kind,
)
from organwatch.text.encoding import DecodedText, decode_bytes
from organwatch.text.errors import TextExtractionError
from organwatch.text.language import (
    Language,
    LanguageProfile,
    detect_language,
    paragraph_spans,
    profile_language,
)

__all__ = [
    "PIPELINE_VERSION",
    "DecodedText",
    "ExtractedDocument",
    "Language",
    "LanguageProfile",
    "MinHashLSH",
    "Signature",
    "TextExtractionError",
    "TextOptions",
    "Token",
    "decode_bytes",
    "detect_language",
    "extract_documents",
    "fingerprint",
    "fold_text",
    "normalise_pinyin",
    "paragraph_fingerprints",
    "paragraph_spans",
    "pinyin_keys",
    "profile_language",
    "segment",
    "similarity",
    "sniff_kind",
    "to_simplified",
    "to_simplified_aligned",
    "to_traditional",
]
