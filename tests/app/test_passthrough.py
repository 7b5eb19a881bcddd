"""The raw passthrough: any path under the vendor base URL, credentials injected, and no
way out of the base URL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from unified.sandbox.process import SandboxProcess

from .helpers import Account, Caller, Harness, problem

ESCAPES = [
    "/passthrough/http://evil.test/v1/customers",
    "/passthrough//evil.test/v1/customers",
    "/passthrough/v1//customers",
    "/passthrough/../admin/accounts",
    "/passthrough/v1/../../admin",
    "/passthrough/v1/./customers",
    "/passthrough/v1/customers/..",
    "/passthrough/%2e%2e/admin",
    "/passthrough/v1/%2E%2E/%2e%2e/x",
    "/passthrough/.%2e/x",
    "/passthrough/v1%2fcustomers",
    "/passthrough/v1%2F..%2F..%2Fadmin",
    "/passthrough/%2f%2fevil.test",
    "/passthrough/%252e%252e/admin",
    "/passthrough/v1%252fcustomers",
    "/passthrough/%25252e%25252e/admin",
    "/passthrough/v1\\..\\admin",
    "/passthrough/v1%5c..%5cadmin",
    "/passthrough/v1/%00/customers",
    "/passthrough/v1/cust<omers>",
    "/passthrough",
]


@pytest.fixture
def private_vendor(fresh_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """A private sandbox whose request budget spans the whole test, so its remaining count
    tells exactly how many requests reached it."""
    with fresh_sandbox.client() as client:
        assert client.put("/__sandbox/settings", json={"rate_window_seconds": 3600}).status_code == 200
        assert client.post("/__sandbox/reset-limits").status_code == 204
        yield client


async def test_escapes_are_400_and_never_reach_the_vendor(harness: Harness, caller: Caller,
                                                          fresh_sandbox: SandboxProcess,
                                                          private_vendor: httpx.Client):
    account = await caller.connect(fresh_sandbox)
    before = int((await account.call("GET", "/passthrough/v1/brands")).headers["ratelimit-remaining"])
    for raw_path in ESCAPES:
        status, body = await harness.raw("GET", f"{raw_path}?integrated_account_id={account.id}", caller.headers)
        assert status in (400, 404), (raw_path, status, body)  # 404: not a passthrough route at all
        assert body["status"] == status and body["from_vendor"] is False, (raw_path, body)
        if raw_path.startswith("/passthrough/"):
            assert status == 400, (raw_path, body)
    after = int((await account.call("GET", "/passthrough/v1/brands")).headers["ratelimit-remaining"])
    assert after == before - 1  # only the second brands call reached the sandbox


async def test_escapes_through_the_http_client_too(connected: Account):
    """The same refusals for paths an ordinary HTTP client sends unchanged."""
    for path in ("/passthrough/%2e%2e/admin", "/passthrough//evil.test/x", "/passthrough/v1%2f..%2fx",
                 "/passthrough/%252e%252e/x", "/passthrough/v1\\x"):
        assert problem(await connected.call("GET", path), 400)["pointer"] == "/path", path


async def test_get_returns_the_vendor_body_and_status(connected: Account, roomy_sandbox: SandboxProcess):
    resp = await connected.call("GET", "/passthrough/v1/conversations", {"pageSize": 2, "page": 3})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    with roomy_sandbox.client() as vendor:
        direct = vendor.get("/v1/conversations", params={"pageSize": 2, "page": 3}).json()
    assert resp.json() == direct  # untouched, no envelope
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(resp.headers)
    assert "integrated_account_id" not in resp.json()["links"]["self"]  # not forwarded


async def test_writes_pass_through_with_their_statuses(connected: Account):
    created = await connected.call("POST", "/passthrough/v1/customers",
                                   json={"name": "Raw Rita", "emails": [{"email": "raw.rita@example.test"}]})
    assert created.status_code == 201
    customer = created.json()["data"]["id"]
    found = await connected.call("GET", "/passthrough/v1/customers/email=raw.rita%40example.test")
    assert found.status_code == 200 and found.json()["data"]["id"] == customer
    updated = await connected.call("PUT", f"/passthrough/v1/customers/{customer}", json={"name": "Raw Rhea"})
    assert updated.status_code == 200 and updated.json()["data"]["attributes"]["name"] == "Raw Rhea"
    deleted = await connected.call("DELETE", f"/passthrough/v1/customers/{customer}")
    assert deleted.status_code == 204 and deleted.content == b""
    gone = problem(await connected.call("GET", f"/passthrough/v1/customers/{customer}"), 404)
    assert gone["from_vendor"] is True and gone["vendor"]["status"] == 404
    assert gone["vendor"]["body"]["errors"][0]["status"] == 404


async def test_search_by_post_with_query(connected: Account):
    resp = await connected.call("POST", "/passthrough/v1/customers/search", {"pageSize": 3},
                                json={"queryContext": "customer"})
    assert resp.status_code == 200 and len(resp.json()["data"]) == 3


async def test_binary_downloads_pass_through(connected: Account):
    conversation = (await connected.proxy("GET", "conversations", {"limit": 1})).json()["result"][0]["id"]
    attachment = (await connected.proxy("GET", "conversation_attachments", {"id": conversation})).json()["result"][0]
    link = httpx.URL(attachment["links"]["related"])
    resp = await connected.call("GET", "/passthrough" + link.path, dict(link.params))
    assert resp.status_code == 200
    assert resp.headers["content-type"] == attachment["attributes"]["contentType"]
    assert len(resp.content) == attachment["attributes"]["contentLength"]


async def test_vendor_auth_failure_is_the_vendors_401(caller: Caller, roomy_sandbox: SandboxProcess):
    account = await caller.connect(roomy_sandbox, api_key="not-the-key")
    body = problem(await account.call("GET", "/passthrough/v1/brands"), 401)
    assert body["from_vendor"] is True and body["vendor"]["status"] == 401
