"""Alembic environment: run migrations on the connection the store hands over.

At start-up ``unified.store.migrate.upgrade`` passes a live connection (already inside
its transaction) in ``config.attributes["connection"]``. From the developer command line
there is none, so we open the database named by ``UNIFIED_DATABASE_URL`` ourselves.
Logging is left alone: configuring it here would override the application's.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from unified.store.config import StoreConfig
from unified.store.db import Database, create_engine
from unified.store.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    database = Database(create_engine(StoreConfig.from_env().database_url))
    try:
        async with database.write() as conn:
            await conn.run_sync(run_migrations)
    finally:
        await database.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run them against a database")

shared_connection = context.config.attributes.get("connection")
if shared_connection is not None:
    run_migrations(shared_connection)
else:
    asyncio.run(run_standalone())
