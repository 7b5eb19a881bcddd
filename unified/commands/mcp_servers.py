"""`unified mcp-servers create|list|get|delete`: scoped, expiring MCP tool sets over an account.

``create`` prints the server with its ``url`` (which holds the token): the only time the
token is shown. The filters are checked against the account's catalogue as the admin API
does: a server that would expose no tool is refused.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta
from typing import Any

from unified.commands import _store
from unified.commands._store import Output

_COLUMNS = ("id", "integrated_account_id", "name", "methods", "tags", "tool_exposure", "expires_at")
_RELATIVE = re.compile(r"^\+(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
LIST_PAGE_SIZE = 500


def _listing(values: list[str] | None) -> list[str] | None:
    """``--methods read write`` and ``--methods read,write`` alike; None when not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _expiry(text: str | None) -> datetime | None:
    """An ISO 8601 time with a zone, or ``+30m``/``+2h``/``+7d`` from now."""
    if text is None:
        return None
    from unified.store.types import utcnow

    relative = _RELATIVE.match(text.strip())
    if relative:
        return utcnow() + timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise _store.bad_input(
            "--expires-at takes an ISO 8601 time such as 2026-12-31T23:59:59Z, or +30m/+2h/+7d") from None
    if value.tzinfo is None:
        raise _store.bad_input("--expires-at needs a time zone, e.g. 2026-12-31T23:59:59Z")
    return value


def _catalogue(provider: str) -> Any:
    from unified.catalogue.loader import CatalogueError, load_all

    try:
        catalogue = load_all().get(provider)
    except CatalogueError:
        raise _store.CliError("the provider catalogue has errors; run `unified check`") from None
    if catalogue is None:
        raise _store.CliError(f"no catalogue is loaded for provider {provider!r}")
    return catalogue


def _checked(action: Any) -> Any:
    """Turn the shared admin rules' ApiError into the CLI's bad-input error."""
    from unified.errors import ApiError

    try:
        return action()
    except ApiError as exc:
        raise _store.bad_input(exc.detail) from None


async def _find_account(store: _store.Store, tenant_ref: str | None, account_id: str) -> Any:
    for tenant in await _store.scope(store, tenant_ref):
        account = await store.get_account(tenant.id, account_id)
        if account is not None:
            return account
    raise _store.not_found(f"integrated account {account_id} not found")


async def _find_server(store: _store.Store, tenant_ref: str | None, server_id: str) -> Any:
    for tenant in await _store.scope(store, tenant_ref):
        server = await store.get_mcp_server(tenant.id, server_id)
        if server is not None:
            return server
    raise _store.not_found(f"MCP server {server_id} not found")


def _lines(view: dict[str, Any]) -> list[str]:
    shown = {k: v for k, v in view.items() if k != "token"}
    return _store.fields(shown)


def _create(args: argparse.Namespace) -> int:
    try:
        expires_at = _expiry(args.expires_at)
    except _store.CliError as exc:
        return _store.fail(exc.message, exc.code)
    methods, tags = _listing(args.methods), _listing(args.tags)

    async def action(store: _store.Store) -> Output:
        from unified.mcp.admin import check_expiry, check_filters, server_view

        account = await _find_account(store, args.tenant, args.account)
        catalogue = _catalogue(account.provider)
        _checked(lambda: check_filters(catalogue, methods, tags))
        _checked(lambda: check_expiry(expires_at))
        server, token = await store.create_mcp_server(
            account.tenant_id, account.id, name=args.name, methods=methods, tags=tags,
            tool_exposure=args.tool_exposure, require_api_token_auth=args.require_api_token_auth,
            expires_at=expires_at)
        view = server_view(server, catalogue, token=token)
        notes = ["the URL holds the server's token: it is shown only now, keep it secret"]
        return Output(_store.to_json(view), _lines(view), notes)

    return _store.run(args, action)


def _list(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        from unified.mcp.admin import server_view

        servers: list[Any] = []
        for tenant in await _store.scope(store, args.tenant):
            after: str | None = None
            while True:
                page = await store.list_mcp_servers(tenant.id, account_id=args.account, limit=LIST_PAGE_SIZE,
                                                    after=after)
                servers.extend(page.items)
                if page.next_after is None:
                    break
                after = page.next_after
        views = [server_view(s) for s in servers]
        rows = [tuple(v[c] for c in _COLUMNS) for v in views]
        return Output({"result": [_store.to_json(v) for v in views]}, _store.table(_COLUMNS, rows))

    return _store.run(args, action)


def _get(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        from unified.mcp.admin import server_view

        server = await _find_server(store, args.tenant, args.server_id)
        account = await store.get_account(server.tenant_id, server.integrated_account_id)
        catalogue = _catalogue(account.provider) if account is not None else None
        view = server_view(server, catalogue)
        return Output(_store.to_json(view), _lines(view))

    return _store.run(args, action)


def _delete(args: argparse.Namespace) -> int:
    async def action(store: _store.Store) -> Output:
        server = await _find_server(store, args.tenant, args.server_id)
        await store.delete_mcp_server(server.tenant_id, server.id)
        return Output({"id": server.id, "deleted": True}, [f"deleted {server.id} ({server.name}); its URL no longer works"])

    return _store.run(args, action)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("mcp-servers", help="manage MCP servers (scoped tool sets for AI agents)")
    commands = parser.add_subparsers(dest="mcp_servers_command", metavar="ACTION")
    commands.required = True
    common = _store.common_options()

    create = commands.add_parser(
        "create", parents=[common], help="create a server and print its URL (shown once)",
        description="Create an MCP server over an integrated account. Filters combine: a tool is exposed when it "
                    "matches one of --methods AND one of --tags.")
    create.add_argument("--account", required=True, metavar="ACCOUNT_ID", help="integrated account id")
    create.add_argument("--name", default="MCP server", help="display name")
    create.add_argument("--methods", nargs="+", action="extend", metavar="METHOD",
                        help="read, write, custom, or exact method/tool names (space or comma separated)")
    create.add_argument("--tags", nargs="+", action="extend", metavar="TAG", help="only tools with one of these tags")
    create.add_argument("--tool-exposure", choices=("all", "discovery"), default="all",
                        help="discovery lists only search_tools, get_tool_schema and call_tool")
    create.add_argument("--expires-at", metavar="TIME",
                        help="ISO 8601 time with zone, or +30m/+2h/+7d; at least 60 s ahead")
    create.add_argument("--require-api-token-auth", action="store_true",
                        help="clients must also send the tenant's API key as a Bearer token")
    _store.tenant_option(create, "only look for the account in this tenant")
    create.set_defaults(handler=_create)

    listing = commands.add_parser("list", parents=[common], help="list servers, newest first (never their tokens)")
    listing.add_argument("--account", metavar="ACCOUNT_ID", help="only this account's servers")
    _store.tenant_option(listing, "only this tenant (default: every tenant)")
    listing.set_defaults(handler=_list)

    for action_name, handler, help_text in (("get", _get, "show one server"),
                                            ("delete", _delete, "delete a server; its URL stops working")):
        command = commands.add_parser(action_name, parents=[common], help=help_text)
        command.add_argument("server_id", metavar="SERVER_ID")
        _store.tenant_option(command, "only look in this tenant")
        command.set_defaults(handler=handler)
