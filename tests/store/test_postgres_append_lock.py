"""Appends to the evidence log are serialised in the database: while one machine holds the append lock,
another machine's ``add`` waits, then extends the tree from where the first left it (never forks)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

import organwatch
from organwatch.store.postgres import PostgresStore
from tests.store.conftest import fresh_database


def test_an_add_waits_for_the_database_append_lock(tmp_path: Path, pg_cluster: str) -> None:
    url = fresh_database(pg_cluster)
    case = organwatch.init_case(tmp_path / "case", database=url)
    with case.store.view() as view:
        before = view.archive.log_position().size
    (tmp_path / "note.txt").write_text("Waiting times of one to two weeks.", encoding="utf-8")
    other_machine = PostgresStore(url)
    env = {**os.environ, "ORGANWATCH_SYNC": "off", "ORGANWATCH_PROGRESS": "none"}
    with other_machine.append_lock():
        process = subprocess.Popen([sys.executable, "-m", "organwatch", "add", "--case", str(tmp_path / "case"),
                                    str(tmp_path / "note.txt")], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 90
        waiting = 0
        while not waiting and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            with psycopg.connect(url) as conn:  # the add is queued on the advisory lock, not merely slow
                waiting = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                       "AND NOT granted").fetchone()[0]
        assert waiting == 1 and process.poll() is None, process.communicate()
        with case.store.view() as view:
            assert view.archive.log_position().size == before  # nothing appended while the lock is held
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    with case.store.view() as view:
        assert view.archive.log_position().size == before + 1
    assert case.verify().ok
    case.store.close()
    other_machine.close()
