"""Walking lists to the end returns every record exactly once, whatever the page size."""

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def walk(client: httpx.Client, path: str, **params) -> list[str]:
    seen: list[str] = []
    url: str | None = path
    query = params
    pages = 0
    while url:
        body = client.get(url, params=query).json()
        seen.extend(d["id"] for d in body["data"])
        url, query = body["links"]["next"], None
        pages += 1
        assert pages < 1000, "paging did not end"
    return seen


def test_walk_conversations_to_the_end(kustomer: httpx.Client):
    ids = walk(kustomer, "/v1/conversations", pageSize=100)
    assert len(ids) == len(set(ids))
    assert len(ids) >= 450


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=1, max_value=150))
def test_any_page_size_walks_every_customer_once(kustomer: httpx.Client, size: int):
    total = kustomer.get("/v1/customers", params={"pageSize": 1}).json()["meta"]["total"]
    ids = walk(kustomer, "/v1/customers", pageSize=size)
    assert len(ids) == total
    assert len(set(ids)) == total


def test_page_size_above_maximum_is_clamped(kustomer: httpx.Client):
    body = kustomer.get("/v1/conversations", params={"pageSize": 1000}).json()
    assert body["meta"]["pageSize"] == 100
    assert len(body["data"]) == 100


def test_invalid_page_is_a_400(kustomer: httpx.Client):
    resp = kustomer.get("/v1/conversations", params={"page": 0})
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"parameter": "page"}


def test_sort_desc_reverses_conversations(kustomer: httpx.Client):
    asc = kustomer.get("/v1/conversations", params={"pageSize": 5}).json()["data"]
    desc = kustomer.get("/v1/conversations", params={"pageSize": 5, "sort": "desc"}).json()["data"]
    assert asc[0]["id"] < desc[0]["id"]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(min_value=1, max_value=300))
def test_audit_log_cursor_walks_every_entry_once(kustomer: httpx.Client, count: int):
    first = kustomer.get("/v1/audit-logs", params={"count": count}).json()
    total = first["meta"]["total"]
    ids = walk(kustomer, "/v1/audit-logs", count=count)
    assert len(ids) == total == len(set(ids))
    assert ids == sorted(ids, reverse=True)  # newest first


def test_audit_log_links_use_before_and_after(kustomer: httpx.Client):
    body = kustomer.get("/v1/audit-logs", params={"count": 10}).json()
    last_id = body["data"][-1]["id"]
    assert body["links"]["next"] == f"/v1/audit-logs?count=10&before={last_id}"
    assert body["links"]["prev"] is None
    second = kustomer.get(body["links"]["next"]).json()
    assert second["links"]["prev"] == f"/v1/audit-logs?count=10&after={second['data'][0]['id']}"
