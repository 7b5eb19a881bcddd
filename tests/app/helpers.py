"""Talking to the app as its users do: a tenant's API key, an integrated account, problems."""

from __future__ import annotations

import asyncio
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote

import httpx
import uvicorn
from litestar import Litestar
from litestar.testing import AsyncTestClient

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess
from unified.store import Store, StoreConfig

PROBLEM_KEYS = {"type", "title", "status", "detail", "from_vendor"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The RFC 9457 body of an error response, after checking its shape and status."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert PROBLEM_KEYS <= set(body), body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in response.text
    if body["from_vendor"]:
        assert set(body["vendor"]) == {"status", "body"}
    else:
        assert "vendor" not in body
    return body


class Caller:
    """One tenant's API key in front of the app."""

    def __init__(self, client: AsyncTestClient, tenant_id: str, api_key: str) -> None:
        self.client = client
        self.tenant_id = tenant_id
        self.api_key = api_key
        self.headers = {"Authorization": f"Bearer {api_key}"}

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}
        return await self.client.request(method, url, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", url, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", url, **kwargs)

    async def connect(self, sandbox: SandboxProcess, *, name: str | None = None,
                      api_key: str | None = None) -> Account:
        """Connect an integrated account on ``sandbox`` through the admin API."""
        body = {"provider": "kustomer", "settings": {"base_url": sandbox.base_url},
                "credentials": {"api_key": api_key or sandbox.api_key}}
        if name:
            body["name"] = name
        resp = await self.post("/admin/accounts", json=body)
        assert resp.status_code == 201, resp.text
        return Account(self, resp.json()["id"])

    def on(self, client: AsyncTestClient) -> Caller:
        """The same key in front of another app instance."""
        return Caller(client, self.tenant_id, self.api_key)


class Account:
    """An integrated account as its tenant addresses it: every call names it."""

    def __init__(self, caller: Caller, account_id: str) -> None:
        self.caller = caller
        self.id = account_id

    async def call(self, method: str, path: str, params: dict[str, Any] | None = None,
                   **kwargs: Any) -> httpx.Response:
        return await self.caller.request(method, path, params={**(params or {}), "integrated_account_id": self.id},
                                         **kwargs)

    async def proxy(self, method: str, path: str, params: dict[str, Any] | None = None,
                    **kwargs: Any) -> httpx.Response:
        return await self.call(method, "/proxy/" + path.lstrip("/"), params, **kwargs)

    async def walk(self, path: str, params: dict[str, Any] | None = None, *, method: str = "GET",
                   json: Any = None, max_pages: int = 2000) -> tuple[list[Any], list[dict[str, Any]]]:
        """Every record of a proxy list, following next_cursor to the end; also each page."""
        records: list[Any] = []
        pages: list[dict[str, Any]] = []
        resp = await self.proxy(method, path, params, json=json)
        for _ in range(max_pages):
            assert resp.status_code == 200, resp.text
            page = resp.json()
            assert set(page) == {"result", "next_cursor", "prev_cursor", "result_count"}
            assert page["result_count"] == len(page["result"])
            records += page["result"]
            pages.append(page)
            if page["next_cursor"] is None:
                return records, pages
            resp = await self.proxy(method, path, {"next_cursor": page["next_cursor"]})
        raise AssertionError(f"the walk of {path} did not end after {max_pages} pages")

    def on(self, client: AsyncTestClient) -> Account:
        return Account(self.caller.on(client), self.id)


class Harness:
    """The app in-process over one store, with helpers to make tenants and send raw requests."""

    def __init__(self, client: AsyncTestClient, config: StoreConfig, backend: str) -> None:
        self.client = client
        self.config = config
        self.backend = backend

    @property
    def app(self) -> Litestar:
        return self.client.app

    @property
    def store(self) -> Store:
        return self.app.state.engine.store

    async def tenant(self, name: str | None = None) -> Caller:
        tenant = await self.store.create_tenant(name or f"tenant-{secrets.token_hex(3)}")
        _, plaintext = await self.store.create_api_key(tenant.id, "tests")
        return Caller(self.client, tenant.id, plaintext)

    @asynccontextmanager
    async def instance(self, **options: Any) -> AsyncIterator[AsyncTestClient]:
        """Another app instance on the same store and keys (``create_app`` options apply)."""
        async with AsyncTestClient(create_app(self.config, **options)) as client:
            yield client

    async def raw(self, method: str, raw_path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Send a request target byte for byte, as a server hands it over.

        httpx normalises ``..`` and friends before sending, so path-escape tests go to the
        ASGI app directly with the scope uvicorn builds: ``raw_path`` as received and
        ``path`` percent-decoded."""
        target, _, query = raw_path.partition("?")
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": unquote(target), "raw_path": target.encode("latin-1"),
            "query_string": query.encode("latin-1"), "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000), "server": ("testserver.local", 80), "state": {},
        }
        sent: list[dict[str, Any]] = []
        received = False

        async def receive() -> dict[str, Any]:
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        with self.client.portal() as portal:  # the app's own event loop, as the test client does
            portal.call(self.app, scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, httpx.Response(status, content=body).json() if body else {}


@asynccontextmanager
async def uvicorn_server(app: Litestar, **options: Any) -> AsyncIterator[str]:
    """``app`` behind a real uvicorn server in this event loop (the in-process test client runs
    requests one at a time and never writes server logs); yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", **options))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(1000):
        if server.started or task.done():
            break
        await asyncio.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
