"""Configuration from the environment: URL normalisation, defaults, keys kept out of repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from unified.store import ConfigurationError, StoreConfig, generate_key, normalise_database_url
from unified.store.config import project_root
from unified.store.crypto import Cipher


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:////srv/unified/u.db", "sqlite+aiosqlite:////srv/unified/u.db"),
        ("sqlite+aiosqlite:////srv/u.db", "sqlite+aiosqlite:////srv/u.db"),
        ("postgresql://app:pw@db:5432/unified", "postgresql+psycopg://app:pw@db:5432/unified"),
        ("postgres://app@db/unified", "postgresql+psycopg://app@db/unified"),
        ("postgresql+psycopg2://db/unified", "postgresql+psycopg://db/unified"),
        (
            "postgresql+psycopg://db/unified?sslmode=require",
            "postgresql+psycopg://db/unified?sslmode=require",
        ),
    ],
)
def test_urls_are_normalised_to_async_drivers(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize("url", ["mysql://db/x", "not a url", "oracle://db"])
def test_unsupported_urls_are_rejected(url: str) -> None:
    with pytest.raises(ConfigurationError, match="UNIFIED_DATABASE_URL"):
        normalise_database_url(url)


def test_defaults_live_under_the_project_var_folder() -> None:
    config = StoreConfig.from_env({})
    root = project_root()
    assert (root / "pyproject.toml").is_file()
    assert config.database_url == f"sqlite+aiosqlite:///{root / 'var' / 'unified.db'}"
    assert config.key_file == root / "var" / "unified.key"
    assert config.encryption_keys == ()
    assert config.backend == "sqlite"


def test_environment_is_read(tmp_path: Path) -> None:
    first, second = generate_key(), generate_key()
    config = StoreConfig.from_env(
        {
            "UNIFIED_DATABASE_URL": "postgresql://app:hunter2@db/unified",
            "UNIFIED_ENCRYPTION_KEYS": f" {first} ,{second},",
            "UNIFIED_KEY_FILE": str(tmp_path / "k"),
        }
    )
    assert config.encryption_keys == (first, second)
    assert config.key_file == tmp_path / "k"
    assert config.backend == "postgresql"
    assert "hunter2" not in config.safe_database_url
    assert first not in repr(config) and second not in repr(config)


def test_invalid_key_is_reported_without_echoing_it() -> None:
    bad = "this-is-not-a-fernet-key-but-might-be-a-secret"
    with pytest.raises(ConfigurationError) as caught:
        Cipher([generate_key(), bad])
    assert "#2" in str(caught.value)
    assert bad not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_cipher_repr_hides_keys() -> None:
    key = generate_key()
    assert key not in repr(Cipher([key]))
