"""PostgreSQL restarted in the middle of an ``add``: the run stops with one line saying so, and the same
command run again finishes the job, with every capture archived once and the case verifying."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psycopg

from tests.conftest import run_cli
from tests.pgcluster import restart_cluster, throwaway_cluster

FILES = 80


def _log_size(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute("SELECT size FROM log_state").fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return 0


def test_a_restart_during_ingest_is_reported_and_the_rerun_resumes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(FILES):
        (corpus / f"note-{n:03}.txt").write_text(f"Note {n}: the hospital in Jinzhou reported {n} transplants "
                                                 f"in week {n}. 第{n}号通知：器官移植等待时间。\n", encoding="utf-8")
    env = {"ORGANWATCH_SYNC": "off", "ORGANWATCH_PROGRESS": "none", "ORGANWATCH_BATCH_SIZE": "4",
           "ORGANWATCH_DATABASE_WAIT": "20"}
    with throwaway_cluster() as url:
        root = tmp_path / "case"
        run_cli("init", str(root), "--database", url, env=env, check=True)
        import os
        process = subprocess.Popen([sys.executable, "-m", "organwatch", "add", "--case", str(root), str(corpus)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, **env})
        deadline = time.monotonic() + 120
        while _log_size(url) < 10 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert process.poll() is None, "the add finished before the restart: make the corpus larger"
        restart_cluster(url)
        _, stderr = process.communicate(timeout=300)
        if process.returncode != 0:  # interrupted: one line naming the server and what to do, no traceback
            lines = [line for line in stderr.splitlines() if line.startswith("error:")]
            assert lines and "PostgreSQL at 127.0.0.1" in lines[0] and "Traceback" not in stderr
            assert "run the same command again" in lines[0] or "try again" in lines[0]
        again = run_cli("add", "--case", str(root), str(corpus), env=env)
        assert again.returncode == 0, again.stderr
        verify = run_cli("verify", "--case", str(root), env=env)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        with psycopg.connect(url) as conn:
            captures = conn.execute("SELECT count(*), count(DISTINCT id) FROM captures").fetchone()
            documents = conn.execute("SELECT count(*), count(DISTINCT capture_id) FROM documents "
                                     "WHERE status = 'ok'").fetchone()
            indexed = conn.execute("SELECT count(*) FROM search_documents").fetchone()
        assert captures == (FILES + 0, FILES) or captures[0] == captures[1] == FILES
        assert documents == (FILES, FILES) and indexed is not None and indexed[0] == FILES
