"""Running the Alembic migrations from code, at start-up, on the store's own engine.

Alembic's usual entry point is a CLI plus an ini file; an app that migrates itself on
start-up needs neither. We build the Alembic config in memory, hand ``env.py`` a live
connection, and run the upgrade inside one transaction. On PostgreSQL an advisory lock
makes instances that start together migrate one after the other; on SQLite the write
transaction (``BEGIN IMMEDIATE``) does the same.

For developers, ``python -m unified.store.migrations`` writes new migrations (see there).
"""

from __future__ import annotations

import asyncio
import weakref
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from .db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works; it only has to be the same for every instance of the app.
_ADVISORY_LOCK_ID = 0x756E6966  # "unif"


def alembic_config(connection: Connection | None = None) -> Config:
    """An in-memory Alembic config; ``env.py`` uses ``connection`` when one is given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str | None:
    """The newest migration shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The migration the database is at, or None before the first one."""
    return MigrationContext.configure(connection).get_current_revision()


# Alembic keeps its running migration in module globals (`alembic.context`, `alembic.op`), so two
# migrations interleaved in one event loop (stores opened together, as a test does) can act on each
# other's connection. Within a process they therefore take turns; across processes the database's
# own lock (above) decides.
_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _turn() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _turns.get(loop)
    if lock is None:
        lock = _turns[loop] = asyncio.Lock()
    return lock


async def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision``; a no-op when it is already there."""
    async with _turn(), database.write() as conn:
        if database.backend == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
        await conn.run_sync(lambda sync_conn: command.upgrade(alembic_config(sync_conn), revision))
