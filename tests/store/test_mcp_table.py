"""The MCP server table (repository to come): its keys keep servers inside their account's tenant."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from unified.store import Store
from unified.store.ids import MCP_SERVER, new_id
from unified.store.schema import mcp_servers
from unified.store.tokens import display_prefix, generate_token, token_hash
from unified.store.types import utcnow

from .conftest import RawRows


def server_row(tenant_id: str, account_id: str) -> dict[str, Any]:
    token = generate_token("mcp_")
    now = utcnow()
    return {
        "id": new_id(MCP_SERVER),
        "tenant_id": tenant_id,
        "integrated_account_id": account_id,
        "name": "agent",
        "token_hash": token_hash(token),
        "token_prefix": display_prefix(token),
        "methods": ["list", "get"],
        "tags": ["conversations"],
        "tool_exposure": "all",
        "expires_at": None,
        "created_at": now,
        "updated_at": now,
    }


async def test_server_rows_round_trip_and_cascade_with_their_account(store: Store, raw_rows: RawRows) -> None:
    tenant = await store.create_tenant("t")
    account = await store.create_account(tenant.id, "kustomer")
    async with store._db.write() as conn:
        await conn.execute(insert(mcp_servers).values(server_row(tenant.id, account.id)))
    [row] = await raw_rows("mcp_servers")
    assert row["methods"] in (["list", "get"], '["list", "get"]')  # raw JSON text on SQLite
    assert row["require_api_token_auth"] in (False, 0)  # server default
    await store.delete_account(tenant.id, account.id)
    assert await raw_rows("mcp_servers") == []


async def test_server_cannot_point_at_another_tenants_account(store: Store, raw_rows: RawRows) -> None:
    owner, other = await store.create_tenant("owner"), await store.create_tenant("other")
    account = await store.create_account(owner.id, "kustomer")
    with pytest.raises(IntegrityError):
        async with store._db.write() as conn:
            await conn.execute(insert(mcp_servers).values(server_row(other.id, account.id)))
    assert await raw_rows("mcp_servers") == []
