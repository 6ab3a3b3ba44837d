"""The stages' worker pool: results in input order whatever the workers, and a dying worker fails one input."""

from __future__ import annotations

import os

import pytest

from organwatch.stages.pool import WorkerDiedError, default_jobs, ordered_map


def square_or_die(n: int) -> int:
    if n == 13:
        os._exit(3)  # a crash in a C library looks like this: no exception, the process is gone
    return n * n


def pid_of(n: int) -> tuple[int, int]:
    return n, os.getpid()


def test_results_come_back_in_input_order() -> None:
    results = list(ordered_map(pid_of, range(40), jobs=2))
    assert [n for n, _ in results] == list(range(40))
    assert os.getpid() not in {pid for _, pid in results}  # computed in worker processes
    assert {pid for _, pid in ordered_map(pid_of, range(40), jobs=1)} == {os.getpid()}


def test_a_dying_worker_fails_its_input_and_the_rest_go_on() -> None:
    results = list(ordered_map(square_or_die, range(20), jobs=2, on_died=lambda n, error: -n))
    assert results[:13] == [n * n for n in range(13)] and results[13] == -13
    assert results[14:] == [n * n for n in range(14, 20)]
    with pytest.raises(WorkerDiedError):
        list(ordered_map(square_or_die, range(20), jobs=2))


def test_jobs_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANWATCH_JOBS", "3")
    assert default_jobs() == 3
    monkeypatch.delenv("ORGANWATCH_JOBS")
    assert default_jobs() >= 1
