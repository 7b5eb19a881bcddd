"""Integrated accounts: CRUD, newest-first paging, tenant isolation, safe failures."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from unified.store import IntegratedAccount, InvalidInput, NotFound, Store, Tenant

from .conftest import RawRows

SETTINGS = {"org_subdomain": "acme", "region": "eu", "nested": {"list": [1, 2.5, None, True], "ünï": "cödé"}}
CREDENTIALS = {"api_key": "kustomer-secret-api-key-0123456789"}


@pytest.fixture
async def tenant(store: Store) -> Tenant:
    return await store.create_tenant("production")


@pytest.fixture
async def account(store: Store, tenant: Tenant) -> IntegratedAccount:
    return await store.create_account(
        tenant.id, "kustomer", name="Acme", settings=SETTINGS, credentials=CREDENTIALS
    )


async def test_crud_round_trip(store: Store, tenant: Tenant) -> None:
    created = await store.create_account(
        tenant.id, "kustomer", name="Acme", settings=SETTINGS, credentials=CREDENTIALS
    )
    assert created.id.startswith("acc_")
    assert created.tenant_id == tenant.id
    assert (created.provider, created.name) == ("kustomer", "Acme")
    assert created.settings == SETTINGS
    assert created.credential_names == ("api_key",)
    assert created.created_at == created.updated_at
    assert await store.get_account(tenant.id, created.id) == created
    assert await store.get_account_credentials(tenant.id, created.id) == CREDENTIALS

    new_credentials = {"api_key": "rotated-by-user", "other": "x"}
    updated = await store.update_account(
        tenant.id,
        created.id,
        name="Acme EU",
        settings={"base_url": "https://api.example"},
        credentials=new_credentials,
    )
    assert updated.name == "Acme EU"
    assert updated.settings == {"base_url": "https://api.example"}  # replaced, not merged
    assert updated.credential_names == ("api_key", "other")
    assert updated.created_at == created.created_at and updated.updated_at > created.updated_at
    assert await store.get_account(tenant.id, created.id) == updated
    assert await store.get_account_credentials(tenant.id, created.id) == new_credentials

    renamed = await store.update_account(tenant.id, created.id, name="Only the name")
    assert renamed.settings == updated.settings and renamed.credential_names == updated.credential_names
    assert await store.get_account_credentials(tenant.id, created.id) == new_credentials

    await store.delete_account(tenant.id, created.id)
    assert await store.get_account(tenant.id, created.id) is None
    assert await store.get_account_credentials(tenant.id, created.id) is None
    with pytest.raises(NotFound):
        await store.delete_account(tenant.id, created.id)


async def test_defaults(store: Store, tenant: Tenant) -> None:
    created = await store.create_account(tenant.id, "kustomer")
    assert (created.name, created.settings, created.credential_names) == ("kustomer", {}, ())
    assert await store.get_account_credentials(tenant.id, created.id) == {}


async def test_list_is_newest_first_and_pages_cover_everything_once(store: Store, tenant: Tenant) -> None:
    created = [await store.create_account(tenant.id, "kustomer", name=f"a{i}") for i in range(7)]
    other_tenant = await store.create_tenant("other")
    await store.create_account(other_tenant.id, "kustomer", name="not mine")

    everything = await store.list_accounts(tenant.id, limit=100)
    assert [a.id for a in everything.items] == [a.id for a in reversed(created)]
    assert everything.next_after is None

    for limit in (1, 2, 3, 7):
        seen: list[str] = []
        after = None
        while True:
            page = await store.list_accounts(tenant.id, limit=limit, after=after)
            assert len(page.items) <= limit
            seen += [a.id for a in page.items]
            if page.next_after is None:
                break
            after = page.next_after
        assert seen == [a.id for a in reversed(created)], limit


async def test_cursor_survives_deletion_of_its_account(store: Store, tenant: Tenant) -> None:
    created = [await store.create_account(tenant.id, "kustomer", name=f"a{i}") for i in range(4)]
    page = await store.list_accounts(tenant.id, limit=2)
    assert page.next_after == created[2].id
    await store.delete_account(tenant.id, created[2].id)
    rest = await store.list_accounts(tenant.id, limit=2, after=page.next_after)
    assert [a.id for a in rest.items] == [created[1].id, created[0].id]


async def test_list_filters_by_provider(store: Store, tenant: Tenant) -> None:
    kustomer = await store.create_account(tenant.id, "kustomer")
    await store.create_account(tenant.id, "zendesk")
    assert [a.id for a in (await store.list_accounts(tenant.id, provider="kustomer")).items] == [kustomer.id]


async def test_other_tenant_sees_nothing(store: Store, tenant: Tenant, account: IntegratedAccount) -> None:
    intruder = await store.create_tenant("intruder")
    assert await store.get_account(intruder.id, account.id) is None
    assert await store.get_account_credentials(intruder.id, account.id) is None
    assert (await store.list_accounts(intruder.id)).items == []
    with pytest.raises(NotFound) as on_update:
        await store.update_account(intruder.id, account.id, name="pwned", credentials={"api_key": "attacker"})
    with pytest.raises(NotFound) as on_delete:
        await store.delete_account(intruder.id, account.id)
    missing = "acc_00000000000000000000000000"
    with pytest.raises(NotFound) as on_missing:
        await store.delete_account(intruder.id, missing)
    # Someone else's account and a missing one are the same error, apart from the id.
    assert str(on_update.value) == str(on_delete.value) == str(on_missing.value).replace(missing, account.id)
    # ...and the owner's account is untouched.
    assert await store.get_account(tenant.id, account.id) == account
    assert await store.get_account_credentials(tenant.id, account.id) == CREDENTIALS


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"provider": "Kustomer!"}, "provider"),
        ({"name": ""}, "name"),
        ({"settings": ["not", "an", "object"]}, "settings"),
        ({"settings": {"when": object()}}, "settings"),
        ({"settings": {"x": float("nan")}}, "settings"),
        ({"credentials": "kustomer-secret-as-a-string"}, "credentials"),
        ({"credentials": {1: "non-string key"}}, "credentials"),
        ({"credentials": {"blob": "x" * 70_000}}, "credentials"),
    ],
)
async def test_bad_input_writes_nothing_and_echoes_nothing(
    store: Store, tenant: Tenant, raw_rows: RawRows, changes: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {
        "provider": "kustomer",
        "name": "Acme",
        "settings": {},
        "credentials": {},
    } | changes
    provider = arguments.pop("provider")
    with pytest.raises(InvalidInput, match=message) as caught:
        await store.create_account(tenant.id, provider, **arguments)
    assert "kustomer-secret" not in str(caught.value)
    assert await raw_rows("integrated_accounts") == []


async def test_failed_update_changes_nothing(
    store: Store, tenant: Tenant, account: IntegratedAccount
) -> None:
    with pytest.raises(InvalidInput):
        await store.update_account(tenant.id, account.id, name="fine", settings={"bad": {1, 2}})
    assert await store.get_account(tenant.id, account.id) == account


async def test_account_for_unknown_tenant_is_not_found(store: Store, raw_rows: RawRows) -> None:
    with pytest.raises(NotFound, match="tenant"):
        await store.create_account("ten_missing", "kustomer")
    assert await raw_rows("integrated_accounts") == []


async def test_bad_page_size_is_invalid(store: Store, tenant: Tenant) -> None:
    for limit in (0, -1, 501, True):
        with pytest.raises(InvalidInput, match="limit"):
            await store.list_accounts(tenant.id, limit=limit)


async def test_records_and_credentials_never_print_secrets(
    store: Store, tenant: Tenant, account: IntegratedAccount
) -> None:
    secret = CREDENTIALS["api_key"]
    credentials = await store.get_account_credentials(tenant.id, account.id)
    assert credentials is not None and credentials["api_key"] == secret
    for text in (
        repr(account),
        str(account),
        repr(credentials),
        str(credentials),
        f"{credentials}",
        repr(store),
    ):
        assert secret not in text
    assert "api_key" in repr(credentials)


async def test_concurrent_writes_all_land(store: Store, tenant: Tenant) -> None:
    created = await asyncio.gather(
        *(
            store.create_account(tenant.id, "kustomer", name=f"n{i}", credentials={"api_key": f"k{i}"})
            for i in range(20)
        )
    )
    page = await store.list_accounts(tenant.id, limit=100)
    assert {a.id for a in page.items} == {a.id for a in created}
    updated = await asyncio.gather(*(store.update_account(tenant.id, a.id, name="renamed") for a in created))
    assert {a.name for a in updated} == {"renamed"}
