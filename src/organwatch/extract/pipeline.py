"""The orchestrating function of the extraction stage.

Stages, in order (each a module you can call alone):
1. dates (:mod:`dates`) and quantities (:mod:`quantities`) by pattern, in both languages;
2. names: English through spaCy's EntityRuler over the gazetteers plus rules (:mod:`english`), Chinese through
   gazetteers, jieba POS tags and head-noun rules (:mod:`chinese`);
3. overlaps removed (a date wins over the numbers inside it, a name over a number inside it);
4. within-document resolution (:mod:`resolve`);
5. quotes and their speakers (:mod:`quotes`).
Mixed documents are split by paragraph language (text core) and each paragraph read by its own rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from organwatch.extract import attribution, chinese, dates, english, quantities, quotes, resolve
from organwatch.model.extraction import Extraction, Mention, Quote
from organwatch.text import detect_language, paragraph_spans, profile_language, to_simplified_aligned

LONG_PARAGRAPH = 100_000  # characters without a paragraph break: sentence rules get unreliable
# Above this many characters a document is read by rules alone: the models cost about 0.1 ms per word, and a
# dump of tens of megabytes would take minutes. The warning says so; the document is still extracted.
MODEL_MAX_CHARS = 2_000_000


@dataclass(frozen=True)
class ExtractOptions:
    """Options of :func:`extract`; ``types`` limits what is returned (quotes need people and organisations)."""

    types: frozenset[str] = frozenset({"person", "organization", "place", "date", "quantity"})
    quotes: bool = True
    resolve: bool = True
    models: bool = True  # False: gazetteers and rules only (faster, fewer unknown names)


def _controls_to_spaces(text: str) -> str:
    """Control characters become spaces (same length, so offsets stay valid)."""
    if not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in text[:0] or text):
        return text
    return "".join(" " if unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" else ch for ch in text)


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    rank = {"date": 3, "organization": 2, "person": 2, "place": 1, "quantity": 0}
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        clash = []  # kept is sorted and non-overlapping: only its tail can reach past m.start
        for k in reversed(kept[-8:]):
            if k.end > m.start:
                clash.append(k)
        if not clash:
            kept.append(m)
            continue
        if all(
            rank[m.type] > rank[k.type] or (rank[m.type] == rank[k.type] and m.end - m.start > k.end - k.start)
            for k in clash
        ):
            for k in clash:
                kept.remove(k)
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def _language_of(text: str, language: str | None) -> str:
    if language in {"en", "zh"}:
        return language
    detected = str(detect_language(text))
    return "zh" if detected.startswith("zh") else "en"


def _extract_block(
    text: str, language: str, doc: date | None, options: ExtractOptions, use_model: bool = True
) -> tuple[list[Mention], list[Quote]]:
    if language == "zh":
        simplified = to_simplified_aligned(text)
        found = list(dates.chinese_dates(text, simplified, doc)) + list(quantities.chinese_quantities(text, simplified))
        found += chinese.chinese_entities(text, simplified, use_model)
        mentions = _drop_overlaps(found)
        if options.resolve:
            mentions = resolve.resolve_chinese(simplified, text, mentions)
        said = quotes.chinese_quotes(text, simplified, mentions) if options.quotes else []
        if options.quotes:
            said += attribution.chinese(text, simplified, mentions, said)
    else:
        found = list(dates.english_dates(text, doc)) + list(quantities.english_quantities(text))
        found += english.english_entities(text, use_model)
        mentions = _drop_overlaps(found)
        if options.resolve:
            mentions = resolve.resolve_english(text, mentions)
        said = quotes.english_quotes(text, mentions) if options.quotes else []
        if options.quotes:
            said += attribution.english(text, mentions, said)
    return mentions, said


def _blocks(text: str, language: str | None) -> list[tuple[int, int, str]]:
    """One block per run of same-language paragraphs; a single block when the language is given."""
    if language in {"en", "zh"}:
        return [(0, len(text), _language_of(text, language))]
    profile = profile_language(text, paragraph_spans(text))
    codes = {"zh" if str(lang).startswith("zh") else "en" for _, _, lang in profile.paragraphs}
    if len(codes) < 2:
        return [(0, len(text), _language_of(text, str(profile.language)))]
    blocks: list[tuple[int, int, str]] = []
    for start, end, lang in profile.paragraphs:
        code = "zh" if str(lang).startswith("zh") else "en"
        if blocks and blocks[-1][2] == code:
            blocks[-1] = (blocks[-1][0], end, code)
        else:
            blocks.append((start, end, code))
    if blocks:
        blocks[0] = (0, blocks[0][1], blocks[0][2])
        blocks[-1] = (blocks[-1][0], len(text), blocks[-1][2])
    return blocks


def extract(text: str, language: str | None = None, doc_date: date | str | None = None,
            options: ExtractOptions | None = None) -> Extraction:  # fmt: skip
    """Mentions and quotes of one document text, offsets in code points of ``text``.

    ``language`` is "en" or "zh" (detected when None; mixed documents are read paragraph by paragraph);
    ``doc_date`` resolves relative dates ("last week", "去年三月").

    >>> [m.canonical for m in extract("Kilgour spoke in 2006.", "en").mentions]
    ['2006']
    """
    options = options or ExtractOptions()
    doc = dates.to_date(doc_date)
    warnings: list[str] = []
    if not text.strip():
        return Extraction(_language_of(text, language) if text else (language or "und"), (), (),
                          doc.isoformat() if doc else None, ("empty text: nothing to extract",), text)  # fmt: skip
    clean = _controls_to_spaces(text)
    if clean is not text and clean != text:
        warnings.append("control characters in the text were read as spaces")
    longest = max((e - s for s, e in paragraph_spans(clean)), default=len(clean))
    if longest > LONG_PARAGRAPH:
        warnings.append(f"a paragraph of {longest} characters: sentence boundaries and quotes may be unreliable")
    if not re.search(r"[.!?。！？,，;；]", clean[:100_000]):
        warnings.append("no punctuation: sentence-based rules (quotes, reported speech) are unreliable")
    if clean.count("“") != clean.count("”") or clean.count('"') % 2:
        warnings.append("unbalanced quotation marks: some quotes may be missed or cut")
    use_model = options.models and len(clean) <= MODEL_MAX_CHARS
    if options.models and not use_model:
        warnings.append(f"{len(clean):,} characters: names were read by gazetteers and rules only "
                        f"(the statistical models run on texts up to {MODEL_MAX_CHARS:,} characters)")  # fmt: skip
    mentions: list[Mention] = []
    said: list[Quote] = []
    blocks = _blocks(clean, language)
    for start, end, lang in blocks:
        block_mentions, block_quotes = _extract_block(clean[start:end], lang, doc, options, use_model)
        mentions += [_shift(m, start, text) for m in block_mentions if m.type in options.types]
        said += [_shift_quote(q, start, text) for q in block_quotes]
    if doc is None and any(m.type == "date" and m.value is None for m in mentions):
        warnings.append("relative dates found but no document date given: their values are empty")
    languages = {lang for _, _, lang in blocks}
    language_out = languages.pop() if len(languages) == 1 else "mixed"
    said.sort(key=lambda q: q.start)
    return Extraction(
        language_out, tuple(mentions), tuple(said), doc.isoformat() if doc else None, tuple(warnings), text
    )


def _shift(m: Mention, offset: int, text: str) -> Mention:
    if offset == 0:
        return m
    from dataclasses import replace

    return replace(m, start=m.start + offset, end=m.end + offset, text=text[m.start + offset : m.end + offset])


def _shift_quote(q: Quote, offset: int, text: str) -> Quote:
    if offset == 0:
        return q
    from dataclasses import replace

    return replace(
        q, start=q.start + offset, end=q.end + offset, text=text[q.start + offset : q.end + offset],
        speaker_start=None if q.speaker_start is None else q.speaker_start + offset,
        speaker_end=None if q.speaker_end is None else q.speaker_end + offset,
    )  # fmt: skip
