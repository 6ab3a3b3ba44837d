"""How news names its actors: context corrects the model's type (English), teams, national governments and
"the X side" (Chinese), and the English model runs without the embedding layer nothing listens to."""

from __future__ import annotations

import warnings

from organwatch.extract import ExtractOptions, extract, models
from organwatch.extract.en_context import retype
from organwatch.extract.zh_news import national_government
from organwatch.model.extraction import Mention


def _mention(text: str, surface: str, kind: str, method: str = "") -> Mention:
    start = text.index(surface)
    stage = {"person": "people", "organization": "orgs", "place": "places"}[kind]
    return Mention(kind, surface, start, start + len(surface), surface, method=method or f"{stage}:model")  # type: ignore[arg-type]


def test_context_retypes_model_mentions() -> None:
    text = ('Shelling reached the town of Velmora overnight. Okafor, 52, was detained. '
            '"We will appeal," Brannigan said. Later Teodor Ilves spoke; Ilves denied it.')  # fmt: skip
    found = [
        _mention(text, "Velmora", "organization"),
        _mention(text, "Okafor", "place"),
        _mention(text, "Brannigan", "organization"),
        _mention(text, "Teodor Ilves", "person"),
        _mention(text, "Ilves denied", "organization"),
    ]
    found[-1] = Mention("organization", "Ilves", found[-1].start, found[-1].start + 5, "Ilves", method="orgs:model")
    kinds = {m.text: m.type for m in retype(text, found)}
    assert kinds == {"Velmora": "place", "Okafor": "person", "Brannigan": "person",
                     "Teodor Ilves": "person", "Ilves": "person"}  # fmt: skip


def test_context_leaves_gazetteer_types_and_plain_organisations_alone() -> None:
    text = 'Interpol said on Monday that it had no record. The city of Geneva hosts the talks.'
    kept = [_mention(text, "Interpol", "organization"), _mention(text, "Geneva", "place", "places:gazetteer")]
    assert [m.type for m in retype(text, kept)] == ["organization", "place"]


def test_english_model_runs_without_an_unheard_tok2vec() -> None:
    loaded = models.english_model()
    assert loaded is not None
    nlp = loaded[0]
    assert "tok2vec" not in nlp.pipe_names and "ner" in nlp.pipe_names
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import spacy

        with_tok2vec = spacy.load(models.ENGLISH_PACKAGE, exclude=["tagger", "parser", "attribute_ruler",
                                                                   "lemmatizer", "senter"])  # fmt: skip
    text = ("Dr. Marguerite Okonkwo of the Halvorsen Institute met Estonian officials in Tallinn on Monday, "
            "Reuters reported; the Ministry of Health in Riga declined to comment.")  # fmt: skip
    ents = [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    assert ents and ents == [(e.start_char, e.end_char, e.label_) for e in with_tok2vec(text).ents]


def _zh(text: str) -> dict[str, str]:
    result = extract(text, "zh", options=ExtractOptions(quotes=False))
    return {m.text: m.type for m in result.mentions if m.type in {"person", "organization", "place"}}


def test_chinese_teams_sides_and_national_governments() -> None:
    found = _zh("昨晚南非队以二比一战胜挪威队。中方对此表示欢迎。英国政府今天宣布新的规定。")
    assert found.get("南非队") == "organization" and found.get("挪威队") == "organization"
    assert found.get("中") == "place"
    assert found.get("英国") == "place" and "英国政府" not in found


def test_local_governments_stay_bodies() -> None:
    def is_place(words: str) -> bool:
        return words in {"英国", "克罗地亚", "重庆市"}

    text = "英国新政府重庆市政府联邦政府"
    assert national_government(text, 0, 5, is_place) == 2
    assert national_government(text, 5, 10, is_place) is None  # 市: a local government is a named body
    assert national_government(text, 10, 14, is_place) is None  # 联邦 names no country
    found = _zh("重庆市政府昨天发布通知。")
    assert found.get("重庆市政府") == "organization"
