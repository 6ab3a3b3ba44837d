"""The most frequent Chinese characters, to tell Chinese text from other encodings decoded as Chinese.

Korean (EUC-KR, Johab), Japanese (EUC-JP) or EUC-TW bytes decode without error as GB18030 or Big5,
into characters that are each valid and common enough, but together are not Chinese: in real Chinese
text the 1,500 most frequent characters cover about 90% of the Han characters, in such mojibake well
under half. The list (``common_han.txt``: simplified, then the traditional forms OpenCC gives them)
is derived from the word frequencies of jieba's dictionary; ``python -m organwatch.text.commonhan``
writes it again.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

LIST = Path(__file__).with_name("common_han.txt")
TOP = 1500


@functools.cache
def common_han() -> frozenset[str]:
    """The characters of ``common_han.txt`` (simplified and traditional)."""
    return frozenset(LIST.read_text(encoding="utf-8").replace("\n", ""))


def build(top: int = TOP) -> str:
    """The list's text: the ``top`` most frequent characters of jieba's dictionary, then new traditional forms."""
    import jieba

    from organwatch.text.chinese import to_traditional

    counts: Counter[str] = Counter()
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, frequency = line.split(" ")[:2]
            for ch in word:
                if "\u4e00" <= ch <= "\u9fff":
                    counts[ch] += int(frequency)
    simplified = [ch for ch, _ in counts.most_common(top)]
    seen = set(simplified)
    traditional = [ch for ch in to_traditional("\n".join(simplified)).replace("\n", "") if ch not in seen]
    rows = ["".join(simplified[i : i + 50]) for i in range(0, len(simplified), 50)]
    extra = list(dict.fromkeys(traditional))
    rows += ["".join(extra[i : i + 50]) for i in range(0, len(extra), 50)]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    LIST.write_text(build(), encoding="utf-8")
