"""Tenant isolation on every route of the app, enumerated from Litestar's route table.

Two tenants, A and B, each with an API key, an integrated account on its own vendor org and
MCP servers. For every (method, route) the app serves, tenant B aims at A's account id, API
key id, MCP server id, cursors or token and must get the documented refusal (404 for ids,
400 for cursors, 401 for an MCP server that also wants A's API key) and never any of A's
data. A route added later without a case here fails ``test_every_route_has_a_case``.
Runs on SQLite and PostgreSQL (the ``harness`` fixture is parametrized by backend).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from app.helpers import Caller, Harness, problem

from unified.sandbox.process import SandboxProcess

from .support import call_tool, mcp_post, rpc

# Served to anyone without a key and holding no tenant data (checked below): health and the API docs.
PUBLIC_PREFIXES = ("/health", "/schema")
# Litestar answers OPTIONS itself for every path (CORS preflight), without running a handler.
FRAMEWORK_METHODS = {"OPTIONS", "HEAD"}
UNKNOWN_ACCOUNT = "acc_00000000000000000000000000"


@dataclass
class World:
    harness: Harness
    a: Caller
    b: Caller
    a_account: str
    b_account: str
    a_server: dict[str, Any]
    a_locked_server: dict[str, Any]  # requires the tenant's API key as well as the URL
    b_server: dict[str, Any]
    a_key_id: str
    a_conversation: str
    a_proxy_cursor: str
    a_unified_cursor: str
    a_brands: set[str]
    b_brands: set[str]
    markers: dict[str, str] = field(default_factory=dict)  # strings that only A's data contains

    def assert_no_a_data(self, text: str) -> None:
        found = [name for name, value in self.markers.items() if value in text]
        assert not found, (found, text[:400])

    def refused(self, resp: Any, status: int = 404) -> dict[str, Any]:
        body = problem(resp, status)
        assert body["from_vendor"] is False
        self.assert_no_a_data(resp.text + repr(resp.headers))
        return body


async def _server(caller: Caller, account: str, **fields: Any) -> dict[str, Any]:
    resp = await caller.post("/admin/mcp-servers", json={"integrated_account_id": account, **fields})
    assert resp.status_code == 201, resp.text
    return resp.json()


def _brand_ids(sandbox: SandboxProcess) -> set[str]:
    with sandbox.client() as vendor:
        return {b["id"] for b in vendor.get("/v1/brands").json()["data"]}


@pytest.fixture(scope="module")
async def world(harness: Harness, roomy_sandbox: SandboxProcess, other_sandbox: SandboxProcess) -> World:
    a, b = await harness.tenant(), await harness.tenant()
    tag = secrets.token_hex(4)
    a_account = (await a.connect(roomy_sandbox, name=f"alpha-account-{tag}")).id
    b_account = (await b.connect(other_sandbox, name=f"beta-account-{tag}")).id
    a_server = await _server(a, a_account, name=f"alpha-server-{tag}")
    a_locked = await _server(a, a_account, name=f"alpha-locked-{tag}", require_api_token_auth=True)
    b_server = await _server(b, b_account, name=f"beta-server-{tag}")
    created = await a.post("/admin/api-keys", json={"name": f"alpha-key-{tag}"})
    assert created.status_code == 201
    on_a = {"integrated_account_id": a_account}
    page = (await a.get("/proxy/conversations", params={**on_a, "limit": 1})).json()
    unified_page = (await a.get("/unified/ticketing/tickets", params={**on_a, "limit": 1})).json()
    assert page["next_cursor"] and unified_page["next_cursor"]
    a_brands, b_brands = _brand_ids(roomy_sandbox), _brand_ids(other_sandbox)
    assert a_brands and b_brands and not a_brands & b_brands  # the two orgs are told apart by their brands
    world = World(harness, a, b, a_account, b_account, a_server, a_locked, b_server, created.json()["id"],
                  page["result"][0]["id"], page["next_cursor"], unified_page["next_cursor"], a_brands, b_brands)
    world.markers = {
        "A's account name": f"alpha-account-{tag}", "A's server name": f"alpha-server-{tag}",
        "A's locked server name": f"alpha-locked-{tag}", "A's key name": f"alpha-key-{tag}",
        "A's API key": a.api_key, "A's new API key": created.json()["api_key"],
        "A's vendor key": roomy_sandbox.api_key, "A's vendor URL": roomy_sandbox.base_url,
        "A's MCP token": a_server["token"], "A's locked MCP token": a_locked["token"],
        **{f"A's brand {i}": brand for i, brand in enumerate(sorted(a_brands))},
    }
    return world


Case = Callable[[World], Awaitable[None]]
CASES: dict[tuple[str, str], Case] = {}


def case(*routes: tuple[str, str]) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        for route in routes:
            assert route not in CASES, route
            CASES[route] = fn
        return fn
    return register


ACCOUNTS, ACCOUNT = "/admin/accounts", "/admin/accounts/{account_id:str}"
KEYS, KEY = "/admin/api-keys", "/admin/api-keys/{key_id:str}"
SERVERS, SERVER = "/admin/mcp-servers", "/admin/mcp-servers/{server_id:str}"
PROXY, PASSTHROUGH = "/proxy/{rest:path}", "/passthrough/{rest:path}"
UNIFIED_LIST, UNIFIED_ITEM = "/unified/{api:str}/{resource:str}", "/unified/{api:str}/{resource:str}/{record_id:str}"
MCP = "/mcp/{token:str}"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@case(("GET", ACCOUNTS))
async def list_accounts(w: World) -> None:
    for params in ({}, {"next_cursor": w.a_account}, {"limit": "200"}):
        resp = await w.b.get(ACCOUNTS, params=params)
        assert resp.status_code == 200
        assert {a["id"] for a in resp.json()["result"]} <= {w.b_account} | await _b_accounts(w)
        w.assert_no_a_data(resp.text)


async def _b_accounts(w: World) -> set[str]:
    return {a.id for a in (await w.harness.store.list_accounts(w.b.tenant_id, limit=200)).items}


@case(("POST", ACCOUNTS))
async def create_account(w: World) -> None:
    body = {"provider": "kustomer", "settings": {"base_url": "http://127.0.0.1:9"}, "credentials": {"api_key": "k"}}
    smuggled = await w.b.post(ACCOUNTS, json={**body, "tenant_id": w.a.tenant_id})
    assert w.refused(smuggled, 400)["pointer"] == "/tenant_id"
    made = await w.b.post(ACCOUNTS, json=body)
    assert made.status_code == 201
    assert (await w.harness.store.get_account(w.b.tenant_id, made.json()["id"])) is not None
    w.refused(await w.a.get(f"{ACCOUNTS}/{made.json()['id']}"))  # it went to B, not to A


@case(("GET", ACCOUNT), ("PATCH", ACCOUNT), ("DELETE", ACCOUNT))
async def one_account(w: World) -> None:
    url = f"{ACCOUNTS}/{w.a_account}"
    for resp in (await w.b.get(url), await w.b.patch(url, json={"name": "mine"}),
                 await w.b.patch(url, json={"credentials": {"api_key": "mine"}}), await w.b.delete(url)):
        assert w.a_account in w.refused(resp)["detail"]


@case(("GET", KEYS))
async def list_keys(w: World) -> None:
    resp = await w.b.get(KEYS)
    assert resp.status_code == 200
    own = {k.id for k in await w.harness.store.list_api_keys(w.b.tenant_id)}
    assert {k["id"] for k in resp.json()["result"]} == own and w.a_key_id not in own
    w.assert_no_a_data(resp.text)


@case(("POST", KEYS))
async def create_key(w: World) -> None:
    smuggled = await w.b.post(KEYS, json={"name": "x", "tenant_id": w.a.tenant_id})
    assert w.refused(smuggled, 400)["pointer"] == "/tenant_id"
    made = await w.b.post(KEYS, json={"name": "b's second key"})
    assert made.status_code == 201
    as_new = await w.harness.client.get(ACCOUNTS, headers={"Authorization": f"Bearer {made.json()['api_key']}"})
    assert w.a_account not in {a["id"] for a in as_new.json()["result"]}  # a key of B, seeing B's accounts


@case(("DELETE", KEY))
async def revoke_key(w: World) -> None:
    assert w.a_key_id in w.refused(await w.b.delete(f"{KEYS}/{w.a_key_id}"))["detail"]
    [key] = [k for k in await w.harness.store.list_api_keys(w.a.tenant_id) if k.id == w.a_key_id]
    assert key.revoked_at is None


@case(("GET", SERVERS))
async def list_servers(w: World) -> None:
    for params in ({}, {"integrated_account_id": w.a_account}, {"next_cursor": w.a_server["id"]}):
        resp = await w.b.get(SERVERS, params=params)
        assert resp.status_code == 200, resp.text
        ids = {s["id"] for s in resp.json()["result"]}
        assert ids <= {w.b_server["id"]}
        w.assert_no_a_data(resp.text)


@case(("POST", SERVERS))
async def create_server(w: World) -> None:
    resp = await w.b.post(SERVERS, json={"integrated_account_id": w.a_account, "name": "on A's account"})
    assert w.refused(resp)["pointer"] == "/integrated_account_id"
    assert not [s for s in (await w.harness.store.list_mcp_servers(w.a.tenant_id)).items if s.name == "on A's account"]


@case(("GET", SERVER), ("PATCH", SERVER), ("DELETE", SERVER))
async def one_server(w: World) -> None:
    url = f"{SERVERS}/{w.a_server['id']}"
    for resp in (await w.b.get(url), await w.b.patch(url, json={"name": "mine"}),
                 await w.b.patch(url, json={"require_api_token_auth": False}), await w.b.delete(url)):
        assert w.a_server["id"] in w.refused(resp)["detail"]


@case(*[(m, PROXY) for m in ("GET", *WRITES)])
async def proxy(w: World) -> None:
    on_a = {"integrated_account_id": w.a_account}
    item = f"/proxy/conversations/{w.a_conversation}"
    for resp in (await w.b.get("/proxy/conversations", params=on_a), await w.b.get(item, params=on_a),
                 await w.b.post("/proxy/customers", params=on_a, json={"name": "Mallory"}),
                 await w.b.request("PUT", item, params=on_a, json={"name": "pwned"}),
                 await w.b.patch(item, params=on_a, json={"name": "pwned"}),
                 await w.b.delete(item, params=on_a)):
        assert w.a_account in w.refused(resp)["detail"]
    # A's cursor is bound to A's account: B can neither follow it alone nor on its own account
    alone = await w.b.get("/proxy/conversations", params={"next_cursor": w.a_proxy_cursor})
    assert w.refused(alone, 400)["pointer"] == "/integrated_account_id"
    mixed = await w.b.get("/proxy/conversations", params={"integrated_account_id": w.b_account,
                                                           "next_cursor": w.a_proxy_cursor})
    assert w.refused(mixed, 400)["pointer"] == "/next_cursor"


@case(*[(m, PASSTHROUGH) for m in ("GET", *WRITES)])
async def passthrough(w: World) -> None:
    on_a = {"integrated_account_id": w.a_account}
    for method in ("GET", *WRITES):
        resp = await w.b.request(method, f"/passthrough/v1/conversations/{w.a_conversation}", params=on_a,
                                 json=None if method in ("GET", "DELETE") else {"name": "pwned"})
        assert w.a_account in w.refused(resp)["detail"], method


@case(("GET", UNIFIED_LIST), ("POST", UNIFIED_LIST), ("GET", UNIFIED_ITEM), ("PATCH", UNIFIED_ITEM),
      ("DELETE", UNIFIED_ITEM))
async def unified(w: World) -> None:
    on_a = {"integrated_account_id": w.a_account}
    item = f"/unified/ticketing/tickets/{w.a_conversation}"
    for resp in (await w.b.get("/unified/ticketing/tickets", params=on_a),
                 await w.b.post("/unified/ticketing/tickets", params=on_a, json={"name": "pwned"}),
                 await w.b.get(item, params=on_a), await w.b.patch(item, params=on_a, json={"name": "pwned"}),
                 await w.b.delete(item, params=on_a),
                 await w.b.get("/unified/user-directory/users", params=on_a)):
        assert w.a_account in w.refused(resp)["detail"]
    mixed = await w.b.get("/unified/ticketing/tickets", params={"integrated_account_id": w.b_account,
                                                               "next_cursor": w.a_unified_cursor})
    assert w.refused(mixed, 400)["pointer"] == "/next_cursor"


@case(("POST", MCP))
async def mcp_calls(w: World) -> None:
    client = w.harness.client
    # a server that also wants the tenant's key refuses B's key (and no key), accepts A's
    for headers in ({"Authorization": f"Bearer {w.b.api_key}"}, {}):
        resp = await mcp_post(client, w.a_locked_server["token"], rpc("tools/list"), headers)
        assert resp.status_code == 401 and resp.json()["error"]["code"] == -32001
        w.assert_no_a_data(resp.text)
    allowed = await mcp_post(client, w.a_locked_server["token"], rpc("tools/list"), w.a.headers)
    assert allowed.status_code == 200 and allowed.json()["result"]["tools"]

    # a token reaches its own account only: B's URL lists B's org, and an argument cannot switch accounts
    b_page = await call_tool(client, w.b_server["token"], "list_all_kustomer_brands", {"limit": 100})
    b_seen = {brand["id"] for brand in b_page["structuredContent"]["result"]}
    assert b_seen == w.b_brands
    for smuggled in ({"integrated_account_id": w.a_account}, {"account_id": w.a_account}):
        refused = await call_tool(client, w.b_server["token"], "list_all_kustomer_brands", smuggled)
        assert refused["isError"] and "unknown argument" in refused["content"][0]["text"]
    a_page = await call_tool(client, w.a_server["token"], "list_all_kustomer_brands", {"limit": 100})
    assert {brand["id"] for brand in a_page["structuredContent"]["result"]} == w.a_brands

    # ids and display prefixes are not credentials
    for not_a_token in (w.a_server["id"], w.a_server["token_prefix"], w.a_server["token"][:-1],
                        w.a_account, w.a.api_key):
        resp = await mcp_post(client, not_a_token, rpc("tools/list"), w.b.headers)
        assert resp.status_code == 404 and resp.json()["error"]["code"] == -32001, not_a_token
        w.assert_no_a_data(resp.text)


@case(("GET", MCP), ("DELETE", MCP))
async def mcp_other_verbs(w: World) -> None:
    for method in ("GET", "DELETE"):
        resp = await w.harness.client.request(method, f"/mcp/{w.a_server['token']}", headers=w.b.headers)
        assert resp.status_code == 405 and resp.headers["allow"] == "POST"
        w.assert_no_a_data(resp.text)


def _served_routes(harness: Harness) -> set[tuple[str, str]]:
    return {(method, route.path) for route in harness.app.routes
            for method in getattr(route, "methods", ()) if method not in FRAMEWORK_METHODS}


def _is_public(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PREFIXES)


async def test_every_route_has_a_case(harness: Harness) -> None:
    served = _served_routes(harness)
    guarded = {route for route in served if not _is_public(route[1])}
    assert len(guarded) >= 27, sorted(guarded)  # the enumeration found the app's routes
    assert not guarded - set(CASES), f"routes without an isolation case: {sorted(guarded - set(CASES))}"
    assert not set(CASES) - guarded, f"cases for routes the app no longer serves: {sorted(set(CASES) - guarded)}"


@pytest.mark.parametrize("route", sorted(CASES), ids=[f"{m} {p}" for m, p in sorted(CASES)])
async def test_tenant_b_cannot_reach_tenant_a(world: World, route: tuple[str, str]) -> None:
    await CASES[route](world)


async def test_public_routes_hold_no_tenant_data(world: World, harness: Harness) -> None:
    public = sorted(path for method, path in _served_routes(harness) if _is_public(path) and method == "GET")
    assert "/health" in public and "/schema/openapi.json" in public
    for path in public:
        url = path.replace("{path:str}", "openapi.json")
        resp = await harness.client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        world.assert_no_a_data(resp.text)
        assert world.a_account not in resp.text and world.a.tenant_id not in resp.text


async def test_tenant_a_is_untouched_afterwards(world: World) -> None:
    a = world.a
    account = await a.get(f"{ACCOUNTS}/{world.a_account}")
    assert account.status_code == 200 and account.json()["name"] == world.markers["A's account name"]
    assert (await world.harness.store.get_account_credentials(a.tenant_id, world.a_account)) \
        == {"api_key": world.markers["A's vendor key"]}
    server = await a.get(f"{SERVERS}/{world.a_server['id']}")
    assert server.status_code == 200 and server.json()["name"] == world.markers["A's server name"]
    assert (await a.get(KEYS)).status_code == 200
    conversation = await a.get(f"/proxy/conversations/{world.a_conversation}",
                               params={"integrated_account_id": world.a_account})
    assert conversation.status_code == 200
    assert conversation.json()["data"]["attributes"]["name"] != "pwned"
    tools = await mcp_post(world.harness.client, world.a_server["token"], rpc("tools/list"))
    assert tools.status_code == 200 and tools.json()["result"]["tools"]
