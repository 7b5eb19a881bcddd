"""Vendor failures map to clear gateway errors: 5xx -> 502, timeout -> 504, dropped
connection -> 502, malformed JSON -> 502. Nothing is retried; the next call works."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from litestar.testing import AsyncTestClient

from unified.sandbox.process import SandboxProcess, start_sandbox

from .helpers import Account, Harness, problem

VENDOR_TIMEOUT = 1


@pytest.fixture(scope="module")
def faulty() -> Iterator[SandboxProcess]:
    """A private sandbox for the module: faults are queued per test and used up by it."""
    with start_sandbox(seed=7) as proc:
        yield proc


@pytest.fixture
def faults(faulty: SandboxProcess) -> Iterator[httpx.Client]:
    with faulty.client() as client:
        yield client
        assert client.put("/__sandbox/faults", json={}).status_code == 200  # clear leftovers


def queue(client: httpx.Client, *entries: str, **settings: object) -> None:
    resp = client.put("/__sandbox/faults", json={"queue": list(entries), "timeout_seconds": 3, **settings})
    assert resp.status_code == 200, resp.text


@pytest.fixture(scope="module")
async def impatient(harness: Harness) -> AsyncIterator[AsyncTestClient]:
    """An app instance on the same store whose vendor timeout is one second."""
    async with harness.instance(vendor_timeout=VENDOR_TIMEOUT) as client:
        yield client


@pytest.fixture
async def account(harness: Harness, impatient: AsyncTestClient, faulty: SandboxProcess) -> Account:
    return await (await harness.tenant()).on(impatient).connect(faulty)


@pytest.mark.parametrize("status", [500, 503])
async def test_vendor_5xx_is_502_with_the_vendor_status(account: Account, faults: httpx.Client, status: int):
    queue(faults, f"error:{status}", f"error:{status}", f"error:{status}")
    for resp in (await account.proxy("GET", "conversations", {"limit": 2}),
                 await account.proxy("GET", "brands:default"),
                 await account.call("GET", "/passthrough/v1/brands")):
        body = problem(resp, 502)
        assert body["from_vendor"] is True
        assert body["vendor"]["status"] == status
        assert body["vendor"]["body"]["errors"][0]["status"] == status
        assert f"Kustomer answered {status}" in body["detail"]
    assert (await account.proxy("GET", "brands:default")).status_code == 200  # not retried, not stuck


async def test_timeout_is_504_within_the_vendor_timeout(account: Account, faults: httpx.Client):
    for call in (lambda: account.proxy("GET", "conversations", {"limit": 2}),
                 lambda: account.proxy("GET", "brands:default"),
                 lambda: account.call("GET", "/passthrough/v1/brands")):
        queue(faults, "timeout")
        started = time.monotonic()
        resp = await call()
        elapsed = time.monotonic() - started
        body = problem(resp, 504)
        assert body["from_vendor"] is False
        assert f"did not answer within {VENDOR_TIMEOUT} s" in body["detail"]
        assert VENDOR_TIMEOUT * 0.9 <= elapsed < VENDOR_TIMEOUT + 1.5, elapsed
    assert (await account.proxy("GET", "brands:default")).status_code == 200


async def test_dropped_connection_is_502(account: Account, faults: httpx.Client):
    queue(faults, "drop", "drop")
    for resp in (await account.proxy("GET", "conversations", {"limit": 2}),
                 await account.proxy("GET", "brands:default")):
        body = problem(resp, 502)
        assert body["from_vendor"] is False
        assert body["detail"].startswith("the connection to Kustomer broke off")
    assert (await account.proxy("GET", "brands:default")).status_code == 200  # the pool recovered


async def test_malformed_json_is_502_with_a_clear_message(account: Account, faults: httpx.Client):
    queue(faults, "malformed", "malformed")
    for resp in (await account.proxy("GET", "conversations", {"limit": 2}),
                 await account.proxy("GET", "brands:default")):
        body = problem(resp, 502)
        assert body["detail"] == "Kustomer sent a response that is not valid JSON"
        assert body["from_vendor"] is False
    assert (await account.proxy("GET", "brands:default")).status_code == 200


async def test_a_vendor_4xx_is_not_turned_into_a_gateway_error(account: Account, faults: httpx.Client):
    queue(faults, "error:409")
    body = problem(await account.proxy("GET", "brands:default"), 409)
    assert body["from_vendor"] is True and body["vendor"]["status"] == 409


async def test_unreachable_vendor_is_502(harness: Harness):
    caller = await harness.tenant()
    resp = await caller.post("/admin/accounts", json={
        "provider": "kustomer", "settings": {"base_url": "http://127.0.0.1:9"}, "credentials": {"api_key": "k"}})
    account = Account(caller, resp.json()["id"])
    body = problem(await account.proxy("GET", "brands"), 502)
    assert "could not reach Kustomer" in body["detail"]
