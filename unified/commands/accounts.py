"""`unified accounts create|list|get|delete`: a tenant's connected helpdesk orgs.

Credentials are encrypted by the store and never printed: outputs list credential
*names* only. The provider, its required credential and the base URL are checked
against the catalogue before anything is written, as the admin API does.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from unified.commands import _store
from unified.commands._store import Output

_COLUMNS = ("id", "tenant_id", "provider", "name", "settings", "credential_names", "created_at")
LIST_PAGE_SIZE = 500


def _view(account: Any, tenant: Any | None = None) -> list[str]:
    pairs: dict[str, Any] = {"id": account.id}
    pairs["tenant"] = f"{tenant.id} ({tenant.name})" if tenant is not None else account.tenant_id
    pairs.update(
        provider=account.provider,
        name=account.name,
        settings=account.settings,
        credential_names=account.credential_names,
        created_at=account.created_at,
        updated_at=account.updated_at,
    )
    return _store.fields(pairs)


def _read_inputs(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """Settings and credentials from the flags (and stdin), checked against the provider's catalogue."""
    if args.unexpected:
        # Typically `--credential api_key SECRET`; argparse would echo the secret, so we say less.
        raise _store.bad_input(
            f"{len(args.unexpected)} unexpected argument(s), not shown as they may be secret; "
            "give credentials as --credential NAME=VALUE"
        )
    credentials: dict[str, Any] = _store.parse_pairs(args.credential, "--credential", secret=True)
    settings: dict[str, Any] = _store.parse_pairs(args.setting, "--setting")
    if args.base_url is not None:
        if "base_url" in settings:
            raise _store.bad_input("give the base URL either as --base-url or as --setting base_url=..., not both")
        settings["base_url"] = args.base_url
    if args.credential_stdin is not None:
        name = args.credential_stdin.strip()
        if not name:
            raise _store.bad_input("--credential-stdin needs a credential name")
        if name in credentials:
            raise _store.bad_input(f"credential {name} given both on the command line and on stdin")
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise _store.bad_input(f"no value for credential {name} on stdin")
        credentials[name] = value
    _check_provider(args.provider, settings, credentials)
    return settings, credentials


def _check_provider(provider: str, settings: dict[str, Any], credentials: dict[str, Any]) -> None:
    from unified.catalogue.loader import CatalogueError, load_all

    try:
        catalogues = load_all()
    except CatalogueError:
        raise _store.CliError("the provider catalogue has errors; run `unified check`") from None
    except OSError as exc:
        raise _store.CliError(f"cannot read the provider catalogue: {exc.strerror or type(exc).__name__}") from None
    catalogue = catalogues.get(provider)
    if catalogue is None:
        raise _store.bad_input(f"unknown provider {provider!r}; known: {', '.join(sorted(catalogues)) or 'none'}")

    from unified.errors import ApiError
    from unified.vendor.client import resolve_base_url

    try:
        resolve_base_url(catalogue.provider, settings)
    except ApiError as exc:
        raise _store.bad_input(exc.detail) from None
    needed = catalogue.provider.auth.credential
    if not credentials.get(needed):
        raise _store.bad_input(f"{provider} accounts need the credential {needed!r}: --credential {needed}=...")


def _create(args: argparse.Namespace) -> int:
    try:
        settings, credentials = _read_inputs(args)
    except _store.CliError as exc:
        return _store.fail(exc.message, exc.code)
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        return _store.fail(*_store.describe(exc, args))

    async def action(store: _store.Store) -> Output:
        from unified.store import validate

        if args.name is not None:
            validate.name(args.name)  # before a tenant may be created
        notes: list[str] = []
        tenant = await _store.tenant_for_write(store, args.tenant, notes)
        account = await store.create_account(
            tenant.id, args.provider, name=args.name, settings=settings, credentials=credentials
        )
        return Output(_store.to_json(account), _view(account, tenant), notes)

    return _store.run(args, action)


def _list(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        tenant = await _store.tenant_for_read(store, args.tenant)
        accounts: list[Any] = []
        after: str | None = None
        while tenant is not None:
            page = await store.list_accounts(tenant.id, limit=LIST_PAGE_SIZE, after=after, provider=args.provider)
            accounts.extend(page.items)
            if page.next_after is None:
                break
            after = page.next_after
        rows = [tuple(getattr(a, c) for c in _COLUMNS) for a in accounts]
        return Output({"result": [_store.to_json(a) for a in accounts]}, _store.table(_COLUMNS, rows))

    return _store.run(args, action)


async def _find(store: _store.Store, tenant_ref: str | None, account_id: str) -> tuple[Any, Any]:
    for tenant in await _store.scope(store, tenant_ref):
        account = await store.get_account(tenant.id, account_id)
        if account is not None:
            return tenant, account
    raise _store.not_found(f"integrated account {account_id} not found")


def _get(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        tenant, account = await _find(store, args.tenant, args.account_id)
        return Output(_store.to_json(account), _view(account, tenant))

    return _store.run(args, action)


def _delete(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        tenant, account = await _find(store, args.tenant, args.account_id)
        await store.delete_account(tenant.id, account.id)
        return Output(
            {"id": account.id, "tenant_id": tenant.id, "deleted": True},
            [f"deleted {account.id} ({account.provider}, {account.name}, tenant {tenant.id})"],
        )

    return _store.run(args, action)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("accounts", help="manage integrated accounts (connected helpdesk orgs)")
    commands = parser.add_subparsers(dest="accounts_command", metavar="ACTION")
    commands.required = True
    common = _store.common_options()

    create = commands.add_parser(
        "create",
        parents=[common],
        help="connect an account",
        description="Connect a helpdesk account. Credential values are encrypted at rest and never printed; "
        "prefer --credential-stdin to keep them out of the process list and shell history.",
    )
    create.add_argument("--provider", required=True, help="provider name from the catalogue, e.g. kustomer")
    create.add_argument(
        "--credential", action="append", metavar="NAME=VALUE", help="a credential, e.g. api_key=...; repeatable"
    )
    create.add_argument(
        "--credential-stdin", metavar="NAME", help="read the value of credential NAME from the first line of stdin"
    )
    create.add_argument("--base-url", metavar="URL", help="vendor base URL override (stored as setting base_url)")
    create.add_argument(
        "--setting", action="append", metavar="NAME=VALUE", help="a non-secret setting, e.g. region=prod2; repeatable"
    )
    create.add_argument("--name", help="display name (default: the provider)")
    create.add_argument("unexpected", nargs="*", help=argparse.SUPPRESS)  # stray words are refused, unechoed
    _store.tenant_option(
        create,
        "owning tenant, by id or name; a new name creates the tenant "
        f"(default {_store.DEFAULT_TENANT!r}, created on first use)",
    )
    create.set_defaults(handler=_create)

    listing = commands.add_parser("list", parents=[common], help="list a tenant's accounts, newest first")
    _store.tenant_option(listing, f"tenant id or name (default {_store.DEFAULT_TENANT!r})")
    listing.add_argument("--provider", help="only accounts of this provider")
    listing.set_defaults(handler=_list)

    for action_name, handler, help_text in (
        ("get", _get, "show one account"),
        ("delete", _delete, "delete an account and its credentials"),
    ):
        command = commands.add_parser(action_name, parents=[common], help=help_text)
        command.add_argument("account_id", metavar="ACCOUNT_ID")
        _store.tenant_option(command, "only look in this tenant (default: the account's own tenant)")
        command.set_defaults(handler=handler)
