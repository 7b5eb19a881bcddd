"""What every request handler shares: the store, the catalogues, the vendor client, cursors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import msgspec
from litestar import Request

from unified.app import observability
from unified.app.limits import NestingTooDeep, check_json_depth
from unified.catalogue.loader import Catalogue
from unified.engine.cursors import CursorCodec
from unified.errors import ApiError
from unified.store import Authentication, Store
from unified.vendor.client import Account, VendorClient

_decoder = msgspec.json.Decoder()
UNAUTHORIZED = "missing or invalid API key: send Authorization: Bearer <api key>"


@dataclass
class Engine:
    store: Store
    catalogues: Mapping[str, Catalogue]
    vendor: VendorClient
    cursors: CursorCodec

    async def authenticate(self, request: Request) -> Authentication:
        """The caller's tenant. Every failure gives the same 401, so keys cannot be probed."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        auth = None
        if scheme.lower() == "bearer" and token.strip():
            auth = await self.store.authenticate(token.strip())
        if auth is None:
            raise ApiError(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        observability.note(tenant_id=auth.tenant.id)
        return auth

    async def account(self, tenant_id: str, account_id: str | None) -> tuple[Account, Catalogue]:
        """The tenant's integrated account with its credentials; another tenant's is a 404."""
        if not account_id:
            raise ApiError(400, "integrated_account_id is required", pointer="/integrated_account_id")
        found = await self.store.get_account_with_credentials(tenant_id, account_id)
        if found is None:
            raise ApiError(404, f"integrated account {account_id} not found")
        record, credentials = found
        catalogue = self.catalogues.get(record.provider)
        if catalogue is None:
            raise ApiError(409, f"no catalogue is loaded for provider {record.provider!r}")
        return Account(record.id, record.provider, dict(record.settings), dict(credentials)), catalogue


def engine(request: Request) -> Engine:
    return request.app.state.engine


async def json_body(request: Request, *, required: bool = False) -> object:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ApiError(400, "a JSON request body is required", pointer="")
        return None
    try:
        check_json_depth(raw)
        return _decoder.decode(raw)
    except NestingTooDeep as exc:
        raise ApiError(400, str(exc), pointer="", code="json-too-deep") from None
    except msgspec.DecodeError as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}", pointer="") from None
