"""The safe unmasking tool closes the customer's window whatever happens: after a good read,
after a failed read, after the client hangs up; and the sweeper closes what a crash left open,
periodically and at start-up."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp_harness import RunningApp, Tenant, make_tenant, mcp_client, serve, store_config

from unified.sandbox.process import SandboxProcess
from unified.store import Store, StoreConfig
from unified.store.types import utcnow

pytest_plugins = ["mcp_harness"]

TOOL = "read_unmasked_kustomer_customer"


def customer_with_phone(sandbox: SandboxProcess) -> str:
    with sandbox.client() as kustomer:
        for record in kustomer.get("/v1/customers", params={"pageSize": 100}).json()["data"]:
            if record["attributes"].get("phones"):
                return str(record["id"])
    raise AssertionError("the seed has no customer with a phone")


def sandbox_view(sandbox: SandboxProcess, customer: str) -> dict[str, Any]:
    """The customer as Kustomer shows it right now: masked unless a window is open."""
    with sandbox.client() as kustomer:
        return kustomer.get(f"/v1/customers/{customer}").json()["data"]["attributes"]


def is_masked(attributes: dict[str, Any]) -> bool:
    return all(isinstance(p["phone"], dict) and p["phone"].get("isMasked") for p in attributes["phones"])


async def pending_for(store: Store, tenant: Tenant, customer: str) -> list[Any]:
    """Windows of this tenant's account on ``customer`` the service still has to close."""
    return [w for w in await store.list_pending_unmasking_windows()
            if (w.integrated_account_id, w.subject_id) == (tenant.account_id, customer)]


async def test_reads_unmasked_data_then_closes_the_window(mcp_tenant: Tenant, mcp_full_server: dict[str, Any],
                                                          mcp_store: Store) -> None:
    customer = customer_with_phone(mcp_tenant.sandbox)
    assert is_masked(sandbox_view(mcp_tenant.sandbox, customer))
    async with mcp_client(mcp_full_server["url"]) as client:
        result = await client.call_tool(TOOL, {"id": customer, "include": ["customer", "conversations"], "limit": 5})
    assert not result.is_error, result.content
    data = result.structured_content
    phones = data["customer"]["data"]["attributes"]["phones"]
    assert isinstance(phones[0]["phone"], str) and phones[0]["phone"]
    assert data["conversations"]["result_count"] <= 5
    assert data["unmasking_window"] == {"opened": True, "closed": True}
    after = sandbox_view(mcp_tenant.sandbox, customer)
    assert after["unmaskingWindow"] is None and is_masked(after)
    assert await pending_for(mcp_store, mcp_tenant, customer) == []


async def private_tenant(app: RunningApp, store: Store, sandbox: SandboxProcess, name: str) -> Tenant:
    return await make_tenant(app, store, sandbox, name)


async def test_a_failed_read_still_closes_the_window(mcp_app: RunningApp, mcp_store: Store,
                                                     fresh_sandbox: SandboxProcess) -> None:
    tenant = await private_tenant(mcp_app, mcp_store, fresh_sandbox, "failing read")
    server = await tenant.create_server(name="unmask")
    customer = customer_with_phone(fresh_sandbox)
    with fresh_sandbox.client() as kustomer:  # the conversations read fails; opening and closing do not
        faults = {"queue": ["error:500"], "path_prefix": f"/v1/customers/{customer}/conversations"}
        assert kustomer.put("/__sandbox/faults", json=faults).status_code == 200
    async with mcp_client(server["url"]) as client:
        result = await client.call_tool(TOOL, {"id": customer, "include": ["customer", "conversations"]})
    assert result.is_error
    error = result.structured_content["error"]
    assert error["vendor_status"] == 500
    assert error["unmasking_window"] == {"opened": True, "closed": True}
    assert "reading conversations" in result.content[0].text and "was closed again" in result.content[0].text
    after = sandbox_view(fresh_sandbox, customer)
    assert after["unmaskingWindow"] is None and is_masked(after)
    assert await pending_for(mcp_store, tenant, customer) == []


async def test_a_client_that_hangs_up_mid_read_does_not_leave_the_window_open(
        mcp_app: RunningApp, mcp_store: Store, fresh_sandbox: SandboxProcess) -> None:
    tenant = await private_tenant(mcp_app, mcp_store, fresh_sandbox, "hang up")
    server = await tenant.create_server(name="unmask")
    customer = customer_with_phone(fresh_sandbox)
    with fresh_sandbox.client() as kustomer:  # every vendor call now takes 0.8 s
        assert kustomer.post("/__sandbox/reset-limits").status_code == 204
        assert kustomer.put("/__sandbox/faults", json={"latency_ms": 800}).status_code == 200
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": TOOL, "arguments": {"id": customer, "include": ["customer"]}}}
    async with httpx.AsyncClient(timeout=1.2) as client:  # gone after the open, before the read is done
        with pytest.raises(httpx.TimeoutException):
            await client.post(server["url"], json=call)
    deadline = time.monotonic() + 20
    while await pending_for(mcp_store, tenant, customer) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    with fresh_sandbox.client() as kustomer:
        assert kustomer.put("/__sandbox/faults", json={}).status_code == 200
        state = kustomer.get("/v1/brands")
    assert await pending_for(mcp_store, tenant, customer) == []
    after = sandbox_view(fresh_sandbox, customer)
    assert after["unmaskingWindow"] is None and is_masked(after)
    used = int(state.headers["x-ratelimit-limit"]) - int(state.headers["x-ratelimit-remaining"])
    assert used == 4  # open, read, close... and the /v1/brands probe itself: the call did run to the end


async def test_the_sweeper_closes_windows_left_open(mcp_tenant: Tenant, mcp_store: Store) -> None:
    customer = customer_with_phone(mcp_tenant.sandbox)
    with mcp_tenant.sandbox.client() as kustomer:  # a window opened by a process that then died
        assert kustomer.post(f"/v1/customers/{customer}/unmasking-windows").status_code == 201
    assert sandbox_view(mcp_tenant.sandbox, customer)["unmaskingWindow"] is not None
    await mcp_store.record_unmasking_window(mcp_tenant.tenant_id, mcp_tenant.account_id, customer,
                                            close_after=utcnow() - timedelta(seconds=1))
    deadline = time.monotonic() + 15
    while await pending_for(mcp_store, mcp_tenant, customer) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert await pending_for(mcp_store, mcp_tenant, customer) == []
    assert sandbox_view(mcp_tenant.sandbox, customer)["unmaskingWindow"] is None


async def test_the_sweeper_also_runs_at_start_up(tmp_path: Path, roomy_sandbox: SandboxProcess) -> None:
    config: StoreConfig = store_config(tmp_path)
    customer = customer_with_phone(roomy_sandbox)
    store = await Store.open(config)
    try:
        tenant = await store.create_tenant("restart")
        account = await store.create_account(tenant.id, "kustomer", settings={"base_url": roomy_sandbox.base_url},
                                             credentials={"api_key": roomy_sandbox.api_key})
        with roomy_sandbox.client() as kustomer:
            assert kustomer.post(f"/v1/customers/{customer}/unmasking-windows").status_code == 201
        await store.record_unmasking_window(tenant.id, account.id, customer, close_after=utcnow())
        with serve(config, sweep_seconds="3600"):  # no periodic sweep within this test: only the start-up one
            deadline = time.monotonic() + 15
            while await store.list_pending_unmasking_windows() and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
        assert await store.list_pending_unmasking_windows() == []
        assert sandbox_view(roomy_sandbox, customer)["unmaskingWindow"] is None
    finally:
        await store.close()


async def test_the_tool_needs_open_close_and_read_in_scope(mcp_tenant: Tenant) -> None:
    reader = await mcp_tenant.create_server(name="reader", methods=["read"])
    both = await mcp_tenant.create_server(name="both", methods=["read", "write"], tags=["customers"])
    async with mcp_client(reader["url"]) as client:
        with pytest.raises(Exception, match=f"Unknown tool: {TOOL}"):
            await client.call_tool(TOOL, {"id": "x"})
    async with mcp_client(both["url"]) as client:
        bad = await client.call_tool(TOOL, {"id": "x", "include": ["invoices"]})
        assert bad.is_error and "include" in bad.content[0].text
