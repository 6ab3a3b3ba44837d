"""The text and extract stages on a real Dask ``LocalCluster`` of worker processes: the same documents,
ids and mentions as the embedded run, and nothing lost or duplicated when a worker is killed mid-run."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import organwatch
from organwatch.case import Case
from organwatch.distributed import ClusterError, process_on_cluster
from organwatch.distributed.stages import connect
from organwatch.search import INDEX_VERSION
from tests.conftest import REPO, run_cli

distributed = pytest.importorskip("distributed")


def _snapshot(case: Case) -> tuple[list[tuple[int, str, str, str | None]], list[tuple[int, str, int, int]], int]:
    with case.store.view() as view:
        documents = [(d.id, d.capture_id, d.locator, d.text) for d in view.documents.documents()]
        mentions = [(d[0], m.type, m.start, m.end) for d in documents for m in view.mentions.mentions(d[0])]
        links = sum(len(view.documents.links(d[0])) for d in documents)
    return documents, mentions, links


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One LocalCluster of two worker processes for the module (a killed worker is restarted by its nanny)."""
    with connect("local:2") as opened:
        yield opened


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Case:
    case = organwatch.init_case(tmp_path_factory.mktemp("embedded") / "case")
    case.add([REPO / "sample"], text=True, extract=True)
    return case


def test_cluster_run_matches_the_embedded_run(tmp_path: Path, embedded: Case, client: Any) -> None:
    case = organwatch.init_case(tmp_path / "case")
    case.add([REPO / "sample"], text=False)
    with case.store.view() as view:
        capture_ids = view.archive.capture_ids()
    assert len(client.scheduler_info()["workers"]) == 2
    process_on_cluster(case, capture_ids, client, partition=3)
    assert _snapshot(case) == _snapshot(embedded)
    with case.store.view() as view, embedded.store.view() as expected:  # resolved on the cluster too
        assert view.entities.linked_mentions() == expected.entities.linked_mentions()
        assert view.entities.suggestions() == expected.entities.suggestions()
    for query in ("Wang Lijun", "王立军", "肝", "transplant*"):  # the index was built from the workers' entries
        assert [h.document_id for h in case.search(query).hits] == [h.document_id for h in embedded.search(query).hits]
    with case.store.view() as view:
        assert view.search.stale_documents(INDEX_VERSION) == []
    assert case.verify().ok


def test_a_killed_worker_loses_and_duplicates_nothing(tmp_path: Path, embedded: Case, client: Any) -> None:
    case = organwatch.init_case(tmp_path / "case")
    case.add([REPO / "sample"], text=False)
    with case.store.view() as view:
        capture_ids = view.archive.capture_ids()
    killed: list[int] = []
    pids = client.run(os.getpid)  # worker address -> process id

    def kill_one_when_busy() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [address for address, tasks in client.processing().items() if tasks and address in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(pids[busy[0]])
                return
            time.sleep(0.005)

    killer = threading.Thread(target=kill_one_when_busy)
    killer.start()
    process_on_cluster(case, capture_ids, client, partition=1)
    killer.join()
    assert killed, "no worker was killed: the test did not test anything"
    documents, mentions, links = _snapshot(case)
    assert (documents, mentions, links) == _snapshot(embedded)
    assert len({(d[1], d[2]) for d in documents}) == len(documents)  # no capture read twice into two rows
    assert case.verify().ok


def test_bad_cluster_addresses_are_one_line() -> None:
    with pytest.raises(ClusterError, match="local:N"), connect("local:zero"):
        pass
    with pytest.raises(ClusterError, match="scheduler address"), connect("http://nowhere"):
        pass
    with pytest.raises(ClusterError, match=r"^cannot reach the Dask scheduler at tcp://127\.0\.0\.1:1 "), \
            connect("tcp://127.0.0.1:1"):
        pass


def test_add_with_cluster_from_the_command_line(tmp_path: Path) -> None:
    root = tmp_path / "case"
    env = {"ORGANWATCH_SYNC": "off", "ORGANWATCH_PROGRESS": "none"}
    run_cli("init", str(root), env=env, check=True)
    result = run_cli("add", "--case", str(root), str(REPO / "sample" / "zh"), "--cluster", "local:1", env=env,
                     check=True)
    assert "Text: 3 document(s) from 3 new capture(s), 0 failed" in result.stdout and "Extract: " in result.stdout
    assert run_cli("verify", "--case", str(root)).returncode == 0
