"""MCP servers: a tenant's scoped tool sets over one integrated account, reached by URL token.

The token works like an API key: 256 random bits, shown once, stored as a SHA-256 hash and
compared in constant time. ``mcp_server_for_token`` treats an expired server like an unknown
one, in the same query, so expiry takes effect at once on every instance.

Which tools a filter matches is a catalogue question, answered by ``unified.mcp.scope``; the
store only checks the shape of the configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import RowMapping, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from . import ids, tokens, validate
from .errors import Conflict, InvalidInput, NotFound
from .records import McpServer, Page
from .repository import Repository
from .schema import integrated_accounts, mcp_servers
from .types import utcnow

MCP_TOKEN_PREFIX = "mcp_"
TOOL_EXPOSURES = ("all", "discovery")
MAX_FILTER_ENTRIES = 200
MAX_FILTER_LENGTH = 128

_COLUMNS = tuple(column for column in mcp_servers.c if column.name != "token_hash")


def mcp_server_from_row(m: RowMapping) -> McpServer:
    return McpServer(
        id=m["id"],
        tenant_id=m["tenant_id"],
        integrated_account_id=m["integrated_account_id"],
        name=m["name"],
        token_prefix=m["token_prefix"],
        methods=None if m["methods"] is None else tuple(m["methods"]),
        tags=None if m["tags"] is None else tuple(m["tags"]),
        tool_exposure=m["tool_exposure"] or "all",
        require_api_token_auth=bool(m["require_api_token_auth"]),
        expires_at=m["expires_at"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _filter(value: object, what: str) -> list[str] | None:
    """A methods/tags list: None (no filter) or distinct non-empty strings, order kept."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInput(f"{what} must be a list of strings")
    if len(value) > MAX_FILTER_ENTRIES:
        raise InvalidInput(f"{what} must have at most {MAX_FILTER_ENTRIES} entries")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_FILTER_LENGTH:
            raise InvalidInput(f"{what} entries must be non-empty strings of at most {MAX_FILTER_LENGTH} characters")
        if item.strip() not in out:
            out.append(item.strip())
    if not out:
        raise InvalidInput(f"{what} must not be empty; omit it (null) for no filter")
    return out


def _exposure(value: object) -> str:
    if value not in TOOL_EXPOSURES:
        raise InvalidInput(f"tool_exposure must be one of {', '.join(TOOL_EXPOSURES)}")
    return str(value)


def _expiry(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput("expires_at must be a timezone-aware time")
    return value


class McpServerRepository(Repository):
    async def create_mcp_server(
        self,
        tenant_id: str,
        account_id: str,
        *,
        name: str,
        methods: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
        tool_exposure: str = "all",
        require_api_token_auth: bool = False,
        expires_at: datetime | None = None,
    ) -> tuple[McpServer, str]:
        """A new server on the tenant's account: the record, and the token to show exactly once."""
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        account_id = validate.record_id(account_id, "integrated_account_id")
        now = utcnow()
        token = tokens.generate_token(MCP_TOKEN_PREFIX)
        values: dict[str, Any] = {
            "id": ids.new_id(ids.MCP_SERVER),
            "tenant_id": tenant_id,
            "integrated_account_id": account_id,
            "name": validate.name(name),
            "token_hash": tokens.token_hash(token),
            "token_prefix": tokens.display_prefix(token),
            "methods": _filter(methods, "methods"),
            "tags": _filter(tags, "tags"),
            "tool_exposure": _exposure(tool_exposure),
            "require_api_token_auth": bool(require_api_token_auth),
            "expires_at": _expiry(expires_at),
            "created_at": now,
            "updated_at": now,
        }
        owned = (integrated_accounts.c.tenant_id == tenant_id) & (integrated_accounts.c.id == account_id)
        try:
            async with self._db.write() as conn:
                if (await conn.execute(select(integrated_accounts.c.id).where(owned))).first() is None:
                    raise NotFound(f"integrated account {account_id} not found")
                row = (await conn.execute(insert(mcp_servers).values(values).returning(*_COLUMNS))).one()
        except IntegrityError:
            raise Conflict(f"could not create the MCP server for account {account_id}; retry") from None
        return mcp_server_from_row(row._mapping), token

    async def get_mcp_server(self, tenant_id: str, server_id: str) -> McpServer | None:
        async with self._db.read() as conn:
            row = (await conn.execute(select(*_COLUMNS).where(*self._owned_server(tenant_id, server_id)))).first()
        return None if row is None else mcp_server_from_row(row._mapping)

    async def list_mcp_servers(
        self, tenant_id: str, *, account_id: str | None = None, limit: int = 50, after: str | None = None
    ) -> Page[McpServer]:
        """The tenant's servers (optionally of one account), newest first, expired ones included."""
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        limit = validate.page_size(limit)
        query = select(*_COLUMNS).where(mcp_servers.c.tenant_id == tenant_id)
        if account_id is not None:
            query = query.where(mcp_servers.c.integrated_account_id == validate.record_id(account_id, "account_id"))
        if after is not None:
            query = query.where(mcp_servers.c.id < validate.record_id(after, "after"))
        async with self._db.read() as conn:
            rows = (await conn.execute(query.order_by(mcp_servers.c.id.desc()).limit(limit + 1))).all()
        items = [mcp_server_from_row(row._mapping) for row in rows[:limit]]
        return Page(items=items, next_after=items[-1].id if len(rows) > limit else None)

    async def update_mcp_server(
        self,
        tenant_id: str,
        server_id: str,
        *,
        name: str | msgspec.UnsetType = msgspec.UNSET,
        methods: Sequence[str] | None | msgspec.UnsetType = msgspec.UNSET,
        tags: Sequence[str] | None | msgspec.UnsetType = msgspec.UNSET,
        tool_exposure: str | msgspec.UnsetType = msgspec.UNSET,
        require_api_token_auth: bool | msgspec.UnsetType = msgspec.UNSET,
        expires_at: datetime | None | msgspec.UnsetType = msgspec.UNSET,
    ) -> McpServer:
        """Change the given fields; None clears ``methods``, ``tags`` or ``expires_at``. The token stays."""
        where = self._owned_server(tenant_id, server_id)
        values: dict[str, Any] = {"updated_at": utcnow()}
        if name is not msgspec.UNSET:
            values["name"] = validate.name(name)
        if methods is not msgspec.UNSET:
            values["methods"] = _filter(methods, "methods")
        if tags is not msgspec.UNSET:
            values["tags"] = _filter(tags, "tags")
        if tool_exposure is not msgspec.UNSET:
            values["tool_exposure"] = _exposure(tool_exposure)
        if require_api_token_auth is not msgspec.UNSET:
            values["require_api_token_auth"] = bool(require_api_token_auth)
        if expires_at is not msgspec.UNSET:
            values["expires_at"] = _expiry(expires_at)
        async with self._db.write() as conn:
            row = (await conn.execute(update(mcp_servers).where(*where).values(values).returning(*_COLUMNS))).first()
        if row is None:
            raise NotFound(f"MCP server {server_id} not found")
        return mcp_server_from_row(row._mapping)

    async def delete_mcp_server(self, tenant_id: str, server_id: str) -> None:
        """Delete the server; its URL stops working at once."""
        async with self._db.write() as conn:
            result = await conn.execute(delete(mcp_servers).where(*self._owned_server(tenant_id, server_id)))
        if result.rowcount == 0:
            raise NotFound(f"MCP server {server_id} not found")

    async def mcp_server_for_token(self, token: str, *, now: datetime | None = None) -> McpServer | None:
        """The live server a URL token names; None for unknown, malformed and expired tokens alike."""
        if not isinstance(token, str) or not token.startswith(MCP_TOKEN_PREFIX) or len(token) > 200:
            return None
        digest = tokens.token_hash(token)
        now = now or utcnow()
        query = select(*_COLUMNS, mcp_servers.c.token_hash).where(
            mcp_servers.c.token_hash == digest,
            or_(mcp_servers.c.expires_at.is_(None), mcp_servers.c.expires_at > now),
        )
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        if row is None or not tokens.hashes_match(row.token_hash, digest):
            return None
        return mcp_server_from_row(row._mapping)

    @staticmethod
    def _owned_server(tenant_id: str, server_id: str) -> tuple[Any, Any]:
        tenant_id = validate.record_id(tenant_id, "tenant_id")
        server_id = validate.record_id(server_id, "server_id")
        return mcp_servers.c.tenant_id == tenant_id, mcp_servers.c.id == server_id
