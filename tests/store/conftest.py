"""Fixtures: every store test runs once on SQLite (a temporary file) and once on PostgreSQL.

``backend``, ``database_url`` and the PostgreSQL helpers live in ``tests/conftest.py``
(other packages need databases too); see there how the PostgreSQL half is set up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

# Re-exported so `from store.conftest import _postgres_schema, postgres_database` keeps working.
from conftest import postgres_database  # noqa: F401
from conftest import postgres_schema as _postgres_schema  # noqa: F401
from sqlalchemy import text

from unified.store import Store, StoreConfig, generate_key
from unified.store.db import create_engine

RawRows = Callable[[str], Awaitable[list[dict[str, Any]]]]


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
