"""A renamed body keeps both names, each with the dates the source gives; a merger is not a rename."""

from __future__ import annotations

import re

from organwatch.resolve.merge import DocumentIn, MentionIn, resolve

_ids = iter(range(1, 10_000))


def _doc(doc_id: int, text: str, orgs: list[str]) -> DocumentIn:
    mentions = [MentionIn(next(_ids), doc_id, "organization", name, m.start(), m.end(), name)
                for name in orgs for m in re.finditer(re.escape(name), text)]
    mentions += [MentionIn(next(_ids), doc_id, "date", m.group(1), m.start(), m.end(), m.group(1))
                 for m in re.finditer(r"((?:19|20)\d\d(?:-\d\d)?)", text)]
    return DocumentIn(doc_id, text, sorted(mentions, key=lambda m: m.start))


def _aliases(doc: DocumentIn, name: str) -> dict[str, tuple[str | None, str | None]]:
    result = resolve([doc])
    entity = result.entities[result.entity_of(doc.id, "organization", name) or ""]
    return {a.name: (a.valid_from, a.valid_to) for a in entity.aliases}


def test_english_rename_with_a_year() -> None:
    doc = _doc(1, "In 2008 the Shenyang Health Bureau was renamed the Shenyang Health Commission.",
               ["Shenyang Health Bureau", "Shenyang Health Commission"])
    assert _aliases(doc, "Shenyang Health Commission") == {"Shenyang Health Bureau": (None, "2008"),
                                                           "Shenyang Health Commission": ("2008", None)}


def test_chinese_rename_and_former_name() -> None:
    doc = _doc(2, "2018-03，国家卫生和计划生育委员会更名为国家卫生健康委员会。",
               ["国家卫生和计划生育委员会", "国家卫生健康委员会"])
    assert _aliases(doc, "国家卫生健康委员会") == {"国家卫生和计划生育委员会": (None, "2018-03"),
                                              "国家卫生健康委员会": ("2018-03", None)}
    former = _doc(3, "北京佑安医院（原名北京第二传染病医院）开展肝移植。", ["北京佑安医院", "北京第二传染病医院"])
    assert set(_aliases(former, "北京佑安医院")) == {"北京佑安医院", "北京第二传染病医院"}
    english = _doc(4, "The Oriental Transplant Centre (formerly the Tianjin Liver Unit) grew fast.",
                   ["Oriental Transplant Centre", "Tianjin Liver Unit"])
    assert set(_aliases(english, "Oriental Transplant Centre")) == {"Oriental Transplant Centre", "Tianjin Liver Unit"}


def test_a_merger_is_not_a_rename() -> None:
    doc = _doc(5, "In 2013 the Ministry of Health was merged into the National Health and Family Planning "
                  "Commission.", ["Ministry of Health", "National Health and Family Planning Commission"])
    result = resolve([doc])
    assert result.entity_of(5, "organization", "Ministry of Health") != result.entity_of(
        5, "organization", "National Health and Family Planning Commission")


def test_rename_survives_the_stage_record() -> None:
    from organwatch.resolve.merge import local_entities, local_from_json, local_to_json

    doc = _doc(6, "In 2008 the Shenyang Health Bureau was renamed the Shenyang Health Commission.",
               ["Shenyang Health Bureau", "Shenyang Health Commission"])
    for local in local_entities(doc):
        back = local_from_json(local.document_id, local.type, local.name, local_to_json(local))
        assert (back.renamed, back.valid_from, back.valid_to) == (local.renamed, local.valid_from, local.valid_to)
        assert local.renamed
