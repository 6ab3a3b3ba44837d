"""Cross-script name keys and explained name comparison."""

from __future__ import annotations

from organwatch.resolve.names import compare_names, is_generic_org, org_key, person_keys, romanise, script_of


def test_one_key_across_scripts_orders_and_hyphens() -> None:
    keys = [person_keys(n) for n in ("Wang Lijun", "Wang Li-jun", "Lijun Wang", "王立军", "王立軍", "WANG Li Jun")]
    shared = set.intersection(*(set(k) for k in keys))
    assert shared == {"lijun wang"}


def test_surname_heteronyms_are_expanded() -> None:
    assert "bo xilai" in person_keys("薄熙来") and "bao xilai" in person_keys("薄熙來")
    assert romanise("薄熙来") == "Bo Xilai" and romanise("曾庆红") == "Zeng Qinghong"


def test_beats_plain_string_similarity_on_both_hard_cases() -> None:
    assert compare_names("Wang Lijun", "王立军", "person").score == 1.0
    different = compare_names("Wang Lijun", "Wang Lijie", "person")
    assert different.score < 0.5 and "valid pinyin" in different.features[0].detail
    typo = compare_names("Wang Lijun", "Wang Lijum", "person")
    assert 0.6 <= typo.score < 0.95  # a typo goes to review, never merged automatically
    homophones = compare_names("王立军", "王立君", "person")
    assert homophones.score < 0.5


def test_script_bridge_is_explained() -> None:
    match = compare_names("王立軍", "Wang Li-jun", "person")
    assert [f.name for f in match.features] == ["name", "script bridge"]
    assert script_of("王立軍") == "Hant" and script_of("王立军") == "Hans" and script_of("Wang") == "Latin"


def test_organisation_names_meet_across_languages() -> None:
    assert org_key("锦州市公安局") == org_key("Jinzhou PSB") == org_key("Public Security Bureau of Jinzhou City")
    assert org_key("天津市第一中心医院") == org_key("Tianjin First Central Hospital")
    assert org_key("美国驻成都总领事馆") == org_key("U.S. Consulate General in Chengdu")
    assert is_generic_org("市公安局") and is_generic_org("the Public Security Bureau")
    assert not is_generic_org("Jinzhou Public Security Bureau")
