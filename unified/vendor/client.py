"""Calls to vendor APIs: one pooled httpx client per base URL, credentials injected from the
catalogue's auth config, vendor failures turned into :class:`ApiError` with a clear status.

No retries: a vendor 429 or 5xx goes back to the caller, who decides (with the normalized
rate-limit headers) when to try again."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from unified.catalogue.loader import Catalogue, CatalogueOperation
from unified.catalogue.model import Provider
from unified.catalogue.paths import PathTemplate
from unified.errors import ApiError
from unified.vendor.jsonpath import get_path
from unified.vendor.ratelimit import normalize

_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class Account:
    """What the engine needs of an integrated account to call its vendor."""

    id: str
    provider: str
    settings: Mapping[str, Any]
    credentials: Mapping[str, str] = field(repr=False)


@dataclass
class VendorResponse:
    status: int
    body: Any
    headers: httpx.Headers
    rate_limit: dict[str, str]


def resolve_base_url(provider: Provider, settings: Mapping[str, Any]) -> str:
    """The account's base URL: an explicit override, a templated option, or the default."""
    override = settings.get("base_url")
    if override:
        if not provider.base_url.allow_override:
            raise ApiError(400, f"{provider.name} accounts cannot set base_url", pointer="/settings/base_url")
        parts = urlsplit(str(override))
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ApiError(400, "base_url must be an http(s) URL without query or fragment",
                           pointer="/settings/base_url")
        return str(override).rstrip("/")
    for option in provider.base_url.options.values():
        template = PathTemplate(option.template)
        if template.params and all(settings.get(p) for p in template.params):
            return template.render({p: settings[p] for p in template.params}).rstrip("/")
    return provider.base_url.default.rstrip("/")


class VendorClient:
    def __init__(self, catalogues: Mapping[str, Catalogue], *, timeout: float = 30.0,
                 connect_timeout: float = 5.0, max_connections: int = 100,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.catalogues = catalogues
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._transport = transport
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._lock = asyncio.Lock()

    def provider(self, name: str) -> Provider:
        catalogue = self.catalogues.get(name)
        if catalogue is None:
            raise ApiError(400, f"unknown provider {name!r}")
        return catalogue.provider

    async def _client(self, base_url: str) -> httpx.AsyncClient:
        client = self._clients.get(base_url)
        if client is None:
            async with self._lock:
                client = self._clients.get(base_url)
                if client is None:
                    client = httpx.AsyncClient(base_url=base_url, timeout=self.timeout, limits=self.limits,
                                               transport=self._transport, follow_redirects=False)
                    self._clients[base_url] = client
        return client

    def pool_stats(self) -> dict[str, int]:
        """Open connections per base URL (for leak checks)."""
        stats = {}
        for url, client in self._clients.items():
            pool = getattr(client._transport, "_pool", None)
            stats[url] = len(getattr(pool, "connections", []) or [])
        return stats

    def pool_usage(self) -> dict[str, dict[str, int]]:
        """Per base URL: open, idle and in-use connections, queued requests and the limit.

        Read-only, for leak checks: after any number of failed calls, in-use and queued fall
        back to 0 and open stays at most the limit."""
        usage = {}
        for url, client in self._clients.items():
            pool = getattr(client._transport, "_pool", None)
            connections = [c for c in getattr(pool, "connections", []) or [] if not c.is_closed()]
            idle = sum(1 for c in connections if c.is_idle())
            usage[url] = {"open": len(connections), "idle": idle, "in_use": len(connections) - idle,
                          "queued": sum(1 for r in getattr(pool, "_requests", []) if r.is_queued()),
                          "limit": self.limits.max_connections or 0}
        return usage

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        await asyncio.gather(*(c.aclose() for c in clients))

    def _auth_headers(self, provider: Provider, account: Account) -> dict[str, str]:
        auth = provider.auth
        secret = account.credentials.get(auth.credential)
        if not secret:
            raise ApiError(400, f"the account has no {auth.credential!r} credential")
        if auth.type == "bearer":
            return {"Authorization": f"Bearer {secret}"}
        if auth.type == "basic":
            return {"Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode()}
        return {auth.header: f"{auth.prefix}{secret}"}

    async def call(self, op: CatalogueOperation, account: Account, path_params: Mapping[str, Any],
                   query: Mapping[str, Any] | None = None, body: Any = None) -> VendorResponse:
        missing = [p for p in op.path.params if path_params.get(p) in (None, "")]
        if missing:
            raise ApiError(400, f"missing path parameter(s): {', '.join(missing)}", pointer=f"/{missing[0]}")
        path = op.path.render(path_params)
        return await self.request(account, op.http, path, query=query, json_body=body,
                                  send_body=op.body is not None)

    async def request(self, account: Account, method: str, path: str, *,
                      query: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
                      json_body: Any = None, send_body: bool = True, content: bytes | None = None,
                      headers: Mapping[str, str] | None = None, raw: bool = False) -> VendorResponse:
        """One vendor call. ``path`` must already be a safe path under the base URL."""
        provider = self.provider(account.provider)
        base_url = resolve_base_url(provider, account.settings)
        client = await self._client(base_url)
        request_headers = {"Accept": "application/json", **(headers or {}), **self._auth_headers(provider, account)}
        data = content
        if data is None and send_body and json_body is not None:
            data = _encoder.encode(json_body)
            request_headers["Content-Type"] = "application/json"
        pairs = query.items() if isinstance(query, Mapping) else query or ()  # pairs keep repeated names
        params = [(k, _query_value(v)) for k, v in pairs if v is not None]
        try:
            response = await client.request(method, path, params=params, content=data, headers=request_headers)
        except httpx.TimeoutException:
            raise ApiError(504, f"{provider.display_name} did not answer within {self.timeout.read:g} s",
                           code="vendor-timeout") from None
        except httpx.ConnectError as exc:
            raise ApiError(502, f"could not reach {provider.display_name}: {type(exc).__name__}",
                           code="vendor-unreachable") from None
        except httpx.TransportError as exc:  # reached, but the connection broke before a full answer
            raise ApiError(502, f"the connection to {provider.display_name} broke off: {type(exc).__name__}",
                           code="vendor-connection-lost") from None
        rate = normalize(response.headers, provider.rate_limit)
        parsed: Any = None
        if raw and response.status_code < 400:
            parsed = response.content
        elif response.content.strip():
            try:
                parsed = _decoder.decode(response.content)
            except msgspec.DecodeError:
                if response.status_code < 400 and not raw:
                    raise ApiError(502, f"{provider.display_name} sent a response that is not valid JSON",
                                   code="vendor-malformed", headers=rate) from None
                parsed = response.text[:2000]
        if response.status_code >= 400:
            raise self._vendor_error(provider, response, parsed, rate)
        return VendorResponse(response.status_code, parsed, response.headers, rate)

    def _vendor_error(self, provider: Provider, response: httpx.Response, body: Any,
                      rate: dict[str, str]) -> ApiError:
        status = response.status_code
        message = None
        for path in provider.errors.message:
            value = get_path(body, path)
            if isinstance(value, str) and value:
                message = value
                break
        detail = f"{provider.display_name} answered {status}" + (f": {message}" if message else "")
        headers = dict(rate)
        if status == 429:
            retry = response.headers.get("retry-after") or rate.get("ratelimit-reset") or "60"
            headers["Retry-After"] = retry
        ours = status if status < 500 else 502  # a vendor outage is a bad gateway, not our 5xx
        return ApiError(ours, detail, vendor_status=status, vendor_body=body, headers=headers,
                        code="vendor-error")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
