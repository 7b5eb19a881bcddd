"""Where the store lives and which keys protect it, read from the environment.

``UNIFIED_DATABASE_URL``     ``sqlite:///ABSOLUTE/PATH`` or ``postgresql://...``
                             (default ``sqlite:///<project root>/var/unified.db``)
``UNIFIED_ENCRYPTION_KEYS``  comma-separated Fernet keys, the first encrypts, all decrypt
``UNIFIED_KEY_FILE``         used when no keys are given (default ``<project root>/var/unified.key``)

Users write plain ``sqlite://``/``postgresql://`` URLs; the store always talks through
the async drivers, so the URL is normalised here, once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import ConfigurationError

DATABASE_URL_ENV = "UNIFIED_DATABASE_URL"
ENCRYPTION_KEYS_ENV = "UNIFIED_ENCRYPTION_KEYS"
KEY_FILE_ENV = "UNIFIED_KEY_FILE"

SQLITE_DRIVER = "sqlite+aiosqlite"
POSTGRES_DRIVER = "postgresql+psycopg"
_SQLITE_NAMES = {"sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"}
_POSTGRES_NAMES = {
    "postgres",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+psycopg2",
    "postgresql+asyncpg",
    "postgresql+psycopg_async",
}


def project_root() -> Path:
    """The checkout the package runs from, or the working directory for an installed wheel.

    Keeps the default database and key file next to the project instead of inside
    site-packages.
    """
    candidate = Path(__file__).resolve().parents[2]
    return candidate if (candidate / "pyproject.toml").is_file() else Path.cwd()


def default_database_url() -> str:
    return f"sqlite:///{project_root() / 'var' / 'unified.db'}"


def default_key_file() -> Path:
    return project_root() / "var" / "unified.key"


def normalise_database_url(url: str) -> str:
    """Rewrite a user-facing URL to the async driver the store uses for that database."""
    try:
        parsed: URL = make_url(url.strip())
    except ArgumentError:
        raise ConfigurationError(
            f"{DATABASE_URL_ENV} is not a database URL; expected sqlite:///PATH or postgresql://..."
        ) from None
    if parsed.drivername in _SQLITE_NAMES:
        return parsed.set(drivername=SQLITE_DRIVER).render_as_string(hide_password=False)
    if parsed.drivername in _POSTGRES_NAMES:
        return parsed.set(drivername=POSTGRES_DRIVER).render_as_string(hide_password=False)
    raise ConfigurationError(
        f"unsupported database {parsed.drivername!r} in {DATABASE_URL_ENV}; "
        "use sqlite:///PATH or postgresql://..."
    )


def parse_keys(value: str) -> tuple[str, ...]:
    """Split the comma-separated key list, ignoring blanks around and between keys."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class StoreConfig:
    """Everything needed to open a store. Keys are kept out of ``repr`` (it reaches logs)."""

    database_url: str
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    key_file: Path = field(default_factory=default_key_file)

    def __post_init__(self) -> None:
        object.__setattr__(self, "database_url", normalise_database_url(self.database_url))

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return make_url(self.database_url).get_backend_name()

    @property
    def safe_database_url(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreConfig:
        env = os.environ if environ is None else environ
        key_file = env.get(KEY_FILE_ENV, "").strip()
        return cls(
            database_url=env.get(DATABASE_URL_ENV, "").strip() or default_database_url(),
            encryption_keys=parse_keys(env.get(ENCRYPTION_KEYS_ENV, "")),
            key_file=Path(key_file).expanduser() if key_file else default_key_file(),
        )
