"""Claim + speaker detection on public news sentences nobody on this project wrote.

There is no public claims corpus here, so this reads sentences with attributions ("said", "told", "according
to", 表示, 说, 认为, 指出, 强调…) from the public NER dev texts (``ner/en``: CoNLL-2003 Reuters; ``ner/zh``:
MSRA People's Daily) and scores the claim detector against labels kept below as offsets only — the texts stay
in the shared folder. Each labelled line is run on its own (extraction, then claim detection), so a pronoun
speaker ("he said", 他说) is right when it is given as the pronoun itself. Every claim of each labelled line
is labelled; all predictions on those lines count for precision.

A claim matches when its span overlaps a gold content span by at least half of the shorter one; the speaker
is right when one folded name contains the other (``organwatch.claims.evaluate``). Baseline: the detector at
the commit this script was written (figures in the README's claims section). A benchmark, not a test: it
prints and never fails on a score.

    .venv/bin/python benchmarks/claims_public.py   # uses ../shared/data/ner (ORGANWATCH_REFERENCE_DATA overrides)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from organwatch import settings

REPO = Path(__file__).resolve().parents[1]

#: (file, line number from 1, content start, content end, speaker start, speaker end): code points in the line.
GOLD: tuple[tuple[str, int, int, int, int, int], ...] = (
    ('en/00.txt', 6, 98, 160, 57, 76),
    ('en/02.txt', 1, 1, 124, 127, 137),
    ('en/03.txt', 2, 43, 136, 31, 37),
    ('en/03.txt', 4, 0, 72, 229, 249),
    ('en/04.txt', 7, 0, 54, 179, 190),
    ('en/05.txt', 1, 1, 134, 137, 142),
    ('en/05.txt', 2, 55, 116, 15, 34),
    ('en/05.txt', 6, 125, 179, 110, 119),
    ('en/05.txt', 10, 1, 63, 71, 85),
    ('en/06.txt', 6, 13, 82, 0, 7),
    ('en/06.txt', 7, 0, 75, 180, 186),
    ('en/06.txt', 8, 1, 27, 32, 67),
    ('en/06.txt', 8, 107, 159, 32, 67),
    ('en/07.txt', 6, 50, 102, 0, 44),
    ('en/07.txt', 9, 15, 53, 0, 7),
    ('en/07.txt', 9, 82, 161, 65, 76),
    ('en/07.txt', 10, 18, 84, 0, 7),
    ('en/08.txt', 1, 1, 59, 191, 199),
    ('en/08.txt', 10, 12, 108, 0, 6),
    ('en/09.txt', 1, 1, 93, 101, 112),
    ('en/10.txt', 7, 0, 89, 158, 169),
    ('en/10.txt', 8, 0, 42, 177, 189),
    ('en/11.txt', 6, 28, 87, 0, 12),
    ('en/11.txt', 9, 24, 95, 0, 18),
    ('en/13.txt', 9, 1, 93, 213, 236),
    ('en/14.txt', 7, 15, 81, 0, 9),
    ('en/14.txt', 7, 93, 164, 0, 9),
    ('en/15.txt', 7, 63, 111, 30, 42),
    ('en/22.txt', 10, 52, 107, 3, 25),
    ('en/23.txt', 1, 61, 98, 15, 55),
    ('en/25.txt', 5, 10, 71, 0, 4),
    ('en/25.txt', 8, 1, 75, 181, 188),
    ('zh/00.txt', 7, 15, 34, 7, 12),
    ('zh/01.txt', 3, 3, 17, 0, 1),
    ('zh/06.txt', 2, 16, 34, 10, 13),
    ('zh/06.txt', 9, 22, 41, 17, 20),
    ('zh/07.txt', 5, 23, 53, 17, 19),
    ('zh/09.txt', 5, 23, 47, 0, 1),
    ('zh/13.txt', 10, 5, 17, 0, 2),
    ('zh/14.txt', 2, 8, 24, 0, 5),
    ('zh/14.txt', 9, 18, 33, 8, 15),
    ('zh/16.txt', 4, 4, 20, 0, 2),
    ('zh/16.txt', 8, 11, 37, 0, 4),
    ('zh/17.txt', 2, 4, 27, 0, 2),
    ('zh/18.txt', 10, 37, 59, 10, 13),
    ('zh/22.txt', 5, 13, 34, 6, 9),
    ('zh/23.txt', 4, 4, 30, 0, 2),
    ('zh/28.txt', 8, 7, 33, 0, 5),
    ('zh/29.txt', 2, 3, 19, 0, 1),
    ('zh/04.txt', 9, 26, 42, 15, 23),
    ('zh/27.txt', 3, 4, 24, 0, 2),
)


def data_dir() -> Path:
    override = settings.get("ORGANWATCH_REFERENCE_DATA")
    return (Path(override) if override else REPO.parent / "shared" / "data") / "ner"


def main() -> int:
    from organwatch.claims.detect import detect_claims
    from organwatch.claims.evaluate import ClaimScores, score_document
    from organwatch.extract import extract

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list what was missed or misattributed")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    folder = data_dir()
    if not folder.is_dir():
        print(f"skipped: {folder} is absent (the public NER dev texts are not on this machine)")
        return 0
    by_line: dict[tuple[str, int], list[tuple[int, int, int, int]]] = defaultdict(list)
    for name, number, start, end, s_start, s_end in GOLD:
        by_line[(name, number)].append((start, end, s_start, s_end))
    scores = {"en": ClaimScores(), "zh": ClaimScores()}
    began = time.perf_counter()
    for (name, number), labels in sorted(by_line.items()):
        line = (folder / name).read_text(encoding="utf-8").splitlines()[number - 1]
        language = "en" if name.startswith("en/") else "zh-Hans"
        gold = [{"span": (a, b), "quote": line[a:b], "speaker": line[c:d], "stance": None} for a, b, c, d in labels]
        result = extract(line, language=language)
        predicted = detect_claims(line, language, result.mentions, result.quotes)
        score_document(line, gold, predicted, scores[language[:2]], f"{name}:{number}")
    total = ClaimScores()
    for s in scores.values():
        total.gold += s.gold
        total.predicted += s.predicted
        total.found += s.found
        total.speaker_right += s.speaker_right
        total.misses += s.misses
    figures = {lang: s.to_dict() for lang, s in (*scores.items(), ("all", total))}
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        for lang, f in figures.items():
            print(f"{lang:>4}: {f['gold']} gold, {f['predicted']} predicted; claims P {f['claims']['precision']:.3f} "
                  f"R {f['claims']['recall']:.3f} F1 {f['claims']['f1']:.3f}; claim+speaker "
                  f"P {f['claim+speaker']['precision']:.3f} R {f['claim+speaker']['recall']:.3f} "
                  f"F1 {f['claim+speaker']['f1']:.3f}")
        print(f"{len(by_line)} lines in {time.perf_counter() - began:.1f} s; goal claim+speaker F1 >= 0.80")
    if args.misses:
        for miss in total.misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
