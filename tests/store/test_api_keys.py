"""API keys: shown once, stored as a hash, revocable, and indistinguishable when they fail."""

from __future__ import annotations

import hashlib

import pytest

from unified.store import NotFound, Store, Tenant

from .conftest import RawRows


@pytest.fixture
async def tenant(store: Store) -> Tenant:
    return await store.create_tenant("production")


async def test_key_is_shown_once_and_only_its_hash_is_stored(
    store: Store, tenant: Tenant, raw_rows: RawRows
) -> None:
    record, plaintext = await store.create_api_key(tenant.id, "backend")
    assert plaintext.startswith("uk_") and len(plaintext) >= 40
    assert plaintext.startswith(record.prefix) and len(record.prefix) < len(plaintext) // 3
    assert plaintext not in repr(record)

    [row] = await raw_rows("api_keys")
    assert row["key_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    secret_part = plaintext[len(record.prefix) :]
    assert not any(isinstance(value, str) and secret_part in value for value in row.values())

    listed = await store.list_api_keys(tenant.id)
    assert [key.id for key in listed] == [record.id]
    assert plaintext not in repr(listed)
    assert await store.get_api_key(tenant.id, record.id) == record


async def test_authenticate_returns_tenant_and_key(store: Store, tenant: Tenant) -> None:
    record, plaintext = await store.create_api_key(tenant.id, "backend")
    auth = await store.authenticate(plaintext)
    assert auth is not None
    assert auth.tenant == tenant
    assert auth.api_key.id == record.id
    assert auth.api_key.last_used_at is not None
    assert (await store.get_api_key(tenant.id, record.id)).last_used_at == auth.api_key.last_used_at  # type: ignore[union-attr]


async def test_revoked_key_stops_working_at_once(store: Store, tenant: Tenant) -> None:
    record, plaintext = await store.create_api_key(tenant.id, "backend")
    _, other = await store.create_api_key(tenant.id, "other")
    assert await store.authenticate(plaintext) is not None
    revoked = await store.revoke_api_key(tenant.id, record.id)
    assert revoked.revoked and revoked.revoked_at is not None
    assert await store.authenticate(plaintext) is None
    assert await store.authenticate(other) is not None  # only that key
    again = await store.revoke_api_key(tenant.id, record.id)
    assert again.revoked_at == revoked.revoked_at
    assert [key.revoked for key in await store.list_api_keys(tenant.id)] == [True, False]


async def test_unknown_and_revoked_keys_fail_identically(store: Store, tenant: Tenant) -> None:
    record, revoked_key = await store.create_api_key(tenant.id, "old")
    await store.revoke_api_key(tenant.id, record.id)
    unknown = "uk_" + "A" * 43
    outcomes = [
        await store.authenticate(key) for key in (revoked_key, unknown, "", "garbage", revoked_key.upper())
    ]
    assert outcomes == [None] * 5
    assert await store.authenticate(None) is None  # type: ignore[arg-type]


async def test_other_tenant_cannot_see_or_revoke_keys(store: Store, tenant: Tenant) -> None:
    other = await store.create_tenant("someone else")
    record, plaintext = await store.create_api_key(tenant.id, "backend")
    assert await store.list_api_keys(other.id) == []
    assert await store.get_api_key(other.id, record.id) is None
    with pytest.raises(NotFound):
        await store.revoke_api_key(other.id, record.id)
    assert await store.authenticate(plaintext) is not None


async def test_key_for_unknown_tenant_is_not_found(store: Store, raw_rows: RawRows) -> None:
    with pytest.raises(NotFound, match="tenant"):
        await store.create_api_key("ten_missing", "backend")
    assert await raw_rows("api_keys") == []
