"""Support for the unified-API tests: the app in-process, talking to a real sandbox over HTTP.

``uapi`` is one app, one tenant, one API key and one integrated account pointing at the
session's roomy sandbox (no rate limit a test run reaches), shared by the unified tests.
These tests exercise mappings, not the store, so the app runs on SQLite only (the suites in
this directory that test the store run on every backend through ``conftest.api``). Test
modules import the fixture from here.

``UnifiedApi`` wraps the calls tests make: the unified and proxy faces of the app, and the
sandbox itself (``kustomer*``) for reading the truth a mapping is compared with."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess
from unified.store import StoreConfig, generate_key

from .helpers import problem


@dataclass
class UnifiedApi:
    client: AsyncTestClient
    headers: dict[str, str]
    account_id: str
    sandbox: SandboxProcess
    vendor: httpx.AsyncClient

    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"integrated_account_id": self.account_id, **params}

    # ------------------------------------------------------------------ the app's faces

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=self._params(params), headers=self.headers)

    async def post(self, path: str, body: Any, **params: Any) -> httpx.Response:
        return await self.client.post(path, params=self._params(params), headers=self.headers, json=body)

    async def patch(self, path: str, body: Any, **params: Any) -> httpx.Response:
        return await self.client.patch(path, params=self._params(params), headers=self.headers, json=body)

    async def delete(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.delete(path, params=self._params(params), headers=self.headers)

    async def unified(self, resource: str, record_id: str | None = None, *, api: str = "ticketing",
                      **params: Any) -> Any:
        """GET a unified list or record; asserts 200 and returns the JSON."""
        path = f"/unified/{api}/{resource}" + (f"/{record_id}" if record_id else "")
        response = await self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()

    async def walk(self, resource: str, limit: int | None, *, api: str = "ticketing",
                   **params: Any) -> list[dict[str, Any]]:
        """Every record of a unified list, following next_cursor to the end."""
        out: list[dict[str, Any]] = []
        query: dict[str, Any] = dict(params)
        if limit is not None:
            query["limit"] = limit
        cursors: set[str] = set()
        while True:
            page = await self.unified(resource, api=api, **query)
            assert set(page) == {"result", "next_cursor", "prev_cursor", "result_count"}
            assert page["result_count"] == len(page["result"])
            if limit is not None:
                assert len(page["result"]) <= limit
            out.extend(page["result"])
            cursor = page["next_cursor"]
            if not cursor:
                return out
            assert cursor not in cursors, "a cursor came back twice"
            cursors.add(cursor)
            query = {"next_cursor": cursor, **({"limit": limit} if limit else {})}

    async def proxy(self, resource: str, record_id: str | None = None, **params: Any) -> Any:
        response = await self.get(f"/proxy/{resource}" + (f"/{record_id}" if record_id else ""), **params)
        assert response.status_code == 200, response.text
        return response.json()

    @staticmethod
    def problem(response: httpx.Response, status: int) -> dict[str, Any]:
        """The problem-details body of an expected error response (shape checked)."""
        return problem(response, status)

    # ------------------------------------------------------------------ the sandbox itself

    async def kustomer(self, path: str, **params: Any) -> Any:
        response = await self.vendor.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def kustomer_all(self, path: str, page_size: int = 100, **params: Any) -> list[dict[str, Any]]:
        """Every record of a Kustomer list, read straight from the sandbox."""
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            body = await self.kustomer(path, page=page, pageSize=page_size, **params)
            out.extend(body["data"])
            if not body["links"].get("next") or not body["data"]:
                return out
            page += 1

    async def kustomer_search(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            response = await self.vendor.post("/v1/customers/search", params={"page": page, "pageSize": 500},
                                              json=body)
            assert response.status_code == 200, response.text
            data = response.json()
            out.extend(data["data"])
            if not data["links"].get("next") or not data["data"]:
                return out
            page += 1


@pytest.fixture(scope="session")
async def uapi(roomy_sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[UnifiedApi]:
    directory: Path = tmp_path_factory.mktemp("unified-app")
    config = StoreConfig(f"sqlite:///{directory / 'unified.db'}", encryption_keys=(generate_key(),),
                         key_file=directory / "never-written.key")
    async with AsyncTestClient(create_app(config)) as client:
        store = client.app.state.engine.store
        tenant = await store.create_tenant("unified-tests")
        _, plain = await store.create_api_key(tenant.id, "tests")
        headers = {"Authorization": f"Bearer {plain}"}
        response = await client.post("/admin/accounts", headers=headers, json={
            "provider": "kustomer", "settings": {"base_url": roomy_sandbox.base_url},
            "credentials": {"api_key": roomy_sandbox.api_key}})
        assert response.status_code == 201, response.text
        async with httpx.AsyncClient(base_url=roomy_sandbox.base_url, timeout=30,
                                     headers={"Authorization": f"Bearer {roomy_sandbox.api_key}"}) as vendor:
            yield UnifiedApi(client, headers, response.json()["id"], roomy_sandbox, vendor)


# ---------------------------------------------------------------------------- comparisons


def norm(value: Any) -> Any:
    """Drop null members recursively: unified records spell out every optional field as null,
    while the expectations name only what a mapping fills in."""
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def same(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Field by field, so a failure names the field."""
    got, expected = norm(got), norm(expected)
    for key in sorted(set(got) | set(expected)):
        assert got.get(key) == expected.get(key), f"{key}: got {got.get(key)!r}, expected {expected.get(key)!r}"


def jsonata_trim(text: str) -> str:
    """JSONata's $trim: whitespace runs become one space, ends trimmed."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip(" ")
