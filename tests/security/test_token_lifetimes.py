"""A credential stops working the moment it should: expired MCP URLs, revoked API keys (on the very
next request, also for MCP servers that want the key), deleted servers, deleted accounts.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from app.helpers import Caller, Harness, problem

from unified.sandbox.process import SandboxProcess
from unified.store.types import utcnow

from .support import call_tool, mcp_post, rpc, stable

UNKNOWN_TOKEN = "mcp_" + "x" * 43


async def _server(caller: Caller, account_id: str, **fields: object) -> dict:
    resp = await caller.post("/admin/mcp-servers", json={"integrated_account_id": account_id, **fields})
    assert resp.status_code == 201, resp.text
    return resp.json()


async def _refused_like_unknown(harness: Harness, token: str) -> None:
    """The URL answers exactly as one that never existed (nothing tells an attacker it once worked)."""
    for message in (rpc("tools/list"), rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                                         "clientInfo": {"name": "t", "version": "1"}})):
        gone = await mcp_post(harness.client, token, message)
        never = await mcp_post(harness.client, UNKNOWN_TOKEN, message)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == -32001
        assert stable(gone) == stable(never)


async def test_expiry_is_exact_and_final(harness: Harness, caller: Caller, roomy_sandbox: SandboxProcess) -> None:
    account = await caller.connect(roomy_sandbox)
    expires_at = utcnow() + timedelta(minutes=5)
    server = await _server(caller, account.id, expires_at=expires_at.isoformat())
    token = server["token"]
    assert not (await call_tool(harness.client, token, "list_all_kustomer_brands", {"limit": 1}))["isError"]

    stored = (await harness.store.get_mcp_server(caller.tenant_id, server["id"])).expires_at
    assert await harness.store.mcp_server_for_token(token, now=stored - timedelta(microseconds=1)) is not None
    assert await harness.store.mcp_server_for_token(token, now=stored) is None  # at the instant: gone
    assert await harness.store.mcp_server_for_token(token, now=stored + timedelta(days=365)) is None

    await harness.store.update_mcp_server(caller.tenant_id, server["id"], expires_at=utcnow() - timedelta(seconds=1))
    await _refused_like_unknown(harness, token)
    shown = (await caller.get(f"/admin/mcp-servers/{server['id']}")).json()
    assert shown["expired"] is True

    # extending the expiry through the API revives the same URL: expiry is a setting, not a deletion
    later = (utcnow() + timedelta(hours=1)).isoformat()
    assert (await caller.patch(f"/admin/mcp-servers/{server['id']}", json={"expires_at": later})).status_code == 200
    assert (await mcp_post(harness.client, token, rpc("tools/list"))).status_code == 200


async def test_a_revoked_api_key_is_refused_on_the_next_request(harness: Harness, caller: Caller,
                                                                roomy_sandbox: SandboxProcess) -> None:
    account = await caller.connect(roomy_sandbox)
    second = (await caller.post("/admin/api-keys", json={"name": "short-lived"})).json()
    headers = {"Authorization": f"Bearer {second['api_key']}"}
    locked = await _server(caller, account.id, require_api_token_auth=True)
    assert (await harness.client.get("/admin/accounts", headers=headers)).status_code == 200
    assert (await mcp_post(harness.client, locked["token"], rpc("tools/list"), headers)).status_code == 200

    revoked = await caller.delete(f"/admin/api-keys/{second['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    # the very next request, on every face
    problem(await harness.client.get("/admin/accounts", headers=headers), 401)
    problem(await harness.client.get("/proxy/brands", headers=headers,
                                     params={"integrated_account_id": account.id}), 401)
    problem(await harness.client.get("/unified/ticketing/tickets", headers=headers,
                                     params={"integrated_account_id": account.id}), 401)
    refused = await mcp_post(harness.client, locked["token"], rpc("tools/list"), headers)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == -32001
    # revoking again changes nothing, and the tenant's other key is unaffected
    again = await caller.delete(f"/admin/api-keys/{second['id']}")
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    assert (await caller.get("/admin/accounts")).status_code == 200


async def test_a_key_can_revoke_itself(harness: Harness) -> None:
    caller = await harness.tenant()
    me = [k for k in (await caller.get("/admin/api-keys")).json()["result"]]
    assert len(me) == 1
    assert (await caller.delete(f"/admin/api-keys/{me[0]['id']}")).status_code == 200
    problem(await caller.get("/admin/api-keys"), 401)


async def test_a_deleted_mcp_server_is_refused_at_once(harness: Harness, caller: Caller,
                                                       roomy_sandbox: SandboxProcess) -> None:
    account = await caller.connect(roomy_sandbox)
    server, sibling = await _server(caller, account.id), await _server(caller, account.id)
    assert (await mcp_post(harness.client, server["token"], rpc("tools/list"))).status_code == 200
    assert (await caller.delete(f"/admin/mcp-servers/{server['id']}")).status_code == 200
    await _refused_like_unknown(harness, server["token"])
    assert (await mcp_post(harness.client, sibling["token"], rpc("tools/list"))).status_code == 200


async def test_deleting_the_account_kills_its_mcp_servers(harness: Harness, caller: Caller,
                                                          roomy_sandbox: SandboxProcess) -> None:
    doomed, kept = await caller.connect(roomy_sandbox), await caller.connect(roomy_sandbox)
    servers = [await _server(caller, doomed.id), await _server(caller, doomed.id, tool_exposure="discovery")]
    survivor = await _server(caller, kept.id)
    assert (await caller.delete(f"/admin/accounts/{doomed.id}")).status_code == 200
    for server in servers:
        await _refused_like_unknown(harness, server["token"])
        problem(await caller.get(f"/admin/mcp-servers/{server['id']}"), 404)
    assert await harness.store.get_account_credentials(caller.tenant_id, doomed.id) is None
    listed = (await caller.get("/admin/mcp-servers")).json()["result"]
    assert {s["id"] for s in listed} == {survivor["id"]}
    assert not (await call_tool(harness.client, survivor["token"], "list_all_kustomer_brands", {"limit": 1}))["isError"]
