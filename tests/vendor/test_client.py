"""The vendor client against a real sandbox: credentials, base URLs, errors, pooling, no retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from unified.catalogue.loader import load_all
from unified.errors import ApiError
from unified.sandbox.process import SandboxProcess
from unified.vendor.client import Account, VendorClient, resolve_base_url

CATALOGUES = load_all()
KUSTOMER = CATALOGUES["kustomer"]
OPS = KUSTOMER.operations


def account_on(sandbox: SandboxProcess, **credentials: str) -> Account:
    return Account("acc_test", "kustomer", {"base_url": sandbox.base_url},
                   credentials or {"api_key": sandbox.api_key})


@pytest.fixture
async def client() -> AsyncIterator[VendorClient]:
    vendor = VendorClient(CATALOGUES, timeout=5)
    yield vendor
    await vendor.aclose()


async def test_a_call_injects_the_key_and_normalizes_rate_limits(client: VendorClient, roomy_sandbox: SandboxProcess):
    result = await client.call(OPS["list_all_kustomer_conversations"], account_on(roomy_sandbox), {},
                               {"pageSize": 3, "page": 2})
    assert result.status == 200
    assert len(result.body["data"]) == 3 and result.body["meta"]["page"] == 2
    assert set(result.rate_limit) == {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}


async def test_path_parameters_and_json_bodies(client: VendorClient, roomy_sandbox: SandboxProcess):
    account = account_on(roomy_sandbox)
    created = await client.call(OPS["create_a_kustomer_customer"], account, {}, None, {"name": "Client Carla"})
    assert created.status == 201
    ident = created.body["data"]["id"]
    got = await client.call(OPS["get_single_kustomer_customer_by_id"], account, {"id": ident})
    assert got.body["data"]["attributes"]["name"] == "Client Carla"
    with pytest.raises(ApiError) as missing:
        await client.call(OPS["get_single_kustomer_customer_by_id"], account, {})
    assert missing.value.status == 400 and missing.value.pointer == "/id"


async def test_booleans_in_queries_are_lowercase(client: VendorClient, roomy_sandbox: SandboxProcess):
    result = await client.call(OPS["kustomer_search_customers_search"], account_on(roomy_sandbox), {},
                               {"idsOnly": True, "pageSize": 2}, {"queryContext": "customer"})
    assert [set(r) for r in result.body["data"]] == [{"type", "id"}] * 2


async def test_vendor_errors_keep_status_body_and_message(client: VendorClient, roomy_sandbox: SandboxProcess):
    with pytest.raises(ApiError) as missing:
        await client.call(OPS["get_single_kustomer_conversation_by_id"], account_on(roomy_sandbox), {"id": "0" * 24})
    error = missing.value
    assert error.status == 404 and error.vendor_status == 404 and error.from_vendor
    assert error.vendor_body["errors"][0]["status"] == 404
    assert error.detail == f"Kustomer answered 404: {error.vendor_body['errors'][0]['detail']}"
    assert set(error.headers) >= {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}

    with pytest.raises(ApiError) as refused:
        await client.call(OPS["list_all_kustomer_brands"], account_on(roomy_sandbox, api_key="wrong"), {})
    assert refused.value.status == 401 and refused.value.vendor_status == 401


async def test_an_account_without_its_credential_is_refused_before_any_call(client: VendorClient,
                                                                              roomy_sandbox: SandboxProcess):
    with pytest.raises(ApiError) as error:
        await client.call(OPS["list_all_kustomer_brands"], account_on(roomy_sandbox, token="x"), {})
    assert error.value.status == 400 and "api_key" in error.value.detail
    assert not any(client.pool_stats().values())  # no connection was opened


async def test_raw_requests_return_bytes(client: VendorClient, roomy_sandbox: SandboxProcess):
    result = await client.request(account_on(roomy_sandbox), "GET", "/v1/brands", raw=True)
    assert isinstance(result.body, bytes)
    assert msgspec.json.decode(result.body)["data"]


async def test_one_pool_per_base_url_reused_and_bounded(roomy_sandbox: SandboxProcess,
                                                        fresh_sandbox: SandboxProcess):
    client = VendorClient(CATALOGUES, max_connections=4)
    try:
        op = OPS["list_all_kustomer_tags"]
        for _ in range(20):
            await client.call(op, account_on(roomy_sandbox), {}, {"pageSize": 1})
        assert client.pool_stats() == {roomy_sandbox.base_url: 1}  # keep-alive: one connection reused
        await asyncio.gather(*(client.call(op, account_on(roomy_sandbox), {}, {"pageSize": 1}) for _ in range(30)))
        assert 1 <= client.pool_stats()[roomy_sandbox.base_url] <= 4
        await client.call(op, account_on(fresh_sandbox), {}, {"pageSize": 1})
        assert set(client.pool_stats()) == {roomy_sandbox.base_url, fresh_sandbox.base_url}
    finally:
        await client.aclose()
    assert client.pool_stats() == {}  # closed and forgotten


async def test_5xx_is_502_and_nothing_is_retried(fresh_sandbox: SandboxProcess):
    with fresh_sandbox.client() as control:
        assert control.put("/__sandbox/faults", json={"queue": ["error:503"]}).status_code == 200
    client = VendorClient(CATALOGUES)
    try:
        with pytest.raises(ApiError) as error:  # a retrying client would have got the 200 behind it
            await client.call(OPS["list_all_kustomer_brands"], account_on(fresh_sandbox), {})
        assert error.value.status == 502 and error.value.vendor_status == 503
        assert (await client.call(OPS["list_all_kustomer_brands"], account_on(fresh_sandbox), {})).status == 200
    finally:
        await client.aclose()


async def test_read_timeout_is_504(fresh_sandbox: SandboxProcess):
    with fresh_sandbox.client() as control:
        assert control.put("/__sandbox/faults", json={"queue": ["timeout"], "timeout_seconds": 3}).status_code == 200
    client = VendorClient(CATALOGUES, timeout=0.5)
    try:
        started = time.monotonic()
        with pytest.raises(ApiError) as error:
            await client.call(OPS["list_all_kustomer_brands"], account_on(fresh_sandbox), {})
        assert error.value.status == 504 and "0.5 s" in error.value.detail
        assert time.monotonic() - started < 2
    finally:
        await client.aclose()


def test_base_url_choices():
    provider = KUSTOMER.provider
    assert resolve_base_url(provider, {}) == "https://api.kustomerapp.com"
    assert resolve_base_url(provider, {"org_subdomain": "acme"}) == "https://acme.api.kustomerapp.com"
    assert resolve_base_url(provider, {"region": "prod2"}) == "https://api.prod2.kustomerapp.com"
    assert resolve_base_url(provider, {"base_url": "http://127.0.0.1:8799/"}) == "http://127.0.0.1:8799"
    assert resolve_base_url(provider, {"base_url": "https://proxy.test/kustomer"}) == "https://proxy.test/kustomer"


@pytest.mark.parametrize("url", ["ftp://x.test", "x.test", "https://", "https://x.test/?a=1", "https://x.test/#f",
                                 "javascript:alert(1)"])
def test_bad_base_url_overrides(url: str):
    with pytest.raises(ApiError) as error:
        resolve_base_url(KUSTOMER.provider, {"base_url": url})
    assert error.value.status == 400 and error.value.pointer == "/settings/base_url"


def test_providers_can_forbid_overrides():
    provider = msgspec.structs.replace(
        KUSTOMER.provider, base_url=msgspec.structs.replace(KUSTOMER.provider.base_url, allow_override=False))
    with pytest.raises(ApiError) as error:
        resolve_base_url(provider, {"base_url": "https://evil.test"})
    assert error.value.pointer == "/settings/base_url"


def test_account_repr_hides_credentials():
    account = Account("acc_1", "kustomer", {}, {"api_key": "very-secret"})
    assert "very-secret" not in repr(account)


async def test_unknown_provider(client: VendorClient):
    with pytest.raises(ApiError) as error:
        await client.request(Account("a", "zendesk", {}, {"api_key": "k"}), "GET", "/x")
    assert error.value.status == 400


async def test_unreachable_vendor_is_502():
    client = VendorClient(CATALOGUES, timeout=2, connect_timeout=2)
    try:
        with pytest.raises(ApiError) as error:
            await client.request(Account("a", "kustomer", {"base_url": "http://127.0.0.1:9"}, {"api_key": "k"}),
                                 "GET", "/v1/brands")
        assert error.value.status == 502 and "could not reach Kustomer" in error.value.detail
    finally:
        await client.aclose()




class Recording(httpx.AsyncHTTPTransport):
    """The real transport, remembering what it sent."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await super().handle_async_request(request)


async def test_repeated_query_names_and_credentials_on_the_wire(roomy_sandbox: SandboxProcess):
    transport = Recording()
    client = VendorClient(CATALOGUES, transport=transport)
    try:
        result = await client.request(account_on(roomy_sandbox), "GET", "/v1/tags",
                                      query=[("pageSize", "2"), ("x", "1"), ("x", "2")],
                                      headers={"Authorization": "Bearer caller-key", "Accept": "text/html"})
        assert result.status == 200
        (sent,) = transport.sent
        assert sent.url.params.get_list("x") == ["1", "2"]
        assert sent.headers["authorization"] == f"Bearer {roomy_sandbox.api_key}"  # never the caller's
    finally:
        await client.aclose()
