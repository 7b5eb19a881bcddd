"""Unified accounts <- Kustomer companies."""

from __future__ import annotations

from typing import Any

import pytest

from .unified_support import UnifiedApi, same


def expected_account(company: dict[str, Any]) -> dict[str, Any]:
    a = company["attributes"]
    return {
        "id": company["id"],
        "name": a.get("name"),
        "domains": [d if isinstance(d, str) else d["domain"] for d in a.get("domains", [])],
        "created_at": a["createdAt"],
        "updated_at": a["updatedAt"],
        "etag": str(a["rev"]),
        "custom_fields": a.get("custom"),
        "remote_data": company,
    }


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_walk_returns_every_company_once_mapped(uapi: UnifiedApi, limit: int) -> None:
    accounts = await uapi.walk("accounts", limit)
    companies = await uapi.kustomer_all("/v1/companies")
    assert [a["id"] for a in accounts] == [c["id"] for c in companies]
    for account, company in zip(accounts, companies, strict=True):
        same(account, expected_account(company))


async def test_get_matches_the_proxy_record(uapi: UnifiedApi) -> None:
    company = (await uapi.kustomer("/v1/companies", page=2, pageSize=5))["data"][3]
    account = await uapi.unified("accounts", company["id"])
    same(account, expected_account((await uapi.proxy("companies", company["id"]))["data"]))
    assert account["domains"] and all(isinstance(d, str) for d in account["domains"])


async def test_name_filter_means_equality(uapi: UnifiedApi) -> None:
    companies = await uapi.kustomer_all("/v1/companies")
    name = companies[5]["attributes"]["name"]
    # Kustomer's `filter` matches names loosely: a longer name containing this one comes back too
    response = await uapi.post("/unified/ticketing/accounts", {"name": f"{name} Holdings"})
    assert response.status_code == 201, response.text
    loose = await uapi.kustomer_all("/v1/companies", filter=name)
    assert response.json()["id"] in [c["id"] for c in loose]
    for limit in (1, 7, 100):
        accounts = await uapi.walk("accounts", limit, name=name.upper())
        assert [a["id"] for a in accounts] == [c["id"] for c in loose if c["attributes"]["name"].lower() == name.lower()]
        assert accounts and all(a["name"].lower() == name.lower() for a in accounts)
    assert (await uapi.unified("accounts", name="no such company anywhere"))["result"] == []
    assert uapi.problem(await uapi.get("/unified/ticketing/accounts", **{"name[in]": name}), 400)["pointer"] == \
        "/name[in]"
    assert uapi.problem(await uapi.get("/unified/ticketing/accounts", domain="acme.test"), 400)["pointer"] == "/domain"


async def test_remote_query_passes_kustomer_params(uapi: UnifiedApi) -> None:
    company = (await uapi.kustomer("/v1/companies", pageSize=3))["data"][2]
    page = await uapi.unified("accounts", **{"remote_query[externalId]": company["attributes"]["externalId"]})
    assert [a["id"] for a in page["result"]] == [company["id"]]


async def test_create_update_read_back(uapi: UnifiedApi) -> None:
    response = await uapi.post("/unified/ticketing/accounts", {
        "name": "Initech Unified", "domains": ["initech.test"], "custom_fields": {"industryStr": "software"}})
    assert response.status_code == 201, response.text
    account = response.json()
    assert (account["name"], account["domains"], account["custom_fields"]) == \
        ("Initech Unified", ["initech.test"], {"industryStr": "software"})
    assert await uapi.unified("accounts", account["id"]) == account
    proxied = (await uapi.proxy("companies", account["id"]))["data"]
    assert proxied["attributes"]["domains"] == [{"domain": "initech.test"}]
    same(account, expected_account(proxied))

    response = await uapi.patch(f"/unified/ticketing/accounts/{account['id']}",
                               {"domains": ["initech.test", "initrode.test"], "custom_fields": {"arrNum": 5}})
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Initech Unified"
    assert updated["domains"] == ["initech.test", "initrode.test"]
    assert updated["custom_fields"] == {"industryStr": "software", "arrNum": 5}
    assert await uapi.unified("accounts", account["id"]) == updated
    proxied = (await uapi.proxy("companies", account["id"]))["data"]
    assert proxied["attributes"]["custom"] == {"industryStr": "software", "arrNum": 5}
    assert [a["id"] for a in (await uapi.unified("accounts", name="initech unified"))["result"]] == [account["id"]]


async def test_bad_bodies_and_unsupported_methods(uapi: UnifiedApi) -> None:
    for body, pointer in (({}, "/name"), ({"name": "ab"}, "/name"), ({"name": "x" * 256}, "/name"),
                          ({"name": "Okay", "domains": "a.test"}, "/domains"), ({"name": "Okay", "size": 3}, "/size")):
        problem = uapi.problem(await uapi.post("/unified/ticketing/accounts", body), 400)
        assert problem["pointer"] == pointer, (body, problem)
    company = (await uapi.kustomer("/v1/companies", pageSize=1))["data"][0]["id"]
    assert uapi.problem(await uapi.patch(f"/unified/ticketing/accounts/{company}", {"name": "no"}), 400)["pointer"] == \
        "/name"
    assert uapi.problem(await uapi.delete(f"/unified/ticketing/accounts/{company}"), 405)
    assert uapi.problem(await uapi.get(f"/unified/ticketing/accounts/{'0' * 24}"), 404)["from_vendor"] is True


async def test_remote_data_opt_out_and_raw(uapi: UnifiedApi) -> None:
    page = await uapi.unified("accounts", limit=4, ignore_remote_data="true")
    assert all(a.get("remote_data") is None for a in page["result"])
    raw = await uapi.unified("accounts", limit=4, response_format="raw")
    assert raw["result"] == await uapi.kustomer("/v1/companies", page=1, pageSize=4)
    company = raw["result"]["data"][0]["id"]
    assert await uapi.unified("accounts", company, response_format="raw") == await uapi.kustomer(f"/v1/companies/{company}")
