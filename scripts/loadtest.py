#!/usr/bin/env python3
"""Bounded load test: `unified serve --workers N` on a fresh PostgreSQL database, many
concurrent clients on several tenants and integrated accounts, mixed reads and writes through
the unified API, the proxy and MCP; afterwards every write the load saw succeed is looked up in
the sandbox (exactly once), and no failed write may exist twice.

    .venv/bin/python scripts/loadtest.py [--workers 2] [--clients 20] [--requests 2000]
                                         [--duration 180] [--tenants 3] [--accounts 2] [--json]

PostgreSQL: a maintenance database URL in UNIFIED_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test); a `unified_load_<random>` database is created
next to it and dropped at the end. Exit status 1 when a write is lost or duplicated, an update
is not what the load last wrote, or the service answered a 5xx of its own (500, 503) or logged
a traceback. Importable: ``run(LoadOptions(...))`` returns a :class:`LoadReport`
(tests/app/test_load_small.py runs it small).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from unified.sandbox.process import SandboxProcess, start_sandbox
from unified.store import Store, StoreConfig, generate_key

ADMIN_URL = os.environ.get("UNIFIED_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROOMY = ("--rate-limit", "10000000", "--search-rate-limit", "10000000", "--customer-create-limit", "10000000")
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
# Operation mix: (name, weight). Writes carry a unique marker in their name.
MIX = (("unified tickets list", 10), ("unified ticket get", 8), ("unified ticket create", 8),
       ("unified ticket update", 6), ("unified contact create", 6), ("proxy conversations list", 8),
       ("proxy conversation create", 8), ("proxy customer get", 8), ("cursor walk", 4),
       ("mcp conversations list", 6), ("mcp conversation create", 6))


@dataclass
class LoadOptions:
    workers: int = 2
    clients: int = 20
    requests: int = 2000          # stop after this many requests in total...
    duration: float = 180.0       # ...or after this many seconds, whichever comes first
    tenants: int = 3
    accounts: int = 2             # per tenant; all accounts share the one sandbox org
    seed: int = 1
    admin_url: str = ADMIN_URL


@dataclass
class Target:
    """One integrated account as its tenant and its MCP server reach it."""

    api_key: str
    account_id: str
    mcp_url: str
    customers: list[str]
    conversations: list[str]


@dataclass
class Write:
    kind: str        # "conversation" or "customer" in the sandbox
    marker: str
    ok: bool
    record_id: str | None = None


@dataclass
class LoadReport:
    requests: int = 0
    seconds: float = 0.0
    setup_seconds: float = 0.0    # database, sandbox, workers, provisioning
    verify_seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)          # "op: kind" -> count
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    our_5xx: int = 0
    gateway_5xx: int = 0
    server_tracebacks: int = 0
    writes_ok: int = 0
    writes_failed: int = 0
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    failed_duplicated: list[str] = field(default_factory=list)
    wrong_id: list[str] = field(default_factory=list)
    updates_checked: int = 0
    updates_wrong: list[str] = field(default_factory=list)
    idempotency: bool = False     # whether the service replays creates sent with Idempotency-Key
    retries: int = 0              # creates re-sent with the same key (only when it does)
    retries_wrong: int = 0        # ...whose answer was not the first one replayed

    @property
    def verified(self) -> bool:
        return not (self.missing or self.duplicated or self.failed_duplicated or self.wrong_id
                    or self.updates_wrong or self.retries_wrong)

    @property
    def ok(self) -> bool:
        return self.verified and self.our_5xx == 0 and self.server_tracebacks == 0


class Recorder:
    """Latency and outcome of every request, and every write attempted."""

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.writes: list[Write] = []
        self.priorities: dict[str, str | None] = {}   # ticket id -> last priority written (None: unknown)
        self.our_5xx = self.gateway_5xx = 0
        self.retries = self.retries_wrong = 0

    def sample(self, op: str, seconds: float, error: str | None = None, status: int = 0) -> None:
        self.samples[op].append(seconds)
        if error:
            self.errors[f"{op}: {error}"] += 1
        if status in (502, 504):
            self.gateway_5xx += 1
        elif status >= 500:
            self.our_5xx += 1


# ------------------------------------------------------------------------- infrastructure


@contextmanager
def database(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database next to ``admin_url``, dropped at the end."""
    name = f"unified_load_{secrets.token_hex(5)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def service(database_url: str, workers: int, env_extra: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """`unified serve --workers N` in its own process group; yields its URL and, after it
    stops, the traceback lines of its log are appended to the yielded list."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "UNIFIED_DATABASE_URL": database_url, "UNIFIED_PUBLIC_URL": url, **env_extra}
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([sys.executable, "-m", "unified", "serve", "--workers", str(workers),
                             "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    problems: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"unified serve did not start:\n{log.read()[-3000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        yield url, problems
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the group we started: the supervisor and its workers
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.seek(0)
        problems += [line.rstrip() for line in log if "Traceback" in line or " ERROR " in line]
        log.close()


async def provision(url: str, config: StoreConfig, sandbox: SandboxProcess, options: LoadOptions) -> list[Target]:
    """Tenants and keys in the store (there is no HTTP route for tenants); accounts and MCP
    servers through the admin API, as users make them."""
    store = await Store.open(config)
    try:
        keys = []
        for t in range(options.tenants):
            tenant = await store.create_tenant(f"load-tenant-{t}")
            keys.append((await store.create_api_key(tenant.id, "load"))[1])
    finally:
        await store.close()
    targets = []
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for key in keys:
            auth = {"Authorization": f"Bearer {key}"}
            for a in range(options.accounts):
                resp = await client.post("/admin/accounts", headers=auth, json={
                    "provider": "kustomer", "name": f"load-account-{a}",
                    "settings": {"base_url": sandbox.base_url}, "credentials": {"api_key": sandbox.api_key}})
                resp.raise_for_status()
                account = resp.json()["id"]
                resp = await client.post("/admin/mcp-servers", headers=auth, json={
                    "integrated_account_id": account, "name": "load", "tags": ["conversations"]})
                resp.raise_for_status()
                params = {"integrated_account_id": account, "limit": 20}
                customers = (await client.get("/proxy/customers", headers=auth, params=params)).json()["result"]
                conversations = (await client.get("/proxy/conversations", headers=auth, params=params)).json()
                targets.append(Target(key, account, resp.json()["url"], [c["id"] for c in customers],
                                      [c["id"] for c in conversations["result"]]))
    return targets


# ------------------------------------------------------------------------------- the load


class LoadClient:
    """One simulated API user: a fixed account, a private random stream, its own tickets."""

    def __init__(self, number: int, http: httpx.AsyncClient, target: Target, recorder: Recorder,
                 run_id: str, seed: int, idempotent: bool = False) -> None:
        self.number, self.http, self.target, self.rec = number, http, target, recorder
        self.idempotent = idempotent
        self.run_id = run_id
        self.random = random.Random(seed * 1000 + number)
        self.tickets: list[str] = []
        self.sequence = 0
        self.headers = {"Authorization": f"Bearer {target.api_key}"}
        self.params = {"integrated_account_id": target.account_id}

    def marker(self, kind: str) -> str:
        self.sequence += 1
        return f"load-{self.run_id}-{self.number}-{self.sequence}-{kind}"

    async def call(self, op: str, method: str, path: str, *, params: dict[str, Any] | None = None,
                   json_body: Any = None, key: str | None = None) -> httpx.Response | None:
        started = time.monotonic()
        headers = {**self.headers, "Idempotency-Key": key} if key else self.headers
        try:
            resp = await self.http.request(method, path, params={**self.params, **(params or {})},
                                           json=json_body, headers=headers)
        except httpx.HTTPError as exc:
            self.rec.sample(op, time.monotonic() - started, type(exc).__name__)
            return None
        error = None if resp.status_code < 400 else str(resp.status_code)
        self.rec.sample(op, time.monotonic() - started, error, resp.status_code)
        return resp

    async def mcp(self, op: str, tool: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """One JSON-RPC tools/call over HTTP; the tool's structured result, or None on failure."""
        started = time.monotonic()
        message = {"jsonrpc": "2.0", "id": self.sequence, "method": "tools/call",
                   "params": {"name": tool, "arguments": arguments}}
        try:
            resp = await self.http.post(self.target.mcp_url, json=message, headers=MCP_HEADERS)
        except httpx.HTTPError as exc:
            self.rec.sample(op, time.monotonic() - started, type(exc).__name__)
            return None
        seconds = time.monotonic() - started
        body = resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {}
        if resp.status_code != 200 or "error" in body:
            code = (body.get("error") or {}).get("code")
            self.rec.sample(op, seconds, f"http {resp.status_code} rpc {code}", resp.status_code)
            return None
        result = body["result"]
        if result.get("isError"):
            status = (result.get("structuredContent") or {}).get("error", {}).get("status")
            self.rec.sample(op, seconds, f"tool error {status}", int(status or 0))
            return None
        self.rec.sample(op, seconds)
        return result.get("structuredContent") or {}

    async def step(self, op: str) -> None:
        t, r = self.target, self.random
        if op == "unified tickets list":
            await self.call(op, "GET", "/unified/ticketing/tickets", params={"limit": 20})
        elif op == "unified ticket get":
            await self.call(op, "GET", f"/unified/ticketing/tickets/{r.choice(self.tickets or t.conversations)}")
        elif op == "unified ticket create":
            marker = self.marker("ticket")
            body = {"name": marker, "contact": {"id": r.choice(t.customers)}}
            resp = await self.call(op, "POST", "/unified/ticketing/tickets", json_body=body, key=marker)
            self.wrote("conversation", marker, resp, lambda body: body["id"])
            await self.maybe_retry(op, "/unified/ticketing/tickets", body, marker, resp, lambda body: body["id"])
        elif op == "unified ticket update":
            if not self.tickets:
                return await self.step("unified ticket create")
            ticket, priority = r.choice(self.tickets), str(r.randint(1, 5))
            resp = await self.call(op, "PATCH", f"/unified/ticketing/tickets/{ticket}",
                                   json_body={"priority": {"id": priority}})
            self.rec.priorities[ticket] = priority if resp is not None and resp.status_code == 200 else None
        elif op == "unified contact create":
            marker = self.marker("contact")
            resp = await self.call(op, "POST", "/unified/ticketing/contacts", json_body={"name": marker})
            self.wrote("customer", marker, resp, lambda body: body["id"])
        elif op == "proxy conversations list":
            await self.call(op, "GET", "/proxy/conversations", params={"limit": 25})
        elif op == "proxy conversation create":
            marker = self.marker("proxy")
            body = {"name": marker, "customer": r.choice(t.customers)}
            resp = await self.call(op, "POST", "/proxy/conversations", json_body=body, key=marker)
            self.wrote("conversation", marker, resp, lambda body: body["data"]["id"])
            await self.maybe_retry(op, "/proxy/conversations", body, marker, resp, lambda body: body["data"]["id"])
        elif op == "proxy customer get":
            await self.call(op, "GET", f"/proxy/customers/{r.choice(t.customers)}")
        elif op == "cursor walk":
            await self.walk(op)
        elif op == "mcp conversations list":
            await self.mcp(op, "list_all_kustomer_conversations", {"limit": 10})
        elif op == "mcp conversation create":
            marker = self.marker("mcp")
            result = await self.mcp(op, "create_a_kustomer_conversation",
                                    {"name": marker, "customer": r.choice(t.customers)})
            record_id = (result or {}).get("data", {}).get("id")
            self.rec.writes.append(Write("conversation", marker, result is not None, record_id))
            if record_id:
                self.tickets.append(record_id)

    def wrote(self, kind: str, marker: str, resp: httpx.Response | None, read_id: Any) -> None:
        ok = resp is not None and resp.status_code in (200, 201)
        record_id = read_id(resp.json()) if ok else None
        self.rec.writes.append(Write(kind, marker, ok, record_id))
        if ok and kind == "conversation":
            self.tickets.append(record_id)

    async def maybe_retry(self, op: str, path: str, body: Any, key: str, first: httpx.Response | None,
                          read_id: Any) -> None:
        """Now and then send a successful create again with its key, as a client that lost
        the answer would; the service must replay the first answer, not create twice."""
        if not self.idempotent or first is None or first.status_code != 201 or self.random.random() > 0.25:
            return
        again = await self.call(f"{op} (retry)", "POST", path, json_body=body, key=key)
        self.rec.retries += 1
        if (again is None or again.status_code != 201 or again.headers.get("idempotent-replayed") != "true"
                or read_id(again.json()) != read_id(first.json())):
            self.rec.retries_wrong += 1

    async def walk(self, op: str) -> None:
        """Up to three pages of unified tickets by next_cursor (pages may hit either worker)."""
        params: dict[str, Any] = {"limit": 25}
        for _ in range(3):
            resp = await self.call(op, "GET", "/unified/ticketing/tickets", params=params)
            if resp is None or resp.status_code != 200 or not resp.json()["next_cursor"]:
                return
            params = {"next_cursor": resp.json()["next_cursor"]}


async def supports_idempotency(url: str, target: Target, recorder: Recorder, run_id: str) -> bool:
    """Whether the service replays a create sent twice with one Idempotency-Key (a feature that
    may not be there yet): one probe create, checked like any other write when it is."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        probe = LoadClient(-1, http, target, recorder, run_id, 0)
        marker = probe.marker("probe")
        body = {"name": marker, "customer": target.customers[0]}
        first = await probe.call("idempotency probe", "POST", "/proxy/conversations", json_body=body, key=marker)
        again = await probe.call("idempotency probe", "POST", "/proxy/conversations", json_body=body, key=marker)
        replayed = again is not None and again.headers.get("idempotent-replayed") == "true"
        if replayed:  # then the probe must exist exactly once; without the feature it exists twice
            probe.wrote("conversation", marker, first, lambda body: body["data"]["id"])
        return replayed


async def drive(url: str, targets: list[Target], options: LoadOptions, run_id: str) -> tuple[Recorder, float, bool]:
    recorder = Recorder()
    idempotent = await supports_idempotency(url, targets[0], recorder, run_id)
    names, weights = zip(*MIX, strict=True)
    budget = iter(range(options.requests))
    started = time.monotonic()
    deadline = started + options.duration
    limits = httpx.Limits(max_connections=options.clients, max_keepalive_connections=options.clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        async def worker(number: int) -> None:
            client = LoadClient(number, http, targets[number % len(targets)], recorder, run_id, options.seed,
                                idempotent)
            for _ in budget:  # a walk counts once here; its pages are counted as requests
                if time.monotonic() > deadline:
                    return
                await client.step(client.random.choices(names, weights)[0])

        await asyncio.gather(*(worker(n) for n in range(options.clients)))
    return recorder, time.monotonic() - started, idempotent


# ---------------------------------------------------------------------------- verification


def sandbox_names(sandbox: SandboxProcess, path: str) -> dict[str, list[dict[str, Any]]]:
    """Every record of a sandbox collection by name, read straight from the sandbox."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with sandbox.client(timeout=60) as client:
        url: str | None = f"{path}?pageSize=100"
        while url:
            body = client.get(url).raise_for_status().json()
            for record in body["data"]:
                found[str(record["attributes"].get("name"))].append(record)
            url = body["links"].get("next")
    return found


def verify(recorder: Recorder, sandbox: SandboxProcess, report: LoadReport) -> None:
    records = {"conversation": sandbox_names(sandbox, "/v1/conversations"),
               "customer": sandbox_names(sandbox, "/v1/customers")}
    for write in recorder.writes:
        found = records[write.kind].get(write.marker, [])
        if write.ok:
            report.writes_ok += 1
            if not found:
                report.missing.append(write.marker)
            elif len(found) > 1:
                report.duplicated.append(write.marker)
            elif write.record_id and found[0]["id"] != write.record_id:
                report.wrong_id.append(write.marker)
        else:
            report.writes_failed += 1
            if len(found) > 1:
                report.failed_duplicated.append(write.marker)
    by_id = {r["id"]: r for same in records["conversation"].values() for r in same}
    for ticket, priority in recorder.priorities.items():
        if priority is None:
            continue
        report.updates_checked += 1
        if str(by_id.get(ticket, {}).get("attributes", {}).get("priority")) != priority:
            report.updates_wrong.append(ticket)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# ------------------------------------------------------------------------------ run, print


def run(options: LoadOptions) -> LoadReport:
    run_id = secrets.token_hex(3)
    keys = generate_key()
    env = {"UNIFIED_ENCRYPTION_KEYS": keys, "UNIFIED_CURSOR_SECRET": secrets.token_urlsafe(32),
           "UNIFIED_VENDOR_TIMEOUT": "30"}
    report = LoadReport()
    began = time.monotonic()
    with database(options.admin_url) as database_url, \
            start_sandbox(*ROOMY, seed=options.seed, stderr=subprocess.DEVNULL) as sandbox:
        with service(database_url, options.workers, env) as (url, problems):
            config = StoreConfig(database_url, encryption_keys=(keys,))
            targets = asyncio.run(provision(url, config, sandbox, options))
            report.setup_seconds = round(time.monotonic() - began, 2)
            recorder, seconds, report.idempotency = asyncio.run(drive(url, targets, options, run_id))
        report.server_tracebacks = len(problems)
        checking = time.monotonic()
        verify(recorder, sandbox, report)
        report.verify_seconds = round(time.monotonic() - checking, 2)
    report.requests = sum(len(v) for v in recorder.samples.values())
    report.seconds = round(seconds, 2)
    report.errors = dict(sorted(recorder.errors.items()))
    report.our_5xx, report.gateway_5xx = recorder.our_5xx, recorder.gateway_5xx
    report.retries, report.retries_wrong = recorder.retries, recorder.retries_wrong
    report.latency_ms = {op: {"count": len(v), "p50": round(percentile(v, 0.5), 1), "p99": round(percentile(v, 0.99), 1)}
                         for op, v in sorted(recorder.samples.items())}
    return report


def summary(report: LoadReport, options: LoadOptions) -> str:
    lines = [f"load: {options.workers} workers on PostgreSQL, {options.clients} clients, "
             f"{options.tenants} tenants x {options.accounts} accounts",
             f"requests served: {report.requests} in {report.seconds} s "
             f"({report.requests / max(report.seconds, 1e-9):.0f} req/s); set-up {report.setup_seconds} s, "
             f"verification {report.verify_seconds} s",
             f"{'operation':<34}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}"]
    lines += [f"{op:<34}{v['count']:>7.0f}{v['p50']:>9.1f}{v['p99']:>9.1f}" for op, v in report.latency_ms.items()]
    lines.append("errors: " + (", ".join(f"{k} x{n}" for k, n in report.errors.items()) or "none"))
    lines.append(f"5xx of our own: {report.our_5xx}; gateway 502/504: {report.gateway_5xx}; "
                 f"tracebacks in the server log: {report.server_tracebacks}")
    lines.append(f"writes: {report.writes_ok} succeeded, {report.writes_failed} failed; missing "
                 f"{len(report.missing)}, duplicated {len(report.duplicated)}, failed-but-duplicated "
                 f"{len(report.failed_duplicated)}, wrong id {len(report.wrong_id)}; updates checked "
                 f"{report.updates_checked}, wrong {len(report.updates_wrong)}")
    lines.append(f"Idempotency-Key: {'replayed' if report.idempotency else 'not supported, no retries sent'}; "
                 f"retried creates {report.retries}, answered other than the first {report.retries_wrong}")
    lines.append("verification: " + ("PASSED" if report.ok else "FAILED"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = LoadOptions()
    for name in ("workers", "clients", "requests", "tenants", "accounts", "seed"):
        parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    parser.add_argument("--duration", type=float, default=defaults.duration, help="seconds at most")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    options = LoadOptions(**{k: v for k, v in vars(args).items() if k != "json"})
    report = run(options)
    print(json.dumps(asdict(report) | {"ok": report.ok}, indent=2) if args.json else summary(report, options))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
