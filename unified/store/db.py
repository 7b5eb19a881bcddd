"""The async engine and the two kinds of transaction the repositories use.

SQLite needs some care to behave like PostgreSQL: foreign keys are off by default, the
driver does not put DDL inside transactions, and a transaction that reads then writes can
fail with "database is locked" when another writer got in between. We let SQLAlchemy own
BEGIN (the documented pysqlite/aiosqlite recipe) and start write transactions with
``BEGIN IMMEDIATE``, which waits for the lock (``busy_timeout``) instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

_WRITE_OPTION = "unified_write"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(database_url: str) -> AsyncEngine:
    """An engine for a normalised URL (see ``config.normalise_database_url``).

    ``hide_parameters`` keeps bound values (ciphertexts, key hashes) out of SQLAlchemy's
    exception messages and logs.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, hide_parameters=True, pool_pre_ping=True)
    options: dict[str, Any] = {"hide_parameters": True}
    if url.database in (None, "", ":memory:"):
        options["poolclass"] = StaticPool  # one shared connection, or each one sees an empty database
    else:
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **options)
    _configure_sqlite(engine)
    return engine


class _DropDriverCallLog(logging.Filter):
    """aiosqlite logs every call at DEBUG with its arguments, bound values included, which would
    undo ``hide_parameters``: a token a user pasted where an id belongs would reach the log. The
    lines say nothing SQLAlchemy's own log does not, so they are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_DRIVER_LOG_FILTER = _DropDriverCallLog()


def _configure_sqlite(engine: AsyncEngine) -> None:
    logging.getLogger("aiosqlite").addFilter(_DRIVER_LOG_FILTER)  # once: the same filter object

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """An engine plus ``read()``/``write()`` transactions; the repositories' only handle on SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that only reads."""
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that writes: committed on success, rolled back on any exception."""
        async with self.engine.connect() as conn:
            await conn.execution_options(**{_WRITE_OPTION: True})
            async with conn.begin():
                yield conn

    async def dispose(self) -> None:
        await self.engine.dispose()
