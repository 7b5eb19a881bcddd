"""``Store``: the one object the app holds: opens the database, migrates, answers queries.

The repositories are mixins over one engine and one cipher so callers see a flat API
(``store.create_tenant``, ``store.authenticate``...) while each concern keeps its own module.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

from sqlalchemy import text

from . import migrate as migrations
from .accounts import AccountRepository
from .api_keys import ApiKeyRepository
from .config import StoreConfig
from .crypto import Cipher
from .db import Database, create_engine
from .idempotency import IdempotencyRepository
from .keyfile import load_or_create_key_file
from .mcp_servers import McpServerRepository
from .records import Health
from .tenants import TenantRepository
from .unmasking_windows import UnmaskingWindowRepository

HEALTH_TIMEOUT_SECONDS = 5.0


class Store(TenantRepository, ApiKeyRepository, AccountRepository, McpServerRepository, UnmaskingWindowRepository,
            IdempotencyRepository):
    """Tenants, API keys, integrated accounts, MCP servers and open unmasking windows in SQLite or PostgreSQL."""

    @classmethod
    async def open(cls, config: StoreConfig | None = None, *, migrate: bool = True) -> Store:
        """Open the store described by ``config`` (default: the environment), migrating it first.

        Without configured keys this reads, or on first run creates, the key file.
        """
        config = StoreConfig.from_env() if config is None else config
        keys = config.encryption_keys or load_or_create_key_file(config.key_file)
        store = cls(Database(create_engine(config.database_url)), Cipher(keys))
        if migrate:
            try:
                await store.migrate()
            except BaseException:
                await store.close()
                raise
        return store

    async def migrate(self) -> None:
        """Apply pending schema migrations; safe to call on every start and from several instances."""
        await migrations.upgrade(self._db)

    async def health(self) -> Health:
        """Whether the database answers within a few seconds, and at which schema revision.

        Never raises; ``error`` holds only the exception type, since driver messages can
        name hosts and users.
        """
        backend = self._db.backend
        expected = migrations.head_revision()
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
                async with self._db.read() as conn:
                    await conn.execute(text("SELECT 1"))
                    revision = await conn.run_sync(migrations.current_revision)
        except Exception as exc:
            return Health(
                ok=False,
                backend=backend,
                schema_revision=None,
                expected_revision=expected,
                error=type(exc).__name__,
            )
        return Health(ok=True, backend=backend, schema_revision=revision, expected_revision=expected)

    async def close(self) -> None:
        await self._db.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
