"""Near-duplicate detection with character shingles, MinHash and LSH banding.

Syndicated copies of one story, and the same paragraph repeated across reports, must be linked and
not counted as independent sources. Text is first folded so that copies differing only in
script (simplified/traditional), case, punctuation or spacing compare equal. Shingles are character
n-grams of the folded text, which works for Chinese (no word boundaries) and English alike.

Signatures are small (``num_perm`` 32-bit values, 512 bytes by default) and the index keeps only
signatures, never texts, so a corpus can be streamed through it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Hashable, Iterator, Sequence
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from organwatch.text.chinese import to_simplified

Signature = npt.NDArray[np.uint32]

NUM_PERM = 128
SHINGLE_SIZE = 5
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)
_EMPTY = 0xFFFFFFFF
_BATCH = 4096
_NOT_WORD = re.compile(r"[\W_]+")

K = TypeVar("K", bound=Hashable)


def _permutations(num_perm: int, seed: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    digest = hashlib.blake2b(f"organwatch-minhash-{seed}-{num_perm}".encode(), digest_size=64).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:16], "big"))
    a = rng.integers(1, 1 << 32, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, 1 << 32, size=num_perm, dtype=np.uint64)
    return a, b


_PERMS: dict[tuple[int, int], tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]] = {}


def fold_text(text: str) -> str:
    """Fold ``text`` for comparison: simplified script, case-folded, punctuation, symbols and spaces gone.

    >>> fold_text("肝臟 移植，Hospital!") == fold_text("肝脏移植 hospital")
    True
    """
    folded = unicodedata.normalize("NFKC", to_simplified(text)).casefold()
    return _NOT_WORD.sub("", folded)


def _shingle_hashes(folded: str, size: int) -> npt.NDArray[np.uint32]:
    """32-bit hashes of all distinct character n-grams, computed vectorised (no Python loop per n-gram)."""
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) <= size:
        n_grams = 1
        size = len(codes)
    else:
        n_grams = len(codes) - size + 1
    acc = np.zeros(n_grams, dtype=np.uint64)
    for offset in range(size):
        # Polynomial rolling hash mod 2^61-1, kept below 2^64 by reducing every step.
        acc = (acc * np.uint64(1_000_003) + codes[offset : offset + n_grams]) % _MERSENNE
    # Finalise (murmur3 fmix64) so nearby n-grams spread over the 32-bit range.
    acc ^= acc >> np.uint64(33)
    acc *= np.uint64(0xFF51AFD7ED558CCD)
    acc ^= acc >> np.uint64(33)
    acc *= np.uint64(0xC4CEB9FE1A85EC53)
    acc ^= acc >> np.uint64(33)
    return np.unique((acc & _MAX32).astype(np.uint32))


def fingerprint(text: str, *, num_perm: int = NUM_PERM, shingle_size: int = SHINGLE_SIZE, seed: int = 1) -> Signature:
    """MinHash signature of ``text`` after :func:`fold_text`.

    Two signatures estimate the Jaccard similarity of the two texts' shingle sets; compare them with
    :func:`similarity`. An empty text gives a signature that matches nothing.

    >>> similarity(fingerprint("器官移植等待时间只有两周"), fingerprint("器官移植等待時間只有兩週。"))
    1.0
    """
    with np.errstate(over="ignore"):
        folded = fold_text(text)
        if not folded:
            return np.full(num_perm, _EMPTY, dtype=np.uint32)
        hashes = _shingle_hashes(folded, shingle_size).astype(np.uint64)
        key = (num_perm, seed)
        if key not in _PERMS:
            _PERMS[key] = _permutations(num_perm, seed)
        a, b = _PERMS[key]
        signature = np.full(num_perm, _MAX32, dtype=np.uint64)
        for start in range(0, len(hashes), _BATCH):
            batch = hashes[start : start + _BATCH, None]
            values = ((batch * a + b) % _MERSENNE) & _MAX32
            np.minimum(signature, values.min(axis=0), out=signature)
    return signature.astype(np.uint32)


def is_empty(signature: Signature) -> bool:
    """True for the signature of a text with no letters or digits."""
    return bool(np.all(signature == _EMPTY))


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity (0..1) of the texts behind two signatures of the same size."""
    if a.shape != b.shape:
        raise ValueError(f"signatures differ in size: {a.shape[0]} vs {b.shape[0]}")
    if is_empty(a) or is_empty(b):
        return 0.0
    return float(np.count_nonzero(a == b)) / float(a.shape[0])


def paragraph_fingerprints(
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    min_chars: int = 20,
    num_perm: int = NUM_PERM,
) -> list[tuple[int, int, Signature]]:
    """Signatures of the paragraphs at ``spans`` that have at least ``min_chars`` folded characters."""
    out = []
    for start, end in spans:
        paragraph = text[start:end]
        if len(fold_text(paragraph)) >= min_chars:
            out.append((start, end, fingerprint(paragraph, num_perm=num_perm)))
    return out


def _bands_for(threshold: float, num_perm: int, recall: float = 0.9) -> tuple[int, int]:
    """Choose (bands, rows): the most rows per band (fewest spurious candidates) that still makes a
    pair exactly at ``threshold`` a candidate with probability ``recall``.

    Candidates are verified against the stored signatures, so a spurious candidate costs one vector
    comparison, while a missed pair is a syndicated copy counted twice: we lean towards recall.
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        if num_perm % rows:
            continue
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= recall:
            best = (bands, rows)
    return best


class MinHashLSH(Generic[K]):
    """Index of signatures that finds pairs whose estimated similarity is at least ``threshold``.

    Banding finds candidates in time independent of corpus size; candidates are then checked against
    the stored signatures, so what is returned is above the threshold (as estimated).

    >>> index: MinHashLSH[str] = MinHashLSH(threshold=0.8)
    >>> index.add("a", fingerprint("The same wire story printed twice by two outlets."))
    []
    >>> index.add("b", fingerprint("The same wire story, printed twice by two outlets!"))
    [('a', 1.0)]
    """

    def __init__(self, threshold: float = 0.8, num_perm: int = NUM_PERM, *, bands: int | None = None) -> None:
        """``bands`` pins the band layout (it must divide ``num_perm``); by default it is chosen from
        the threshold. Pin it when band keys are stored, so keys written by an older version match."""
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if bands is not None and (bands < 1 or num_perm % bands):
            raise ValueError(f"bands must divide num_perm ({num_perm})")
        self.threshold = threshold
        self.num_perm = num_perm
        self.bands, self.rows = (bands, num_perm // bands) if bands else _bands_for(threshold, num_perm)
        self._buckets: dict[tuple[int, bytes], list[K]] = defaultdict(list)
        self._signatures: dict[K, Signature] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: object) -> bool:
        return key in self._signatures

    def band_keys(self, signature: Signature) -> list[tuple[int, bytes]]:
        """(band, 8-byte key) pairs of a signature: what a database index of the bands stores."""
        return list(self._band_keys(signature))

    def _band_keys(self, signature: Signature) -> Iterator[tuple[int, bytes]]:
        if signature.shape != (self.num_perm,):
            raise ValueError(f"signature has {signature.shape[0]} values; index expects {self.num_perm}")
        for band in range(self.bands):
            chunk = signature[band * self.rows : (band + 1) * self.rows]
            yield band, hashlib.blake2b(chunk.tobytes(), digest_size=8).digest()

    def query(self, signature: Signature) -> list[tuple[K, float]]:
        """Keys already indexed whose similarity to ``signature`` is at least the threshold, best first."""
        if is_empty(signature):
            return []
        seen: set[K] = set()
        for band_key in self._band_keys(signature):
            seen.update(self._buckets.get(band_key, ()))
        scored = [(key, similarity(signature, self._signatures[key])) for key in seen]
        matches = [(key, score) for key, score in scored if score >= self.threshold]
        return sorted(matches, key=lambda item: -item[1])

    def add(self, key: K, signature: Signature) -> list[tuple[K, float]]:
        """Index ``signature`` under ``key`` and return the earlier keys it near-duplicates."""
        if key in self._signatures:
            raise KeyError(f"key already indexed: {key!r}")
        matches = self.query(signature)
        signature = np.array(signature, dtype=np.uint32, copy=True)
        self._signatures[key] = signature
        if not is_empty(signature):
            for band_key in self._band_keys(signature):
                self._buckets[band_key].append(key)
        return matches

    def candidate_pairs(self) -> Iterator[tuple[K, K, float]]:
        """Every pair of indexed keys above the threshold, each once, in insertion order of the second."""
        order = {key: position for position, key in enumerate(self._signatures)}
        emitted: set[tuple[K, K]] = set()
        for members in self._buckets.values():
            if len(members) < 2:
                continue
            for i, first in enumerate(members):
                for second in members[i + 1 :]:
                    pair = (first, second) if order[first] < order[second] else (second, first)
                    if pair in emitted:
                        continue
                    emitted.add(pair)
                    score = similarity(self._signatures[pair[0]], self._signatures[pair[1]])
                    if score >= self.threshold:
                        yield pair[0], pair[1], score
