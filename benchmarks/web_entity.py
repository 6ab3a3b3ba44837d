"""How fast one very connected actor's workbench pages render: 5,000 relations and 10,000 mentions.

Builds a generated case (200 archived text documents; the resolution tables written directly, as if the
resolver had linked every name in them), serves it on loopback, and times sequential requests of the
entity page, its JSON, its graph and its timeline. Goal: the entity page in ≤ 300 ms.

* baseline: ``/static/app.css`` on the same server (middleware, sockets, no case work).

Usage: python benchmarks/web_entity.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.web.conftest import PASSWORD, Server, login

import organwatch
from organwatch.archive.log import utc_now
from organwatch.model.mentions import StoredMention
from organwatch.resolve.merge import Alias, Entity, Resolution
from organwatch.resolve.relations import Relation
from organwatch.resolve.timeline import EventReport
from organwatch.store.records import ExtractRun
from organwatch.web.accounts import add_user

DOCUMENTS = 200
MENTIONS_PER_DOCUMENT = 50  # 10,000 mentions of the actor
RELATIONS_PER_DOCUMENT = 25  # 5,000 relations
ORGANISATIONS = 500
SENTENCE = "Wang Lijun was named head of Bureau {n:03d} in 2008. "


def build(folder: Path) -> tuple[organwatch.Case, str]:
    case = organwatch.init_case(folder / "case", name="big entity")
    sources = folder / "sources"
    sources.mkdir()
    for d in range(DOCUMENTS):
        text = "".join(SENTENCE.format(n=(d * RELATIONS_PER_DOCUMENT + i) % ORGANISATIONS)
                       for i in range(MENTIONS_PER_DOCUMENT)) + f"Report number {d}."
        (sources / f"report-{d:03d}.txt").write_text(text, encoding="utf-8")
    case.add([sources], text=True, extract=False)
    person = Entity("per-big0000001", "person", "Person", "Wang Lijun", [],
                    [Alias("Wang Lijun", "Latin", None, 10_000)])
    orgs = {f"org-big{n:07d}": Entity(f"org-big{n:07d}", "organization", "PublicBody", f"Bureau {n:03d}", [],
                                      [Alias(f"Bureau {n:03d}", "Latin", None, 1)]) for n in range(ORGANISATIONS)}
    relations = []
    events = []
    with case.store.writer() as session:
        for document in list(session.documents.documents()):
            text = document.text or ""
            mentions = []
            for i in range(MENTIONS_PER_DOCUMENT):
                at = i * len(SENTENCE.format(n=0))
                org = at + text[at:].index("Bureau")
                mentions.append(StoredMention(0, document.id, "person", "Wang Lijun", at, at + 10, "Wang Lijun",
                                              None, None, None, None, None, None, None, None, "bench", "0"))
                mentions.append(StoredMention(0, document.id, "organization", text[org:org + 10], org, org + 10,
                                              text[org:org + 10], None, None, None, None, None, None, None, None,
                                              "bench", "0"))
            session.mentions.replace(document.id, mentions, [], ExtractRun(document.id, "bench", None, (), utc_now()))
    links = []
    with case.store.writer() as session:
        for document in list(session.documents.documents()):
            text = document.text or ""
            for m in case.mentions(document.id):
                m_id, kind, start, end = (m.id, m.type, m.start, m.end) if hasattr(m, "start") else (
                    m["id"], m["type"], m["start_char"], m["end_char"])
                if kind == "person":
                    links.append((m_id, person.id, "bench", 1.0))
                    if len(relations) < DOCUMENTS * RELATIONS_PER_DOCUMENT and (start // 50) % 2 == 0:
                        org_name = text[text.index("Bureau", start):text.index("Bureau", start) + 10]
                        relations.append((person.id, f"org-big{int(org_name[-3:]):07d}", Relation(
                            document.id, "Occupancy", ("person", "Wang Lijun"), ("organization", org_name),
                            f"Head of {org_name}", None, "2008", None, start, start + 52,
                            text[start:start + 52], "bench")))
                    if start == 0:
                        events.append(EventReport("2008", "year", "appointment", [person.id], document.id, 0, 52,
                                                  text[:52]))
                else:
                    links.append((m_id, f"org-big{int(text[start + 7:end]):07d}", "bench", 1.0))
        result = Resolution({person.id: person, **orgs}, {}, [], links)
        session.entities.write_resolution(result, relations, events, "bench")
    add_user(case, "bench", "viewer", PASSWORD)
    return case, person.id


def timed(client: httpx.Client, path: str, repeat: int) -> list[float]:
    client.get(path).raise_for_status()  # warm caches
    found = []
    for _ in range(repeat):
        began = time.perf_counter()
        client.get(path).raise_for_status()
        found.append((time.perf_counter() - began) * 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="organwatch-entity-bench-") as tmp:
        case, person = build(Path(tmp))
        with case.store.view() as session:
            n_rel = len(session.entities.relations(person))
            n_men = len(session.entities.mentions_of(person, 1_000_000))
        print(f"generated case: {DOCUMENTS} documents, actor with {n_men:,} mentions and {n_rel:,} relations")
        with Server(case) as server, httpx.Client(base_url=server.url, timeout=120) as client:
            login(client, "bench")
            print(f"{'target':<22} {'median ms':>10} {'p95 ms':>8}")
            base = None
            for name, path in (("baseline app.css", "/static/app.css"), ("entity page", f"/entities/{person}"),
                               ("entity JSON", f"/api/entities/{person}"),
                               ("graph JSON depth 1", f"/api/graph?entity={person}"),
                               ("timeline JSON", f"/api/timeline?entity={person}")):
                values = sorted(timed(client, path, args.repeat))
                median = statistics.median(values)
                base = base or median
                p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
                print(f"{name:<22} {median:>10.1f} {p95:>8.1f}   ({median / base:.0f}x baseline)")
            print("goal: entity page ≤ 300 ms")
        case.store.close()


if __name__ == "__main__":
    main()
