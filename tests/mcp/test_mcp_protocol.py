"""The MCP endpoint's wire protocol: the official client in both connect modes, and raw JSON-RPC
over HTTP for version negotiation, notifications, errors and the HTTP-level answers."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from mcp_harness import Tenant, connect_error, mcp_client

from unified.mcp.protocol import SUPPORTED_VERSIONS

pytest_plugins = ["mcp_harness"]

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}


async def post(url: str, body: Any, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        if isinstance(body, (dict, list)):
            return await client.post(url, json=body, headers={"accept": "application/json, text/event-stream",
                                                              **headers})
        return await client.post(url, content=body, headers={"content-type": "application/json", **headers})


def rpc(method: str, params: Any = None, ident: int | str = 7) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": ident, "method": method}
    if params is not None:
        message["params"] = params
    return message


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_official_client_connects_in_both_modes(mcp_full_server: dict[str, Any], mode: str) -> None:
    # auto probes server/discover first and must fall back to initialize; legacy goes straight there
    started = time.monotonic()
    async with mcp_client(mcp_full_server["url"], mode=mode) as client:
        assert client.protocol_version == "2025-11-25"
        assert client.server_info is not None and client.server_info.name == "unified"
        assert client.server_capabilities.tools is not None
        await client.send_ping()
        first = await client.list_tools()
        assert first.tools and first.next_cursor
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
async def test_initialize_echoes_every_supported_version(mcp_full_server: dict[str, Any], version: str) -> None:
    reply = await post(mcp_full_server["url"], {**INIT, "params": {**INIT["params"], "protocolVersion": version}})
    assert reply.status_code == 200
    result = reply.json()["result"]
    assert result["protocolVersion"] == version
    assert result["capabilities"] == {"tools": {"listChanged": False}}
    assert "Kustomer" in result["instructions"]
    assert "mcp-session-id" not in reply.headers  # stateless: any instance serves the next request


async def test_initialize_with_an_unknown_version_offers_the_latest(mcp_full_server: dict[str, Any]) -> None:
    reply = await post(mcp_full_server["url"], {**INIT, "params": {**INIT["params"], "protocolVersion": "1999-01-01"}})
    assert reply.json()["result"]["protocolVersion"] == "2025-11-25"
    missing = await post(mcp_full_server["url"], {**INIT, "params": {"capabilities": {}}})
    assert missing.json()["error"]["code"] == -32602


async def test_server_discover_gets_a_json_rpc_error_not_a_5xx(mcp_full_server: dict[str, Any]) -> None:
    probe = rpc("server/discover", {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}})
    reply = await post(mcp_full_server["url"], probe, **{"mcp-protocol-version": "2026-07-28",
                                                         "mcp-method": "server/discover"})
    assert reply.status_code < 500
    assert reply.json() == {"jsonrpc": "2.0", "id": 7,
                            "error": {"code": -32601, "message": "Method not found: server/discover"}}


async def test_ping_notifications_and_batches(mcp_full_server: dict[str, Any]) -> None:
    url = mcp_full_server["url"]
    assert (await post(url, rpc("ping"))).json() == {"jsonrpc": "2.0", "id": 7, "result": {}}
    accepted = await post(url, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert accepted.status_code == 202 and accepted.content == b""
    batch = await post(url, [rpc("ping", ident=1), {"jsonrpc": "2.0", "method": "notifications/cancelled",
                                                    "params": {"requestId": 1}}, rpc("nope", ident=2)])
    assert batch.status_code == 200
    assert [(m["id"], "result" in m) for m in batch.json()] == [(1, True), (2, False)]


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, -32700),
    ({"id": 1, "method": "ping"}, 400, -32600),
    ({"jsonrpc": "2.0", "id": None, "method": "ping"}, 400, -32600),
    ({"jsonrpc": "2.0", "id": True, "method": "ping"}, 400, -32600),
    ([], 400, -32600),
    (rpc("resources/list"), 200, -32601),
    (rpc("tools/call", {"arguments": {}}), 200, -32602),
    (rpc("tools/call", {"name": "no_such_tool"}), 200, -32602),
    (rpc("tools/call", {"name": "list_all_kustomer_brands", "arguments": [1]}), 200, -32602),
    (rpc("tools/list", [1, 2]), 200, -32602),
    (rpc("tools/list", {"cursor": "forged.cursor"}), 200, -32602),
])
async def test_malformed_and_invalid_messages_get_json_rpc_errors(mcp_full_server: dict[str, Any], body: Any,
                                                                 status: int, code: int) -> None:
    reply = await post(mcp_full_server["url"], body)
    assert reply.status_code == status
    assert reply.json()["error"]["code"] == code


async def test_unsupported_protocol_version_header_is_a_400(mcp_full_server: dict[str, Any]) -> None:
    reply = await post(mcp_full_server["url"], rpc("tools/list"), **{"mcp-protocol-version": "2030-01-01"})
    assert reply.status_code == 400
    assert reply.json()["error"]["data"]["supported"] == list(SUPPORTED_VERSIONS)


async def test_get_and_delete_answer_405_as_the_spec_says_without_a_stream(mcp_full_server: dict[str, Any]) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        for method in ("GET", "DELETE"):
            reply = await client.request(method, mcp_full_server["url"], headers={"accept": "text/event-stream"})
            assert reply.status_code == 405
            assert reply.headers["allow"] == "POST"


async def test_results_follow_the_negotiated_version(mcp_full_server: dict[str, Any]) -> None:
    url = mcp_full_server["url"]
    call = rpc("tools/call", {"name": "list_all_kustomer_brands", "arguments": {"limit": 1}})
    old = (await post(url, call, **{"mcp-protocol-version": "2025-03-26"})).json()["result"]
    new = (await post(url, call, **{"mcp-protocol-version": "2025-06-18"})).json()["result"]
    assert "structuredContent" not in old and new["structuredContent"]["result_count"] == 1
    oldest = (await post(url, rpc("tools/list"), **{"mcp-protocol-version": "2024-11-05"})).json()["result"]
    assert "annotations" not in oldest["tools"][0] and "title" not in oldest["tools"][0]


async def test_unknown_and_deleted_server_urls_are_refused(mcp_tenant: Tenant, mcp_full_server: dict[str, Any]) -> None:
    base = mcp_full_server["url"].rsplit("/", 1)[0]
    reply = await post(base + "/mcp_not-a-real-token", INIT)
    assert reply.status_code == 404 and reply.json()["error"]["code"] == -32001
    server = await mcp_tenant.create_server(name="short-lived")
    async with mcp_client(server["url"]) as client:
        await client.send_ping()
    async with mcp_tenant.admin() as admin:
        assert (await admin.delete(f"/admin/mcp-servers/{server['id']}")).status_code == 200
    assert (await post(server["url"], INIT)).status_code == 404
    error = await connect_error(server["url"], mode="auto")
    assert error.error.code == -32001 and "Unknown or expired" in error.error.message


async def test_browser_origins_other_than_ours_are_refused(mcp_full_server: dict[str, Any]) -> None:
    url = mcp_full_server["url"]
    assert (await post(url, rpc("ping"), origin="http://evil.example")).status_code == 403
    own = url.split("/mcp/")[0]
    assert (await post(url, rpc("ping"), origin=own)).status_code == 200
