"""`unified keys create|list|revoke`: API keys, each belonging to one tenant.

The key itself is printed once, by ``create`` (under ``api_key`` with ``--json``); the
store keeps only its hash, so ``list`` shows the display prefix.
"""

from __future__ import annotations

import argparse
from typing import Any

from unified.commands import _store
from unified.commands._store import Output

DEFAULT_KEY_NAME = "api key"
_COLUMNS = ("id", "tenant_id", "name", "prefix", "created_at", "last_used_at", "revoked_at")


def _row(key: Any) -> tuple[Any, ...]:
    return tuple(getattr(key, column) for column in _COLUMNS)


def _create(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        from unified.store import validate

        name = validate.name(args.name)  # before a tenant may be created
        notes: list[str] = []
        tenant = await _store.tenant_for_write(store, args.tenant, notes)
        key, plaintext = await store.create_api_key(tenant.id, name)
        data = {"api_key": plaintext, **_store.to_json(key)}
        lines = _store.fields(
            {
                "api_key": plaintext,
                "id": key.id,
                "tenant": f"{tenant.id} ({tenant.name})",
                "name": key.name,
                "prefix": key.prefix,
                "created_at": key.created_at,
            }
        )
        notes.append("the key is shown only now; store it safely")
        return Output(data, lines, notes)

    return _store.run(args, action)


def _list(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        tenant = await _store.tenant_for_read(store, args.tenant)
        keys = [] if tenant is None else await store.list_api_keys(tenant.id)
        return Output({"result": [_store.to_json(k) for k in keys]}, _store.table(_COLUMNS, (_row(k) for k in keys)))

    return _store.run(args, action)


def _revoke(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        for tenant in await _store.scope(store, args.tenant):
            if await store.get_api_key(tenant.id, args.key_id) is not None:
                key = await store.revoke_api_key(tenant.id, args.key_id)
                lines = [f"revoked {key.id} ({key.name}, tenant {tenant.id}) at {_store.cell(key.revoked_at)}"]
                return Output(_store.to_json(key), lines)
        raise _store.not_found(f"API key {args.key_id} not found")

    return _store.run(args, action)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("keys", help="manage API keys")
    commands = parser.add_subparsers(dest="keys_command", metavar="ACTION")
    commands.required = True
    common = _store.common_options()

    create = commands.add_parser("create", parents=[common], help="create an API key and print it (once)")
    _store.tenant_option(
        create,
        "owning tenant, by id or name; a new name creates the tenant "
        f"(default {_store.DEFAULT_TENANT!r}, created on first use)",
    )
    create.add_argument("--name", default=DEFAULT_KEY_NAME, help=f"display name (default {DEFAULT_KEY_NAME!r})")
    create.set_defaults(handler=_create)

    listing = commands.add_parser("list", parents=[common], help="list a tenant's keys, revoked ones included")
    _store.tenant_option(listing, f"tenant id or name (default {_store.DEFAULT_TENANT!r})")
    listing.set_defaults(handler=_list)

    revoke = commands.add_parser("revoke", parents=[common], help="revoke an API key")
    revoke.add_argument("key_id", metavar="KEY_ID")
    _store.tenant_option(revoke, "only look in this tenant (default: the key's own tenant)")
    revoke.set_defaults(handler=_revoke)
