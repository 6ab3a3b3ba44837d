"""Near-duplicates: MinHash estimates Jaccard across scripts; LSH finds the pairs above a threshold."""

from __future__ import annotations

import random

import numpy as np
import pytest

from organwatch.text import MinHashLSH, fingerprint, fold_text, paragraph_fingerprints, similarity
from organwatch.text.dedupe import SHINGLE_SIZE, is_empty

STORY = (
    "据报道，天津第一中心医院东方器官移植中心的肝脏移植等待时间只有两周，远低于国际水平。"
    "器官来源不明，调查人员要求医院公开供体数据。医院网站称二零零五年以来共完成肝脏移植手术数千例。"
)
STORY_HANT = (
    "據報道，天津第一中心醫院東方器官移植中心的肝臟移植等待時間只有兩週，遠低於國際水平。"
    "器官來源不明，調查人員要求醫院公開供體數據。醫院網站稱二零零五年以來共完成肝臟移植手術數千例。"
)


def _jaccard(a: str, b: str) -> float:
    """Reference: exact Jaccard of the shingle sets, computed the slow obvious way."""

    def shingles(text: str) -> set[str]:
        folded = fold_text(text)
        return {folded[i : i + SHINGLE_SIZE] for i in range(max(1, len(folded) - SHINGLE_SIZE + 1))}

    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def test_a_syndicated_copy_in_the_other_script_is_identical() -> None:
    assert fold_text(STORY) == fold_text(STORY_HANT)
    assert similarity(fingerprint(STORY), fingerprint(STORY_HANT)) == 1.0


def test_case_punctuation_and_spacing_do_not_matter() -> None:
    a = "The Hospital said: the waiting time was TWO weeks!"
    b = "the hospital said the waiting time was two weeks"
    assert similarity(fingerprint(a), fingerprint(b)) == 1.0


def _edited(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = rng.choice("的了是在有和人这中大为上个国我以要他时来用们")
    return "".join(chars)


def test_estimate_is_close_to_the_true_jaccard() -> None:
    rng = random.Random(7)
    base = STORY * 3
    errors = []
    for edits in (0, 2, 5, 10, 20, 40, 80):
        other = _edited(base, rng, edits)
        true = _jaccard(base, other)
        estimate = similarity(fingerprint(base), fingerprint(other))
        errors.append(abs(true - estimate))
    # MinHash with 128 permutations has a standard error of at most 0.044.
    assert max(errors) < 0.15, errors
    assert float(np.mean(errors)) < 0.06, errors


def test_unrelated_texts_are_far_apart() -> None:
    english = "Investigators asked the hospital to publish the numbers of donors and organs."
    assert similarity(fingerprint(STORY), fingerprint(english)) < 0.05


def test_signatures_are_stable_across_runs_and_versions() -> None:
    # Stored signatures must stay comparable: pin a few values (change only with a migration).
    signature = fingerprint("organ transplant")
    assert signature.dtype == np.uint32 and signature.shape == (128,)
    assert np.array_equal(signature, fingerprint("Organ  transplant!"))
    assert signature[:4].tolist() == PINNED


PINNED = [719703453, 32001856, 328774750, 145832151]


def test_empty_text_matches_nothing() -> None:
    empty = fingerprint("，。！ ")
    assert is_empty(empty)
    assert similarity(empty, empty) == 0.0
    index: MinHashLSH[str] = MinHashLSH(threshold=0.5)
    assert index.add("a", empty) == [] and index.add("b", empty) == []
    assert list(index.candidate_pairs()) == []


def test_lsh_finds_the_same_pairs_as_brute_force() -> None:
    rng = random.Random(3)
    texts: dict[str, str] = {}
    for family in range(30):
        base = "".join(rng.choice("医院器官移植等待时间肝脏肾脏心脏供体来源数据报告调查法轮功囚犯") for _ in range(200))
        texts[f"{family}-0"] = base
        for copy in range(1, rng.randrange(1, 4)):
            texts[f"{family}-{copy}"] = _edited(base, rng, rng.choice((1, 3, 6, 30)))
    signatures = {key: fingerprint(text) for key, text in texts.items()}
    threshold = 0.7
    index: MinHashLSH[str] = MinHashLSH(threshold=threshold)
    for key, signature in signatures.items():
        index.add(key, signature)
    found = {(a, b) for a, b, _ in index.candidate_pairs()}
    keys = list(signatures)
    expected = {
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if similarity(signatures[a], signatures[b]) >= threshold
    }
    assert expected, "the corpus must contain near-duplicates"
    assert found == expected  # banding at 0.7 misses essentially nothing this far above threshold
    for a, b in found:
        assert a.split("-")[0] == b.split("-")[0]


def test_add_returns_earlier_matches_for_streaming_dedupe() -> None:
    index: MinHashLSH[int] = MinHashLSH(threshold=0.8)
    assert index.add(1, fingerprint(STORY)) == []
    assert index.add(2, fingerprint(STORY_HANT)) == [(1, 1.0)]
    assert index.add(3, fingerprint("Completely different English text about something else.")) == []
    assert len(index) == 3 and 2 in index
    with pytest.raises(KeyError):
        index.add(1, fingerprint(STORY))


def test_repeated_paragraph_across_documents_is_linked() -> None:
    shared = "医院网站称二零零五年以来共完成肝脏移植手术数千例，每年数百例，且等待时间以天计算。"
    first = f"第一篇报道的开头，讲述病人的经历和医院的回应。\n\n{shared}"
    second = f"Second report in English about the same centre and its capacity.\n\n{to_hant(shared)}"
    index: MinHashLSH[tuple[str, int]] = MinHashLSH(threshold=0.8)
    for name, text in (("first", first), ("second", second)):
        spans = [(0, text.index("\n\n")), (text.index("\n\n") + 2, len(text))]
        for start, _end, signature in paragraph_fingerprints(text, spans):
            index.add((name, start), signature)
    pairs = [(a, b) for a, b, _ in index.candidate_pairs()]
    assert pairs == [(("first", first.index(shared)), ("second", second.index(to_hant(shared))))]


def to_hant(text: str) -> str:
    from organwatch.text import to_traditional

    return to_traditional(text)


def test_signature_size_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="differ in size"):
        similarity(fingerprint("a", num_perm=64), fingerprint("a"))


def test_large_text_is_fingerprinted_in_bounded_batches() -> None:
    text = STORY * 20_000  # about 2 M characters
    assert similarity(fingerprint(text), fingerprint(STORY_HANT * 20_000)) == 1.0


def test_band_layout_can_be_pinned_for_stored_keys() -> None:
    pinned: MinHashLSH[str] = MinHashLSH(threshold=0.8, bands=8)
    assert (pinned.bands, pinned.rows) == (8, 16)
    keys = pinned.band_keys(fingerprint(STORY))
    assert [band for band, _ in keys] == list(range(8)) and all(len(key) == 8 for _, key in keys)
    assert keys == pinned.band_keys(fingerprint(STORY_HANT))
    with pytest.raises(ValueError, match="divide"):
        MinHashLSH(threshold=0.8, bands=7)
