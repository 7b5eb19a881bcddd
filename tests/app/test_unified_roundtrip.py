"""Property: any valid unified create body round-trips (create, then get returns the values).

"Valid" means what the unified schema accepts and Kustomer can store: emails unique in the
org, custom attributes named with Kustomer's type suffixes and enumerations respected, tag
names that exist, a ticket's contact. Example counts stay small: every example is a few real
HTTP calls to the sandbox."""

from __future__ import annotations

import re
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .unified_support import UnifiedApi

SETTINGS = settings(max_examples=15, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

TEXT = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]), max_size=40)
WORD = st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=12)
STAMP = st.datetimes(min_value=__import__("datetime").datetime(2000, 1, 1),
                     max_value=__import__("datetime").datetime(2040, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z")
NUMBER = st.one_of(st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False, width=64))


def custom_values(declared: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict[str, Any]]:
    """Declared attributes plus free ones, each value fitting its name's suffix (or null)."""
    free = st.dictionaries(
        st.tuples(st.from_regex(r"\Ahyp[a-z]{1,8}\Z"), st.sampled_from(["Str", "Txt", "Num", "Bool", "At", "Url"])),
        st.none(), max_size=3).flatmap(lambda keys: st.fixed_dictionaries({
            name + suffix: st.one_of(st.none(), {
                "Str": TEXT, "Txt": TEXT, "Num": NUMBER, "Bool": st.booleans(), "At": STAMP,
                "Url": WORD.map(lambda w: f"https://example.test/{w}")}[suffix])
            for name, suffix in keys}))
    return st.tuples(st.fixed_dictionaries({}, optional=declared), free).map(lambda t: {**t[0], **t[1]})


# ----------------------------------------------------------------------------------- contacts

EMAIL = st.builds(lambda local, tag: f"{local}.{uuid.uuid4().hex[:10]}@{tag}.test",
                  st.from_regex(r"\A[a-z0-9][a-z0-9._+-]{0,15}\Z"), st.from_regex(r"\A[a-z]{1,10}\Z"))
EMAILS = st.lists(st.fixed_dictionaries({"email": EMAIL}, optional={"type": st.sampled_from(["home", "work", "other"])}),
                  max_size=3)
PHONES = st.lists(st.fixed_dictionaries(
    {"number": st.from_regex(r"\A\+1555[0-9]{7}\Z")},
    optional={"type": st.sampled_from(["mobile", "home", "work", "fax", "other"])}),
    max_size=2, unique_by=lambda p: p["number"])  # Kustomer: phones are unique items
LAST = st.lists(WORD, min_size=1, max_size=3).map(" ".join)


@st.composite
def contact_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {}
    names = draw(st.sampled_from(["none", "name", "first", "first+last", "all"]))
    if names == "name":
        body["name"] = draw(TEXT)
    elif names != "none":
        body["first_name"] = draw(WORD)
        if names != "first":
            body["last_name"] = draw(LAST)
        if names == "all":
            body["name"] = f"{body['first_name']} {body['last_name']}"
    for key, strategy in (("emails", EMAILS), ("phones", PHONES)):
        if draw(st.booleans()):
            body[key] = draw(strategy)
    if draw(st.booleans()):
        body["account"] = {"id": draw(st.integers(0, 39))}  # an index into the org's companies
    if draw(st.booleans()):
        body["custom_fields"] = draw(custom_values({
            "loyaltyTierStr": st.sampled_from(["bronze", "silver", "gold"]),
            "lifetimeValueNum": NUMBER, "vipBool": st.booleans(), "taxIdStr": TEXT}))
    return body


def _trim(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ")


@SETTINGS
@given(body=contact_bodies())
async def test_any_contact_create_body_round_trips(uapi: UnifiedApi, body: dict[str, Any]) -> None:
    body = dict(body)
    if "account" in body:
        companies = (await uapi.kustomer("/v1/companies", pageSize=40))["data"]
        body["account"] = {"id": companies[body["account"]["id"]]["id"]}
    response = await uapi.post("/unified/ticketing/contacts", body)
    assert response.status_code == 201, (body, response.text)
    contact_id = response.json()["id"]
    try:
        # phones (and taxIdStr) are sensitive in the sandbox org: read them inside an unmasking window
        assert (await uapi.post("/proxy/customer_unmasking_windows", None, id=contact_id)).status_code == 201
        got = await uapi.unified("contacts", contact_id)
        name = body.get("name", _trim(" ".join(filter(None, [body.get("first_name"), body.get("last_name")]))) or None)
        assert got["name"] == name
        for key in ("first_name", "last_name"):
            if key in body:
                assert got[key] == body[key]
        assert got["emails"] == [{"email": e["email"], "type": e.get("type")} for e in body.get("emails", [])]
        assert got["phones"] == [{"number": p["number"], "type": p.get("type"), "extension": None}
                                 for p in body.get("phones", [])]
        assert got["account"] == ({"id": body["account"]["id"], "name": None} if "account" in body else None)
        assert got["custom_fields"] == body.get("custom_fields", {})
    finally:
        assert (await uapi.delete(f"/unified/ticketing/contacts/{contact_id}")).status_code == 200


# ------------------------------------------------------------------------------------ tickets


@st.composite
def ticket_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Indexes stand in for the org's records (customers, users, teams, tags); the test resolves them."""
    body: dict[str, Any] = {"contact": {"id": draw(st.integers(0, 99))}}
    if draw(st.booleans()):
        body["name"] = draw(TEXT)
    if draw(st.booleans()):
        body["status"] = {"id": draw(st.sampled_from(["open", "closed", "done"]))}
    if draw(st.booleans()):
        body["priority"] = {"id": draw(st.sampled_from(["1", "2", "3", "4", "5"]))}
    if draw(st.booleans()):
        body["assignees"] = [{"id": i} for i in draw(st.lists(st.integers(1, 12), unique=True, max_size=4))]
    if draw(st.booleans()):
        body["team"] = {"id": draw(st.integers(0, 3))}
    if draw(st.booleans()):
        body["tags"] = draw(st.lists(st.integers(0, 23), unique=True, max_size=4))
    if draw(st.booleans()):
        body["custom_fields"] = draw(custom_values({"orderNumberStr": TEXT, "refundAmountNum": NUMBER}))
    return body


@SETTINGS
@given(body=ticket_bodies())
async def test_any_ticket_create_body_round_trips(uapi: UnifiedApi, body: dict[str, Any]) -> None:
    body = dict(body)
    customers = (await uapi.kustomer("/v1/customers", pageSize=100))["data"]
    users = (await uapi.kustomer("/v1/users", pageSize=13))["data"]
    teams = (await uapi.kustomer("/v1/teams", pageSize=4))["data"]
    tags = (await uapi.kustomer("/v1/tags", pageSize=24))["data"]
    body["contact"] = {"id": customers[body["contact"]["id"]]["id"]}
    if "assignees" in body:
        body["assignees"] = [{"id": users[a["id"]]["id"]} for a in body["assignees"]]
    if "team" in body:
        body["team"] = {"id": teams[body["team"]["id"]]["id"]}
    if "tags" in body:
        body["tags"] = [tags[i]["attributes"]["name"] for i in body["tags"]]
    response = await uapi.post("/unified/ticketing/tickets", body)
    assert response.status_code == 201, (body, response.text)
    created = response.json()
    try:
        got = await uapi.unified("tickets", created["id"])
        assert got == created
        assert got["contact"]["id"] == body["contact"]["id"]
        assert got["name"] == body.get("name", "")
        status = body.get("status", {"id": "open"})["id"]
        assert status in (got["status"]["id"], got["status"]["name"])
        assert got["priority"]["id"] == body.get("priority", {"id": "3"})["id"]  # Kustomer's default is 3
        assert [a["id"] for a in got["assignees"]] == [a["id"] for a in body.get("assignees", [])]
        assert (got["team"] or {}).get("id") == body.get("team", {}).get("id")
        assert [t["name"] for t in got["tags"]] == body.get("tags", [])
        assert got["custom_fields"] == body.get("custom_fields", {})
    finally:
        assert (await uapi.delete(f"/unified/ticketing/tickets/{created['id']}")).status_code == 200


# ----------------------------------------------------------------------------------- accounts


@SETTINGS
@given(name=st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=3, max_size=60),
       domains=st.lists(st.from_regex(r"\A[a-z]{1,12}\.test\Z"), max_size=3, unique=True),
       custom=custom_values({"industryStr": TEXT, "arrNum": NUMBER}))
async def test_any_account_create_body_round_trips(uapi: UnifiedApi, name: str, domains: list[str],
                                                   custom: dict[str, Any]) -> None:
    response = await uapi.post("/unified/ticketing/accounts", {"name": name, "domains": domains, "custom_fields": custom})
    assert response.status_code == 201, response.text
    got = await uapi.unified("accounts", response.json()["id"])
    assert (got["name"], got["domains"], got["custom_fields"]) == (name, domains, custom)
