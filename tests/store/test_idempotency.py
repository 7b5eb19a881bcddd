"""Idempotency keys in the store: one winner per key, replay, mismatch, expiry, takeover,
tenants kept apart; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from unified.store import InvalidInput, Store, StoreConfig
from unified.store.idempotency import StoredResponse
from unified.store.types import utcnow

from .conftest import RawRows

TTL = timedelta(hours=24)
LEASE = timedelta(minutes=5)
ANSWER = StoredResponse(status=201, headers={"content-type": "application/json"}, body=b'{"id": "c1"}')


async def claim(store: Store, tenant: str, key: str = "k-1", fingerprint: str = "f" * 64, *,
                scope: str = "proxy:create:acc_1", **kwargs):
    return await store.claim_idempotency_key(tenant, scope, key, fingerprint, ttl=kwargs.pop("ttl", TTL),
                                             lease=kwargs.pop("lease", LEASE), **kwargs)


async def test_claim_complete_replay(store: Store, raw_rows: RawRows) -> None:
    tenant = (await store.create_tenant("t")).id
    first = await claim(store, tenant)
    assert first.outcome == "claimed" and first.token
    assert (await claim(store, tenant)).outcome == "in_progress"
    assert await store.complete_idempotency_key(tenant, "proxy:create:acc_1", "k-1", first.token, ANSWER)
    again = await claim(store, tenant)
    assert again.outcome == "replay" and again.response == ANSWER
    [row] = await raw_rows("idempotency_keys")
    assert (row["state"], row["status_code"], bytes(row["response_body"])) == ("done", 201, ANSWER.body)
    # completing twice, or with another token, changes nothing
    assert not await store.complete_idempotency_key(tenant, "proxy:create:acc_1", "k-1", first.token, ANSWER)


async def test_other_fingerprint_is_a_mismatch_before_and_after_completion(store: Store) -> None:
    tenant = (await store.create_tenant("t")).id
    first = await claim(store, tenant)
    assert (await claim(store, tenant, fingerprint="0" * 64)).outcome == "mismatch"
    await store.complete_idempotency_key(tenant, "proxy:create:acc_1", "k-1", first.token, ANSWER)
    assert (await claim(store, tenant, fingerprint="0" * 64)).outcome == "mismatch"


async def test_release_lets_the_key_be_claimed_again(store: Store, raw_rows: RawRows) -> None:
    tenant = (await store.create_tenant("t")).id
    first = await claim(store, tenant)
    assert not await store.release_idempotency_key(tenant, "proxy:create:acc_1", "k-1", "not-the-token")
    assert await store.release_idempotency_key(tenant, "proxy:create:acc_1", "k-1", first.token)
    assert await raw_rows("idempotency_keys") == []
    # released, a different request may now use the key
    assert (await claim(store, tenant, fingerprint="0" * 64)).outcome == "claimed"


async def test_tenants_and_scopes_do_not_share_keys(store: Store) -> None:
    one, two = (await store.create_tenant("one")).id, (await store.create_tenant("two")).id
    assert (await claim(store, one)).outcome == "claimed"
    assert (await claim(store, two)).outcome == "claimed"
    assert (await claim(store, one, scope="unified:ticketing/tickets:acc_1")).outcome == "claimed"
    assert (await claim(store, one)).outcome == "in_progress"


async def test_expired_rows_are_ignored_then_purged(store: Store, raw_rows: RawRows) -> None:
    tenant = (await store.create_tenant("t")).id
    start = utcnow()
    first = await claim(store, tenant, ttl=timedelta(seconds=10), now=start)
    await store.complete_idempotency_key(tenant, "proxy:create:acc_1", "k-1", first.token, ANSWER)
    assert (await claim(store, tenant, now=start + timedelta(seconds=9))).outcome == "replay"
    # past expiry: a fresh claim, even for a different request
    later = await claim(store, tenant, fingerprint="0" * 64, now=start + timedelta(seconds=11))
    assert later.outcome == "claimed" and later.token != first.token
    [row] = await raw_rows("idempotency_keys")
    assert row["state"] == "in_progress" and row["fingerprint"] == "0" * 64
    await claim(store, tenant, key="k-2", ttl=timedelta(seconds=1), now=start)
    assert await store.purge_expired_idempotency_keys(start + timedelta(days=2)) == 2
    assert await raw_rows("idempotency_keys") == []


async def test_abandoned_claim_is_taken_over_after_the_lease(store: Store) -> None:
    tenant = (await store.create_tenant("t")).id
    start = utcnow()
    dead = await claim(store, tenant, now=start)
    assert (await claim(store, tenant, now=start + LEASE - timedelta(seconds=1))).outcome == "in_progress"
    # a different request never takes over someone else's key
    assert (await claim(store, tenant, fingerprint="0" * 64, now=start + LEASE * 2)).outcome == "mismatch"
    live = await claim(store, tenant, now=start + LEASE * 2)
    assert live.outcome == "claimed"
    # the dead holder cannot complete or release what it lost
    assert not await store.complete_idempotency_key(tenant, "proxy:create:acc_1", "k-1", dead.token, ANSWER)
    assert not await store.release_idempotency_key(tenant, "proxy:create:acc_1", "k-1", dead.token)
    assert await store.complete_idempotency_key(tenant, "proxy:create:acc_1", "k-1", live.token, ANSWER)


async def test_concurrent_claims_from_several_stores_have_one_winner(store_config: StoreConfig) -> None:
    stores = [await Store.open(store_config) for _ in range(4)]
    try:
        tenant = (await stores[0].create_tenant("t")).id
        results = await asyncio.gather(*(claim(s, tenant, "race") for s in stores for _ in range(5)))
        outcomes = sorted(r.outcome for r in results)
        assert outcomes == ["claimed"] + ["in_progress"] * 19
    finally:
        for opened in stores:
            await opened.close()


async def test_deleting_the_tenant_deletes_its_keys(store: Store, raw_rows: RawRows) -> None:
    tenant = (await store.create_tenant("t")).id
    await claim(store, tenant)
    async with store._db.write() as conn:
        await conn.execute(text("DELETE FROM tenants WHERE id = :id"), {"id": tenant})
    assert await raw_rows("idempotency_keys") == []


@pytest.mark.parametrize(("key", "scope"), [("", "s"), ("k" * 256, "s"), ("k", ""), ("k", "s" * 201)])
async def test_bad_keys_and_scopes_are_refused(store: Store, raw_rows: RawRows, key: str, scope: str) -> None:
    tenant = (await store.create_tenant("t")).id
    with pytest.raises(InvalidInput):
        await claim(store, tenant, key, scope=scope)
    assert await raw_rows("idempotency_keys") == []
