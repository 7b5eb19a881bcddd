"""Shared fixtures: real sandbox processes over HTTP, databases of both backends, and the
app's HTTP faces in-process (``harness``, ``caller``, ``connected``; helpers in tests/app/helpers.py).

Databases: ``database_url`` gives each test an empty database, once on SQLite (a temporary
file) and once on PostgreSQL. ``UNIFIED_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``) names a maintenance database; each test run
creates a ``unified_test_<random>`` database from it (dropped at the end) and each user an
empty schema in that database. If PostgreSQL is down the tests fail; start it with
``pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start``, or set
``UNIFIED_TEST_POSTGRES=skip`` to run the SQLite half only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from app.helpers import Account, Caller, Harness
from litestar.testing import AsyncTestClient
from psycopg import sql
from sqlalchemy.engine import make_url

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess, start_sandbox
from unified.store import StoreConfig, generate_key

BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get("UNIFIED_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROOMY_LIMITS = ("--rate-limit", "1000000", "--search-rate-limit", "1000000", "--customer-create-limit", "100000")


# ----------------------------------------------------------------------------- sandboxes


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    """One sandbox for read-mostly tests; tests that write create their own records. Its org
    budget is raised so the whole suite never hits it; limit tests use `fresh_sandbox`."""
    with start_sandbox("--rate-limit", "100000", seed=1) as proc:
        yield proc


@pytest.fixture()
def fresh_sandbox() -> Iterator[SandboxProcess]:
    """A private sandbox for tests that change limits, faults or settings."""
    with start_sandbox(seed=7) as proc:
        yield proc


@pytest.fixture(scope="session")
def kustomer(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with sandbox.client() as client:
        yield client


@pytest.fixture(scope="session")
def roomy_sandbox() -> Iterator[SandboxProcess]:
    """A shared sandbox whose rate limits no test run reaches: for suites that walk whole
    lists many times (engine tests), where the default budget would turn into flaky 429s."""
    with start_sandbox(*ROOMY_LIMITS, seed=1) as proc:
        yield proc


# ----------------------------------------------------------------------------- databases


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


def postgres_schema(database: str) -> Iterator[str]:
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


def empty_database(backend: str, directory: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of an empty database of ``backend``: a SQLite file in ``directory``, or a
    fresh schema in the run's PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'db' / 'unified.db'}"
    else:
        yield from postgres_schema(request.getfixturevalue("postgres_database"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL of an empty database of the parametrized backend, private to this test."""
    yield from empty_database(backend, tmp_path, request)


@pytest.fixture(scope="session", params=BACKENDS)
def session_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database of each backend shared by the whole run, for suites whose tests
    make their own tenants and so cannot see each other's data."""
    yield from empty_database(str(request.param), tmp_path_factory.mktemp("shared-db"), request)


# ------------------------------------------------------------------- the app's HTTP faces
# The app runs in-process (Litestar's AsyncTestClient) once per store backend for the whole
# run; every test makes its own tenant, so tests never see each other's accounts.


@pytest.fixture(scope="session")
def app_config(session_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> StoreConfig:
    """Explicit keys and a key-file path in a temporary folder: the app never writes var/."""
    key_file = tmp_path_factory.mktemp("keys") / "never-written.key"
    return StoreConfig(session_database_url, encryption_keys=(generate_key(),), key_file=key_file)


@pytest.fixture(scope="session")
async def harness(app_config: StoreConfig) -> AsyncIterator[Harness]:
    async with AsyncTestClient(create_app(app_config)) as client:
        yield Harness(client, app_config, app_config.backend)
    assert not app_config.key_file.exists()


@pytest.fixture
async def caller(harness: Harness) -> Caller:
    """A fresh tenant's API key."""
    return await harness.tenant()


@pytest.fixture
async def connected(caller: Caller, roomy_sandbox: SandboxProcess) -> Account:
    """A fresh tenant's account on the shared, roomy sandbox."""
    return await caller.connect(roomy_sandbox)
