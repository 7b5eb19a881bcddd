"""`unified tenants create|list`: the environments that own API keys and accounts.

Other store commands name a tenant by id or by name (``--tenant``), so names are kept
unique here even though the database does not require it.
"""

from __future__ import annotations

import argparse

from unified.commands import _store
from unified.commands._store import Output


def _create(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        from unified.store import validate

        name = validate.name(args.name)
        if await _store.find_tenant(store, name) is not None:
            raise _store.bad_input(f"a tenant named {name!r} already exists")
        tenant = await store.create_tenant(name)
        return Output(
            _store.to_json(tenant),
            _store.fields({"id": tenant.id, "name": tenant.name, "created_at": tenant.created_at}),
        )

    return _store.run(args, action)


def _list(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        tenants = await store.list_tenants()
        rows = [(t.id, t.name, t.created_at) for t in tenants]
        return Output(
            {"result": [_store.to_json(t) for t in tenants]}, _store.table(("id", "name", "created_at"), rows)
        )

    return _store.run(args, action)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tenants", help="manage tenants (environments owning keys and accounts)")
    commands = parser.add_subparsers(dest="tenants_command", metavar="ACTION")
    commands.required = True
    common = _store.common_options()

    create = commands.add_parser("create", parents=[common], help="create a tenant")
    create.add_argument("--name", required=True, help="unique display name, e.g. production")
    create.set_defaults(handler=_create)

    listing = commands.add_parser("list", parents=[common], help="list tenants, oldest first")
    listing.set_defaults(handler=_list)
