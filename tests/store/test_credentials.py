"""Credentials at rest: encrypted, bound to their account, rotatable, and a key file on first run."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from sqlalchemy import update

from unified.store import DecryptionError, Store, StoreConfig, generate_key
from unified.store.schema import integrated_accounts

from .conftest import RawRows

SECRET = "kustomer-api-key-4f1c2b-very-secret"


async def test_credentials_are_encrypted_at_rest(store: Store, raw_rows: RawRows) -> None:
    tenant = await store.create_tenant("t")
    account = await store.create_account(tenant.id, "kustomer", credentials={"api_key": SECRET})
    [row] = await raw_rows("integrated_accounts")
    stored = row["credentials_encrypted"]
    assert SECRET not in stored
    assert base64.urlsafe_b64encode(SECRET.encode()).decode()[:16] not in stored
    assert not any(SECRET in str(value) for value in row.values())
    assert await store.get_account_credentials(tenant.id, account.id) == {"api_key": SECRET}


async def test_account_and_credentials_in_one_read_stay_inside_the_tenant(store: Store) -> None:
    tenant, other = await store.create_tenant("t"), await store.create_tenant("o")
    account = await store.create_account(tenant.id, "kustomer", credentials={"api_key": SECRET})
    found = await store.get_account_with_credentials(tenant.id, account.id)
    assert found is not None
    record, credentials = found
    assert record == await store.get_account(tenant.id, account.id)
    assert credentials == {"api_key": SECRET}
    assert await store.get_account_with_credentials(other.id, account.id) is None


async def test_each_encryption_is_fresh(store: Store, raw_rows: RawRows) -> None:
    tenant = await store.create_tenant("t")
    for _ in range(2):
        await store.create_account(tenant.id, "kustomer", credentials={"api_key": SECRET})
    first, second = await raw_rows("integrated_accounts")
    assert first["credentials_encrypted"] != second["credentials_encrypted"]


async def test_rotation_to_a_new_key(store_config: StoreConfig, raw_rows: RawRows) -> None:
    old_key, new_key = store_config.encryption_keys[0], generate_key()
    async with await Store.open(store_config) as store:
        tenant = await store.create_tenant("t")
        accounts = [
            await store.create_account(tenant.id, "kustomer", credentials={"api_key": f"{SECRET}-{i}"})
            for i in range(5)
        ]
    before = {row["id"]: row["credentials_encrypted"] for row in await raw_rows("integrated_accounts")}

    # 1. the new key goes first; the old one still decrypts
    both = StoreConfig(store_config.database_url, encryption_keys=(new_key, old_key))
    async with await Store.open(both) as store:
        assert await store.rotate_credentials(batch_size=2) == 5
    after = {row["id"]: row["credentials_encrypted"] for row in await raw_rows("integrated_accounts")}
    assert after.keys() == before.keys()
    assert all(after[account_id] != before[account_id] for account_id in before)

    # 2. the old key is removed from the configuration: everything still decrypts
    only_new = StoreConfig(store_config.database_url, encryption_keys=(new_key,))
    async with await Store.open(only_new) as store:
        for i, account in enumerate(accounts):
            assert await store.get_account_credentials(tenant.id, account.id) == {"api_key": f"{SECRET}-{i}"}

    # ...and the old key alone can no longer read them
    only_old = StoreConfig(store_config.database_url, encryption_keys=(old_key,))
    async with await Store.open(only_old) as store:
        with pytest.raises(DecryptionError) as caught:
            await store.get_account_credentials(tenant.id, accounts[0].id)
        assert SECRET not in str(caught.value) and old_key not in str(caught.value)


async def test_rotation_without_the_old_key_fails_and_loses_nothing(
    store_config: StoreConfig, raw_rows: RawRows
) -> None:
    async with await Store.open(store_config) as store:
        tenant = await store.create_tenant("t")
        account = await store.create_account(tenant.id, "kustomer", credentials={"api_key": SECRET})
    before = await raw_rows("integrated_accounts")
    wrong = StoreConfig(store_config.database_url, encryption_keys=(generate_key(),))
    async with await Store.open(wrong) as store:
        with pytest.raises(DecryptionError, match=account.id):
            await store.rotate_credentials()
    assert await raw_rows("integrated_accounts") == before
    async with await Store.open(store_config) as store:
        assert await store.get_account_credentials(tenant.id, account.id) == {"api_key": SECRET}


async def test_ciphertext_copied_to_another_account_does_not_decrypt(store: Store, raw_rows: RawRows) -> None:
    tenant_a, tenant_b = await store.create_tenant("a"), await store.create_tenant("b")
    victim = await store.create_account(tenant_a.id, "kustomer", credentials={"api_key": SECRET})
    thief = await store.create_account(tenant_b.id, "kustomer", credentials={"api_key": "mine"})
    stolen = next(
        r["credentials_encrypted"] for r in await raw_rows("integrated_accounts") if r["id"] == victim.id
    )
    async with store._db.write() as conn:
        await conn.execute(
            update(integrated_accounts)
            .where(integrated_accounts.c.id == thief.id)
            .values(credentials_encrypted=stolen)
        )
    with pytest.raises(DecryptionError, match="another account"):
        await store.get_account_credentials(tenant_b.id, thief.id)


async def test_first_run_creates_a_private_key_file(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "var" / "unified.key"
    config = StoreConfig(database_url, key_file=key_file)
    async with await Store.open(config) as store:
        tenant = await store.create_tenant("t")
        account = await store.create_account(tenant.id, "kustomer", credentials={"api_key": SECRET})
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    err = capsys.readouterr().err
    assert str(key_file) in err and "0600" in err
    key_text = key_file.read_text()
    assert key_text not in err and SECRET not in key_text

    # Second run: the same key is read back, silently.
    async with await Store.open(config) as store:
        assert await store.get_account_credentials(tenant.id, account.id) == {"api_key": SECRET}
    assert capsys.readouterr().err == ""
    assert key_file.read_text() == key_text
    assert [p.name for p in key_file.parent.iterdir()] == ["unified.key"]  # no temporary files left


async def test_key_file_can_hold_old_keys_for_rotation(database_url: str, tmp_path: Path) -> None:
    old_key, new_key = generate_key(), generate_key()
    key_file = tmp_path / "unified.key"
    key_file.write_text(f"{old_key}\n")
    key_file.chmod(0o600)
    config = StoreConfig(database_url, key_file=key_file)
    async with await Store.open(config) as store:
        tenant = await store.create_tenant("t")
        account = await store.create_account(tenant.id, "kustomer", credentials={"api_key": SECRET})
    key_file.write_text(f"# current\n{new_key}\n\n# previous\n{old_key}\n")
    async with await Store.open(config) as store:
        assert await store.rotate_credentials() == 1
    key_file.write_text(f"{new_key}\n")
    async with await Store.open(config) as store:
        assert await store.get_account_credentials(tenant.id, account.id) == {"api_key": SECRET}
