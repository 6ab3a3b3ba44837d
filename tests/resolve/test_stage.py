"""The resolve stage runs after extract, re-resolves only the blocks new documents touch, and keeps decisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from organwatch.case import Case, init_case
from organwatch.resolve import service
from organwatch.resolve.merge import RESOLVER_VERSION

FIRST = ("Wang Lijun, the former police chief of Chongqing, entered the U.S. Consulate in Chengdu on Feb. 6, 2012. "
         "He had been the right-hand man of Bo Xilai, the Communist Party chief of Chongqing. "
         "Separately, Zhang Wenhua of Shenyang Medical College described a kidney study.\n")
SECOND = "2012年2月6日，重庆市副市长王立军进入美国驻成都总领事馆。王立军被视为薄熙来的心腹。\n"
THIRD = "2012年9月，成都市中级人民法院判处王立军有期徒刑十五年。\n"


def _add(case: Case, folder: Path, name: str, text: str) -> int:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    case.add([path], text=True, extract=True)
    with case.store.view() as view:
        return max(view.documents.ids(status="ok"))


def _locals(case: Case) -> dict[tuple[int, str], tuple[int, str]]:
    with case.store.view() as view:
        rows = view.entities.conn.execute("SELECT document_id, name, id, entity_id FROM resolution_locals").fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


@pytest.fixture()
def case(tmp_path: Path) -> Case:
    return init_case(tmp_path / "case")


def test_add_resolves_incrementally_and_decisions_survive(case: Case, tmp_path: Path) -> None:
    first = _add(case, tmp_path, "a.txt", FIRST)
    with case.store.view() as view:  # the stage ran inside `add`: no first-use resolution needed
        assert view.entities.count() > 0
        assert view.entities.unresolved_documents(RESOLVER_VERSION) == []
    before = _locals(case)
    zhang = before[(first, "Zhang Wenhua")]

    second = _add(case, tmp_path, "b.txt", SECOND)
    after = _locals(case)
    wang = after[(first, "Wang Lijun")][1]
    assert after[(second, "王立军")][1] == wang  # the new document joined the existing entity
    assert after[(first, "Zhang Wenhua")] == zhang  # an untouched block kept its row and entity
    summary = case.resolve([second])
    assert 0 < summary.resolved < len(after)  # only the blocks the document's names touch

    service.unmerge(case, "Wang Lijun", ["王立军"], "reviewer keeps the scripts apart")
    third = _add(case, tmp_path, "c.txt", THIRD)
    after = _locals(case)
    assert after[(third, "王立军")][1] == after[(second, "王立军")][1] != after[(first, "Wang Lijun")][1]
    case.resolve(full=True)  # `reprocess --stage resolve`
    after = _locals(case)
    assert after[(third, "王立军")][1] != after[(first, "Wang Lijun")][1]
    service.merge(case, "Wang Lijun", "王立军", "same man after all")
    after = _locals(case)
    assert after[(third, "王立军")][1] == after[(second, "王立军")][1] == after[(first, "Wang Lijun")][1]


def test_another_resolver_version_is_resolved_again(case: Case, tmp_path: Path) -> None:
    document = _add(case, tmp_path, "a.txt", FIRST)
    with case.store.writer() as writer:  # as a case resolved by an older release would be
        writer.entities.conn.execute("UPDATE resolution_documents SET resolver_version = '0.0.1'")
    with case.store.view() as view:
        assert view.entities.unresolved_documents(RESOLVER_VERSION) == [document]
    assert service.find_entity(case, "Wang Lijun")  # first use brings the stale document up to date
    with case.store.view() as view:
        assert view.entities.unresolved_documents(RESOLVER_VERSION) == []


def test_relations_and_events_follow_their_entities(case: Case, tmp_path: Path) -> None:
    _add(case, tmp_path, "a.txt", FIRST)
    _add(case, tmp_path, "b.txt", SECOND)
    wang = service.find_entity(case, "Wang Lijun")
    with case.store.view() as view:
        ids = {e["id"] for e in view.entities.entities()}
        relations = view.entities.relations()
        events = view.entities.events()
    assert relations and all(r["subject"] in ids and (r["object"] is None or r["object"] in ids) for r in relations)
    assert any(wang in e.actors for e in events) and all(set(e.actors) <= ids for e in events)


def test_place_completed_organisation_takes_decisions(case: Case, tmp_path: Path) -> None:
    _add(case, tmp_path, "a.txt", FIRST)
    _add(case, tmp_path, "b.txt", SECOND)
    consulate = service.find_entity(case, "U.S. Consulate in Chengdu")
    assert service.find_entity(case, "美国驻成都总领事馆") == consulate
    service.unmerge(case, "U.S. Consulate in Chengdu", ["美国驻成都总领事馆"], "check the Chinese source")
    assert service.find_entity(case, "美国驻成都总领事馆") != service.find_entity(case, "U.S. Consulate in Chengdu")
    service.merge(case, "U.S. Consulate in Chengdu", "美国驻成都总领事馆", "checked: the same consulate")
    assert service.find_entity(case, "美国驻成都总领事馆") == service.find_entity(case, "U.S. Consulate in Chengdu")


def test_unmerge_in_one_document_only(case: Case, tmp_path: Path) -> None:
    _add(case, tmp_path, "b.txt", SECOND)
    third = _add(case, tmp_path, "c.txt", THIRD)
    second = third - 1
    wang = service.find_entity(case, "王立军")
    assert _locals(case)[(third, "王立军")][1] == _locals(case)[(second, "王立军")][1] == wang
    with pytest.raises(service.ResolveError, match="do not mention"):
        service.unmerge(case, "王立军", ["王立军"], "namesake?", documents=[999])
    service.unmerge(case, "王立军", ["王立军"], "a namesake in the court report", documents=[third])
    after = _locals(case)
    assert after[(third, "王立军")][1] != after[(second, "王立军")][1]
    case.resolve(full=True)
    after = _locals(case)
    assert after[(third, "王立军")][1] != after[(second, "王立军")][1]
