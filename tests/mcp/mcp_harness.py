"""Fixtures of the MCP tests: the app served by uvicorn on a free port (SQLite store), a real
sandbox behind it, and the official ``mcp`` client pointed at server URLs made by the admin API.

Test modules load this as a plugin (``pytest_plugins = ["mcp_harness"]``) rather than through
a ``conftest.py``: a ``tests/mcp`` *package* would shadow the SDK's own ``mcp`` package (the
suite puts ``tests/`` on ``sys.path``), and a second plain ``conftest`` module would clash
with ``tests/conftest.py``. A plugin is registered once, so session fixtures start once.

``mcp_app`` runs in a thread of the test process with its own event loop, so tests reach it
over real HTTP only; the store is also opened directly for setup and for checking rows.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess
from unified.store import Store, StoreConfig, generate_key

SWEEP_SECONDS = "1"  # the app's sweeper runs every second, so tests can watch it work


@dataclass
class RunningApp:
    base_url: str
    config: StoreConfig


@contextmanager
def serve(config: StoreConfig, *, sweep_seconds: str = SWEEP_SECONDS) -> Iterator[RunningApp]:
    """The app on a free port of 127.0.0.1, in a thread, until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    saved = {name: os.environ.get(name) for name in ("UNIFIED_PUBLIC_URL", "UNIFIED_MCP_SWEEP_SECONDS")}
    os.environ["UNIFIED_PUBLIC_URL"] = base_url  # read per request: URLs of servers made by this app
    os.environ["UNIFIED_MCP_SWEEP_SECONDS"] = sweep_seconds  # read once, at start-up
    server = uvicorn.Server(uvicorn.Config(create_app(config, vendor_timeout=5.0), log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        yield RunningApp(base_url, config)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def store_config(directory: Path) -> StoreConfig:
    return StoreConfig(f"sqlite:///{directory / 'unified.db'}", encryption_keys=(generate_key(),),
                       key_file=directory / "unused.key")


@pytest.fixture(scope="session")
def mcp_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with serve(store_config(tmp_path_factory.mktemp("mcp-app"))) as app:
        yield app


@pytest.fixture(scope="session")
async def mcp_store(mcp_app: RunningApp) -> AsyncIterator[Store]:
    """The app's own database, opened directly (setup and inspection)."""
    store = await Store.open(mcp_app.config)
    try:
        yield store
    finally:
        await store.close()


@dataclass
class Tenant:
    """A tenant with an API key and an account on a sandbox, plus helpers for its MCP servers."""

    app: RunningApp
    tenant_id: str
    api_key: str
    account_id: str
    sandbox: SandboxProcess

    def admin(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.app.base_url, headers={"Authorization": f"Bearer {self.api_key}"},
                                 timeout=30)

    async def create_server(self, **fields: Any) -> dict[str, Any]:
        """POST /admin/mcp-servers; returns the created server (with ``url``)."""
        async with self.admin() as client:
            response = await client.post("/admin/mcp-servers",
                                         json={"integrated_account_id": self.account_id, **fields})
        assert response.status_code == 201, response.text
        return response.json()


async def make_tenant(app: RunningApp, store: Store, sandbox: SandboxProcess, name: str) -> Tenant:
    tenant = await store.create_tenant(name)
    _, api_key = await store.create_api_key(tenant.id, "tests")
    account = await store.create_account(tenant.id, "kustomer", name="sandbox",
                                         settings={"base_url": sandbox.base_url},
                                         credentials={"api_key": sandbox.api_key})
    return Tenant(app, tenant.id, api_key, account.id, sandbox)


@pytest.fixture(scope="session")
async def mcp_tenant(mcp_app: RunningApp, mcp_store: Store, roomy_sandbox: SandboxProcess) -> Tenant:
    """A shared tenant on the roomy sandbox (its rate limits are out of reach)."""
    return await make_tenant(mcp_app, mcp_store, roomy_sandbox, "mcp-tests")


@pytest.fixture(scope="session")
async def mcp_full_server(mcp_tenant: Tenant) -> dict[str, Any]:
    """A server exposing every tool."""
    return await mcp_tenant.create_server(name="everything")


@asynccontextmanager
async def mcp_client(url: str, *, mode: str = "legacy", headers: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """The official client on ``url``; ``headers`` go on every HTTP request."""
    if headers is None:
        async with Client(url, mode=mode) as client:
            yield client
        return
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30.0)) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            yield client


async def list_all_tools(client: Client) -> tuple[list[Any], int]:
    """Every tool over every tools/list page, and the number of pages."""
    tools, pages, cursor = [], 0, None
    while True:
        result = await client.list_tools(cursor=cursor)
        pages += 1
        tools.extend(result.tools)
        cursor = result.next_cursor
        if cursor is None:
            return tools, pages


def find_mcp_error(exc: BaseException) -> MCPError | None:
    """The MCPError inside what the client raised (it may come wrapped in exception groups)."""
    if isinstance(exc, MCPError):
        return exc
    for inner in getattr(exc, "exceptions", ()):
        found = find_mcp_error(inner)
        if found is not None:
            return found
    return find_mcp_error(exc.__cause__) if exc.__cause__ is not None else None


async def connect_error(url: str, *, mode: str = "legacy", headers: dict[str, str] | None = None) -> MCPError:
    """Connect and expect the server to refuse; the client's error."""
    try:
        async with mcp_client(url, mode=mode, headers=headers) as client:
            await client.list_tools()
    except BaseException as exc:  # noqa: BLE001 - anyio wraps the MCPError in groups
        found = find_mcp_error(exc)
        if found is None:
            raise
        return found
    raise AssertionError("the server accepted the connection")
