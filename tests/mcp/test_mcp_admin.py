"""MCP server administration: the HTTP admin API (tenant-scoped, validated) and the CLI, whose
printed URL an MCP client can use straight away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from mcp_harness import RunningApp, Tenant, list_all_tools, make_tenant, mcp_client

from unified.catalogue.loader import PROJECT_ROOT, load_all
from unified.store import Store
from unified.store.types import utcnow

pytest_plugins = ["mcp_harness"]

CATALOGUE = load_all()["kustomer"]


async def test_create_shows_the_url_once_then_get_list_update_delete(mcp_tenant: Tenant) -> None:
    async with mcp_tenant.admin() as admin:
        created = await admin.post("/admin/mcp-servers", json={
            "integrated_account_id": mcp_tenant.account_id, "name": "support agent", "methods": ["read"],
            "tags": ["conversations"]})
        assert created.status_code == 201
        server = created.json()
        assert server["url"] == f"{mcp_tenant.app.base_url}/mcp/{server['token']}"
        assert server["token_prefix"] == server["token"][:10] and server["tool_count"] > 0
        fetched = (await admin.get(f"/admin/mcp-servers/{server['id']}")).json()
        assert "token" not in fetched and "url" not in fetched
        assert fetched["methods"] == ["read"] and fetched["tags"] == ["conversations"]
        listed = (await admin.get("/admin/mcp-servers", params={"integrated_account_id": mcp_tenant.account_id})).json()
        assert server["id"] in [s["id"] for s in listed["result"]]
        assert all("token" not in s for s in listed["result"])
        patched = await admin.patch(f"/admin/mcp-servers/{server['id']}",
                                    json={"name": "renamed", "methods": None, "tool_exposure": "discovery"})
        assert patched.status_code == 200, patched.text
        assert patched.json()["methods"] is None and patched.json()["tool_count"] > fetched["tool_count"]
        async with mcp_client(server["url"]) as client:  # same URL, new configuration at once
            assert {t.name for t in (await client.list_tools()).tools} == {"search_tools", "get_tool_schema",
                                                                          "call_tool"}
        assert (await admin.delete(f"/admin/mcp-servers/{server['id']}")).json() == {"id": server["id"]}
        assert (await admin.get(f"/admin/mcp-servers/{server['id']}")).status_code == 404


@pytest.mark.parametrize("fields, pointer", [
    ({"methods": ["read"], "tags": ["write"]}, "/methods"),  # each matches tools, together none
    ({"methods": ["lsit"]}, "/methods"),
    ({"tags": ["no-such-tag"]}, "/tags"),
    ({"methods": []}, None),
    ({"tool_exposure": "some"}, None),
    ({"expires_at": "2020-01-01T00:00:00Z"}, "/expires_at"),
    ({"expires_at": "2099-01-01T00:00:00"}, "/expires_at"),  # no time zone
    ({"surprise": True}, None),
])
async def test_invalid_servers_are_refused_with_a_400(mcp_tenant: Tenant, mcp_store: Store, fields: dict[str, Any],
                                                      pointer: str | None) -> None:
    before = len((await mcp_store.list_mcp_servers(mcp_tenant.tenant_id, limit=500)).items)
    async with mcp_tenant.admin() as admin:
        reply = await admin.post("/admin/mcp-servers", json={"integrated_account_id": mcp_tenant.account_id, **fields})
    assert reply.status_code == 400, reply.text
    if pointer is not None:
        assert reply.json()["pointer"] == pointer
    assert len((await mcp_store.list_mcp_servers(mcp_tenant.tenant_id, limit=500)).items) == before


async def test_other_tenants_get_404s(mcp_tenant: Tenant, mcp_store: Store, mcp_full_server: dict[str, Any]) -> None:
    other = await make_tenant(mcp_tenant.app, mcp_store, mcp_tenant.sandbox, "nosy")
    async with other.admin() as admin:
        path = f"/admin/mcp-servers/{mcp_full_server['id']}"
        assert (await admin.get(path)).status_code == 404
        assert (await admin.patch(path, json={"name": "mine now"})).status_code == 404
        assert (await admin.delete(path)).status_code == 404
        on_foreign_account = await admin.post("/admin/mcp-servers",
                                              json={"integrated_account_id": mcp_tenant.account_id})
        assert on_foreign_account.status_code == 404
        assert mcp_full_server["id"] not in [s["id"] for s in (await admin.get("/admin/mcp-servers")).json()["result"]]
    async with mcp_tenant.admin() as admin:
        assert (await admin.get(path)).json()["name"] == "everything"
    async with mcp_tenant.admin() as admin:
        admin.headers["Authorization"] = "Bearer nope"
        assert (await admin.get("/admin/mcp-servers")).status_code == 401


async def test_patch_rechecks_filters_and_expiry(mcp_tenant: Tenant) -> None:
    server = await mcp_tenant.create_server(name="patchable", methods=["read"],
                                            expires_at=(utcnow() + timedelta(hours=1)).isoformat())
    async with mcp_tenant.admin() as admin:
        path = f"/admin/mcp-servers/{server['id']}"
        assert (await admin.patch(path, json={"tags": ["write"]})).status_code == 400
        assert (await admin.patch(path, json={"expires_at": utcnow().isoformat()})).status_code == 400
        cleared = await admin.patch(path, json={"expires_at": None})
        assert cleared.status_code == 200 and cleared.json()["expires_at"] is None
        assert (await admin.get(path)).json()["methods"] == ["read"]


def run_cli(app: RunningApp, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_")}
    env.update(UNIFIED_DATABASE_URL=app.config.database_url.replace("sqlite+aiosqlite", "sqlite"),
               UNIFIED_ENCRYPTION_KEYS=",".join(str(k) for k in app.config.encryption_keys),
               UNIFIED_PUBLIC_URL=app.base_url)
    result = subprocess.run([sys.executable, "-m", "unified", *args], capture_output=True, text=True, env=env,
                            cwd=PROJECT_ROOT, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


async def test_cli_creates_a_server_whose_url_works(mcp_tenant: Tenant) -> None:
    created = run_cli(mcp_tenant.app, "mcp-servers", "create", "--account", mcp_tenant.account_id, "--methods",
                      "read", "--tags", "conversations,customers", "--expires-at", "+2h", "--name", "cli", "--json")
    assert created.returncode == 0, created.stderr
    server = json.loads(created.stdout)
    assert server["url"] == f"{mcp_tenant.app.base_url}/mcp/{server['token']}"
    assert server["methods"] == ["read"] and server["tags"] == ["conversations", "customers"]
    expected = {op.tool_name for op in CATALOGUE.operations.values()
                if op.access == "read" and {"conversations", "customers"} & set(op.tags)}
    async with mcp_client(server["url"]) as client:
        assert {t.name for t in (await list_all_tools(client))[0]} == expected
    got = run_cli(mcp_tenant.app, "mcp-servers", "get", server["id"], "--json")
    assert json.loads(got.stdout)["name"] == "cli" and "token" not in json.loads(got.stdout)
    assert server["token"] not in got.stdout
    listed = run_cli(mcp_tenant.app, "mcp-servers", "list", "--account", mcp_tenant.account_id, "--json")
    assert server["id"] in [s["id"] for s in json.loads(listed.stdout)["result"]]
    assert server["token"] not in listed.stdout
    deleted = run_cli(mcp_tenant.app, "mcp-servers", "delete", server["id"], "--json")
    assert json.loads(deleted.stdout) == {"id": server["id"], "deleted": True}
    assert run_cli(mcp_tenant.app, "mcp-servers", "get", server["id"]).returncode == 1


@pytest.mark.parametrize("args, message", [
    (("--methods", "read", "--tags", "write"), "match no tool"),
    (("--expires-at", "+10s"), "at least 60 seconds"),
    (("--expires-at", "tomorrow"), "ISO 8601"),
])
async def test_cli_refuses_bad_servers_with_exit_code_2(mcp_tenant: Tenant, args: tuple[str, ...],
                                                        message: str) -> None:
    result = run_cli(mcp_tenant.app, "mcp-servers", "create", "--account", mcp_tenant.account_id, *args, "--json")
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""
