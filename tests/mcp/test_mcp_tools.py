"""Tools generated from the catalogue, listed and called with the official client against the
sandbox: every name, their schemas and hints, reads with cursors, writes, argument checks and
vendor errors (a 429 included) as results an agent can act on."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import httpx
from mcp_harness import RunningApp, Tenant, list_all_tools, make_tenant, mcp_client

from unified.catalogue.loader import load_all
from unified.mcp.server import TOOLS_PAGE_SIZE
from unified.sandbox.process import SandboxProcess
from unified.store import Store

pytest_plugins = ["mcp_harness"]

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "kustomer-integration-page.txt"
TOOL_LINE = re.compile(
    r"^(list_all_kustomer|get_single_kustomer|create_a_kustomer|update_a_kustomer|delete_a_kustomer|kustomer_)[a-z_]+$"
)
UNMASK_TOOL = "read_unmasked_kustomer_customer"


def seed_names() -> set[str]:
    names = [line.strip() for line in SEED.read_text().splitlines() if TOOL_LINE.match(line.strip())]
    assert len(names) == 168
    return set(names)


def error_of(result: Any) -> dict[str, Any]:
    assert result.is_error, result
    return result.structured_content["error"]


async def test_every_page_together_lists_the_168_tools_exactly(mcp_full_server: dict[str, Any]) -> None:
    async with mcp_client(mcp_full_server["url"]) as client:
        tools, pages = await list_all_tools(client)
    names = [tool.name for tool in tools]
    assert len(names) == len(set(names))
    assert set(names) == seed_names() | {UNMASK_TOOL}
    assert pages == math.ceil(len(names) / TOOLS_PAGE_SIZE) > 1
    assert names == sorted(names)  # deterministic order, so pages never shift
    for tool in tools:
        assert tool.description and len(tool.description) > 20, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint is not None, tool.name


async def test_schemas_are_flat_with_required_marked_and_paging_arguments(mcp_full_server: dict[str, Any]) -> None:
    async with mcp_client(mcp_full_server["url"]) as client:
        tools = {t.name: t for t in (await list_all_tools(client))[0]}
    get = tools["get_single_kustomer_customer_by_id"].input_schema
    assert get["required"] == ["id"] and "limit" not in get["properties"]
    listed = tools["list_all_kustomer_customer_conversations"].input_schema
    assert set(listed["properties"]) == {"id", "fromDate", "limit", "next_cursor"} and listed["required"] == ["id"]
    assert "exactly as received" in listed["properties"]["next_cursor"]["description"]
    assert "next_cursor" in tools["list_all_kustomer_customer_conversations"].description
    tag = tools["create_a_kustomer_conversation_tag"].input_schema
    assert tag["properties"]["body"]["type"] == "array" and tag["required"] == ["id", "body"]
    message = tools["create_a_kustomer_conversation_message"].input_schema["properties"]
    assert "id" in message and "body_id" in message  # path id and the body's own id, both reachable
    update = tools["update_a_kustomer_conversation_by_id"].input_schema  # a oneOf body, flattened
    assert {"id", "replace", "status", "customer"} <= set(update["properties"])
    create = tools["create_a_kustomer_customer"].input_schema
    assert "name" in create["properties"] and "body" not in create["properties"]


async def test_annotations_say_what_a_tool_does(mcp_full_server: dict[str, Any]) -> None:
    async with mcp_client(mcp_full_server["url"]) as client:
        hints = {t.name: t.annotations for t in (await list_all_tools(client))[0]}
    read, delete = hints["get_single_kustomer_customer_by_id"], hints["delete_a_kustomer_customer_by_id"]
    create, update = hints["create_a_kustomer_customer"], hints["update_a_kustomer_customer_by_id"]
    assert read.read_only_hint and read.open_world_hint
    assert not delete.read_only_hint and delete.destructive_hint and delete.idempotent_hint
    assert not create.read_only_hint and not create.destructive_hint and not create.idempotent_hint
    assert not update.destructive_hint and update.idempotent_hint  # PUT
    assert create.title == "Create a Kustomer customer"


async def test_list_tools_page_with_cursors_passed_back_unchanged(mcp_tenant: Tenant,
                                                                  mcp_full_server: dict[str, Any]) -> None:
    async with mcp_client(mcp_full_server["url"]) as client:
        first = await client.call_tool("list_all_kustomer_customers", {"limit": 40})
        assert not first.is_error
        page = first.structured_content
        assert json.loads(first.content[0].text) == page
        seen = [r["id"] for r in page["result"]]
        assert page["result_count"] == len(seen) == 40 and page["next_cursor"]
        while page["next_cursor"]:
            more = await client.call_tool("list_all_kustomer_customers", {"next_cursor": page["next_cursor"]})
            assert not more.is_error, more.content
            page = more.structured_content
            seen += [r["id"] for r in page["result"]]
    direct, url = [], "/v1/customers?pageSize=100"
    with mcp_tenant.sandbox.client() as kustomer:
        while url:
            body = kustomer.get(url).json()
            direct += [r["id"] for r in body["data"]]
            url = body["links"].get("next")
    assert len(seen) == len(set(seen)) and sorted(seen) == sorted(direct)


async def test_write_tools_create_update_and_tag(mcp_tenant: Tenant, mcp_full_server: dict[str, Any]) -> None:
    async with mcp_client(mcp_full_server["url"]) as client:
        created = await client.call_tool("create_a_kustomer_customer", {"name": "Ada MCP"})
        assert not created.is_error, created.content
        customer = created.structured_content["data"]["id"]
        renamed = await client.call_tool("update_a_kustomer_customer_by_id", {"id": customer, "name": "Ada Agent"})
        assert renamed.structured_content["data"]["attributes"]["name"] == "Ada Agent"
        conversation = await client.call_tool("create_a_kustomer_customer_conversation",
                                              {"id": customer, "name": "From an agent"})
        conversation_id = conversation.structured_content["data"]["id"]
        tagged = await client.call_tool("create_a_kustomer_conversation_tag",
                                        {"id": conversation_id, "body": ["vip-mcp"]})
        assert not tagged.is_error, tagged.content
    with mcp_tenant.sandbox.client() as kustomer:
        stored = kustomer.get(f"/v1/customers/{customer}").json()["data"]["attributes"]
        tags = kustomer.get(f"/v1/conversations/{conversation_id}").json()["data"]["attributes"]["tags"]
    assert stored["name"] == "Ada Agent"
    assert len(tags) == 1


async def private_server(app: RunningApp, store: Store, sandbox: SandboxProcess, name: str) -> str:
    tenant = await make_tenant(app, store, sandbox, name)
    return (await tenant.create_server(name=name))["url"]


async def test_bad_arguments_are_refused_before_anything_is_sent(mcp_app: RunningApp, mcp_store: Store,
                                                                 fresh_sandbox: SandboxProcess) -> None:
    url = await private_server(mcp_app, mcp_store, fresh_sandbox, "validation")
    with fresh_sandbox.client() as kustomer:  # the next request that reaches the sandbox fails with 503
        assert kustomer.put("/__sandbox/faults", json={"queue": ["error:503"]}).status_code == 200
    async with mcp_client(url) as client:
        missing = await client.call_tool("get_single_kustomer_customer_by_id", {})
        wrong = await client.call_tool("create_a_kustomer_conversation_tag", {"id": "c1", "body": "vip"})
        unknown = await client.call_tool("get_single_kustomer_customer_by_id", {"id": "x", "colour": "red"})
        bad_limit = await client.call_tool("list_all_kustomer_brands", {"limit": 0})
        for result, argument in ((missing, "id"), (wrong, "body"), (unknown, "colour"), (bad_limit, "limit")):
            error = error_of(result)
            assert error["status"] == 400 and "nothing was sent" in result.content[0].text
            assert any(p.startswith(argument) for p in error["problems"]), error
        reached = await client.call_tool("list_all_kustomer_brands", {})
    assert error_of(reached)["vendor_status"] == 503  # the queued fault was still waiting: nothing got through


async def test_vendor_errors_come_back_as_tool_errors_with_the_vendor_message(mcp_full_server: dict[str, Any]) -> None:
    async with mcp_client(mcp_full_server["url"]) as client:
        result = await client.call_tool("get_single_kustomer_customer_by_id", {"id": "0" * 24})
    error = error_of(result)
    assert error["status"] == 404 and error["vendor_status"] == 404 and error["from_vendor"] is True
    assert result.content[0].text.startswith("Kustomer answered 404")


async def test_a_429_says_how_long_to_wait(mcp_app: RunningApp, mcp_store: Store,
                                           fresh_sandbox: SandboxProcess) -> None:
    url = await private_server(mcp_app, mcp_store, fresh_sandbox, "rate-limited")
    with fresh_sandbox.client() as kustomer:
        assert kustomer.put("/__sandbox/settings", json={"org_rate_limit": 2}).status_code == 200
        assert kustomer.post("/__sandbox/reset-limits").status_code == 204
    async with mcp_client(url) as client:
        results = [await client.call_tool("list_all_kustomer_brands", {"limit": 1}) for _ in range(3)]
    assert [r.is_error for r in results] == [False, False, True]
    error = error_of(results[2])
    assert error["status"] == 429 and error["vendor_status"] == 429
    seconds = error["retry_after_seconds"]
    assert isinstance(seconds, int) and 0 <= seconds <= 61  # the sandbox's 60 s window, rounded up
    assert f"wait {seconds} seconds" in results[2].content[0].text
    assert error["rate_limit"]["ratelimit-remaining"] == "0"


async def test_download_only_follows_links_on_the_vendor_host(mcp_full_server: dict[str, Any]) -> None:
    async with mcp_client(mcp_full_server["url"]) as client:
        result = await client.call_tool("kustomer_conversation_attachments_download",
                                        {"url": "http://169.254.169.254/latest/meta-data"})
    assert result.is_error and "Only links on" in result.content[0].text


async def test_admin_api_reports_the_tool_count(mcp_tenant: Tenant, mcp_full_server: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=mcp_tenant.app.base_url,
                                 headers={"Authorization": f"Bearer {mcp_tenant.api_key}"}) as admin:
        view = (await admin.get(f"/admin/mcp-servers/{mcp_full_server['id']}")).json()
    assert view["tool_count"] == len(load_all()["kustomer"].operations) + 1
    assert "token" not in view and "url" not in view
