"""Lookups, tags, custom attributes, masking and error bodies as Kustomer applies them."""

import uuid

import httpx


def new_customer(client: httpx.Client, **extra) -> dict:
    email = f"{uuid.uuid4().hex[:10]}@rules.test"
    resp = client.post("/v1/customers", json={"name": "Rule Tester", "emails": [{"email": email}], **extra})
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def first_customer(client: httpx.Client) -> dict:
    return client.get("/v1/customers", params={"pageSize": 1}).json()["data"][0]


# ------------------------------------------------------------------ lookups


def test_lookup_by_email_phone_and_external_id(kustomer: httpx.Client):
    created = new_customer(kustomer, phones=[{"phone": "+15551230000"}], externalId=f"ext-{uuid.uuid4().hex[:8]}")
    email = created["attributes"]["emails"][0]["email"]
    assert kustomer.get(f"/v1/customers/email={email}").json()["data"]["id"] == created["id"]
    assert kustomer.get(f"/v1/customers/externalId={created['attributes']['externalId']}").json()["data"]["id"] == created["id"]
    # phones are sensitive in the seeded metadata, but lookups match the real value
    assert kustomer.get("/v1/customers/phone=+15551230000").json()["data"]["id"] == created["id"]


def test_lookups_answer_404_when_absent(kustomer: httpx.Client):
    for path in ("/v1/customers/email=ghost@nowhere.test", "/v1/customers/phone=+19999999999",
                 "/v1/customers/externalId=nope", "/v1/conversations/externalId=nope",
                 "/v1/messages/externalid=nope"):
        resp = kustomer.get(path)
        assert resp.status_code == 404, path
        assert resp.json()["errors"][0]["code"] == "not_found"


# --------------------------------------------------------------------- tags


def test_tag_append_creates_tags_by_name_and_stores_ids(kustomer: httpx.Client):
    customer = new_customer(kustomer)
    convo = kustomer.post("/v1/conversations", json={"customer": customer["id"], "name": "Tagging"}).json()["data"]
    name = f"t-{uuid.uuid4().hex[:8]}"
    resp = kustomer.post(f"/v1/conversations/{convo['id']}/tags", json=[name, "billing"])
    assert resp.status_code == 200
    tag_ids = resp.json()["data"]["attributes"]["tags"]
    assert len(tag_ids) == 2 and all(len(t) == 24 for t in tag_ids)
    names = {t["attributes"]["name"]: t["id"] for t in kustomer.get("/v1/tags", params={"pageSize": 100}).json()["data"]}
    names.update({t["attributes"]["name"]: t["id"]
                  for t in kustomer.get("/v1/tags", params={"pageSize": 100, "page": 2}).json()["data"]})
    assert names[name] in tag_ids and names["billing"] in tag_ids
    removed = kustomer.request("DELETE", f"/v1/conversations/{convo['id']}/tags", json=[name])
    assert removed.status_code == 200
    assert removed.json()["data"]["attributes"]["tags"] == [names["billing"]]


def test_tag_body_must_be_a_bare_array_of_names(kustomer: httpx.Client):
    convo = kustomer.get("/v1/conversations", params={"pageSize": 1}).json()["data"][0]
    resp = kustomer.post(f"/v1/conversations/{convo['id']}/tags", json={"tags": ["x"]})
    assert resp.status_code == 400


# --------------------------------------------------------- custom attributes


def test_custom_attribute_suffixes_are_enforced(kustomer: httpx.Client):
    customer = first_customer(kustomer)
    bad = kustomer.put(f"/v1/customers/{customer['id']}", json={"custom": {"favouriteColour": "red"}})
    assert bad.status_code == 400
    error = bad.json()["errors"][0]
    assert error["source"]["pointer"] == "/custom/favouriteColour"
    assert "suffix" in error["detail"]
    wrong_type = kustomer.put(f"/v1/customers/{customer['id']}", json={"custom": {"scoreNum": "high"}})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["errors"][0]["source"]["pointer"] == "/custom/scoreNum"
    for key, value in (("scoreNum", 4.5), ("joinedAt", "2024-01-02T03:04:05.000Z"), ("nickStr", "ace"),
                       ("bioTxt", "long text"), ("activeBool", True), ("siteUrl", "https://example.test/x")):
        ok = kustomer.put(f"/v1/customers/{customer['id']}", json={"custom": {key: value}})
        assert ok.status_code == 200, (key, ok.text)
        assert ok.json()["data"]["attributes"]["custom"][key] == value
    too_long = kustomer.put(f"/v1/customers/{customer['id']}", json={"custom": {"nickStr": "x" * 1025}})
    assert too_long.status_code == 400


# ------------------------------------------------------------------ masking


def test_sensitive_attributes_are_masked_until_an_unmasking_window_opens(kustomer: httpx.Client):
    customer = new_customer(kustomer, phones=[{"phone": "+15550001111", "type": "mobile"}],
                            custom={"taxIdStr": "TX-123", "vipBool": True})
    ident = customer["id"]
    masked = {"isMasked": True, "maskedPresentation": "****"}
    attrs = kustomer.get(f"/v1/customers/{ident}").json()["data"]["attributes"]
    assert attrs["custom"]["taxIdStr"] == masked
    assert attrs["custom"]["vipBool"] is True
    assert attrs["phones"][0]["phone"] == masked
    opened = kustomer.post(f"/v1/customers/{ident}/unmasking-windows")
    assert opened.status_code == 201
    window = opened.json()["data"]["attributes"]["unmaskingWindow"]
    assert window["startDate"] < window["endDate"]
    attrs = kustomer.get(f"/v1/customers/{ident}").json()["data"]["attributes"]
    assert attrs["custom"]["taxIdStr"] == "TX-123"
    assert attrs["phones"][0]["phone"] == "+15550001111"
    closed = kustomer.delete(f"/v1/customers/{ident}/unmasking-windows")
    assert closed.status_code == 204
    attrs = kustomer.get(f"/v1/customers/{ident}").json()["data"]["attributes"]
    assert attrs["custom"]["taxIdStr"] == masked


# ------------------------------------------------------------------- errors


def test_error_bodies(kustomer: httpx.Client, sandbox):
    unauth = httpx.get(f"{sandbox.base_url}/v1/customers")
    assert unauth.status_code == 401
    assert "x-ratelimit-remaining" in unauth.headers
    assert unauth.json()["errors"][0]["code"] == "unauthorized"
    missing = kustomer.get("/v1/conversations/0123456789abcdef01234567")
    assert missing.status_code == 404
    assert missing.json() == {"errors": [{"status": 404, "code": "not_found", "title": "Not Found",
                                          "detail": "conversation 0123456789abcdef01234567 not found"}]}
    bad_json = kustomer.post("/v1/customers", content=b"{nope", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400
    too_big = kustomer.post("/v1/customers", json={"name": "x" * (101 * 1024)})
    assert too_big.status_code == 413
    assert too_big.json()["errors"][0]["code"] == "request_entity_too_large"


def test_stale_rev_is_a_409(kustomer: httpx.Client):
    customer = new_customer(kustomer)
    ident = customer["id"]
    assert kustomer.put(f"/v1/customers/{ident}", json={"name": "A", "rev": 1}).status_code == 200
    stale = kustomer.put(f"/v1/customers/{ident}", json={"name": "B", "rev": 1})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "conflict"


def test_duplicate_email_is_a_409(kustomer: httpx.Client):
    customer = new_customer(kustomer)
    email = customer["attributes"]["emails"][0]["email"]
    again = kustomer.post("/v1/customers", json={"name": "Dup", "emails": [{"email": email}]})
    assert again.status_code == 409
