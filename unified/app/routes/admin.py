"""Admin API: the caller's integrated accounts and API keys (always within its own tenant)."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request, Response, delete, get, patch, post

from unified.app.context import Engine, engine, json_body
from unified.errors import ApiError
from unified.store import Conflict, IntegratedAccount, InvalidInput, NotFound
from unified.vendor.client import resolve_base_url
from unified.yamlfile import parse_msgspec_path


class AccountCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    provider: str
    name: str | None = None
    settings: dict[str, Any] = {}
    credentials: dict[str, str] = {}


class AccountUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str | msgspec.UnsetType = msgspec.UNSET
    settings: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    credentials: dict[str, str] | msgspec.UnsetType = msgspec.UNSET


class KeyCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: str = "api key"


def _convert(data: object, kind: type) -> Any:
    try:
        return msgspec.convert(data if data is not None else {}, kind)
    except msgspec.ValidationError as exc:
        # msgspec names a dict value `[...]` without its key: point at the dict itself
        text, path = parse_msgspec_path(str(exc).replace("[...]", ""))
        missing = re.match(r"Object missing required field `(.+)`$", text)
        if missing:  # point at the field the caller left out, as for unknown ones
            path = (*path, missing.group(1))
        pointer = "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
        raise ApiError(400, f"invalid request body: {text}", pointer=pointer) from None


def account_view(account: IntegratedAccount) -> dict[str, Any]:
    return {"id": account.id, "provider": account.provider, "name": account.name, "settings": account.settings,
            "credential_names": list(account.credential_names), "created_at": account.created_at,
            "updated_at": account.updated_at}


def _check_account(eng: Engine, provider: str, settings: dict[str, Any], credentials: dict[str, str] | None) -> None:
    catalogue = eng.catalogues.get(provider)
    if catalogue is None:
        # the value is not echoed: it may be a secret pasted into the wrong field
        raise ApiError(400, f"unknown provider; known: {', '.join(sorted(eng.catalogues))}", pointer="/provider")
    resolve_base_url(catalogue.provider, settings)
    needed = catalogue.provider.auth.credential
    if credentials is not None and not credentials.get(needed):
        raise ApiError(400, f"{provider} accounts need the credential {needed!r}", pointer=f"/credentials/{needed}")


def _store_errors(exc: Exception) -> ApiError:
    if isinstance(exc, NotFound):
        return ApiError(404, str(exc))
    if isinstance(exc, Conflict):
        return ApiError(409, str(exc))
    return ApiError(400, str(exc))


@post("/admin/accounts", tags=["admin"], summary="Connect an integrated account", status_code=201)
async def create_account(request: Request) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    data: AccountCreate = _convert(await json_body(request, required=True), AccountCreate)
    _check_account(eng, data.provider, data.settings, data.credentials)
    try:
        account = await eng.store.create_account(auth.tenant.id, data.provider, name=data.name,
                                                 settings=data.settings, credentials=data.credentials)
    except (InvalidInput, Conflict, NotFound) as exc:
        raise _store_errors(exc) from None
    return Response(account_view(account), status_code=201)


@get("/admin/accounts", tags=["admin"], summary="List integrated accounts, newest first")
async def list_accounts(request: Request) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    limit = request.query_params.get("limit", "50")
    if not limit.isdigit() or not 1 <= int(limit) <= 200:
        raise ApiError(400, "limit must be 1..200", pointer="/limit")
    try:
        page = await eng.store.list_accounts(auth.tenant.id, limit=int(limit),
                                             after=request.query_params.get("next_cursor") or None)
    except (InvalidInput, NotFound) as exc:
        raise _store_errors(exc) from None
    items = [account_view(a) for a in page.items]
    return Response({"result": items, "next_cursor": page.next_after, "prev_cursor": None, "result_count": len(items)})


async def _owned_account(request: Request, account_id: str) -> tuple[Engine, str, IntegratedAccount]:
    eng = engine(request)
    auth = await eng.authenticate(request)
    try:
        account = await eng.store.get_account(auth.tenant.id, account_id)
    except InvalidInput:
        account = None
    if account is None:
        raise ApiError(404, f"integrated account {account_id} not found")
    return eng, auth.tenant.id, account


@get("/admin/accounts/{account_id:str}", tags=["admin"], summary="Get an integrated account")
async def get_account(request: Request, account_id: str) -> Response:
    _, _, account = await _owned_account(request, account_id)
    return Response(account_view(account))


@patch("/admin/accounts/{account_id:str}", tags=["admin"], summary="Update an integrated account")
async def update_account(request: Request, account_id: str) -> Response:
    eng, tenant_id, account = await _owned_account(request, account_id)
    data: AccountUpdate = _convert(await json_body(request, required=True), AccountUpdate)
    settings = data.settings if data.settings is not msgspec.UNSET else account.settings
    credentials = data.credentials if data.credentials is not msgspec.UNSET else None
    _check_account(eng, account.provider, dict(settings), credentials)
    try:
        updated = await eng.store.update_account(tenant_id, account_id, name=data.name, settings=data.settings,
                                                 credentials=data.credentials)
    except (InvalidInput, Conflict, NotFound) as exc:
        raise _store_errors(exc) from None
    return Response(account_view(updated))


@delete("/admin/accounts/{account_id:str}", tags=["admin"], summary="Disconnect an integrated account",
        status_code=200)
async def delete_account(request: Request, account_id: str) -> Response:
    eng, tenant_id, _ = await _owned_account(request, account_id)
    await eng.store.delete_account(tenant_id, account_id)
    return Response({"id": account_id})


def key_view(key: Any, plaintext: str | None = None) -> dict[str, Any]:
    view = {"id": key.id, "name": key.name, "prefix": key.prefix, "created_at": key.created_at,
            "last_used_at": key.last_used_at, "revoked_at": key.revoked_at}
    if plaintext is not None:
        view["api_key"] = plaintext
    return view


@post("/admin/api-keys", tags=["admin"], summary="Create an API key (shown once)", status_code=201)
async def create_key(request: Request) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    data: KeyCreate = _convert(await json_body(request), KeyCreate)
    try:
        key, plaintext = await eng.store.create_api_key(auth.tenant.id, data.name)
    except InvalidInput as exc:
        raise _store_errors(exc) from None
    return Response(key_view(key, plaintext), status_code=201)


@get("/admin/api-keys", tags=["admin"], summary="List API keys (never the keys themselves)")
async def list_keys(request: Request) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    keys = [key_view(k) for k in await eng.store.list_api_keys(auth.tenant.id)]
    return Response({"result": keys, "next_cursor": None, "prev_cursor": None, "result_count": len(keys)})


@delete("/admin/api-keys/{key_id:str}", tags=["admin"], summary="Revoke an API key", status_code=200)
async def revoke_key(request: Request, key_id: str) -> Response:
    eng = engine(request)
    auth = await eng.authenticate(request)
    try:
        key = await eng.store.revoke_api_key(auth.tenant.id, key_id)
    except (InvalidInput, NotFound):
        raise ApiError(404, f"API key {key_id} not found") from None
    return Response(key_view(key))


ROUTES = [create_account, list_accounts, get_account, update_account, delete_account, create_key, list_keys,
          revoke_key]
