"""What a server exposes and to whom: method and tag filters, discovery mode end to end,
expiry, and the API-key requirement, all through the official client."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from mcp_harness import Tenant, connect_error, list_all_tools, make_tenant, mcp_client

from unified.catalogue.loader import load_all
from unified.mcp.protocol import SERVER_NOT_AVAILABLE
from unified.store import Store
from unified.store.types import utcnow

pytest_plugins = ["mcp_harness"]

CATALOGUE = load_all()["kustomer"]
UNMASK_TOOL = "read_unmasked_kustomer_customer"


async def listed_names(url: str, **kwargs: Any) -> set[str]:
    async with mcp_client(url, **kwargs) as client:
        return {tool.name for tool in (await list_all_tools(client))[0]}


async def test_methods_read_exposes_only_tools_that_change_nothing(mcp_tenant: Tenant) -> None:
    server = await mcp_tenant.create_server(name="reader", methods=["read"])
    expected = {op.tool_name for op in CATALOGUE.operations.values() if op.access == "read"}
    async with mcp_client(server["url"]) as client:
        tools = (await list_all_tools(client))[0]
        assert {t.name for t in tools} == expected and len(expected) > 50
        assert all(t.annotations.read_only_hint for t in tools)
        with pytest.raises(Exception, match="Unknown tool: create_a_kustomer_customer"):
            await client.call_tool("create_a_kustomer_customer", {"name": "not allowed"})
    assert UNMASK_TOOL not in expected  # opening a window is a write, so no unmasking on a read-only server


async def test_tags_and_methods_combine_with_and(mcp_tenant: Tenant) -> None:
    server = await mcp_tenant.create_server(name="conversation writer", methods=["write"], tags=["conversations"])
    expected = {op.tool_name for op in CATALOGUE.operations.values()
                if op.access == "write" and "conversations" in op.tags}
    names = await listed_names(server["url"])
    assert names == expected
    assert "create_a_kustomer_conversation_tag" in names and "list_all_kustomer_conversations" not in names
    assert not any("customer_unmasking" in name for name in names)


async def test_exact_method_and_tool_names_and_custom(mcp_tenant: Tenant) -> None:
    exact = await mcp_tenant.create_server(name="exact", methods=["get_single_kustomer_customer_by_id", "using_email"])
    assert await listed_names(exact["url"]) == {"get_single_kustomer_customer_by_id", "kustomer_customers_using_email"}
    custom = await mcp_tenant.create_server(name="custom", methods=["custom"])
    assert await listed_names(custom["url"]) == {op.tool_name for op in CATALOGUE.operations.values() if op.is_custom}


async def test_discovery_mode_end_to_end(mcp_tenant: Tenant) -> None:
    server = await mcp_tenant.create_server(name="discovery", tool_exposure="discovery")
    async with mcp_client(server["url"], mode="auto") as client:
        listed = (await client.list_tools())
        assert {t.name for t in listed.tools} == {"search_tools", "get_tool_schema", "call_tool"}
        assert listed.next_cursor is None
        found = await client.call_tool("search_tools", {"query": "add tags to a conversation"})
        names = [t["name"] for t in found.structured_content["tools"]]
        assert "create_a_kustomer_conversation_tag" in names[:3]
        schemas = await client.call_tool("get_tool_schema",
                                         {"tool_names": ["create_a_kustomer_conversation_tag", "lsit_all_kustomer_brands"]})
        [schema] = schemas.structured_content["tools"]
        assert schema["inputSchema"]["properties"]["body"]["type"] == "array"
        [missing] = schemas.structured_content["not_found"]
        assert missing["did_you_mean"][0] == "list_all_kustomer_brands"
        called = await client.call_tool("call_tool", {"tool_name": "list_all_kustomer_brands",
                                                      "arguments": {"limit": 1}})
        assert not called.is_error and called.structured_content["result_count"] == 1
        invalid = await client.call_tool("call_tool", {"tool_name": "get_single_kustomer_customer_by_id",
                                                       "arguments": {}})
        assert invalid.is_error and "id: required" in invalid.content[0].text
        direct = await client.call_tool("list_all_kustomer_brands", {"limit": 1})
        assert direct.is_error and "call_tool" in direct.content[0].text


async def test_discovery_only_finds_and_calls_tools_in_scope(mcp_tenant: Tenant) -> None:
    server = await mcp_tenant.create_server(name="read discovery", tool_exposure="discovery", methods=["read"])
    async with mcp_client(server["url"]) as client:
        found = await client.call_tool("search_tools", {"query": "create customer", "limit": 50})
        assert found.structured_content["tools"] and all(t["read_only"] for t in found.structured_content["tools"])
        refused = await client.call_tool("call_tool", {"tool_name": "create_a_kustomer_customer",
                                                       "arguments": {"name": "x"}})
    assert refused.is_error and refused.structured_content["error"]["status"] == 404


async def test_expired_servers_stop_working_at_once(mcp_tenant: Tenant, mcp_store: Store) -> None:
    async with mcp_tenant.admin() as admin:
        too_soon = await admin.post("/admin/mcp-servers", json={
            "integrated_account_id": mcp_tenant.account_id, "expires_at": (utcnow() + timedelta(seconds=30)).isoformat()})
        assert too_soon.status_code == 400 and too_soon.json()["pointer"] == "/expires_at"
    server = await mcp_tenant.create_server(name="expiring", expires_at=(utcnow() + timedelta(minutes=2)).isoformat())
    assert server["expired"] is False
    async with mcp_client(server["url"]) as client:
        assert (await client.call_tool("list_all_kustomer_brands", {"limit": 1})).is_error is False
        # expiry arrives (set in the database: the API refuses times under a minute ahead)
        await mcp_store.update_mcp_server(mcp_tenant.tenant_id, server["id"], expires_at=utcnow() - timedelta(seconds=1))
        with pytest.raises(Exception, match="Unknown or expired"):
            await client.call_tool("list_all_kustomer_brands", {"limit": 1})
    error = await connect_error(server["url"])
    assert error.error.code == SERVER_NOT_AVAILABLE
    async with mcp_tenant.admin() as admin:
        assert (await admin.get(f"/admin/mcp-servers/{server['id']}")).json()["expired"] is True


async def test_require_api_token_auth_needs_the_tenants_key_too(mcp_tenant: Tenant, mcp_store: Store) -> None:
    server = await mcp_tenant.create_server(name="two factors", require_api_token_auth=True, methods=["read"])
    error = await connect_error(server["url"])
    assert error.error.code == SERVER_NOT_AVAILABLE and "API key" in error.error.message
    other = await make_tenant(mcp_tenant.app, mcp_store, mcp_tenant.sandbox, "someone else")
    foreign = await connect_error(server["url"], headers={"Authorization": f"Bearer {other.api_key}"})
    assert foreign.error.code == SERVER_NOT_AVAILABLE
    async with mcp_client(server["url"], headers={"Authorization": f"Bearer {mcp_tenant.api_key}"}) as client:
        result = await client.call_tool("list_all_kustomer_brands", {"limit": 1})
        assert not result.is_error
