"""Migrations build the schema the code expects, can run on every start, and ship with the package."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from unified.store import Store, StoreConfig
from unified.store.migrate import MIGRATIONS_DIR, alembic_config, head_revision
from unified.store.schema import metadata

from .conftest import RawRows

TABLES = {"tenants", "api_keys", "integrated_accounts", "mcp_servers", "unmasking_windows", "idempotency_keys",
          "alembic_version"}


def test_migration_scripts_are_found_next_to_the_package() -> None:
    import unified.store

    assert MIGRATIONS_DIR.parent == __import__("pathlib").Path(unified.store.__file__).resolve().parent
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]
    assert head_revision() is not None


async def test_open_creates_every_table(store: Store) -> None:
    async with store._db.read() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        mcp_columns = {
            col["name"] for col in await conn.run_sync(lambda c: inspect(c).get_columns("mcp_servers"))
        }
    assert tables == TABLES
    assert {
        "token_hash",
        "methods",
        "tags",
        "tool_exposure",
        "expires_at",
        "require_api_token_auth",
    } <= mcp_columns


async def test_migrate_is_idempotent(store: Store, raw_rows: RawRows) -> None:
    tenant = await store.create_tenant("kept")
    await store.migrate()
    await store.migrate()
    assert await raw_rows("alembic_version") == [{"version_num": head_revision()}]
    assert await store.get_tenant(tenant.id) == tenant


async def test_concurrent_start_ups_migrate_once(store_config: StoreConfig, raw_rows: RawRows) -> None:
    stores = await asyncio.gather(*(Store.open(store_config) for _ in range(3)))
    try:
        assert await raw_rows("alembic_version") == [{"version_num": head_revision()}]
    finally:
        for opened in stores:
            await opened.close()


async def test_migrated_schema_matches_schema_module(store: Store) -> None:
    """If someone edits schema.py without a migration (or the reverse), this lists the difference."""

    def differences(conn: object) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})  # type: ignore[arg-type]
        return [diff for diff in compare_metadata(context, metadata)]

    async with store._db.read() as conn:
        assert await conn.run_sync(differences) == []


async def test_health_reports_revision(store: Store, backend: str) -> None:
    health = await store.health()
    assert health.ok and health.schema_current
    assert health.backend == backend
    assert health.schema_revision == head_revision()


async def test_open_without_migrating_reports_a_stale_schema(store_config: StoreConfig) -> None:
    async with await Store.open(store_config, migrate=False) as store:
        health = await store.health()
        assert health.ok and not health.schema_current
        assert health.schema_revision is None
        await store.migrate()
        assert (await store.health()).schema_current
