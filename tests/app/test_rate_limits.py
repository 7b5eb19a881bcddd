"""Vendor rate limits reach the caller as IETF ``ratelimit-*`` headers (reset in seconds),
and a vendor 429 comes back as a 429 with those headers and ``Retry-After``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from unified.sandbox.process import SandboxProcess

from .helpers import Account, Caller, problem

HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


def reset_seconds(resp: httpx.Response) -> int:
    value = int(resp.headers["ratelimit-reset"])
    assert 0 <= value <= 61, value  # seconds to the end of the 60 s window (epoch-second rounding), not an epoch
    return value


@pytest.fixture
def vendor(fresh_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with fresh_sandbox.client() as client:
        yield client


def budget(vendor: httpx.Client, requests: int) -> None:
    assert vendor.put("/__sandbox/settings", json={"org_rate_limit": requests}).status_code == 200
    assert vendor.post("/__sandbox/reset-limits").status_code == 204


async def test_every_face_carries_normalized_headers(connected: Account):
    conversation = (await connected.proxy("GET", "conversations", {"limit": 1})).json()["result"][0]["id"]
    responses = [
        await connected.proxy("GET", "conversations", {"limit": 2}),
        await connected.proxy("GET", f"conversations/{conversation}"),
        await connected.call("GET", "/passthrough/v1/brands"),
        await connected.proxy("GET", "conversations/" + "0" * 24),  # a vendor 404 carries them too
    ]
    for resp in responses:
        assert set(HEADERS) <= set(resp.headers), resp.headers
        assert int(resp.headers["ratelimit-limit"]) == 1000000  # the roomy sandbox's budget
        assert 0 <= int(resp.headers["ratelimit-remaining"]) < 1000000
        reset_seconds(resp)
        assert not any(h.startswith("x-ratelimit") for h in resp.headers)


async def test_remaining_counts_down(caller: Caller, fresh_sandbox: SandboxProcess, vendor: httpx.Client):
    account = await caller.connect(fresh_sandbox)
    budget(vendor, 5)
    seen = []
    for _ in range(5):
        resp = await account.proxy("GET", "tags", {"limit": 1})
        assert resp.status_code == 200
        assert resp.headers["ratelimit-limit"] == "5"
        seen.append(int(resp.headers["ratelimit-remaining"]))
    assert seen == [4, 3, 2, 1, 0]  # one vendor call per request: nothing retried or prefetched


async def test_vendor_429_is_a_429_with_retry_after(caller: Caller, fresh_sandbox: SandboxProcess,
                                                    vendor: httpx.Client):
    account = await caller.connect(fresh_sandbox)
    budget(vendor, 2)
    assert (await account.proxy("GET", "brands")).status_code == 200
    assert (await account.proxy("GET", "brands")).status_code == 200
    for resp in (await account.proxy("GET", "brands"),                     # a list
                 await account.proxy("GET", "brands:default"),             # a single record
                 await account.proxy("POST", "customers", json={"name": "Late"}),
                 await account.call("GET", "/passthrough/v1/brands")):     # the raw face
        body = problem(resp, 429)
        assert body["from_vendor"] is True and body["vendor"]["status"] == 429
        assert body["vendor"]["body"]["errors"][0]["code"] == "rate_limit_exceeded"
        assert resp.headers["ratelimit-limit"] == "2"
        assert resp.headers["ratelimit-remaining"] == "0"
        retry_after = int(resp.headers["retry-after"])
        assert 0 <= retry_after <= 61
        assert abs(retry_after - reset_seconds(resp)) <= 1
    assert vendor.post("/__sandbox/reset-limits").status_code == 204
    assert (await account.proxy("GET", "brands")).status_code == 200  # the caller decides when to retry


async def test_search_limit_429_has_retry_after_too(caller: Caller, fresh_sandbox: SandboxProcess,
                                                   vendor: httpx.Client):
    """The sandbox's search limit sends no reset header of its own; Retry-After is still there."""
    account = await caller.connect(fresh_sandbox)
    assert vendor.put("/__sandbox/settings", json={"search_rate_limit": 1}).status_code == 200
    assert vendor.post("/__sandbox/reset-limits").status_code == 204
    body = {"queryContext": "customer"}
    assert (await account.proxy("POST", "search_customers:search", json=body)).status_code == 200
    resp = await account.proxy("POST", "search_customers:search", json=body)
    assert problem(resp, 429)["vendor"]["body"]["errors"][0]["code"] == "search_rate_limit_exceeded"
    assert int(resp.headers["retry-after"]) >= 0
