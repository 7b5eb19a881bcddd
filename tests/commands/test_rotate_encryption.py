"""`unified encryption rotate|status|generate-key`, run as real processes on SQLite and PostgreSQL.

The rotation must survive being interrupted and being run twice, refuse to write when a key is
missing, and never print a key or a credential."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from security.support import run_unified

from unified.store import Store, StoreConfig, generate_key
from unified.store.crypto import Cipher

SECRET = "vendor-secret-ROT-9c1e"


def _env(database_url: str, tmp_path: Path, keys: str | None) -> dict[str, str]:
    env = {"UNIFIED_DATABASE_URL": database_url, "UNIFIED_KEY_FILE": str(tmp_path / "keys" / "unified.key")}
    if keys is not None:
        env["UNIFIED_ENCRYPTION_KEYS"] = keys
    return env


def _json(*args: str, env: dict[str, str], secrets: tuple[str, ...]) -> dict:
    result = run_unified(*args, "--json", env=env)
    assert result.returncode == 0, result.stderr
    for secret in secrets:
        assert secret not in result.stdout + result.stderr
    return json.loads(result.stdout)


async def _accounts(config: StoreConfig, count: int) -> tuple[str, list[str]]:
    async with await Store.open(config) as store:
        tenant = await store.create_tenant("t")
        ids = [(await store.create_account(tenant.id, "kustomer", credentials={"api_key": f"{SECRET}-{i}"})).id
               for i in range(count)]
    return tenant.id, ids


async def _read_all(config: StoreConfig, tenant_id: str, ids: list[str]) -> None:
    async with await Store.open(config) as store:
        for i, account_id in enumerate(ids):
            assert await store.get_account_credentials(tenant_id, account_id) == {"api_key": f"{SECRET}-{i}"}


async def test_rotate_reports_counts_and_the_old_key_can_go(database_url: str, tmp_path: Path) -> None:
    k1, k2 = generate_key(), generate_key()
    tenant_id, ids = await _accounts(StoreConfig(database_url, encryption_keys=(k1,)), 5)
    secrets = (k1, k2, *(f"{SECRET}-{i}" for i in range(5)))
    both = _env(database_url, tmp_path, f"{k2},{k1}")

    status = _json("encryption", "status", env=both, secrets=secrets)
    assert status == {"accounts": 5, "keys_configured": 2, "per_key": [0, 5], "on_current_key": 0,
                      "on_old_keys": 5, "unreadable": []}
    rotated = _json("encryption", "rotate", "--batch-size", "2", env=both, secrets=secrets)
    assert rotated["rotated"] == 5 and rotated["per_key"] == [5, 0]
    text = run_unified("encryption", "rotate", env=both)  # a second run: the same result, harmless
    assert text.returncode == 0 and "re-encrypted 5 integrated account(s)" in text.stdout
    assert "older keys may now be removed" in text.stderr
    assert not [s for s in secrets if s in text.stdout + text.stderr]

    only_new = _json("encryption", "status", env=_env(database_url, tmp_path, k2), secrets=secrets)
    assert only_new["per_key"] == [5] and only_new["unreadable"] == []
    await _read_all(StoreConfig(database_url, encryption_keys=(k2,)), tenant_id, ids)
    assert not (tmp_path / "keys").exists()  # explicit keys: no key file was made


class _PowerCut(Exception):
    pass


class _FailingCipher(Cipher):
    """Re-encrypts ``survive`` accounts, then fails as a crash would, half-way through a batch."""

    def __init__(self, keys: tuple[str, ...], survive: int) -> None:
        super().__init__(keys)
        self.left = survive

    def rotate(self, token: str) -> str:
        if self.left == 0:
            raise _PowerCut
        self.left -= 1
        return super().rotate(token)


async def test_an_interrupted_rotation_reads_fully_and_a_rerun_finishes(database_url: str, tmp_path: Path) -> None:
    k1, k2 = generate_key(), generate_key()
    tenant_id, ids = await _accounts(StoreConfig(database_url, encryption_keys=(k1,)), 6)
    both = StoreConfig(database_url, encryption_keys=(k2, k1))
    async with await Store.open(both) as store:
        store._cipher = _FailingCipher((k2, k1), survive=3)  # batches of 2: one committed, one rolled back
        with pytest.raises(_PowerCut):
            await store.rotate_credentials(batch_size=2)
    env = _env(database_url, tmp_path, f"{k2},{k1}")
    assert _json("encryption", "status", env=env, secrets=(k1, k2))["per_key"] == [2, 4]
    await _read_all(both, tenant_id, ids)  # half-rotated, nothing lost while both keys are listed

    assert _json("encryption", "rotate", env=env, secrets=(k1, k2))["per_key"] == [6, 0]
    await _read_all(StoreConfig(database_url, encryption_keys=(k2,)), tenant_id, ids)


async def test_a_missing_key_stops_the_rotation_before_any_write(database_url: str, tmp_path: Path) -> None:
    k1, k2 = generate_key(), generate_key()
    tenant_id, ids = await _accounts(StoreConfig(database_url, encryption_keys=(k1,)), 3)
    async with await Store.open(StoreConfig(database_url, encryption_keys=(k2, k1))) as store:
        await store.rotate_credentials(batch_size=1)
        await store.create_account(tenant_id, "kustomer", credentials={"api_key": "written later"})
    # every account is on k2 now; a configuration that lists only k1 (say, reverted) reads none of them
    result = run_unified("encryption", "rotate", env=_env(database_url, tmp_path, k1))
    assert result.returncode == 1
    assert "4 integrated account(s) cannot be decrypted" in result.stderr and "nothing was changed" in result.stderr
    assert all(account_id in result.stderr for account_id in ids)
    assert k1 not in result.stderr and k2 not in result.stderr
    await _read_all(StoreConfig(database_url, encryption_keys=(k2,)), tenant_id, ids)


def test_keys_from_the_key_file(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'u.db'}"
    k1, k2 = generate_key(), generate_key()
    key_file = tmp_path / "keys" / "unified.key"
    env = _env(database_url, tmp_path, None)
    key_file.parent.mkdir()
    key_file.write_text(f"{k1}\n")
    key_file.chmod(0o600)
    made = run_unified("accounts", "create", "--provider", "kustomer", "--credential", f"api_key={SECRET}", env=env)
    assert made.returncode == 0, made.stderr
    key_file.write_text(f"# current\n{k2}\n# previous, until rotation is done\n{k1}\n")
    assert _json("encryption", "rotate", env=env, secrets=(k1, k2, SECRET))["per_key"] == [1, 0]
    key_file.write_text(f"{k2}\n")
    assert _json("encryption", "status", env=env, secrets=(k1, k2, SECRET))["per_key"] == [1]


def test_no_keys_configured_is_refused_and_creates_no_key_file(tmp_path: Path) -> None:
    env = _env(f"sqlite:///{tmp_path / 'u.db'}", tmp_path, None)
    for action in ("rotate", "status"):
        result = run_unified("encryption", action, env=env)
        assert result.returncode == 2 and "no encryption keys configured" in result.stderr
    assert not (tmp_path / "keys").exists()


def test_generate_key_prints_a_fresh_fernet_key() -> None:
    keys = [run_unified("encryption", "generate-key", env={}).stdout.strip() for _ in range(2)]
    assert keys[0] != keys[1]
    for key in keys:
        Fernet(key)  # raises if it is not a valid key
