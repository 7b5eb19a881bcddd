"""Persistence: tenants, API keys, integrated accounts, MCP servers and open unmasking windows in SQL.

SQLite by default, PostgreSQL by URL, one code path; the schema is migrated with Alembic
at start-up. Typical use::

    store = await Store.open()            # reads UNIFIED_* from the environment, migrates
    tenant = await store.create_tenant("production")
    key, plaintext = await store.create_api_key(tenant.id, "backend")
"""

from .config import StoreConfig, normalise_database_url
from .crypto import generate_key
from .errors import ConfigurationError, Conflict, DecryptionError, InvalidInput, NotFound, StoreError
from .records import (
    ApiKey,
    Authentication,
    Credentials,
    Health,
    IntegratedAccount,
    McpServer,
    Page,
    PendingUnmaskingWindow,
    Tenant,
)
from .store import Store

__all__ = [
    "ApiKey",
    "Authentication",
    "ConfigurationError",
    "Conflict",
    "Credentials",
    "DecryptionError",
    "Health",
    "IntegratedAccount",
    "InvalidInput",
    "McpServer",
    "NotFound",
    "Page",
    "PendingUnmaskingWindow",
    "Store",
    "StoreConfig",
    "StoreError",
    "Tenant",
    "generate_key",
    "normalise_database_url",
]
