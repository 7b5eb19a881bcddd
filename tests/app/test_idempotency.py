"""Idempotency-Key on unified and proxy creates, against a real sandbox, on SQLite and PostgreSQL:
a retried create makes one vendor record (counted by the sandbox itself), tenants do not share
keys, a reused key with another body is a 422, concurrent duplicates create once, errors
release the key, and keys expire."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from unified.app.factory import create_app
from unified.app.idempotency import TTL_ENV
from unified.sandbox.process import SandboxProcess, start_sandbox

from .helpers import Account, Caller, Harness, problem, uvicorn_server

HEADER = "Idempotency-Key"


@pytest.fixture(scope="module")
def org() -> Iterator[SandboxProcess]:
    """A private org, so record counts change only by what these tests do."""
    with start_sandbox("--rate-limit", "100000", "--customer-create-limit", "100000", seed=3) as proc:
        yield proc


@pytest.fixture
def vendor(org: SandboxProcess) -> Iterator[httpx.Client]:
    with org.client() as client:
        client.put("/__sandbox/faults", json={})
        yield client
        client.put("/__sandbox/faults", json={})


@pytest.fixture
async def account(caller: Caller, org: SandboxProcess) -> Account:
    return await caller.connect(org)


def count(vendor: httpx.Client, kind: str) -> int:
    return vendor.get("/__sandbox/state").json()["counts"].get(kind, 0)


def new_key() -> str:
    return f"retry-{secrets.token_hex(8)}"


async def create_customer(account: Account, key: str | None, body: dict[str, Any] | None = None) -> httpx.Response:
    headers = {HEADER: key} if key is not None else {}
    return await account.proxy("POST", "customers", json=body or {"name": "Retry Rita"}, headers=headers)


async def test_retried_proxy_create_creates_one_record(account: Account, vendor: httpx.Client) -> None:
    before = count(vendor, "customer")
    key = new_key()
    first = await create_customer(account, key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await create_customer(account, key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"].startswith("application/json")
    assert again.json() == first.json()
    assert count(vendor, "customer") == before + 1
    # without a key every POST creates
    await create_customer(account, None)
    await create_customer(account, None)
    assert count(vendor, "customer") == before + 3


async def test_retried_unified_ticket_create_creates_one_conversation(account: Account, vendor: httpx.Client) -> None:
    customer = vendor.get("/v1/customers", params={"pageSize": 1}).json()["data"][0]["id"]
    body = {"name": "Printer on fire", "contact": {"id": customer}, "priority": {"id": "4"}}
    before = count(vendor, "conversation")
    key = new_key()
    responses = [await account.call("POST", "/unified/ticketing/tickets", json=body, headers={HEADER: key})
                 for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 201, 201], responses[0].text
    assert [r.headers.get("idempotent-replayed") for r in responses] == [None, "true", "true"]
    assert responses[1].json() == responses[2].json() == responses[0].json()
    assert count(vendor, "conversation") == before + 1
    # the same key on another operation (a proxy create) is a different claim
    assert (await create_customer(account, key)).status_code == 201


async def test_two_tenants_with_one_key_make_two_records(harness: Harness, org: SandboxProcess,
                                                         vendor: httpx.Client) -> None:
    one = await (await harness.tenant()).connect(org)
    two = await (await harness.tenant()).connect(org)
    before = count(vendor, "customer")
    key = new_key()
    a, b = await create_customer(one, key), await create_customer(two, key)
    assert (a.status_code, b.status_code) == (201, 201)
    assert "idempotent-replayed" not in b.headers and a.json()["data"]["id"] != b.json()["data"]["id"]
    assert count(vendor, "customer") == before + 2


async def test_same_key_for_a_different_request_is_422(account: Account, vendor: httpx.Client) -> None:
    key = new_key()
    assert (await create_customer(account, key, {"name": "First"})).status_code == 201
    before = count(vendor, "customer")
    body = problem(await create_customer(account, key, {"name": "Second"}), 422)
    assert body["pointer"] == "/headers/Idempotency-Key" and "Idempotency-Key" in body["detail"]
    # a different query string is a different request too
    resp = await account.proxy("POST", "customers", {"extra": "1"}, json={"name": "First"}, headers={HEADER: key})
    problem(resp, 422)
    assert count(vendor, "customer") == before


@pytest.fixture
async def server(harness: Harness) -> AsyncIterator[str]:
    """The app behind a real uvicorn server: the in-process test client runs requests one by one."""
    async with uvicorn_server(create_app(harness.config), log_config=None) as url:
        yield url


async def test_concurrent_duplicates_create_once(server: str, account: Account, vendor: httpx.Client) -> None:
    vendor.put("/__sandbox/faults", json={"latency_ms": 600, "path_prefix": "/v1/customers"})
    before = count(vendor, "customer")
    key = new_key()
    async with httpx.AsyncClient(base_url=server, headers=account.caller.headers, timeout=30) as client:
        async def post() -> httpx.Response:
            return await client.post("/proxy/customers", params={"integrated_account_id": account.id},
                                     json={"name": "Racing Rita"}, headers={HEADER: key})

        responses = await asyncio.gather(*(post() for _ in range(4)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409, 409, 409], [r.text for r in responses]
        busy = next(r for r in responses if r.status_code == 409)
        assert "Idempotency-Key" in problem(busy, 409)["detail"] and busy.headers["retry-after"] == "1"
        assert count(vendor, "customer") == before + 1
        vendor.put("/__sandbox/faults", json={})
        replayed = await post()
    assert replayed.status_code == 201 and replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == next(r for r in responses if r.status_code == 201).json()
    assert count(vendor, "customer") == before + 1


async def test_vendor_errors_release_the_key(account: Account, vendor: httpx.Client) -> None:
    before = count(vendor, "customer")
    key = new_key()
    vendor.put("/__sandbox/faults", json={"queue": ["error:503"]})
    assert (await create_customer(account, key)).status_code == 502
    assert count(vendor, "customer") == before
    retried = await create_customer(account, key)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    # a 4xx is not stored either: the corrected request may reuse the key
    key = new_key()
    refused = await create_customer(account, key, {"name": "Loud", "custom": {"bad": 1}})
    assert problem(refused, 400)["from_vendor"] is True
    fixed = await create_customer(account, key, {"name": "Loud"})
    assert fixed.status_code == 201 and "idempotent-replayed" not in fixed.headers
    assert count(vendor, "customer") == before + 2


@pytest.mark.parametrize("value", ["", "x" * 256, "caf\u00e9", "tab\there", "a,b"])
async def test_malformed_keys_are_400(account: Account, vendor: httpx.Client, value: str) -> None:
    before = count(vendor, "customer")
    resp = await account.caller.client.post(
        "/proxy/customers", params={"integrated_account_id": account.id}, content=b'{"name": "X"}',
        headers=[("Authorization", f"Bearer {account.caller.api_key}"), (HEADER, value.encode("latin-1"))])
    body = problem(resp, 400)
    assert body["pointer"] == "/headers/Idempotency-Key" and "Idempotency-Key" in body["detail"]
    assert count(vendor, "customer") == before


async def test_two_key_headers_are_400(account: Account) -> None:
    resp = await account.caller.client.post(
        "/proxy/customers", params={"integrated_account_id": account.id}, json={"name": "X"},
        headers=[("Authorization", f"Bearer {account.caller.api_key}"), (HEADER, "a"), (HEADER, "b")])
    assert "Idempotency-Key" in problem(resp, 400)["detail"]


async def test_reads_ignore_the_key(account: Account) -> None:
    key = new_key()
    first = await account.proxy("GET", "brands", headers={HEADER: key})
    second = await account.proxy("GET", "brands", headers={HEADER: key})
    assert first.status_code == second.status_code == 200
    assert "idempotent-replayed" not in second.headers


async def test_keys_expire(harness: Harness, caller: Caller, org: SandboxProcess, vendor: httpx.Client,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TTL_ENV, "1")
    async with harness.instance() as client:
        account = await caller.on(client).connect(org)
        before = count(vendor, "customer")
        key = new_key()
        assert (await create_customer(account, key)).status_code == 201
        assert (await create_customer(account, key)).headers["idempotent-replayed"] == "true"
        time.sleep(1.2)
        later = await create_customer(account, key)
        assert later.status_code == 201 and "idempotent-replayed" not in later.headers
        assert count(vendor, "customer") == before + 2


def test_a_bad_ttl_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from unified.app.idempotency import IdempotencyPolicy
    from unified.store import ConfigurationError

    for value in ("0", "-3", "soon"):
        with pytest.raises(ConfigurationError, match=TTL_ENV):
            IdempotencyPolicy.from_env({TTL_ENV: value})
    assert IdempotencyPolicy.from_env({TTL_ENV: "90"}).ttl.total_seconds() == 90
