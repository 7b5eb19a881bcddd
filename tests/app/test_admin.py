"""Admin API: integrated accounts and API keys, always within the caller's tenant."""

from __future__ import annotations

from typing import Any

import pytest

from unified.sandbox.process import SandboxProcess

from .helpers import Caller, Harness, problem

ACCOUNT_FIELDS = {"id", "provider", "name", "settings", "credential_names", "created_at", "updated_at"}


def account_body(sandbox: SandboxProcess, **overrides: Any) -> dict[str, Any]:
    body = {"provider": "kustomer", "name": "Acme support", "settings": {"base_url": sandbox.base_url},
            "credentials": {"api_key": sandbox.api_key}}
    body.update(overrides)
    return body


async def test_account_lifecycle(caller: Caller, roomy_sandbox: SandboxProcess):
    created = await caller.post("/admin/accounts", json=account_body(roomy_sandbox))
    assert created.status_code == 201
    account = created.json()
    assert set(account) == ACCOUNT_FIELDS
    assert account["provider"] == "kustomer" and account["name"] == "Acme support"
    assert account["settings"] == {"base_url": roomy_sandbox.base_url}
    assert account["credential_names"] == ["api_key"]
    assert roomy_sandbox.api_key not in created.text

    got = await caller.get(f"/admin/accounts/{account['id']}")
    assert got.status_code == 200 and got.json() == account

    listed = await caller.get("/admin/accounts")
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["result"]] == [account["id"]]
    assert listed.json()["result_count"] == 1 and listed.json()["next_cursor"] is None

    renamed = await caller.patch(f"/admin/accounts/{account['id']}", json={"name": "Acme EU"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Acme EU"
    assert renamed.json()["settings"] == account["settings"]
    assert (await caller.get(f"/admin/accounts/{account['id']}")).json()["name"] == "Acme EU"

    # the account works through the proxy, then is gone everywhere once deleted
    params = {"integrated_account_id": account["id"], "limit": 1}
    assert (await caller.get("/proxy/brands", params=params)).status_code == 200
    deleted = await caller.delete(f"/admin/accounts/{account['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"id": account["id"]}
    problem(await caller.get(f"/admin/accounts/{account['id']}"), 404)
    problem(await caller.delete(f"/admin/accounts/{account['id']}"), 404)
    problem(await caller.get("/proxy/brands", params=params), 404)
    assert (await caller.get("/admin/accounts")).json()["result"] == []


async def test_new_credentials_take_effect_at_once(caller: Caller, roomy_sandbox: SandboxProcess):
    account = await caller.connect(roomy_sandbox, api_key="wrong-key")
    refused = problem(await account.proxy("GET", "brands"), 401)
    assert refused["from_vendor"] is True and refused["vendor"]["status"] == 401
    updated = await caller.patch(f"/admin/accounts/{account.id}", json={"credentials": {"api_key": roomy_sandbox.api_key}})
    assert updated.status_code == 200 and updated.json()["credential_names"] == ["api_key"]
    assert (await account.proxy("GET", "brands")).status_code == 200


async def test_account_list_pages_each_account_once(caller: Caller, roomy_sandbox: SandboxProcess):
    ids = [(await caller.connect(roomy_sandbox, name=f"org {i}")).id for i in range(5)]
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(10):
        page = (await caller.get("/admin/accounts", params=params)).json()
        assert page["result_count"] == len(page["result"]) <= 2
        seen += [a["id"] for a in page["result"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 2, "next_cursor": page["next_cursor"]}
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    assert seen == sorted(ids, reverse=True)  # newest first
    for bad in ("0", "abc", "201", "-1"):
        assert problem(await caller.get("/admin/accounts", params={"limit": bad}), 400)["pointer"] == "/limit"


@pytest.mark.parametrize("overrides,pointer", [
    ({"provider": "zendesk"}, "/provider"),
    ({"credentials": {}}, "/credentials/api_key"),
    ({"credentials": {"token": "x"}}, "/credentials/api_key"),
    ({"credentials": {"api_key": ""}}, "/credentials/api_key"),
    ({"credentials": {"api_key": 5}}, "/credentials"),
    ({"settings": {"base_url": "ftp://files.example.test"}}, "/settings/base_url"),
    ({"settings": {"base_url": "not a url"}}, "/settings/base_url"),
    ({"settings": {"base_url": "http://127.0.0.1:1/?x=1"}}, "/settings/base_url"),
    ({"settings": {"base_url": "https://"}}, "/settings/base_url"),
    ({"colour": "blue"}, "/colour"),
    ({"settings": "base_url"}, "/settings"),
    ({"name": 7}, "/name"),
])
async def test_bad_account_input_is_400_with_a_pointer(caller: Caller, roomy_sandbox: SandboxProcess,
                                                        overrides: dict[str, Any], pointer: str):
    body = problem(await caller.post("/admin/accounts", json=account_body(roomy_sandbox, **overrides)), 400)
    assert body["pointer"] == pointer
    assert roomy_sandbox.api_key not in body["detail"]
    assert (await caller.get("/admin/accounts")).json()["result"] == []  # nothing half-written


async def test_missing_fields_and_bodies_that_are_not_json(caller: Caller):
    assert problem(await caller.post("/admin/accounts", json={"name": "x"}), 400)["pointer"] == "/provider"
    problem(await caller.post("/admin/accounts", content=b"{nope", headers={"content-type": "application/json"}), 400)
    problem(await caller.post("/admin/accounts"), 400)
    problem(await caller.post("/admin/accounts", json=["provider", "kustomer"]), 400)


async def test_bad_updates_change_nothing(caller: Caller, roomy_sandbox: SandboxProcess):
    account = await caller.connect(roomy_sandbox, name="steady")
    before = (await caller.get(f"/admin/accounts/{account.id}")).json()
    for body, pointer in [
        ({"settings": {"base_url": "gopher://x"}}, "/settings/base_url"),
        ({"credentials": {"other": "x"}}, "/credentials/api_key"),
        ({"provider": "zendesk"}, "/provider"),
        ({"name": ""}, None),
    ]:
        resp = problem(await caller.patch(f"/admin/accounts/{account.id}", json=body), 400)
        if pointer:
            assert resp["pointer"] == pointer
    assert (await caller.get(f"/admin/accounts/{account.id}")).json() == before
    assert (await account.proxy("GET", "brands")).status_code == 200


async def test_api_keys_create_list_revoke(harness: Harness, caller: Caller):
    created = await caller.post("/admin/api-keys", json={"name": "backend"})
    assert created.status_code == 201
    key = created.json()
    assert key["name"] == "backend" and key["revoked_at"] is None
    plaintext = key["api_key"]
    assert plaintext.startswith(key["prefix"])
    other = Caller(harness.client, caller.tenant_id, plaintext)
    assert (await other.get("/admin/accounts")).status_code == 200

    listed = await caller.get("/admin/api-keys")
    assert listed.status_code == 200
    assert key["id"] in [k["id"] for k in listed.json()["result"]]
    assert plaintext not in listed.text
    assert all("api_key" not in k for k in listed.json()["result"])

    revoked = await caller.delete(f"/admin/api-keys/{key['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert plaintext not in revoked.text
    problem(await other.get("/admin/accounts"), 401)  # at once
    problem(await other.get("/proxy/brands", params={"integrated_account_id": "acc_x"}), 401)
    assert (await caller.get("/admin/accounts")).status_code == 200  # the caller's own key still works
    problem(await caller.delete("/admin/api-keys/key_doesnotexist"), 404)


async def test_default_key_name_and_bad_key_bodies(caller: Caller):
    created = await caller.post("/admin/api-keys")
    assert created.status_code == 201 and created.json()["name"]
    assert problem(await caller.post("/admin/api-keys", json={"nme": "typo"}), 400)["pointer"] == "/nme"
    problem(await caller.post("/admin/api-keys", json={"name": ""}), 400)


async def test_401_is_the_same_for_unknown_revoked_and_malformed_keys(harness: Harness, caller: Caller):
    spare = (await caller.post("/admin/api-keys", json={"name": "spare"})).json()
    assert (await caller.delete(f"/admin/api-keys/{spare['id']}")).status_code == 200
    unknown = spare["api_key"][:-4] + ("aaaa" if not spare["api_key"].endswith("aaaa") else "bbbb")
    attempts = {
        "revoked": {"Authorization": f"Bearer {spare['api_key']}"},
        "unknown": {"Authorization": f"Bearer {unknown}"},
        "garbage": {"Authorization": "Bearer x"},
        "basic": {"Authorization": "Basic dXNlcjpwYXNz"},
        "empty": {"Authorization": "Bearer "},
        "missing": {},
    }
    answers = []
    for headers in attempts.values():
        for path in ("/admin/accounts", "/admin/api-keys", "/proxy/brands?integrated_account_id=x",
                     "/passthrough/v1/brands?integrated_account_id=x"):
            resp = await harness.client.get(path, headers=headers)
            body = problem(resp, 401)
            assert body.pop("request_id") == resp.headers["x-request-id"]  # differs per request, by design
            answers.append((body, resp.headers.get("www-authenticate")))
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][1] == "Bearer"


async def test_keys_of_another_tenant_cannot_be_revoked(harness: Harness, caller: Caller):
    intruder = await harness.tenant()
    key = (await caller.post("/admin/api-keys", json={"name": "mine"})).json()
    problem(await intruder.delete(f"/admin/api-keys/{key['id']}"), 404)
    assert key["id"] not in (await intruder.get("/admin/api-keys")).text
    assert (await Caller(harness.client, caller.tenant_id, key["api_key"]).get("/admin/accounts")).status_code == 200
