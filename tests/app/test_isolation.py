"""Tenants see only their own accounts: another tenant's account is a 404, never a 403,
on every face, and their attempts change nothing."""

from __future__ import annotations

from unified.sandbox.process import SandboxProcess

from .helpers import Account, Caller, Harness, problem


async def test_another_tenants_account_is_404_everywhere(harness: Harness, connected: Account,
                                                         roomy_sandbox: SandboxProcess):
    owner = connected.caller
    intruder = await harness.tenant()
    await intruder.connect(roomy_sandbox)  # has accounts of its own, just not this one
    stolen = connected.on(harness.client)
    stolen.caller = intruder
    conversation = (await connected.proxy("GET", "conversations", {"limit": 1})).json()["result"][0]["id"]

    attempts = [
        await stolen.proxy("GET", "conversations"),
        await stolen.proxy("GET", f"conversations/{conversation}"),
        await stolen.proxy("POST", "customers", json={"name": "Mallory"}),
        await stolen.proxy("PUT", f"conversations/{conversation}", json={"name": "pwned"}),
        await stolen.proxy("DELETE", f"conversations/{conversation}"),
        await stolen.call("GET", "/passthrough/v1/conversations"),
        await stolen.call("POST", "/passthrough/v1/customers", json={"name": "Mallory"}),
        await intruder.get(f"/admin/accounts/{connected.id}"),
        await intruder.patch(f"/admin/accounts/{connected.id}", json={"name": "mine now"}),
        await intruder.patch(f"/admin/accounts/{connected.id}", json={"credentials": {"api_key": "x"}}),
        await intruder.delete(f"/admin/accounts/{connected.id}"),
    ]
    for resp in attempts:
        body = problem(resp, 404)
        assert body["from_vendor"] is False
        assert connected.id in body["detail"]
    listed = await intruder.get("/admin/accounts")
    assert connected.id not in [a["id"] for a in listed.json()["result"]]

    # the owner's account is untouched and still works
    mine = (await owner.get(f"/admin/accounts/{connected.id}")).json()
    assert mine["name"] == "kustomer"
    assert (await connected.proxy("GET", f"conversations/{conversation}")).json()["data"]["attributes"]["name"] \
        != "pwned"


async def test_unknown_and_foreign_accounts_answer_alike(harness: Harness, connected: Account):
    intruder = await harness.tenant()
    foreign = await intruder.get("/proxy/brands", params={"integrated_account_id": connected.id})
    unknown = await intruder.get("/proxy/brands", params={"integrated_account_id": "acc_00000000000000000000000000"})
    garbage = await intruder.get("/proxy/brands", params={"integrated_account_id": "../../etc/passwd"})
    # the detail names the id asked for and request_id differs per request; all else is equal
    shapes = [{k: v for k, v in problem(r, 404).items() if k not in ("detail", "request_id")}
              for r in (foreign, unknown, garbage)]
    assert shapes[0] == shapes[1] == shapes[2]


async def test_integrated_account_id_is_required(caller: Caller):
    assert problem(await caller.get("/proxy/brands"), 400)["pointer"] == "/integrated_account_id"
    assert problem(await caller.get("/passthrough/v1/brands"), 400)["pointer"] == "/integrated_account_id"
