"""Credentials never appear in logs or in responses: not the vendor API key, not tenants'
API keys, whatever the request does (success, bad input, vendor errors, faults)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess

from .helpers import Harness, uvicorn_server

LOUD_LOGGERS = ("", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "litestar", "sqlalchemy",
                "sqlalchemy.engine", "sqlalchemy.pool", "alembic", "unified", "asyncio")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> Iterator[str]:
        """Everything a handler could write: message, arguments, traceback, stack."""
        for record in self.records:
            yield self.format(record)
            yield repr(record.args)
            if record.exc_info:
                yield logging.Formatter().formatException(record.exc_info)
            if record.stack_info:
                yield record.stack_info


@contextmanager
def capture() -> Iterator[Collect]:
    """Every logger at DEBUG, including those that do not propagate (Litestar's, uvicorn's).

    Entered after the app has started: Litestar configures logging at start-up and would
    drop a handler installed earlier."""
    handler = Collect()
    names = set(LOUD_LOGGERS) | set(logging.root.manager.loggerDict)
    saved = {}
    for name in names:
        logger = logging.getLogger(name)
        saved[name] = (logger.level, logger.disabled)
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate or name == "":
            logger.addHandler(handler)
    try:
        yield handler
    finally:
        for name, (level, disabled) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(handler)


@pytest.fixture
async def server(harness: Harness) -> AsyncIterator[str]:
    """A real uvicorn server, so that its logs count too."""
    app = create_app(harness.config, vendor_timeout=2)
    async with uvicorn_server(app, log_config=None, log_level="debug", access_log=True) as url:
        yield url


async def test_no_secret_in_logs_or_responses(harness: Harness, server: str, fresh_sandbox: SandboxProcess):
    with capture() as logs:
        await run_requests_and_check(harness, server, fresh_sandbox, logs)


async def run_requests_and_check(harness: Harness, server: str, fresh_sandbox: SandboxProcess, logs: Collect) -> None:
    tenant = await harness.store.create_tenant("secretive")
    _, tenant_key = await harness.store.create_api_key(tenant.id, "first")
    vendor_key = fresh_sandbox.api_key
    wrong_vendor_key = "kustomer-wrong-key-" + "z" * 24
    responses: list[httpx.Response] = []

    async with httpx.AsyncClient(base_url=server, headers={"Authorization": f"Bearer {tenant_key}"}) as client:
        async def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
            resp = await client.request(method, url, **kwargs)
            responses.append(resp)
            return resp

        good = {"provider": "kustomer", "settings": {"base_url": fresh_sandbox.base_url},
                "credentials": {"api_key": vendor_key}}
        account = (await call("POST", "/admin/accounts", json=good)).json()["id"]
        wrong = (await call("POST", "/admin/accounts", json={**good, "credentials": {"api_key": wrong_vendor_key}}))
        wrong_account = wrong.json()["id"]
        # secrets pasted into the wrong fields
        for bad in ({**good, "provider": vendor_key}, {**good, "name": {"api_key": vendor_key}},
                    {**good, "settings": {"base_url": f"ftp://{vendor_key}"}},
                    {**good, "settings": {"base_url": f"http://u:{vendor_key}@host.test/?q=1"}},
                    {**good, "credentials": {"apikey": vendor_key}}):
            assert (await call("POST", "/admin/accounts", json=bad)).status_code == 400
        await call("PATCH", f"/admin/accounts/{account}", json={"credentials": {"api_key": vendor_key, "x": 1}})
        await call("GET", f"/admin/accounts/{account}")
        await call("GET", "/admin/accounts")

        created_key = await client.post("/admin/api-keys", json={"name": "second"})  # shown once, by design
        second_key = created_key.json()["api_key"]
        await call("GET", "/admin/api-keys")
        await call("DELETE", f"/admin/api-keys/{created_key.json()['id']}")
        await call("GET", "/admin/accounts", headers={"Authorization": f"Bearer {second_key}"})  # revoked: 401
        await call("GET", "/admin/accounts", headers={"Authorization": f"Bearer {tenant_key}x"})

        on = {"integrated_account_id": account}
        page = (await call("GET", "/proxy/conversations", params={**on, "limit": 2})).json()
        await call("GET", "/proxy/conversations", params={**on, "next_cursor": page["next_cursor"]})
        await call("GET", "/proxy/conversations", params={**on, "next_cursor": page["next_cursor"] + "x"})
        await call("POST", "/proxy/customers", params=on, json={"name": "Quiet"})
        await call("POST", "/proxy/customers", params=on, json={"name": "Loud", "custom": {"bad": 1}})
        await call("GET", "/proxy/conversations/" + "0" * 24, params=on)
        await call("GET", "/passthrough/v1/brands", params=on)
        await call("GET", "/passthrough/%2e%2e/admin", params=on)
        await call("GET", "/proxy/brands", params={"integrated_account_id": wrong_account})  # vendor 401
        await call("GET", "/passthrough/v1/brands", params={"integrated_account_id": wrong_account})
        with fresh_sandbox.client() as vendor:
            assert vendor.put("/__sandbox/faults", json={"queue": ["error:503", "malformed", "drop", "timeout"],
                                                          "timeout_seconds": 3}).status_code == 200
        for _ in range(4):
            assert (await call("GET", "/proxy/brands:default", params=on)).status_code in (502, 504)

    assert [r.status_code for r in responses if r.status_code >= 500] == [502, 502, 502, 504]
    secrets = {"vendor key": vendor_key, "wrong vendor key": wrong_vendor_key, "tenant key": tenant_key,
               "revoked key": second_key}
    for resp in responses:
        seen = resp.text + repr(resp.headers)
        for what, secret in secrets.items():
            assert secret not in seen, (what, resp.request.url, resp.text[:300])
    texts = list(logs.texts())
    names = {r.name.split(".")[0] for r in logs.records}
    assert {"httpx", "httpcore", "sqlalchemy", "uvicorn"} <= names, names  # the capture really captured
    assert any("INSERT INTO integrated_accounts" in t for t in texts)
    for what, secret in secrets.items():
        leaks = [t for t in texts if secret in t]
        assert not leaks, (what, leaks[:3])
