"""Rotating the credential encryption key end to end, with the app serving real vendor calls:
accounts made under K1, ``unified encryption rotate`` with K2,K1, then the app restarted with K2
alone (and with K2,K1): every account still decrypts and still reaches the sandbox. An app
started with the wrong key answers a clear error and loses nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from app.helpers import Caller, problem
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess
from unified.store import Store, StoreConfig, generate_key
from unified.store.db import create_engine

from .support import call_tool, run_unified

ACCOUNTS = 3


def _config(database_url: str, tmp_path: Path, *keys: str) -> StoreConfig:
    return StoreConfig(database_url, encryption_keys=keys, key_file=tmp_path / "never-written.key")


async def _connect(store: Store, tenant_id: str, sandbox: SandboxProcess) -> Any:
    return await store.create_account(tenant_id, "kustomer", settings={"base_url": sandbox.base_url},
                                      credentials={"api_key": sandbox.api_key})


@asynccontextmanager
async def app_with(database_url: str, tmp_path: Path, *keys: str) -> AsyncIterator[AsyncTestClient]:
    """The app on ``keys`` (first encrypts), started afresh: a restart with a new configuration."""
    config = _config(database_url, tmp_path, *keys)
    async with AsyncTestClient(create_app(config)) as client:
        yield client
    assert not config.key_file.exists()


async def _ciphertexts(database_url: str) -> dict[str, str]:
    engine = create_engine(StoreConfig(database_url).database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT id, credentials_encrypted FROM integrated_accounts"))
            return {row.id: row.credentials_encrypted for row in rows}
    finally:
        await engine.dispose()


async def _everything_works(client: AsyncTestClient, api_key: str, accounts: list[str], token: str) -> None:
    caller = Caller(client, "", api_key)
    for account in accounts:
        on = {"integrated_account_id": account}
        brands = await caller.get("/proxy/brands", params=on)
        assert brands.status_code == 200 and brands.json()["result"], brands.text
        assert (await caller.get("/unified/ticketing/tickets", params={**on, "limit": 1})).status_code == 200
        assert (await caller.get("/passthrough/v1/brands", params=on)).status_code == 200
    result = await call_tool(client, token, "list_all_kustomer_brands", {"limit": 1})
    assert not result["isError"], result


def _rotate(database_url: str, tmp_path: Path, keys: str) -> dict[str, Any]:
    result = run_unified("encryption", "rotate", "--json", "--batch-size", "2",
                         env={"UNIFIED_DATABASE_URL": database_url, "UNIFIED_ENCRYPTION_KEYS": keys,
                              "UNIFIED_KEY_FILE": str(tmp_path / "never-written.key")})
    assert result.returncode == 0, result.stderr
    for key in keys.split(","):
        assert key not in result.stdout + result.stderr
    return json.loads(result.stdout)


async def test_rotate_then_restart_with_the_new_key_only(database_url: str, tmp_path: Path,
                                                        roomy_sandbox: SandboxProcess) -> None:
    k1, k2 = generate_key(), generate_key()
    async with app_with(database_url, tmp_path, k1) as client:
        store: Store = client.app.state.engine.store
        tenant = await store.create_tenant("rotating")
        _, api_key = await store.create_api_key(tenant.id, "k")
        caller = Caller(client, tenant.id, api_key)
        accounts = [(await caller.connect(roomy_sandbox, name=f"org {i}")).id for i in range(ACCOUNTS)]
        token = (await caller.post("/admin/mcp-servers", json={"integrated_account_id": accounts[0]})).json()["token"]
        await _everything_works(client, api_key, accounts, token)
    before = await _ciphertexts(database_url)

    # the app keeps serving while the rotation runs with the new key first and the old one kept
    async with app_with(database_url, tmp_path, k2, k1) as client:
        await _everything_works(client, api_key, accounts, token)
        report = _rotate(database_url, tmp_path, f"{k2},{k1}")
        assert report["rotated"] == ACCOUNTS and report["on_current_key"] == ACCOUNTS and report["on_old_keys"] == 0
        await _everything_works(client, api_key, accounts, token)
    after = await _ciphertexts(database_url)
    assert after.keys() == before.keys() and all(after[a] != before[a] for a in before)

    async with app_with(database_url, tmp_path, k2) as client:  # restarted with the new key alone
        await _everything_works(client, api_key, accounts, token)
        store = client.app.state.engine.store
        for account in accounts:
            assert await store.get_account_credentials(tenant.id, account) == {"api_key": roomy_sandbox.api_key}

    # the old key alone no longer reads anything: a clear error, and nothing is lost
    async with app_with(database_url, tmp_path, k1) as client:
        resp = await Caller(client, tenant.id, api_key).get("/proxy/brands",
                                                              params={"integrated_account_id": accounts[0]})
        body = problem(resp, 500)
        assert "cannot be decrypted" in body["detail"] and "UNIFIED_ENCRYPTION_KEYS" in body["detail"]
        assert body["type"] == "urn:unified:problem:credentials-undecryptable"
        assert k1 not in resp.text and k2 not in resp.text and roomy_sandbox.api_key not in resp.text
        # the admin API still works: only decrypting needs the key
        assert (await Caller(client, tenant.id, api_key).get("/admin/accounts")).status_code == 200
    assert await _ciphertexts(database_url) == after
    async with await Store.open(_config(database_url, tmp_path, k2)) as store:
        for account in accounts:
            assert await store.get_account_credentials(tenant.id, account) == {"api_key": roomy_sandbox.api_key}


async def test_rotating_twice_and_from_a_half_rotated_table(database_url: str, tmp_path: Path,
                                                           roomy_sandbox: SandboxProcess) -> None:
    """Half-rotated (accounts on K1 and K2 side by side, as after a crash) reads fully with K2,K1;
    a second run finishes; a third changes nothing but the ciphertexts."""
    k1, k2 = generate_key(), generate_key()
    async with await Store.open(_config(database_url, tmp_path, k1)) as store:
        tenant = await store.create_tenant("half")
        _, api_key = await store.create_api_key(tenant.id, "k")
        old = [(await _connect(store, tenant.id, roomy_sandbox)).id for _ in range(2)]
    async with app_with(database_url, tmp_path, k2, k1) as client:
        caller = Caller(client, tenant.id, api_key)
        new = [(await caller.connect(roomy_sandbox)).id for _ in range(2)]  # written with K2 already
        token = (await caller.post("/admin/mcp-servers", json={"integrated_account_id": old[0]})).json()["token"]
        await _everything_works(client, api_key, old + new, token)
    status = run_unified("encryption", "status", "--json",
                         env={"UNIFIED_DATABASE_URL": database_url, "UNIFIED_ENCRYPTION_KEYS": f"{k2},{k1}"})
    assert json.loads(status.stdout)["per_key"] == [2, 2]
    assert _rotate(database_url, tmp_path, f"{k2},{k1}")["per_key"] == [4, 0]
    assert _rotate(database_url, tmp_path, f"{k2},{k1}")["per_key"] == [4, 0]  # again: harmless
    async with app_with(database_url, tmp_path, k2) as client:
        await _everything_works(client, api_key, old + new, token)


@pytest.mark.parametrize("wrong", ["unrelated key", "old key dropped too early"])
async def test_rotation_with_the_wrong_keys_changes_nothing(database_url: str, tmp_path: Path,
                                                            roomy_sandbox: SandboxProcess, wrong: str) -> None:
    k1, k2 = generate_key(), generate_key()
    async with await Store.open(_config(database_url, tmp_path, k1)) as store:
        tenant = await store.create_tenant("wrong")
        account = (await _connect(store, tenant.id, roomy_sandbox)).id
    before = await _ciphertexts(database_url)
    keys = f"{k2},{generate_key()}" if wrong == "unrelated key" else k2
    result = run_unified("encryption", "rotate", env={"UNIFIED_DATABASE_URL": database_url,
                                                      "UNIFIED_ENCRYPTION_KEYS": keys})
    assert result.returncode == 1
    assert account in result.stderr and "nothing was changed" in result.stderr
    assert k1 not in result.stderr + result.stdout and k2 not in result.stderr + result.stdout
    assert await _ciphertexts(database_url) == before
    async with await Store.open(_config(database_url, tmp_path, k1)) as store:
        assert await store.get_account_credentials(tenant.id, account) == {"api_key": roomy_sandbox.api_key}
