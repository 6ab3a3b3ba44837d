"""``ORGANWATCH_NEW_CASE_DATABASE``: where ``init`` without ``--database`` puts a new case — a fresh database
per case on a server, or one named database — with one-line errors when the server says no."""

from __future__ import annotations

import tomllib
from pathlib import Path

import psycopg
import pytest

import organwatch
from tests.conftest import REPO, run_cli
from tests.store.conftest import fresh_database


def _server(cluster_url: str) -> str:
    return cluster_url.rsplit("/", 1)[0] + "/"


def _store_url(root: Path) -> str:
    config = tomllib.loads((root / "case.toml").read_text(encoding="utf-8"))
    assert config["store"]["backend"] == "postgresql"
    return str(config["store"]["url"])


def test_a_server_url_gives_each_new_case_a_fresh_database_named_after_its_folder(
        tmp_path: Path, pg_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANWATCH_NEW_CASE_DATABASE", _server(pg_cluster))
    first = organwatch.init_case(tmp_path / "Jinzhou Hospital")
    run_cli("init", str(tmp_path / "second"), check=True)
    urls = [_store_url(tmp_path / "Jinzhou Hospital"), _store_url(tmp_path / "second")]
    assert urls[0] != urls[1]
    assert urls[0].rsplit("/", 1)[1].startswith("organwatch_jinzhou_hospital_")
    assert not (tmp_path / "second" / "organwatch.db").exists()
    with psycopg.connect(pg_cluster) as conn:
        comments = {row[0]: row[1] for row in conn.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database")}
    assert comments[urls[0].rsplit("/", 1)[1]] == f"OrganWatch case {(tmp_path / 'Jinzhou Hospital').resolve()}"
    # Both cases work, each in its own database.
    first.add([REPO / "sample" / "README.md"])
    first.store.close()
    second = organwatch.open_case(tmp_path / "second")
    with second.store.view() as view:
        assert view.archive.capture_ids() == []
    second.store.close()
    report = run_cli("verify", "--case", str(tmp_path / "Jinzhou Hospital"), check=True)
    assert "OK" in report.stdout or report.returncode == 0


def test_a_url_naming_a_database_is_used_as_it_is_and_only_once(
        tmp_path: Path, pg_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = fresh_database(pg_cluster)
    monkeypatch.setenv("ORGANWATCH_NEW_CASE_DATABASE", url)
    organwatch.init_case(tmp_path / "one").store.close()
    assert _store_url(tmp_path / "one") == url
    case = organwatch.open_case(tmp_path / "one")
    case.add([REPO / "sample" / "README.md"])
    case.store.close()
    again = run_cli("init", str(tmp_path / "two"))
    assert again.returncode == 1
    assert again.stderr.startswith("error: ") and "already holds the index of a case" in again.stderr
    assert "Traceback" not in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_database_on_the_command_line_wins_over_the_setting(
        tmp_path: Path, pg_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANWATCH_NEW_CASE_DATABASE", _server(pg_cluster))
    url = fresh_database(pg_cluster)
    run_cli("init", str(tmp_path / "case"), "--database", url, check=True)
    assert _store_url(tmp_path / "case") == url


def test_a_user_who_may_not_create_databases_gets_one_line_saying_what_to_do(
        tmp_path: Path, pg_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with psycopg.connect(pg_cluster, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS reader")
        conn.execute("CREATE ROLE reader LOGIN NOCREATEDB")
    server = _server(pg_cluster).replace("//postgres@", "//reader@", 1) if "//postgres@" in pg_cluster else None
    if server is None:
        pytest.skip("the throwaway cluster's superuser is not `postgres` here")
    monkeypatch.setenv("ORGANWATCH_NEW_CASE_DATABASE", server)
    result = run_cli("init", str(tmp_path / "case"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "reader may not create databases" in result.stderr
    assert "ALTER ROLE reader CREATEDB" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "case").exists()


def test_a_server_that_is_not_there_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGANWATCH_NEW_CASE_DATABASE", "postgresql://me@127.0.0.1:1/")
    result = run_cli("init", str(tmp_path / "case"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "cannot reach PostgreSQL at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_case_whose_database_was_dropped_or_emptied_says_so_in_one_line(
        tmp_path: Path, pg_cluster: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server-side counterparts of a deleted or emptied organwatch.db."""
    monkeypatch.setenv("ORGANWATCH_NEW_CASE_DATABASE", _server(pg_cluster))
    for damage in ("dropped", "emptied"):
        root = tmp_path / damage
        case = organwatch.init_case(root)
        case.add([REPO / "sample" / "README.md"])
        case.store.close()
        name = _store_url(root).rsplit("/", 1)[1]
        with psycopg.connect(pg_cluster, autocommit=True) as conn:
            if damage == "dropped":
                conn.execute(f"DROP DATABASE {name} WITH (FORCE)")
        if damage == "emptied":
            with psycopg.connect(_store_url(root), autocommit=True) as conn:
                conn.execute("DROP SCHEMA public CASCADE")
                conn.execute("CREATE SCHEMA public")
        for args in (["list"], ["verify"]):
            result = run_cli(*args, "--case", str(root))
            assert result.returncode == 1, (damage, args, result.stdout)
            assert "Traceback" not in result.stderr, (damage, args)
            assert "organwatch.db" not in result.stderr + result.stdout
            if damage == "dropped":
                assert result.stderr.startswith("error: PostgreSQL at 127.0.0.1:")
                assert len(result.stderr.splitlines()) == 1
                assert "the database does not exist" in result.stderr
            else:
                assert f"set [store] backend = \"sqlite\" in {root}/case.toml" in result.stderr + result.stdout
    # The emptied case, rebuilt the way the message says: a SQLite index from the log, moved to the server.
    root, url = tmp_path / "emptied", _store_url(tmp_path / "emptied")
    config = (root / "case.toml").read_text(encoding="utf-8")
    (root / "case.toml").write_text(config.replace('backend = "postgresql"', 'backend = "sqlite"'), encoding="utf-8")
    run_cli("rebuild-index", "--case", str(root), check=True)
    run_cli("migrate", "--from", str(root), "--to", url, check=True)
    assert _store_url(root) == url
    assert run_cli("verify", "--case", str(root)).returncode == 0
