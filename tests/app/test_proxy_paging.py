"""Proxy lists: the envelope, limits, and cursor walks that return each record exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from unified.sandbox.process import SandboxProcess

from .helpers import Account, Harness, problem

LIMITS = [1, 7, 100, 250]
# The big seeded lists (450 conversations, 300 customers) start at 3 and 2 to keep page counts
# (and the run) reasonable; audit logs, searches and child lists cover limit 1.
CONVERSATION_LIMITS = [3, 7, 100, 250]
CUSTOMER_LIMITS = [2, 7, 100, 250]
DONE_AND_URGENT = {"queryContext": "conversation",
                   "and": [{"conversation_status": {"equals": "done"}}, {"conversation_priority": {"gte": 4}}]}


@pytest.fixture(scope="module")
def vendor(roomy_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with roomy_sandbox.client() as client:
        yield client


def vendor_ids(vendor: httpx.Client, path: str, *, body: Any = None, **params: Any) -> list[str]:
    """Every id of a sandbox list, read directly, for comparison."""
    ids: list[str] = []
    link: str | None = path
    first = True
    while link:
        resp = vendor.post(link, json=body, params=params if first else None) if body is not None else \
            vendor.get(link, params=params if first else None)
        assert resp.status_code == 200, resp.text
        ids += [r["id"] for r in resp.json()["data"]]
        link, first = resp.json()["links"]["next"], False
    return ids


def ids_of(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


def expected_pages(total: int, limit: int, maximum: int) -> int:
    return max(1, -(-total // min(limit, maximum)))


@pytest.mark.parametrize("limit", CONVERSATION_LIMITS)
async def test_conversations_walk_once(connected: Account, vendor: httpx.Client, limit: int):
    expected = vendor_ids(vendor, "/v1/conversations", pageSize=100)
    records, pages = await connected.walk("conversations", {"limit": limit})
    assert ids_of(records) == expected
    assert len(set(expected)) == len(expected) >= 450
    assert len(pages) == expected_pages(len(expected), limit, 100)
    assert all(p["result_count"] == min(limit, 100) for p in pages[:-1])


@pytest.mark.parametrize("limit", CUSTOMER_LIMITS)
async def test_customers_walk_once(connected: Account, vendor: httpx.Client, limit: int):
    expected = vendor_ids(vendor, "/v1/customers", pageSize=100)
    records, pages = await connected.walk("customers", {"limit": limit})
    assert ids_of(records) == expected and len(set(expected)) == len(expected) >= 300
    assert len(pages) == expected_pages(len(expected), limit, 100)


@pytest.mark.parametrize("limit", LIMITS)
async def test_audit_logs_walk_once_with_cursor_links(connected: Account, vendor: httpx.Client, limit: int):
    """Audit logs page by ``before=<id>`` links (the cursor_link style), newest first."""
    expected = vendor_ids(vendor, "/v1/audit-logs", count=1000)
    records, pages = await connected.walk("audit_logs", {"limit": limit})
    assert ids_of(records) == expected
    assert len(expected) == len(set(expected)) >= 250
    assert ids_of(records) == sorted(ids_of(records), reverse=True)
    assert len(pages) == expected_pages(len(expected), limit, 1000)


@pytest.mark.parametrize("limit", LIMITS)
async def test_search_list_posts_its_body_on_every_page(connected: Account, vendor: httpx.Client, limit: int):
    expected = vendor_ids(vendor, "/v1/customers/search", body=DONE_AND_URGENT, pageSize=500)
    assert 7 < len(expected) < 100  # narrow enough to stay under the 100-page search cap at limit 1
    records, pages = await connected.walk("search_conversations", {"limit": limit}, method="POST",
                                          json=DONE_AND_URGENT)
    assert ids_of(records) == expected
    assert all(r["attributes"]["status"] == "done" and r["attributes"]["priority"] >= 4 for r in records)
    assert len(pages) == expected_pages(len(expected), limit, 500)


async def test_search_next_pages_with_get_or_post_need_no_body(connected: Account):
    first = (await connected.proxy("POST", "search_conversations", {"limit": 5}, json=DONE_AND_URGENT)).json()
    cursor = first["next_cursor"]
    by_get = await connected.proxy("GET", "search_conversations", {"next_cursor": cursor})
    by_post = await connected.proxy("POST", "search_conversations", {"next_cursor": cursor})
    assert by_get.status_code == by_post.status_code == 200, (by_get.text, by_post.text)
    assert by_get.json()["result"] == by_post.json()["result"]
    assert not set(ids_of(by_get.json()["result"])) & set(ids_of(first["result"]))
    problem(await connected.proxy("POST", "search_conversations", {"limit": 5}), 400)  # the first page needs one


async def test_child_list_walks_once_and_cursors_carry_the_parent(connected: Account, vendor: httpx.Client):
    conversation = (await connected.proxy("GET", "conversations", {"limit": 1})).json()["result"][0]["id"]
    expected = vendor_ids(vendor, f"/v1/conversations/{conversation}/messages")
    records, pages = await connected.walk("conversation_messages", {"id": conversation, "limit": 1})
    assert ids_of(records) == expected and len(pages) == len(expected)
    # following the cursor without repeating ?id= works: the cursor carries the first page's parameters
    first = (await connected.proxy("GET", "conversation_messages", {"id": conversation, "limit": 1})).json()
    if first["next_cursor"]:
        second = await connected.proxy("GET", "conversation_messages", {"next_cursor": first["next_cursor"]})
        assert ids_of(second.json()["result"]) == expected[1:2]


async def test_prev_cursor_leads_back(connected: Account):
    first = (await connected.proxy("GET", "customers", {"limit": 7})).json()
    assert first["prev_cursor"] is None
    second = (await connected.proxy("GET", "customers", {"next_cursor": first["next_cursor"]})).json()
    back = (await connected.proxy("GET", "customers", {"next_cursor": second["prev_cursor"]})).json()
    assert ids_of(back["result"]) == ids_of(first["result"])

    audit = (await connected.proxy("GET", "audit_logs", {"limit": 5})).json()
    older = (await connected.proxy("GET", "audit_logs", {"next_cursor": audit["next_cursor"]})).json()
    newer = (await connected.proxy("GET", "audit_logs", {"next_cursor": older["prev_cursor"]})).json()
    assert ids_of(newer["result"]) == ids_of(audit["result"])


async def test_limit_above_the_maximum_is_clamped(connected: Account):
    page = (await connected.proxy("GET", "conversations", {"limit": 250})).json()
    assert page["result_count"] == 100 and page["next_cursor"]
    users = (await connected.proxy("GET", "users", {"limit": 100000})).json()
    assert users["result_count"] >= 13 and users["next_cursor"] is None  # users allow 500 a page
    default = (await connected.proxy("GET", "conversations")).json()
    assert default["result_count"] == 100


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", " "])
async def test_bad_limits_are_400(connected: Account, limit: str):
    assert problem(await connected.proxy("GET", "conversations", {"limit": limit}), 400)["pointer"] == "/limit"


async def test_list_responses_carry_rate_limit_headers(connected: Account):
    resp = await connected.proxy("GET", "tags", {"limit": 3})
    assert resp.status_code == 200
    assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(resp.headers)


async def test_any_instance_serves_the_next_page(harness: Harness, connected: Account):
    """Cursors are stateless: a second app instance on the same configuration continues a walk."""
    first = (await connected.proxy("GET", "customers", {"limit": 50})).json()
    async with harness.instance() as other:
        second = await connected.on(other).proxy("GET", "customers", {"next_cursor": first["next_cursor"]})
    here = await connected.proxy("GET", "customers", {"next_cursor": first["next_cursor"]})
    assert second.status_code == 200 and second.json() == here.json()
    assert not set(ids_of(second.json()["result"])) & set(ids_of(first["result"]))
