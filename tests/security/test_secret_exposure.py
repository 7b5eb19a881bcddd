"""Secrets stay secret: the vendor credential of an account, our API keys, MCP tokens and the
encryption key appear in no OpenAPI document, no error body (also when a user pastes a key or a
token where an id belongs), no ``remote_data``, no admin response and no log line at DEBUG.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from app.helpers import Account, Caller, Harness, uvicorn_server
from app.test_secrets import capture

from unified.app.factory import create_app, cursor_secret
from unified.catalogue.loader import PROJECT_ROOT
from unified.sandbox.process import SandboxProcess

from .support import leaks, mcp_post, rpc

# Shapes of every kind of secret the service handles, to catch ones the test did not create itself.
_START = r"(?<![A-Za-z0-9_-])"  # not inside a longer base64 run (a ciphertext may contain "uk_...")
SHAPES = {
    "API key": re.compile(_START + r"uk_[A-Za-z0-9_-]{40,}"),
    "MCP token": re.compile(_START + r"mcp_[A-Za-z0-9_-]{40,}"),
    "Fernet key": re.compile(_START + r"[A-Za-z0-9_-]{43}="),
    "sandbox key": re.compile(_START + r"sandbox_[A-Za-z0-9_-]{20,}"),
}


class Secrets(dict[str, str]):
    """Name -> value of every secret in play in one test."""

    def check(self, text: str, where: str) -> None:
        found = leaks(text, self)
        if found:
            at = text.index(self[found[0]])
            raise AssertionError(f"{found} in {where}: ...{text[max(0, at - 300):at + 80]}...")


@pytest.fixture
async def setup(harness: Harness, caller: Caller, roomy_sandbox: SandboxProcess) -> tuple[Account, Secrets]:
    account = await caller.connect(roomy_sandbox)
    server = (await caller.post("/admin/mcp-servers", json={"integrated_account_id": account.id})).json()
    spare = (await caller.post("/admin/api-keys", json={"name": "revoked"})).json()
    await caller.delete(f"/admin/api-keys/{spare['id']}")
    other = await harness.tenant()
    cursor = cursor_secret(harness.config)
    secrets = Secrets({
        "vendor key": roomy_sandbox.api_key, "API key": caller.api_key, "revoked API key": spare["api_key"],
        "other tenant's API key": other.api_key, "MCP token": server["token"],
        **{f"encryption key {i}": key for i, key in enumerate(harness.config.encryption_keys)},
        "cursor secret (hex)": cursor.hex(),
    })
    return account, secrets


def _examples(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("example", "examples", "default", "const", "enum"):
                yield f"{path}/{key}", json.dumps(value)
            yield from _examples(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _examples(value, f"{path}/{i}")


async def test_openapi_documents_hold_no_secret(harness: Harness, setup: tuple[Account, Secrets]) -> None:
    _, secrets = setup
    served = await harness.client.get("/schema/openapi.json")
    assert served.status_code == 200
    committed = (PROJECT_ROOT / "openapi" / "openapi.json").read_text()
    for name, text in (("served", served.text), ("committed", committed)):
        secrets.check(text, name)
        for shape, pattern in SHAPES.items():
            assert not pattern.search(text), (name, shape, pattern.search(text))
        examples = list(_examples(json.loads(text)))
        assert examples, "the document has examples and defaults to check"
        for where, value in examples:
            assert not re.search(r"Bearer [A-Za-z0-9_-]{16,}", value), (where, value)


def _bad_requests(account: Account, secrets: Secrets) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, request options): malformed input, unknown things, vendor errors, and our own
    secrets pasted where ids and names belong (a frequent slip that must not be echoed back)."""
    on = {"integrated_account_id": account.id}
    key, token = secrets["API key"], secrets["MCP token"]
    vendor = secrets["vendor key"]
    return [
        ("POST", "/admin/accounts", {"content": b"{not json"}),
        ("POST", "/admin/accounts", {"json": {"provider": "kustomer", "credentials": {"api_key": 1}}}),
        ("POST", "/admin/accounts", {"json": {"provider": "kustomer", "credentials": {}, "x": vendor}}),
        ("POST", "/admin/accounts", {"json": {"provider": "kustomer", "settings": {"base_url": "gopher://h"},
                                              "credentials": {"api_key": vendor}}}),
        ("PATCH", f"/admin/accounts/{account.id}", {"json": {"credentials": {"api_key": vendor}, "tenant": 1}}),
        ("PATCH", f"/admin/accounts/{account.id}", {"json": {"credentials": {"wrong_name": vendor}}}),
        ("GET", "/admin/accounts", {"params": {"limit": "0"}}),
        ("GET", f"/admin/accounts/{key}", {}),
        ("DELETE", f"/admin/api-keys/{key}", {}),
        ("DELETE", f"/admin/api-keys/{secrets['revoked API key']}", {}),
        ("POST", "/admin/api-keys", {"json": {"name": {"api_key": vendor}}}),
        ("GET", f"/admin/mcp-servers/{token}", {}),
        ("PATCH", f"/admin/mcp-servers/{token}", {"json": {"name": "x"}}),
        ("POST", "/admin/mcp-servers", {"json": {"integrated_account_id": key}}),
        ("POST", "/admin/mcp-servers", {"json": {"integrated_account_id": account.id, "tags": [token]}}),
        ("POST", "/admin/mcp-servers", {"json": {"integrated_account_id": account.id, "methods": [key]}}),
        ("GET", "/proxy/conversations", {"params": {"integrated_account_id": token}}),
        ("GET", f"/proxy/{token}", {"params": on}),
        ("GET", f"/proxy/conversations/{key}", {"params": on}),  # the vendor's 404 quotes the id
        ("GET", "/proxy/conversations", {"params": {**on, "next_cursor": token}}),
        ("GET", "/proxy/conversations", {"params": {**on, "limit": "-1", "api_key": vendor}}),
        ("POST", "/proxy/customers", {"params": on, "json": {"name": ["not", "a", "string"]}}),
        ("POST", "/proxy/customers", {"params": on, "content": b"[" * 50}),
        ("GET", "/passthrough/%2e%2e/admin/accounts", {"params": on}),
        ("GET", "/passthrough/https:%2F%2Fevil.test/x", {"params": on}),
        ("GET", f"/passthrough/v1/conversations/{token}", {"params": on}),
        ("GET", f"/unified/ticketing/{key}", {"params": on}),
        ("GET", f"/unified/ticketing/tickets/{token}", {"params": on}),
        ("GET", "/unified/ticketing/tickets", {"params": {**on, "sort_by": key}}),
        ("GET", "/unified/ticketing/tickets", {"params": {**on, "status[zz]": "1", "x-api-key": vendor}}),
        ("POST", "/unified/ticketing/tickets", {"params": on, "json": {"name": 5}}),
        ("GET", "/proxy/brands", {"params": on, "headers": {"Authorization": f"Bearer {key}x"}}),
        ("GET", "/proxy/brands", {"params": on, "headers": {"Authorization": f"Basic {vendor}"}}),
    ]


async def test_error_bodies_never_carry_secrets(harness: Harness, caller: Caller,
                                                setup: tuple[Account, Secrets]) -> None:
    account, secrets = setup
    statuses = []
    for method, url, options in _bad_requests(account, secrets):
        headers = {**caller.headers, **options.pop("headers", {})}
        resp = await harness.client.request(method, url, headers=headers, **options)
        statuses.append(resp.status_code)
        assert resp.status_code >= 400, (method, url, resp.status_code)
        secrets.check(resp.text + repr(resp.headers), f"{method} {url}")
    assert 500 not in statuses and {400, 401, 404} <= set(statuses)
    # the MCP face: protocol errors and failing tool calls
    token = secrets["MCP token"]
    for message in (b"{broken", b"[]", json.dumps(rpc("no/such/method")).encode(),
                    json.dumps(rpc("tools/call", {"name": "get_single_kustomer_conversation_by_id",
                                                  "arguments": {"id": "0" * 24}})).encode(),
                    json.dumps(rpc("tools/call", {"name": "create_a_kustomer_customer",
                                                  "arguments": {"name": ["x"]}})).encode()):
        resp = await harness.client.post(f"/mcp/{token}", content=message,
                                         headers={"content-type": "application/json"})
        secrets.check(resp.text + repr(resp.headers), f"MCP {message[:40]!r}")
        assert "error" in resp.text or '"isError":true' in resp.text


async def test_remote_data_never_carries_our_credentials(harness: Harness, setup: tuple[Account, Secrets],
                                                         roomy_sandbox: SandboxProcess) -> None:
    account, secrets = setup
    seen = []
    for path in ("/unified/ticketing/tickets", "/unified/ticketing/contacts", "/unified/ticketing/users",
                 "/unified/ticketing/accounts"):
        resp = await account.call("GET", path, {"limit": 5})
        assert resp.status_code == 200, resp.text
        records = resp.json()["result"]
        assert records and all("remote_data" in r for r in records)
        seen.append(resp.text)
        one = await account.call("GET", f"{path}/{records[0]['id']}")
        assert one.status_code == 200 and "remote_data" in one.json()
        seen.append(one.text)
    created = await account.call("POST", "/unified/ticketing/contacts", json={"name": "Secretless Sam"})
    assert created.status_code == 201, created.text
    seen.append(created.text)
    raw = await account.call("GET", "/unified/ticketing/tickets", {"limit": 2, "response_format": "raw"})
    assert raw.status_code == 200
    seen.append(raw.text)
    for text in seen:
        secrets.check(text, "unified response")
    # and the vendor side: the records the sandbox holds do not contain the key we sent it either
    with roomy_sandbox.client() as vendor:
        stored = vendor.get(f"/v1/customers/{created.json()['id']}")
    assert stored.status_code == 200
    secrets.check(stored.text, "the sandbox's copy of the created customer")


async def test_admin_responses_show_credential_names_only(caller: Caller, setup: tuple[Account, Secrets]) -> None:
    account, secrets = setup
    responses = [await caller.get(f"/admin/accounts/{account.id}"), await caller.get("/admin/accounts"),
                 await caller.patch(f"/admin/accounts/{account.id}",
                                    json={"credentials": {"api_key": secrets["vendor key"]}}),
                 await caller.get("/admin/api-keys"), await caller.get("/admin/mcp-servers"),
                 await caller.patch(f"/admin/mcp-servers/{(await _server_id(caller))}", json={"name": "renamed"})]
    for resp in responses:
        assert resp.status_code == 200, resp.text
        secrets.check(resp.text, str(resp.request.url))
        assert not _keys(resp.json()) & {"credentials", "token", "url", "api_key", "key_hash", "token_hash"}
    assert responses[0].json()["credential_names"] == ["api_key"]


def _keys(node: Any) -> set[str]:
    """Every member name anywhere in a JSON value."""
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


async def _server_id(caller: Caller) -> str:
    return (await caller.get("/admin/mcp-servers")).json()["result"][0]["id"]


@pytest.fixture
async def served(harness: Harness) -> AsyncIterator[str]:
    """The app under uvicorn as `unified serve` runs it (uvicorn's own access log off: the app writes
    its own, with MCP tokens replaced), so the server's logs count too."""
    app = create_app(harness.config, vendor_timeout=5)
    async with uvicorn_server(app, log_config=None, log_level="debug", access_log=False) as url:
        yield url


def _log_texts(records: list[logging.LogRecord], own_origin: str) -> Iterator[str]:
    """Everything a handler could write, extras included; minus the test client's own httpx lines
    (the app never calls itself, so a line naming its address was written by this test)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        text = formatter.format(record) + " " + repr(record.__dict__)
        if record.exc_info:
            text += formatter.formatException(record.exc_info)
        if record.name.startswith(("httpx", "httpcore")) and own_origin in text:
            continue
        yield text


async def test_no_secret_in_debug_logs(harness: Harness, served: str, setup: tuple[Account, Secrets]) -> None:
    account, secrets = setup
    token = secrets["MCP token"]
    with capture() as logs:
        # `unified serve` turns uvicorn's access log off (its lines carry whole URLs, MCP tokens
        # included) and writes its own; uvicorn logs access lines only to a logger with handlers.
        logging.getLogger("uvicorn.access").removeHandler(logs)
        async with httpx.AsyncClient(base_url=served, headers={"Authorization": f"Bearer {secrets['API key']}"},
                                     timeout=30) as client:
            on = {"integrated_account_id": account.id}
            assert (await client.get("/proxy/brands", params=on)).status_code == 200
            assert (await client.get("/unified/ticketing/tickets", params={**on, "limit": 2})).status_code == 200
            await client.patch(f"/admin/accounts/{account.id}", json={"credentials": {"api_key": secrets["vendor key"]}})
            await client.get("/admin/accounts", headers={"Authorization": f"Bearer {secrets['revoked API key']}"})
            await client.get("/admin/accounts", headers={"Authorization": f"Bearer {secrets['API key']}x"})
            for message in (rpc("tools/list"), rpc("tools/call", {"name": "list_all_kustomer_brands",
                                                                  "arguments": {"limit": 1}})):
                assert (await mcp_post(client, token, message)).status_code == 200
            assert (await mcp_post(client, token + "x", rpc("tools/list"))).status_code == 404
            assert (await client.get(f"/mcp/{token}")).status_code == 405
            await client.get(f"/admin/mcp-servers/{token}")
    texts = list(_log_texts(logs.records, served))
    names = {r.name.split(".")[0] for r in logs.records}
    assert {"httpx", "sqlalchemy"} <= names, names  # the capture really captured the app's own lines
    for text in texts:
        secrets.check(text, "log")
        for shape in ("API key", "MCP token"):
            assert not SHAPES[shape].search(text), (shape, text[:300])
