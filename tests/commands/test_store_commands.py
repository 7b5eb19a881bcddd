"""`unified tenants|keys|accounts`: scriptable store administration, run as real processes.

Every test drives ``python -m unified`` with ``UNIFIED_DATABASE_URL`` pointing at a private
database; the end-to-end flow also runs once on PostgreSQL. Each captured stdout/stderr is
kept so the tests can assert that no credential value ever reaches either stream.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from unified.catalogue.loader import PROJECT_ROOT
from unified.store import Store, StoreConfig, generate_key

SECRET = "kus-secret-CLI-7f3a9d2e"  # a credential value: must never be printed
OTHER_SECRET = "kus-secret-OTHER-51c0b8"


class Cli:
    """Runs ``python -m unified`` against one database and remembers everything it printed."""

    def __init__(self, database_url: str, tmp_path: Path, *, encryption_key: str | None) -> None:
        self.database_url = database_url
        self.encryption_key = encryption_key
        self.key_file = tmp_path / "keys" / "unified.key"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_")}
        self.env.update(UNIFIED_DATABASE_URL=database_url, UNIFIED_KEY_FILE=str(self.key_file))
        if encryption_key is not None:
            self.env["UNIFIED_ENCRYPTION_KEYS"] = encryption_key
        self.transcript: list[str] = []

    def run(
        self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "unified", *args],
            capture_output=True,
            text=True,
            input=stdin,
            cwd=PROJECT_ROOT,
            env={**self.env, **(env or {})},
            timeout=120,
        )
        self.transcript += [result.stdout, result.stderr]
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def json(self, *args: str, stdin: str | None = None) -> dict[str, Any]:
        """Run with ``--json``; expect success and exactly one JSON object on stdout."""
        result = self.run(*args, "--json", stdin=stdin)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert len(lines) == 1, result.stdout
        data = json.loads(lines[0])
        assert isinstance(data, dict)
        return data

    def fails(self, code: int, *args: str, stdin: str | None = None) -> str:
        """Run (with ``--json``, whose stdout must stay empty on failure); return the one-line error."""
        result = self.run(*args, "--json", stdin=stdin)
        assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("unified: error: "), result.stderr
        return lines[0]

    def assert_no_secret(self, *secrets: str) -> None:
        for text in self.transcript:
            for secret in (SECRET, OTHER_SECRET, *secrets):
                assert secret not in text

    async def store(self) -> Store:
        keys = (self.encryption_key,) if self.encryption_key else ()
        return await Store.open(StoreConfig(self.database_url, encryption_keys=keys, key_file=self.key_file))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'unified.db'}"


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path) -> Cli:
    return Cli(sqlite_url, tmp_path, encryption_key=generate_key())


@pytest.fixture
def any_cli(database_url: str, tmp_path: Path) -> Cli:
    """A CLI on an empty database of each backend (``database_url`` is tests/conftest.py's)."""
    return Cli(database_url, tmp_path, encryption_key=generate_key())


@pytest.fixture
async def open_store(cli: Cli) -> AsyncIterator[Store]:
    store = await cli.store()
    try:
        yield store
    finally:
        await store.close()


# --------------------------------------------------------------------------- the whole flow


async def test_keys_accounts_and_tenant_isolation(any_cli: Cli):
    cli = any_cli
    default_key = cli.json("keys", "create")
    assert {"api_key", "id", "tenant_id", "name", "prefix", "created_at"} <= default_key.keys()
    assert default_key["api_key"].startswith(default_key["prefix"])
    acme_key = cli.json("keys", "create", "--tenant", "acme", "--name", "backend")
    assert acme_key["tenant_id"] != default_key["tenant_id"] and acme_key["name"] == "backend"

    tenants = {t["name"]: t["id"] for t in cli.json("tenants", "list")["result"]}
    assert tenants == {"default": default_key["tenant_id"], "acme": acme_key["tenant_id"]}

    mine = cli.json(
        "accounts",
        "create",
        "--provider",
        "kustomer",
        "--credential",
        f"api_key={SECRET}",
        "--base-url",
        "http://127.0.0.1:8799",
        "--name",
        "Support",
    )
    assert mine["id"].startswith("acc_") and mine["tenant_id"] == default_key["tenant_id"]
    assert mine["credential_names"] == ["api_key"] and mine["settings"] == {"base_url": "http://127.0.0.1:8799"}
    assert mine["name"] == "Support" and mine["provider"] == "kustomer"
    theirs = cli.json(
        "accounts",
        "create",
        "--provider",
        "kustomer",
        "--credential",
        f"api_key={OTHER_SECRET}",
        "--setting",
        "region=prod2",
        "--tenant",
        acme_key["tenant_id"],
    )
    assert theirs["tenant_id"] == acme_key["tenant_id"] and theirs["settings"] == {"region": "prod2"}

    # Listings are per tenant; the default tenant is used when --tenant is omitted.
    assert [a["id"] for a in cli.json("accounts", "list")["result"]] == [mine["id"]]
    assert [a["id"] for a in cli.json("accounts", "list", "--tenant", "acme")["result"]] == [theirs["id"]]
    assert cli.json("accounts", "get", mine["id"]) == mine
    assert cli.json("accounts", "get", theirs["id"], "--tenant", "acme") == theirs
    cli.fails(1, "accounts", "get", theirs["id"], "--tenant", "default")
    cli.fails(1, "accounts", "delete", theirs["id"], "--tenant", "default")

    # The keys authenticate, each to its own tenant, and see only that tenant's accounts.
    store = await cli.store()
    try:
        for key, account in ((default_key, mine), (acme_key, theirs)):
            auth = await store.authenticate(key["api_key"])
            assert auth is not None and auth.tenant.id == key["tenant_id"] and auth.api_key.id == key["id"]
            assert [a.id for a in (await store.list_accounts(auth.tenant.id)).items] == [account["id"]]
        assert await store.get_account(default_key["tenant_id"], theirs["id"]) is None
        assert await store.get_account_credentials(default_key["tenant_id"], mine["id"]) == {"api_key": SECRET}
        assert await store.get_account_credentials(acme_key["tenant_id"], theirs["id"]) == {"api_key": OTHER_SECRET}
    finally:
        await store.close()

    deleted = cli.json("accounts", "delete", theirs["id"])
    assert deleted == {"id": theirs["id"], "tenant_id": acme_key["tenant_id"], "deleted": True}
    cli.fails(1, "accounts", "get", theirs["id"])
    assert cli.json("accounts", "list", "--tenant", "acme") == {"result": []}
    assert [a["id"] for a in cli.json("accounts", "list")["result"]] == [mine["id"]]

    listed = cli.json("keys", "list", "--tenant", "acme")["result"]
    assert [k["id"] for k in listed] == [acme_key["id"]] and "api_key" not in listed[0]
    cli.fails(1, "keys", "revoke", acme_key["id"], "--tenant", "default")
    revoked = cli.json("keys", "revoke", acme_key["id"])
    assert revoked["id"] == acme_key["id"] and revoked["revoked_at"] is not None
    store = await cli.store()
    try:
        assert await store.authenticate(acme_key["api_key"]) is None
        assert await store.authenticate(default_key["api_key"]) is not None
    finally:
        await store.close()

    cli.assert_no_secret()
    # Each API key was printed exactly once: by the command that created it.
    for key in (default_key, acme_key):
        assert sum(text.count(key["api_key"]) for text in cli.transcript) == 1


# --------------------------------------------------------------------------- output and options


def test_human_output_is_short_and_secret_free(cli: Cli):
    created = cli.run("keys", "create", "--name", "ops")
    assert created.returncode == 0, created.stderr
    lines = dict(line.split(None, 1) for line in created.stdout.splitlines())
    assert lines["api_key"].startswith("uk_") and lines["name"] == "ops"
    assert "created tenant 'default'" in created.stderr and "shown only now" in created.stderr

    account = cli.run("accounts", "create", "--provider", "kustomer", "--credential", f"api_key={SECRET}")
    assert account.returncode == 0, account.stderr
    assert "credential_names  api_key" in account.stdout

    listing = cli.run("accounts", "list")
    assert listing.returncode == 0
    header, row = listing.stdout.splitlines()
    assert header.split()[:3] == ["ID", "TENANT_ID", "PROVIDER"] and row.split()[2] == "kustomer"
    keys = cli.run("keys", "list")
    assert keys.stdout.splitlines()[0].startswith("ID") and lines["api_key"] not in keys.stdout
    tenants = cli.run("tenants", "list")
    assert "default" in tenants.stdout
    cli.assert_no_secret()


def test_credential_from_stdin(cli: Cli):
    account = cli.json(
        "accounts", "create", "--provider", "kustomer", "--credential-stdin", "api_key", stdin=f"{SECRET}\n"
    )
    assert account["credential_names"] == ["api_key"]
    cli.fails(2, "accounts", "create", "--provider", "kustomer", "--credential-stdin", "api_key", stdin="")
    cli.assert_no_secret()


async def test_credentials_are_stored(cli: Cli, open_store: Store):
    account = cli.json(
        "accounts",
        "create",
        "--provider",
        "kustomer",
        "--credential",
        f"api_key={SECRET}",
        "--credential",
        f"extra={OTHER_SECRET}",
    )
    assert account["credential_names"] == ["api_key", "extra"]
    stored = await open_store.get_account_credentials(account["tenant_id"], account["id"])
    assert stored == {"api_key": SECRET, "extra": OTHER_SECRET}
    cli.assert_no_secret()


def test_database_url_flag_overrides_the_environment(cli: Cli, tmp_path: Path):
    other = f"sqlite:///{tmp_path / 'other' / 'other.db'}"
    tenant = cli.json("tenants", "create", "--name", "elsewhere", "--database-url", other)
    assert cli.json("tenants", "list", "--database-url", other)["result"] == [tenant]
    assert cli.json("tenants", "list")["result"] == []
    assert (tmp_path / "other" / "other.db").exists()


def test_tenants_create_and_resolution_by_id_or_name(cli: Cli):
    tenant = cli.json("tenants", "create", "--name", "production")
    assert tenant["id"].startswith("ten_") and tenant["name"] == "production"
    cli.fails(2, "tenants", "create", "--name", "production")
    by_name = cli.json("keys", "create", "--tenant", "production")
    by_id = cli.json("keys", "create", "--tenant", tenant["id"])
    assert by_name["tenant_id"] == by_id["tenant_id"] == tenant["id"]
    # An id that matches nothing is an error, not a new tenant named like an id.
    cli.fails(1, "keys", "create", "--tenant", "ten_" + "0" * 26)
    assert [t["name"] for t in cli.json("tenants", "list")["result"]] == ["production"]


async def test_duplicate_tenant_names_resolve_to_the_oldest(cli: Cli, open_store: Store):
    first = await open_store.create_tenant("twin")
    await open_store.create_tenant("twin")
    assert cli.json("keys", "create", "--tenant", "twin")["tenant_id"] == first.id


async def test_list_returns_every_page(cli: Cli, open_store: Store):
    from unified.commands.accounts import LIST_PAGE_SIZE

    tenant = await open_store.create_tenant("big")
    created = [
        (await open_store.create_account(tenant.id, "kustomer", credentials={"api_key": SECRET})).id
        for _ in range(LIST_PAGE_SIZE + 3)
    ]
    listed = cli.json("accounts", "list", "--tenant", "big")["result"]
    assert [a["id"] for a in listed] == created[::-1]  # newest first, each once
    cli.assert_no_secret()


def test_reads_do_not_create_the_default_tenant(cli: Cli):
    assert cli.json("accounts", "list") == {"result": []}
    assert cli.json("keys", "list") == {"result": []}
    assert cli.json("tenants", "list") == {"result": []}


def test_key_file_notice_goes_to_stderr(sqlite_url: str, tmp_path: Path):
    cli = Cli(sqlite_url, tmp_path, encryption_key=None)
    result = cli.run("tenants", "create", "--name", "first", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "first"
    assert "created" in result.stderr and str(cli.key_file) in result.stderr
    assert cli.key_file.exists()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args",
    [
        ("accounts", "create", "--provider", "nosuch", "--credential", f"api_key={SECRET}"),
        ("accounts", "create", "--provider", "kustomer"),
        ("accounts", "create", "--provider", "kustomer", "--credential", SECRET),
        ("accounts", "create", "--provider", "kustomer", "--credential", "api_key", SECRET),
        ("accounts", "create", "--provider", "kustomer", "--credential", f"other={SECRET}"),
        ("accounts", "create", "--provider", "kustomer", "--credential", "api_key="),
        (
            "accounts",
            "create",
            "--provider",
            "kustomer",
            "--credential",
            f"api_key={SECRET}",
            "--credential",
            f"api_key={OTHER_SECRET}",
        ),
        (
            "accounts",
            "create",
            "--provider",
            "kustomer",
            "--credential",
            f"api_key={SECRET}",
            "--base-url",
            "ftp://example.com",
        ),
        (
            "accounts",
            "create",
            "--provider",
            "kustomer",
            "--credential",
            f"api_key={SECRET}",
            "--base-url",
            "https://example.com?q=1",
        ),
        (
            "accounts",
            "create",
            "--provider",
            "kustomer",
            "--credential",
            f"api_key={SECRET}",
            "--base-url",
            "https://a.example",
            "--setting",
            "base_url=https://b.example",
        ),
        ("accounts", "create", "--provider", "kustomer", "--credential", f"api_key={SECRET}", "--setting", "novalue"),
        ("accounts", "create", "--provider", "kustomer", "--credential", f"api_key={SECRET}", "--name", " "),
        ("keys", "create", "--name", ""),
        ("keys", "create", "--tenant", "x" * 300),
        ("tenants", "create", "--name", ""),
        ("tenants", "list", "--database-url", "mysql://db/x"),
        ("tenants", "list", "--database-url", "not a url"),
    ],
    ids=lambda args: " ".join(a[:24] for a in args),
)
async def test_bad_input_exits_2_with_one_line(cli: Cli, args: tuple[str, ...]):
    message = cli.fails(2, *args)
    assert "--database-url" in message or "UNIFIED_DATABASE_URL" not in message
    cli.assert_no_secret()
    store = await cli.store()
    try:
        assert await store.list_tenants() == []  # nothing was written
    finally:
        await store.close()


@pytest.mark.parametrize(
    "args",
    [
        ("accounts", "get", "acc_01m7zrm0yh36pjn6xn659rsqny"),
        ("accounts", "delete", "acc_01m7zrm0yh36pjn6xn659rsqny"),
        ("accounts", "get", "whatever", "--tenant", "nosuch"),
        ("accounts", "list", "--tenant", "nosuch"),
        ("keys", "list", "--tenant", "nosuch"),
        ("keys", "revoke", "key_01m7zrm0yh36pjn6xn659rsqny"),
    ],
    ids=lambda args: " ".join(args[:2]) + (" --tenant" if "--tenant" in args else ""),
)
def test_not_found_exits_1(cli: Cli, args: tuple[str, ...]):
    assert "not found" in cli.fails(1, *args)


def test_bad_environment_and_unreachable_database(cli: Cli):
    result = cli.run("tenants", "list", env={"UNIFIED_DATABASE_URL": "oracle://x/y"})
    assert result.returncode == 2 and "UNIFIED_DATABASE_URL" in result.stderr
    # A password in the URL is masked in the message.
    message = cli.fails(1, "tenants", "list", "--database-url", "postgresql://u:hunter2pw@127.0.0.1:1/x")
    assert "database error" in message and "hunter2pw" not in message
    result = cli.run("tenants", "list", env={"UNIFIED_ENCRYPTION_KEYS": "not-a-fernet-key"})
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2(cli: Cli):
    assert cli.run("keys").returncode == 2
    assert cli.run("accounts", "create").returncode == 2  # --provider is required
