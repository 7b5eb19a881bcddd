"""Kustomer's JSON:API envelopes, statuses and links, over real HTTP."""

import httpx


def test_single_resource_has_jsonapi_shape_with_relative_links(kustomer: httpx.Client):
    first = kustomer.get("/v1/conversations", params={"pageSize": 1}).json()["data"][0]
    resp = kustomer.get(f"/v1/conversations/{first['id']}")
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert data["type"] == "conversation"
    assert data["links"]["self"] == f"/v1/conversations/{first['id']}"
    customer = data["relationships"]["customer"]
    assert customer["data"]["type"] == "customer"
    assert customer["links"]["self"] == f"/v1/customers/{customer['data']['id']}"
    assert data["relationships"]["messages"] == {"links": {"self": f"/v1/conversations/{first['id']}/messages"}}
    assert data["attributes"]["createdAt"].endswith("Z")


def test_list_envelope_has_meta_and_null_links_at_the_ends(kustomer: httpx.Client):
    body = kustomer.get("/v1/companies", params={"pageSize": 30}).json()
    assert body["meta"] == {"pageSize": 30, "page": 1}
    assert body["links"]["prev"] is None
    assert body["links"]["first"] == "/v1/companies?page=1&pageSize=30"
    assert body["links"]["next"] == "/v1/companies?page=2&pageSize=30"
    last = kustomer.get("/v1/companies", params={"pageSize": 30, "page": 2}).json()
    assert last["links"]["next"] is None
    assert last["links"]["prev"] == "/v1/companies?page=1&pageSize=30"


def test_links_keep_other_query_parameters(kustomer: httpx.Client):
    body = kustomer.get("/v1/companies", params={"filter": "inc", "pageSize": 2}).json()
    assert body["links"]["self"] == "/v1/companies?filter=inc&page=1&pageSize=2"


def test_customers_list_reports_totals(kustomer: httpx.Client):
    body = kustomer.get("/v1/customers", params={"pageSize": 100}).json()
    assert body["meta"]["total"] >= 300
    assert body["meta"]["totalPages"] == -(-body["meta"]["total"] // 100)
    assert body["links"]["last"].endswith(f"page={body['meta']['totalPages']}&pageSize=100")


def test_create_is_201_update_200_delete_204(kustomer: httpx.Client):
    created = kustomer.post("/v1/customers", json={"name": "Envelope Test", "emails": [{"email": "env@x.test"}]})
    assert created.status_code == 201
    ident = created.json()["data"]["id"]
    updated = kustomer.put(f"/v1/customers/{ident}", json={"name": "Renamed"})
    assert updated.status_code == 200
    assert updated.json()["data"]["attributes"]["name"] == "Renamed"
    deleted = kustomer.delete(f"/v1/customers/{ident}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert kustomer.get(f"/v1/customers/{ident}").status_code == 404


def test_multi_get_by_comma_separated_ids(kustomer: httpx.Client):
    ids = [c["id"] for c in kustomer.get("/v1/conversations", params={"pageSize": 3}).json()["data"]]
    body = kustomer.get(f"/v1/conversations/{','.join(ids)}").json()
    assert [d["id"] for d in body["data"]] == ids


def test_me_is_the_machine_user(kustomer: httpx.Client):
    me = kustomer.get("/v1/users/current").json()["data"]
    assert me["type"] == "user"
    assert me["attributes"]["userType"] == "machine"


def test_rate_limit_headers_on_every_response(kustomer: httpx.Client):
    budget = kustomer.get("/__sandbox/state").json()["settings"]["org_rate_limit"]
    for resp in (kustomer.get("/v1/tags"), kustomer.get("/v1/customers/email=nobody@nowhere.test")):
        assert int(resp.headers["x-ratelimit-limit"]) == budget
        assert 0 <= int(resp.headers["x-ratelimit-remaining"]) < budget
        assert int(resp.headers["x-ratelimit-reset"]) > 1_700_000_000  # epoch seconds
