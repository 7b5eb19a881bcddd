"""health() tells a reachable store from an unreachable one, without leaking the URL."""

from __future__ import annotations

from pathlib import Path

from unified.store import Store, StoreConfig, generate_key


async def test_unreachable_database_is_reported_not_raised(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        (tmp_path / "a-directory.db").mkdir()
        url = f"sqlite:///{tmp_path / 'a-directory.db'}"  # exists, but cannot be opened as a database
    else:
        url = "postgresql://someone:s3cret-password@127.0.0.1:1/nowhere"  # nothing listens on port 1
    config = StoreConfig(url, encryption_keys=(generate_key(),))
    async with await Store.open(config, migrate=False) as store:
        health = await store.health()
    assert not health.ok and not health.schema_current
    assert health.backend == backend
    assert health.error
    assert "s3cret" not in repr(health) and "s3cret" not in repr(store)
