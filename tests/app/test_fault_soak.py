"""Fault soak: thousands of vendor calls that fail in every way the sandbox can fail, 20 at a
time through proxy and unified, with a 0.3 s vendor timeout.

Each answer must be exactly the documented one (502 for a vendor 5xx, a dropped connection or
broken JSON; 504 for a timeout; 429 with Retry-After; vendor 4xx passed through), no request
may hang past the timeout, the vendor connection pool must not grow between two rounds, and
the store must work unchanged afterwards.

Exact expectations: the sandbox draws one fault per vendor request from a seeded random
sequence, and every operation used here makes exactly one vendor request, so replaying the
same sequence locally gives the exact number of each outcome, whatever order requests land in.

SQLite only: nothing on the faulted path writes to the store (it only reads the key and the
account), so the backend plays no part in how vendor faults are handled; the store's own
behaviour on both backends is covered by tests/store and the two-worker PostgreSQL load test.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from litestar import Litestar

from unified.app.factory import create_app
from unified.sandbox.faults import FaultConfig, Faults
from unified.sandbox.process import SandboxProcess, start_sandbox
from unified.store import Store, StoreConfig, generate_key

from .helpers import Account, Caller

VENDOR_TIMEOUT = 0.3
HANG_MARGIN = 3.0           # a hang check, not a speed target (a shared 2-core CI box is slow)
HELD_SECONDS = 6.0          # how long the sandbox holds a "timeout" request: a real hang shows
CONCURRENCY = 20
PER_PHASE = 250             # requests per error status; 4 statuses make a round of 1000
ERROR_STATUSES = (503, 500, 429, 409)
RATES = {"error_rate": 0.16, "timeout_rate": 0.06, "malformed_rate": 0.1, "drop_rate": 0.1}
SLIP = PER_PHASE // 50      # answers slower than the timeout on a loaded machine: a 504 is right
ROOMY = ("--rate-limit", "1000000", "--search-rate-limit", "1000000", "--customer-create-limit", "100000")


@dataclass
class Outcome:
    op: str
    kind: str        # "ok", "timeout", "drop", "malformed", "error:<vendor status>", or "unexpected: ..."
    seconds: float


@pytest.fixture(scope="module")
def soak_sandbox() -> Iterator[SandboxProcess]:
    with start_sandbox(*ROOMY, seed=11, stderr=subprocess.DEVNULL) as proc:  # drops log tracebacks
        yield proc


@pytest.fixture(scope="module")
def control(soak_sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with soak_sandbox.client() as client:
        yield client
        client.put("/__sandbox/faults", json={})


@dataclass
class Served:
    """The app under uvicorn in a thread of this process: real HTTP, real concurrency (the
    in-process test client handles one request at a time), and its vendor pool in reach."""

    client: httpx.AsyncClient
    app: Litestar
    config: StoreConfig


@pytest.fixture(scope="module")
async def served(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    directory: Path = tmp_path_factory.mktemp("soak")
    config = StoreConfig(f"sqlite:///{directory / 'unified.db'}", encryption_keys=(generate_key(),),
                         key_file=directory / "unused.key")
    app = create_app(config, vendor_timeout=VENDOR_TIMEOUT)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=30) as client:
            yield Served(client, app, config)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@pytest.fixture(scope="module")
async def account(served: Served, soak_sandbox: SandboxProcess) -> Account:
    store = await Store.open(served.config)  # the app's store belongs to its own event loop
    try:
        tenant = await store.create_tenant("soak")
        _, key = await store.create_api_key(tenant.id, "soak")
    finally:
        await store.close()
    return await Caller(served.client, tenant.id, key).connect(soak_sandbox, name="soak")  # type: ignore[arg-type]


def classify(resp: httpx.Response) -> str:
    """The fault a response shows, judged only by what a client sees."""
    if resp.status_code in (200, 201):
        return "ok"
    try:
        body = resp.json()
    except ValueError:
        return f"unexpected: {resp.status_code} non-JSON"
    if not resp.headers.get("content-type", "").startswith("application/problem+json") or "Traceback" in resp.text:
        return f"unexpected: {resp.status_code} {resp.headers.get('content-type')}"
    detail, vendor = body.get("detail", ""), body.get("vendor") or {}
    if resp.status_code == 504 and detail == f"Kustomer did not answer within {VENDOR_TIMEOUT:g} s":
        return "timeout"
    if resp.status_code == 502 and not body["from_vendor"]:
        if detail.startswith("the connection to Kustomer broke off"):
            return "drop"
        if detail == "Kustomer sent a response that is not valid JSON":
            return "malformed"
    if body.get("from_vendor") and vendor.get("body", {}).get("errors"):
        status = vendor["status"]
        if status >= 500 and resp.status_code == 502:
            return f"error:{status}"
        if status == 429 and resp.status_code == 429:
            retry = resp.headers.get("retry-after", "")
            return "error:429" if retry.isdigit() else f"unexpected: 429 with Retry-After {retry!r}"
        if 400 <= status < 500 and resp.status_code == status:
            return f"error:{status}"
    return f"unexpected: {resp.status_code} {detail[:120]}"


def expected(config: dict[str, object], count: int) -> Counter[str]:
    """The faults the sandbox draws for ``count`` requests: its own code, replayed here."""
    faults = Faults(FaultConfig(**config))  # type: ignore[arg-type]
    drawn = Counter()
    for _ in range(count):
        fault = faults.draw("/v1/any")
        drawn["ok" if fault is None else fault.kind if fault.kind != "error" else f"error:{fault.status}"] += 1
    return drawn


def operations(account: Account, customer_id: str) -> list[tuple[str, Callable[[], Awaitable[httpx.Response]]]]:
    """Calls that make exactly one vendor request each (so one fault each)."""
    return [
        ("proxy conversations list", lambda: account.proxy("GET", "conversations", {"limit": 3})),
        ("proxy customer get", lambda: account.proxy("GET", f"customers/{customer_id}")),
        ("proxy brands:default", lambda: account.proxy("GET", "brands:default")),
        ("unified contacts list", lambda: account.call("GET", "/unified/ticketing/contacts", {"limit": 3})),
        ("unified contact get", lambda: account.call("GET", f"/unified/ticketing/contacts/{customer_id}")),
        ("unified contact create", lambda: account.call(
            "POST", "/unified/ticketing/contacts", json={"name": f"Soak {secrets.token_hex(4)}"})),
    ]


async def run(ops: list[tuple[str, Callable[[], Awaitable[httpx.Response]]]], count: int) -> list[Outcome]:
    """``count`` calls cycling through ``ops``, CONCURRENCY at a time."""
    outcomes: list[Outcome] = []
    pending = iter(range(count))

    async def worker() -> None:
        for i in pending:
            name, call = ops[i % len(ops)]
            started = time.monotonic()
            resp = await call()
            outcomes.append(Outcome(name, classify(resp), time.monotonic() - started))

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return outcomes


async def soak_round(control: httpx.Client, ops: list, seed: int) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for offset, status in enumerate(ERROR_STATUSES):
        config = {**RATES, "error_status": status, "timeout_seconds": HELD_SECONDS, "seed": seed + offset}
        assert control.put("/__sandbox/faults", json=config).status_code == 200
        phase = await run(ops, PER_PHASE)
        control.put("/__sandbox/faults", json={})
        got, want = Counter(o.kind for o in phase), expected(config, PER_PHASE)
        # Every fault gives exactly its answer; only a fault-free call may turn into a 504,
        # when the machine is so loaded that the answer comes later than the timeout.
        slipped = got["timeout"] - want["timeout"]
        assert 0 <= slipped <= SLIP, (status, got, want)
        got.update({"ok": slipped, "timeout": -slipped})
        assert +got == +want, (status, got, want)
        outcomes += phase
    return outcomes


def sockets() -> int:
    """Sockets this process holds open (both ends of the app's connections, pools, control)."""
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:  # closed while we looked
            pass
    return count


def assert_no_hang(outcomes: list[Outcome]) -> None:
    slowest = max(outcomes, key=lambda o: o.seconds)
    assert slowest.seconds < VENDOR_TIMEOUT + HANG_MARGIN, slowest


async def test_thousands_of_faulted_calls_give_documented_errors_without_leaks(
        served: Served, account: Account, control: httpx.Client, soak_sandbox: SandboxProcess):
    vendor = served.app.state.engine.vendor
    customer = (await account.proxy("GET", "customers", {"limit": 1})).json()["result"][0]["id"]
    accounts_before = (await account.caller.get(f"/admin/accounts/{account.id}")).json()
    ops = operations(account, customer)

    first = await soak_round(control, ops, seed=100)
    usage_1, sockets_1 = vendor.pool_usage()[soak_sandbox.base_url], sockets()
    second = await soak_round(control, ops, seed=200)
    usage_2, sockets_2 = vendor.pool_usage()[soak_sandbox.base_url], sockets()

    outcomes = first + second
    kinds = Counter(o.kind for o in outcomes)
    print(f"\nfault soak: {len(outcomes)} requests, {dict(sorted(kinds.items()))}, "
          f"slowest {max(o.seconds for o in outcomes):.2f} s, pool after rounds {usage_1} / {usage_2}, "
          f"sockets {sockets_1} / {sockets_2}")
    assert not [k for k in kinds if k.startswith("unexpected")], kinds
    assert {"ok", "timeout", "drop", "malformed", "error:503", "error:500", "error:429", "error:409"} <= set(kinds)
    assert_no_hang(outcomes)
    for usage in (usage_1, usage_2):  # every connection handed back or closed; never more than the load
        assert usage["in_use"] == 0 and usage["queued"] == 0, usage
        assert usage["open"] <= min(CONCURRENCY, usage["limit"]), usage
    # Besides pool connections, the process holds the same sockets after 1200 more faults.
    assert sockets_2 - usage_2["open"] <= sockets_1 - usage_1["open"], (sockets_1, usage_1, sockets_2, usage_2)

    # The store is intact: health, the account record, the key, and a normal read and write work.
    health = await served.client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert (await account.caller.get(f"/admin/accounts/{account.id}")).json() == accounts_before
    listed = (await account.caller.get("/admin/accounts")).json()
    assert [a["id"] for a in listed["result"]] == [account.id]
    assert (await account.proxy("GET", "brands:default")).status_code == 200
    created = await account.call("POST", "/unified/ticketing/contacts", json={"name": "After the soak"})
    assert created.status_code == 201, created.text


async def test_latency_around_the_timeout_is_either_an_answer_or_a_504(
        account: Account, control: httpx.Client, served: Served, soak_sandbox: SandboxProcess):
    """Jittered latency of 0-0.6 s: under the 0.3 s timeout an answer, over it a 504, never a hang."""
    count, config = 240, {"latency_jitter_ms": 600, "seed": 5}
    replay = Faults(FaultConfig(**config))
    delays = []
    for _ in range(count):  # the sandbox draws a fault roll, then a latency, per request
        replay.draw("/v1/any")
        delays.append(replay.latency())
    customer = (await account.proxy("GET", "customers", {"limit": 1})).json()["result"][0]["id"]
    assert control.put("/__sandbox/faults", json=config).status_code == 200
    try:
        outcomes = await run(operations(account, customer)[:5], count)  # reads only
    finally:
        control.put("/__sandbox/faults", json={})
    kinds = Counter(o.kind for o in outcomes)
    assert set(kinds) == {"ok", "timeout"}, kinds
    clearly_slow = sum(d > VENDOR_TIMEOUT + 0.05 for d in delays)
    maybe_slow = sum(d > VENDOR_TIMEOUT - 0.1 for d in delays)
    assert clearly_slow <= kinds["timeout"] <= maybe_slow, (kinds, clearly_slow, maybe_slow)
    assert_no_hang(outcomes)
    usage = served.app.state.engine.vendor.pool_usage()[soak_sandbox.base_url]
    assert usage["in_use"] == 0 and usage["open"] <= CONCURRENCY, usage
