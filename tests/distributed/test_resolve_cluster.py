"""The resolve stage's blocks decided on a real Dask ``LocalCluster`` of worker processes: exactly the entities,
links, aliases, relations, events and review suggestions of the embedded run, also when a worker is killed
while it holds tasks, and also for an incremental run whose one big block is split into parts."""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import organwatch
from organwatch.case import Case
from organwatch.distributed import resolve_on_cluster
from organwatch.distributed.resolve import ClusterPlanner, Task, read_documents
from organwatch.distributed.stages import connect
from organwatch.resolve import service
from organwatch.resolve.blocks import merge_plans, plan_block, split_block
from organwatch.resolve.merge import decision_pairs
from organwatch.stages import resolve as resolve_stage
from organwatch.stages.resolve import resolve_documents
from tests.conftest import REPO, run_cli

distributed = pytest.importorskip("distributed")

# Names written several ways, namesakes and a reviewer's decisions: blocks with merges, near misses and splits.
EXTRA = (
    "Wang Lijun, the former police chief of Chongqing, entered the U.S. Consulate in Chengdu on Feb. 6, 2012. "
    "He had been the right-hand man of Bo Xilai. Zhang Wenhua of Shenyang Medical College described a study.\n",
    "2012年2月6日，重庆市副市长王立军进入美国驻成都总领事馆。王立军被视为薄熙来的心腹。\n",
    "2012年9月，成都市中级人民法院判处王立軍有期徒刑十五年。張文華在沈阳医学院发表论文。\n",
    "Dr. Zhang Wenhua, a surgeon in Shenyang, told reporters in 2006 that kidneys were available within a week.\n",
    "Wang Jun, a lawyer in Beijing, said in 2015 that the Tianjin First Central Hospital expanded.\n",
    "Wang Jun, a farmer in Henan, was interviewed in 2009 about his village.\n",
    "Huang Jiefu, the vice minister of health, announced in December 2014 that voluntary donation would be the "
    "only source. 黄洁夫宣布公民自愿捐献成为唯一合法器官来源。\n",
)


def _snapshot(case: Case) -> dict[str, Any]:
    with case.store.view() as view:
        entities = view.entities
        rows = entities.entities()
        return {
            "entities": sorted((e["id"], e["type"], e.get("schema"), e["name"]) for e in rows),
            "aliases": sorted((e["id"], a["name"], a["script"], a["romanisation"], a["mentions"], a["valid_from"],
                               a["valid_to"]) for e in rows for a in entities.aliases(e["id"])),
            "links": entities.linked_mentions(),
            # Without surrogate ids (the row id, the local entities' ids): PostgreSQL sequences never reuse a
            # number after a delete, so those depend on the history of the writes, not on what was decided.
            "relations": sorted(repr(sorted((k, v) for k, v in r.items() if k != "id" and not k.endswith("_local")))
                                for r in entities.relations()),
            "events": sorted(repr(e) for e in entities.events()),
            "suggestions": sorted((s.a, s.b, s.score) for s in entities.suggestions()),
        }


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of three worker processes for the module (a killed worker is restarted by its nanny)."""
    with connect("local:3") as opened:
        yield opened


def _corpus(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(EXTRA):
        (folder / f"extra-{i}.txt").write_text(text, encoding="utf-8")
    return [REPO / "sample", folder]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """The sample corpus and the extra texts, resolved in process, with a reviewer's merge and split."""
    root = tmp_path_factory.mktemp("embedded")
    case = organwatch.init_case(root / "case")
    case.add(_corpus(root / "extra"), text=True, extract=True)
    service.unmerge(case, "Wang Lijun", ["王立軍"], "reviewer keeps this spelling apart")
    _merge_namesakes(case, "Zhang Wenhua")
    return case


def _merge_namesakes(case: Case, name: str) -> None:
    """A reviewer's merge of two entities the resolver kept apart as namesakes."""
    with case.store.view() as view:
        ids = [e["id"] for e in view.entities.entities("person") if e["name"] == name]
    assert len(ids) == 2, ids
    service.merge(case, ids[0], ids[1], "reviewer: the same surgeon")


class KillingClient:
    """The real client, which SIGKILLs a worker holding tasks (no goodbye) right after the third document task
    and again right after the first block task is submitted: both halves of the stage lose work mid-run."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.killed: dict[str, int] = {}
        self.submitted = 0

    def submit(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        future = self.client.submit(fn, *args, **kwargs)
        self.submitted += 1
        phase = "documents" if fn is read_documents else "blocks"
        if phase not in self.killed and (phase == "blocks" or self.submitted >= 3):
            self._kill_a_busy_worker(phase)
        return future

    def _kill_a_busy_worker(self, phase: str) -> None:
        pids = self.client.run(os.getpid)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            busy = [address for address, tasks in self.client.processing().items() if tasks and address in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                self.killed[phase] = pids[busy[0]]
                return
            time.sleep(0.002)


def test_full_run_on_the_cluster_matches_the_embedded_run_with_a_worker_killed(
        embedded: Case, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = resolve_documents(embedded.store, full=True)  # `reprocess --stage resolve`, in process
    expected = _snapshot(embedded)
    assert summary.blocks > 20 and expected["entities"] and expected["suggestions"]
    with embedded.store.view() as view:
        cannot, must = decision_pairs(view.entities.decisions())
    assert cannot and must  # the decisions take part
    # Many write batches on the cluster (one in process): the look-ahead is used, and the result does not
    # depend on how blocks fall into batches.
    monkeypatch.setattr(resolve_stage, "BLOCK_BATCH", 40)
    killing = KillingClient(client)
    planner = ClusterPlanner(killing, partition=6, documents_per_task=2)
    on_cluster = resolve_documents(embedded.store, full=True, planner=planner)
    assert set(killing.killed) == {"documents", "blocks"}, "no worker was killed: the test did not test anything"
    assert planner.tasks > 10
    assert _snapshot(embedded) == expected
    assert (on_cluster.blocks, on_cluster.entities, on_cluster.resolved) == (summary.blocks, summary.entities,
                                                                             summary.resolved)
    assert len(client.scheduler_info()["workers"]) >= 2  # the others carried on


def test_incremental_run_on_the_cluster_matches_the_embedded_run(tmp_path: Path, client: Any) -> None:
    """New documents: everything their names touch is one block, split into parts for the workers."""
    first = organwatch.init_case(tmp_path / "first")
    first.add(_corpus(tmp_path / "extra"), text=True, extract=True)
    _merge_namesakes(first, "Zhang Wenhua")
    with first.store.view() as view:
        document_ids = view.documents.ids(status="ok")
    first.store.close()
    shutil.copytree(tmp_path / "first", tmp_path / "second", symlinks=True)
    in_process, on_cluster = organwatch.open_case(tmp_path / "first"), organwatch.open_case(tmp_path / "second")
    # Every document again, as when a new extractor version re-reads them: their locals are replaced and
    # everything connected to them is resolved as one block.
    summary = resolve_documents(in_process.store, document_ids)
    planner = ClusterPlanner(client, partition=5)
    clustered = resolve_documents(on_cluster.store, document_ids, planner=planner)
    assert summary.blocks == clustered.blocks == 1 and planner.tasks > 5
    assert _snapshot(on_cluster) == _snapshot(in_process)
    in_process.store.close()
    on_cluster.store.close()


def test_a_block_split_into_parts_plans_as_the_whole(embedded: Case) -> None:
    """Planning a whole block at once and planning its independent parts apart give the same plan."""
    with embedded.store.writer() as writer:
        top = writer.entities.conn.execute("SELECT max(id) FROM resolution_locals").fetchone()[0]
        loaded = writer.entities.load_locals(list(range(1, int(top) + 1)))
        cannot, must = decision_pairs(writer.entities.decisions())
    locals_ = [loc for _, loc, _ in loaded]
    whole = plan_block(locals_, cannot, must)
    parts = split_block(locals_, cannot, must)
    assert len(parts) > 20 and sum(len(p.indexes) for p in parts) == len(locals_)
    assert sum(1 for p in parts if p.must) == len(must)  # each merge goes to exactly one part
    task: Task = [([locals_[i] for i in p.indexes], p.cannot, p.must) for p in parts]
    merged = merge_plans(parts, [plan_block(*t) for t in task], locals_)
    assert merged.groups == whole.groups
    assert [(d.id, d.name, [a.name for a in d.aliases], d.locals) for d in merged.drafts] == \
        [(d.id, d.name, [a.name for a in d.aliases], d.locals) for d in whole.drafts]
    assert [(i, j, s) for i, j, s, _ in merged.scored] == [(i, j, s) for i, j, s, _ in whole.scored]


def test_resolve_on_cluster_from_python(embedded: Case, client: Any) -> None:
    resolve_documents(embedded.store, full=True)
    expected = _snapshot(embedded)
    summary = resolve_on_cluster(embedded.store, client, full=True)
    assert summary.full and summary.entities == len(expected["entities"])
    assert _snapshot(embedded) == expected


def test_reprocess_resolve_with_cluster_from_the_command_line(tmp_path: Path) -> None:
    root = tmp_path / "case"
    env = {"ORGANWATCH_SYNC": "off", "ORGANWATCH_PROGRESS": "none"}
    run_cli("init", str(root), env=env, check=True)
    run_cli("add", "--case", str(root), str(REPO / "sample" / "zh"), env=env, check=True)
    embedded = run_cli("reprocess", "--case", str(root), "--stage", "resolve", env=env, check=True)
    clustered = run_cli("reprocess", "--case", str(root), "--stage", "resolve", "--cluster", "local:2", env=env,
                        check=True)
    assert clustered.stdout == embedded.stdout and " entities, " in clustered.stdout
    wrong = run_cli("reprocess", "--case", str(root), "--stage", "text", "--cluster", "local:2", env=env)
    assert wrong.returncode == 1 and wrong.stderr.startswith("error: --cluster works with --stage resolve")
    assert len(wrong.stderr.strip().splitlines()) == 1
    unreachable = run_cli("reprocess", "--case", str(root), "--stage", "resolve", "--cluster", "tcp://127.0.0.1:1",
                          env=env)
    assert unreachable.returncode == 1 and unreachable.stderr.startswith("error: cannot reach the Dask scheduler")
