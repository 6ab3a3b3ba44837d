"""Store fixtures: one throwaway PostgreSQL cluster per test session, a fresh database per test.

The contract suite is parametrised over ``BACKENDS``; a PostgreSQL case of it names no URL in its
``[store]`` table, so it gets ``ORGANWATCH_DATABASE_URL``, which this file points at a new, empty
database on the session's cluster for each such test (the cluster starts only when one runs).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import psycopg
import pytest

from tests.dbmode import Server
from tests.pgcluster import throwaway_cluster

_DATABASES = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster(new_case_server: Server | None) -> Iterator[str]:
    """The URL of the session's throwaway PostgreSQL server (its first database): the one new cases go to
    under ``--db-url postgresql``, else one started here."""
    if new_case_server is not None and new_case_server.throwaway:
        yield new_case_server.maintenance
        return
    with throwaway_cluster() as url:
        yield url


def fresh_database(cluster_url: str) -> str:
    """Create an empty database on the cluster; return its URL."""
    name = f"case_{next(_DATABASES)}"
    with psycopg.connect(cluster_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return cluster_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def pg_url(pg_cluster: str) -> str:
    """A fresh, empty database on the session's cluster."""
    return fresh_database(pg_cluster)


@pytest.fixture(autouse=True)
def _postgres_for_parametrised_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ORGANWATCH_DATABASE_URL at a fresh database when a test runs on the postgresql backend."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "postgresql" in callspec.params.values():
        monkeypatch.setenv("ORGANWATCH_DATABASE_URL", request.getfixturevalue("pg_url"))
