"""MCP servers and pending unmasking windows in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from unified.store import InvalidInput, NotFound, Store
from unified.store.types import utcnow

from .conftest import RawRows


async def _account(store: Store, name: str = "t") -> tuple[str, str]:
    tenant = await store.create_tenant(name)
    account = await store.create_account(tenant.id, "kustomer", credentials={"api_key": "k"})
    return tenant.id, account.id


async def test_token_is_shown_once_and_stored_only_as_its_hash(store: Store, raw_rows: RawRows) -> None:
    tenant_id, account_id = await _account(store)
    server, token = await store.create_mcp_server(tenant_id, account_id, name="agent", methods=["read"],
                                                  tags=["conversations"], tool_exposure="discovery")
    assert token.startswith("mcp_") and len(token) > 40
    assert server.token_prefix == token[:10]
    assert (server.methods, server.tags, server.tool_exposure) == (("read",), ("conversations",), "discovery")
    [row] = await raw_rows("mcp_servers")
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())
    assert await store.get_mcp_server(tenant_id, server.id) == server
    assert "token" not in {f for f in server.__struct_fields__}


async def test_lookup_by_token_finds_live_servers_only(store: Store) -> None:
    tenant_id, account_id = await _account(store)
    server, token = await store.create_mcp_server(tenant_id, account_id, name="a",
                                                  expires_at=utcnow() + timedelta(hours=1))
    assert (await store.mcp_server_for_token(token)).id == server.id
    assert await store.mcp_server_for_token(token + "x") is None
    assert await store.mcp_server_for_token(token.replace("mcp_", "uk_", 1)) is None
    assert await store.mcp_server_for_token("") is None
    # expired: refused in the same lookup, from the first instant past expiry
    assert await store.mcp_server_for_token(token, now=server.expires_at) is None
    await store.update_mcp_server(tenant_id, server.id, expires_at=None)
    assert (await store.mcp_server_for_token(token, now=utcnow() + timedelta(days=3650))) is not None
    await store.delete_mcp_server(tenant_id, server.id)
    assert await store.mcp_server_for_token(token) is None


async def test_other_tenants_cannot_see_change_or_create_servers(store: Store) -> None:
    tenant_id, account_id = await _account(store, "owner")
    other_id, _ = await _account(store, "other")
    server, _ = await store.create_mcp_server(tenant_id, account_id, name="mine")
    assert await store.get_mcp_server(other_id, server.id) is None
    with pytest.raises(NotFound):
        await store.update_mcp_server(other_id, server.id, name="stolen")
    with pytest.raises(NotFound):
        await store.delete_mcp_server(other_id, server.id)
    with pytest.raises(NotFound):
        await store.create_mcp_server(other_id, account_id, name="on someone else's account")
    assert (await store.list_mcp_servers(other_id)).items == []
    assert (await store.get_mcp_server(tenant_id, server.id)).name == "mine"


async def test_list_is_newest_first_pages_and_filters_by_account(store: Store) -> None:
    tenant_id, first = await _account(store)
    second = (await store.create_account(tenant_id, "kustomer")).id
    ids = [(await store.create_mcp_server(tenant_id, acc, name=f"s{i}"))[0].id
           for i, acc in enumerate([first, second, first])]
    page = await store.list_mcp_servers(tenant_id, limit=2)
    assert [s.id for s in page.items] == [ids[2], ids[1]]
    rest = await store.list_mcp_servers(tenant_id, limit=2, after=page.next_after)
    assert [s.id for s in rest.items] == [ids[0]] and rest.next_after is None
    assert [s.id for s in (await store.list_mcp_servers(tenant_id, account_id=first)).items] == [ids[2], ids[0]]


async def test_update_changes_and_clears_fields_but_keeps_the_token(store: Store) -> None:
    tenant_id, account_id = await _account(store)
    server, token = await store.create_mcp_server(tenant_id, account_id, name="a", methods=["read"], tags=["x"])
    updated = await store.update_mcp_server(tenant_id, server.id, name="b", methods=None, tags=["y", "y", "z"],
                                            tool_exposure="discovery", require_api_token_auth=True)
    assert (updated.name, updated.methods, updated.tags) == ("b", None, ("y", "z"))
    assert updated.tool_exposure == "discovery" and updated.require_api_token_auth
    assert updated.updated_at >= server.updated_at
    assert (await store.mcp_server_for_token(token)).name == "b"


@pytest.mark.parametrize("fields, message", [
    ({"tool_exposure": "some"}, "tool_exposure"),
    ({"methods": []}, "methods must not be empty"),
    ({"methods": "read"}, "methods must be a list"),
    ({"tags": [""]}, "tags entries"),
    ({"expires_at": utcnow().replace(tzinfo=None)}, "timezone-aware"),
    ({"name": " "}, "name must not be empty"),
])
async def test_bad_configuration_writes_nothing(store: Store, raw_rows: RawRows, fields: dict, message: str) -> None:
    tenant_id, account_id = await _account(store)
    with pytest.raises(InvalidInput, match=message):
        await store.create_mcp_server(tenant_id, account_id, **{"name": "n", **fields})
    assert await raw_rows("mcp_servers") == []


async def test_deleting_the_account_deletes_its_servers_and_pending_windows(store: Store, raw_rows: RawRows) -> None:
    tenant_id, account_id = await _account(store)
    _, token = await store.create_mcp_server(tenant_id, account_id, name="a")
    await store.record_unmasking_window(tenant_id, account_id, "cust1", close_after=utcnow())
    await store.delete_account(tenant_id, account_id)
    assert await store.mcp_server_for_token(token) is None
    assert await raw_rows("mcp_servers") == [] and await raw_rows("unmasking_windows") == []


async def test_pending_windows_are_claimed_once_when_due_and_forgotten_when_closed(store: Store) -> None:
    tenant_id, account_id = await _account(store)
    now = utcnow()
    due = await store.record_unmasking_window(tenant_id, account_id, "cust-due", close_after=now - timedelta(seconds=1),
                                              mcp_server_id="mcp_x")
    await store.record_unmasking_window(tenant_id, account_id, "cust-later", close_after=now + timedelta(minutes=5))
    claimed = await store.claim_due_unmasking_windows(retry_in=timedelta(minutes=2), now=now)
    assert [w.subject_id for w in claimed] == ["cust-due"]
    assert claimed[0].mcp_server_id == "mcp_x"
    # claiming pushed it ahead: a second sweeper finds nothing now, and finds it again once that passes
    assert await store.claim_due_unmasking_windows(retry_in=timedelta(minutes=2), now=now) == []
    again = await store.claim_due_unmasking_windows(retry_in=timedelta(minutes=2), now=now + timedelta(minutes=3))
    assert [w.id for w in again] == [due.id] and again[0].attempts == 1
    await store.forget_unmasking_window(due.id)
    assert [w.subject_id for w in await store.list_pending_unmasking_windows()] == ["cust-later"]
