"""What the store returns: immutable msgspec Structs, safe to log.

No record carries a secret. API keys appear as a display prefix, credentials as their
names; the one way to get credential values is ``Store.get_account_credentials``, whose
result is a dict that redacts itself when printed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")


class Tenant(msgspec.Struct, frozen=True, kw_only=True):
    """An environment: owns API keys and integrated accounts, sees nothing of other tenants."""

    id: str
    name: str
    created_at: datetime


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """An API key as listed; the key itself was shown once, at creation, and is not kept."""

    id: str
    tenant_id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class Authentication(msgspec.Struct, frozen=True, kw_only=True):
    """Who presented a valid key: the tenant and the key record."""

    tenant: Tenant
    api_key: ApiKey


class IntegratedAccount(msgspec.Struct, frozen=True, kw_only=True):
    """A connected helpdesk org. ``settings`` are not secret; credentials appear by name only."""

    id: str
    tenant_id: str
    provider: str
    name: str
    settings: dict[str, Any]
    credential_names: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


class McpServer(msgspec.Struct, frozen=True, kw_only=True):
    """An MCP server: a scoped, possibly expiring tool set over one integrated account.

    The URL token was shown once, at creation; only ``token_prefix`` is kept in the clear.
    ``methods``/``tags`` of None mean "no filter"."""

    id: str
    tenant_id: str
    integrated_account_id: str
    name: str
    token_prefix: str
    methods: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    tool_exposure: str = "all"
    require_api_token_auth: bool = False
    expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class PendingUnmaskingWindow(msgspec.Struct, frozen=True, kw_only=True):
    """An unmasking window this service opened and has not yet seen closed.

    Rows outlive a crash of the call that opened them; the sweeper closes the window
    once ``close_after`` has passed."""

    id: str
    tenant_id: str
    integrated_account_id: str
    subject_id: str
    mcp_server_id: str | None
    opened_at: datetime
    close_after: datetime
    attempts: int = 0


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    """One page of a list, newest first. Pass ``next_after`` back as ``after`` for the next page;
    None means this is the last page."""

    items: list[T]
    next_after: str | None


class Health(msgspec.Struct, frozen=True, kw_only=True):
    """Whether the database answers, and whether its schema matches this code."""

    ok: bool
    backend: str
    schema_revision: str | None
    expected_revision: str | None
    error: str | None = None

    @property
    def schema_current(self) -> bool:
        return self.ok and self.schema_revision == self.expected_revision


class Credentials(dict[str, Any]):
    """Decrypted credentials: a plain dict whose ``repr``/``str`` show names, never values.

    A stray ``log.debug(creds)`` or an f-string in an error message is the usual way
    secrets reach logs; this makes that mistake harmless.
    """

    def __repr__(self) -> str:
        return f"Credentials({{{', '.join(f'{name!r}: <redacted>' for name in self)}}})"

    __str__ = __repr__


class KeyUsage(msgspec.Struct, frozen=True, kw_only=True):
    """How many accounts each configured encryption key protects (position 0 is the current key).

    Old keys may leave the configuration once ``on_current_key == accounts``; ``unreadable``
    lists accounts no configured key decrypts (their key was dropped too early).
    """

    accounts: int
    per_key: tuple[int, ...]
    unreadable: tuple[str, ...] = ()

    @property
    def on_current_key(self) -> int:
        return self.per_key[0] if self.per_key else 0

    @property
    def on_old_keys(self) -> int:
        return sum(self.per_key[1:])
