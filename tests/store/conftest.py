"""Fixtures: every store test runs once on SQLite (a temporary file) and once on PostgreSQL.

``database_url`` knows nothing about the store, so it can move to ``tests/conftest.py``
unchanged when other packages need a database.

PostgreSQL: ``UNIFIED_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
names a maintenance database; each test run creates a ``unified_test_<random>`` database
from it (dropped at the end) and each test an empty schema in that database. If PostgreSQL
is down the tests fail; start it with
``pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start``, or set
``UNIFIED_TEST_POSTGRES=skip`` to run the SQLite half only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from unified.store import Store, StoreConfig, generate_key
from unified.store.db import create_engine

BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get("UNIFIED_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

RawRows = Callable[[str], Awaitable[list[dict[str, Any]]]]


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database private to this test run, created on first use and dropped at the end."""
    if os.environ.get("UNIFIED_TEST_POSTGRES") == "skip":
        pytest.skip("UNIFIED_TEST_POSTGRES=skip")
    name = f"unified_test_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).render_as_string(hide_password=True)} "
            f"({type(exc).__name__}); start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
            "or set UNIFIED_TEST_POSTGRES=skip"
        )
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _postgres_schema(database: str) -> Iterator[str]:
    """An empty schema in the run's database, first on the search path of every connection.

    A schema costs milliseconds where a database costs half a second, and the store
    never names a schema, so it behaves exactly as in a database of its own.
    """
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield (
            make_url(database)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL of an empty database of the parametrized backend, private to this test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'unified.db'}"
    else:
        yield from _postgres_schema(request.getfixturevalue("postgres_database"))


@pytest.fixture
def encryption_key() -> str:
    return generate_key()


@pytest.fixture
def store_config(database_url: str, encryption_key: str, tmp_path: Path) -> StoreConfig:
    return StoreConfig(database_url, encryption_keys=(encryption_key,), key_file=tmp_path / "unused.key")


@pytest.fixture
async def store(store_config: StoreConfig) -> AsyncIterator[Store]:
    """A migrated, empty store."""
    opened = await Store.open(store_config)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def raw_rows(store_config: StoreConfig) -> AsyncIterator[RawRows]:
    """Read a table directly, bypassing the store, to check what is really on disk."""
    engine = create_engine(store_config.database_url)

    async def fetch(table: str) -> list[dict[str, Any]]:
        async with engine.connect() as conn:
            result = await conn.execute(text(f"SELECT * FROM {table}"))
            return [dict(row._mapping) for row in result]

    try:
        yield fetch
    finally:
        await engine.dispose()
