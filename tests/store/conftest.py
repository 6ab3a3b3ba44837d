"""Store fixtures: one throwaway PostgreSQL cluster per test session, a fresh database per test.

``store_url`` is parametrised over the backends, so every behaviour of the contract suite runs on
SQLite (a file in the test's folder) and on PostgreSQL (a new database on the session's cluster).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.pgcluster import throwaway_cluster

_DATABASES = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """The URL of the session's PostgreSQL server (its maintenance database)."""
    with throwaway_cluster() as url:
        yield url


@pytest.fixture
def pg_url(pg_cluster: str) -> str:
    """A fresh, empty database on the session's cluster."""
    name = f"case_{next(_DATABASES)}"
    with psycopg.connect(pg_cluster, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg_cluster.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The backend a test runs on."""
    return str(request.param)


@pytest.fixture
def store_config(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, dict[str, str]]:
    """The ``[store]`` section of a case on ``backend``."""
    if backend == "sqlite":
        return {"store": {"backend": "sqlite"}}
    url = request.getfixturevalue("pg_url")
    return {"store": {"backend": "postgresql", "url": url}}
