"""Unified contacts <- Kustomer customers, end to end against the sandbox."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from .unified_support import UnifiedApi, same


def _trim(text: str) -> str:  # JSONata's $trim
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ")


def _masked(value: Any) -> Any:
    return value["maskedPresentation"] if isinstance(value, dict) else value


def expected_contact(customer: dict[str, Any]) -> dict[str, Any]:
    """What contacts.yaml promises for one Kustomer customer."""
    a, rel = customer["attributes"], customer["relationships"]
    name = _trim(a["name"]) if isinstance(a.get("name"), str) else ""
    first = a["firstName"] if "firstName" in a else (name.split(" ", 1)[0] if name else None)
    last = a["lastName"] if "lastName" in a else (name.split(" ", 1)[1] if " " in name else None)
    company = (rel.get("company") or {}).get("data", {}).get("id")
    return {
        "id": customer["id"],
        "name": a.get("name"),
        "first_name": first,
        "last_name": last,
        "emails": [{"email": _masked(e["email"]), "type": e.get("type")} for e in a.get("emails", [])],
        "phones": [{"number": _masked(p["phone"]), "type": p.get("type")} for p in a.get("phones", [])],
        "account": {"id": company} if company else None,
        "is_active": a.get("deleted") is not True,
        "created_at": a["createdAt"],
        "updated_at": a["updatedAt"],
        "etag": str(a["rev"]),
        "custom_fields": a.get("custom"),
        "remote_data": customer,
    }


def unique_email() -> str:
    return f"unified-{uuid.uuid4().hex[:12]}@example.test"


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_walk_returns_every_customer_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    contacts = await uapi.walk("contacts", limit)
    customers = await uapi.kustomer_all("/v1/customers")
    assert [c["id"] for c in contacts] == [c["id"] for c in customers]
    for contact, customer in zip(contacts, customers, strict=True):
        same(contact, expected_contact(customer))


async def test_get_matches_the_proxy_record(uapi: UnifiedApi) -> None:
    customers = (await uapi.kustomer("/v1/customers", pageSize=5))["data"]
    with_company = next(c for c in customers if "company" in c["relationships"])
    for customer in (customers[0], with_company):
        contact = await uapi.unified("contacts", customer["id"])
        proxied = await uapi.proxy("customers", customer["id"])
        same(contact, expected_contact(proxied["data"]))
    assert contact["account"]["id"] == with_company["relationships"]["company"]["data"]["id"]


async def test_email_filter_uses_the_lookup(uapi: UnifiedApi) -> None:
    customer = (await uapi.kustomer("/v1/customers", page=3, pageSize=10))["data"][4]
    email = customer["attributes"]["emails"][0]["email"]
    page = await uapi.unified("contacts", email=email)
    assert [c["id"] for c in page["result"]] == [customer["id"]]
    assert page["next_cursor"] is None
    assert (await uapi.unified("contacts", email="nobody-at-all@example.test"))["result"] == []
    response = await uapi.get("/unified/ticketing/contacts", **{"email[gt]": email})
    assert uapi.problem(response, 400)["pointer"] == "/email[gt]"


async def test_email_with_other_filters_goes_through_search(uapi: UnifiedApi) -> None:
    customer = (await uapi.kustomer("/v1/customers", pageSize=3))["data"][2]
    email = customer["attributes"]["emails"][0]["email"]
    page = await uapi.unified("contacts", email=email, **{"created_at[lte]": customer["attributes"]["createdAt"]})
    assert [c["id"] for c in page["result"]] == [customer["id"]]
    page = await uapi.unified("contacts", email=email, **{"created_at[gt]": customer["attributes"]["createdAt"]})
    assert page["result"] == []


async def test_name_filter(uapi: UnifiedApi) -> None:
    name = (await uapi.kustomer("/v1/customers", pageSize=2))["data"][1]["attributes"]["name"]
    contacts = await uapi.walk("contacts", 1, name=name)
    searched = await uapi.kustomer_search({"queryContext": "customer", "and": [{"customer_name": {"equals": name}}]})
    assert sorted(c["id"] for c in contacts) == sorted(c["id"] for c in searched)
    assert contacts and all(c["name"] == name for c in contacts)


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_date_range_and_sort_through_search(uapi: UnifiedApi, limit: int) -> None:
    customers = await uapi.kustomer_all("/v1/customers")
    stamps = sorted(c["attributes"]["createdAt"] for c in customers)
    low, high = stamps[40], stamps[60]
    contacts = await uapi.walk("contacts", limit, sort_by="created_at", sort_order="desc",
                              **{"created_at[gte]": low, "created_at[lt]": high})
    searched = await uapi.kustomer_search({"queryContext": "customer", "sort": [{"customer_created_at": "desc"}],
                                          "and": [{"customer_created_at": {"gte": low}},
                                                  {"customer_created_at": {"lt": high}}]})
    assert [c["id"] for c in contacts] == [c["id"] for c in searched]
    assert len(contacts) == len({c["id"] for c in contacts}) > 0
    assert all(low <= c["created_at"] < high for c in contacts)
    created = [c["created_at"] for c in contacts]
    assert created == sorted(created, reverse=True)
    for contact, customer in zip(contacts, searched, strict=True):
        same(contact, expected_contact(customer))


async def test_updated_at_filter_and_name_sort(uapi: UnifiedApi) -> None:
    customers = await uapi.kustomer_all("/v1/customers")
    cut = sorted(c["attributes"]["updatedAt"] for c in customers)[-30]
    contacts = await uapi.walk("contacts", 7, sort_by="name", **{"updated_at[gt]": cut})
    searched = await uapi.kustomer_search({"queryContext": "customer", "and": [{"customer_updated_at": {"gt": cut}}]})
    assert {c["id"] for c in contacts} == {c["id"] for c in searched}
    assert contacts and all(c["updated_at"] > cut for c in contacts)
    names = [c["name"].lower() for c in contacts]
    assert names == sorted(names)


async def test_undeclared_filters_sorts_and_operators_are_400(uapi: UnifiedApi) -> None:
    for params, pointer in (({"phone": "1"}, "/phone"), ({"name[gt]": "a"}, "/name[gt]"),
                            ({"created_at[eq]": "2025-01-01"}, "/created_at[eq]"), ({"sort_by": "email"}, "/sort_by"),
                            ({"name[like]": "x"}, "/name[like]")):
        body = uapi.problem(await uapi.get("/unified/ticketing/contacts", **params), 400)
        assert body["pointer"] == pointer
        assert body["from_vendor"] is False


async def test_create_update_delete_read_back(uapi: UnifiedApi) -> None:
    company = (await uapi.kustomer("/v1/companies", pageSize=1))["data"][0]["id"]
    email = unique_email()
    body = {"first_name": "Ada", "last_name": "Lovelace", "emails": [{"email": email, "type": "work"}],
            "account": {"id": company}, "custom_fields": {"loyaltyTierStr": "gold", "vipBool": True}}
    created = (await uapi.post("/unified/ticketing/contacts", body))
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["name"] == "Ada Lovelace" and contact["first_name"] == "Ada" and contact["last_name"] == "Lovelace"
    assert contact["emails"] == [{"email": email, "type": "work"}]
    assert contact["account"]["id"] == company
    assert contact["custom_fields"] == {"loyaltyTierStr": "gold", "vipBool": True}
    # through the unified API and the proxy
    assert await uapi.unified("contacts", contact["id"]) == contact
    proxied = (await uapi.proxy("customers", contact["id"]))["data"]
    assert proxied["attributes"]["name"] == "Ada Lovelace"
    assert proxied["attributes"]["emails"][0]["email"] == email
    assert proxied["relationships"]["company"]["data"]["id"] == company
    same(contact, expected_contact(proxied))
    # the email lookup finds it
    assert [c["id"] for c in (await uapi.unified("contacts", email=email))["result"]] == [contact["id"]]

    response = await uapi.patch(f"/unified/ticketing/contacts/{contact['id']}",
                               {"name": "Ada King", "custom_fields": {"lifetimeValueNum": 12.5}})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert (updated["name"], updated["first_name"], updated["last_name"]) == ("Ada King", "Ada", "King")
    assert updated["custom_fields"] == {"loyaltyTierStr": "gold", "vipBool": True, "lifetimeValueNum": 12.5}
    assert updated["emails"] == contact["emails"] and updated["account"] == contact["account"]
    assert await uapi.unified("contacts", contact["id"]) == updated
    proxied = (await uapi.proxy("customers", contact["id"]))["data"]
    assert proxied["attributes"]["name"] == "Ada King"
    assert proxied["attributes"]["custom"]["lifetimeValueNum"] == 12.5

    response = await uapi.delete(f"/unified/ticketing/contacts/{contact['id']}")
    assert response.status_code == 200 and response.json() == {"id": contact["id"]}
    body = uapi.problem(await uapi.get(f"/unified/ticketing/contacts/{contact['id']}"), 404)
    assert body["from_vendor"] is True
    assert (await uapi.get(f"/proxy/customers/{contact['id']}")).status_code == 404


async def test_masked_phones_read_as_masked_until_unmasked(uapi: UnifiedApi) -> None:
    created = await uapi.post("/unified/ticketing/contacts",
                             {"name": "Phone Person", "phones": [{"number": "+15550100", "type": "work"}]})
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["phones"] == [{"number": "****", "type": "work", "extension": None}]
    response = await uapi.post("/proxy/customer_unmasking_windows", None, id=contact["id"])
    assert response.status_code == 201, response.text
    unmasked = await uapi.unified("contacts", contact["id"])
    assert unmasked["phones"] == [{"number": "+15550100", "type": "work", "extension": None}]


async def test_bad_bodies_are_400_with_a_pointer(uapi: UnifiedApi) -> None:
    cases = [
        ({"name": 5}, "/name"),
        ({"emails": [{"email": "not-an-email"}]}, "/emails/0/email"),
        ({"emails": [{"email": "a@b.test", "type": "mobile"}]}, "/emails/0/type"),
        ({"phones": [{"number": "1"}]}, "/phones/0/number"),
        ({"account": {}}, "/account/id"),
        ({"nickname": "x"}, "/nickname"),
        ({"last_name": "Alone"}, "/first_name"),
        ({"name": "A B", "first_name": "C", "last_name": "D"}, "/name"),
    ]
    for body, pointer in cases:
        problem = uapi.problem(await uapi.post("/unified/ticketing/contacts", body), 400)
        assert problem["pointer"] == pointer, (body, problem)
        assert problem["from_vendor"] is False
    # the vendor's own validation (custom attribute suffix) comes back as a vendor 400
    problem = uapi.problem(await uapi.post("/unified/ticketing/contacts", {"custom_fields": {"noSuffix": 1}}), 400)
    assert problem["from_vendor"] is True
    customer = (await uapi.kustomer("/v1/customers", pageSize=1))["data"][0]["id"]
    problem = uapi.problem(await uapi.patch(f"/unified/ticketing/contacts/{customer}", {"first_name": "Only"}), 400)
    assert problem["pointer"] == "/first_name"
    problem = uapi.problem(await uapi.client.post("/unified/ticketing/contacts", headers=uapi.headers,
                                                params={"integrated_account_id": uapi.account_id},
                                                content=b"[1, 2]"), 400)
    assert problem["pointer"] == ""


async def test_remote_data_opt_out_and_raw(uapi: UnifiedApi) -> None:
    page = await uapi.unified("contacts", limit=3, ignore_remote_data="true")
    assert len(page["result"]) == 3 and all(c.get("remote_data") is None for c in page["result"])
    raw = await uapi.unified("contacts", limit=3, response_format="raw")
    vendor = await uapi.kustomer("/v1/customers", page=1, pageSize=3)
    assert raw["result"] == vendor
    assert raw["result_count"] == 3 and raw["next_cursor"]
    following = await uapi.unified("contacts", next_cursor=raw["next_cursor"])  # the cursor keeps raw mode
    assert following["result"] == await uapi.kustomer("/v1/customers", page=2, pageSize=3)
    record_id = vendor["data"][0]["id"]
    assert await uapi.unified("contacts", record_id, response_format="raw") == \
        await uapi.kustomer(f"/v1/customers/{record_id}")
    assert (await uapi.unified("contacts", record_id, ignore_remote_data="true")).get("remote_data") is None
