"""POST /v1/customers/search: contexts, and/or, operators, sort, paging."""

import httpx


def search(client: httpx.Client, body: dict, **params) -> httpx.Response:
    return client.post("/v1/customers/search", json=body, params=params)


def test_conversation_context_with_and_criteria_and_sort(kustomer: httpx.Client):
    body = {"queryContext": "conversation",
            "and": [{"conversation_status": {"equals": "open"}}, {"conversation_priority": {"gte": 4}}],
            "sort": [{"conversation_updated_at": "desc"}]}
    resp = search(kustomer, body, pageSize=50)
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert data, "the seed has open high-priority conversations"
    assert all(d["type"] == "conversation" for d in data)
    assert all(d["attributes"]["status"] == "open" and d["attributes"]["priority"] >= 4 for d in data)
    stamps = [d["attributes"]["updatedAt"] for d in data]
    assert stamps == sorted(stamps, reverse=True)
    meta = resp.json()["meta"]
    assert meta["total"] >= len(data) and "aggregations" in meta


def test_or_criteria_and_dates(kustomer: httpx.Client):
    body = {"queryContext": "conversation",
            "or": [{"conversation_status": {"equals": "snoozed"}}, {"conversation_status": {"equals": "done"}}],
            "and": [{"conversation_created_at": {"gte": "2025-12-01"}}]}
    data = search(kustomer, body, pageSize=100).json()["data"]
    assert data
    assert {d["attributes"]["status"] for d in data} <= {"snoozed", "done"}
    assert all(d["attributes"]["createdAt"] >= "2025-12-01" for d in data)


def test_customer_context_custom_attribute_and_contains(kustomer: httpx.Client):
    body = {"queryContext": "customer", "and": [{"customer_custom_loyaltyTierStr": {"equals": "gold"}},
                                                {"customer_name": {"contains": "a"}}]}
    data = search(kustomer, body, pageSize=100).json()["data"]
    assert data and all(d["attributes"]["custom"]["loyaltyTierStr"] == "gold" for d in data)


def test_search_pages_walk_once_and_ids_only(kustomer: httpx.Client):
    body = {"queryContext": "conversation", "and": [{"conversation_status": {"equals": "done"}}]}
    first = search(kustomer, body, pageSize=40).json()
    total = first["meta"]["total"]
    seen = [d["id"] for d in first["data"]]
    nxt = first["links"]["next"]
    while nxt:  # links do not carry the body: re-POST it to the next link
        page = kustomer.post(nxt, json=body).json()
        seen += [d["id"] for d in page["data"]]
        nxt = page["links"]["next"]
    assert len(seen) == len(set(seen)) == total
    ids_only = search(kustomer, body, pageSize=5, idsOnly="true").json()["data"]
    assert set(ids_only[0]) == {"type", "id"}


def test_bad_search_bodies(kustomer: httpx.Client):
    assert search(kustomer, {"queryContext": "planets"}).status_code == 400
    wrong_op = search(kustomer, {"queryContext": "customer", "and": [{"customer_name": {"resembles": "x"}}]})
    assert wrong_op.status_code == 400
    assert "operator" in wrong_op.json()["errors"][0]["detail"]
    assert search(kustomer, {"queryContext": "customer"}, page=101).status_code == 400
