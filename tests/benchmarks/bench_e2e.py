"""End-to-end throughput and latency, and start-up time, of the real service on loopback.

    .venv/bin/python tests/benchmarks/bench_e2e.py [--concurrency 16] [--duration 10] [--warmup 2]
        [--workers 1,2] [--database auto|postgresql|sqlite] [--client-processes 1] [--requests N]

Prints figures; asserts nothing about time. Starts a sandbox with limits no run reaches, a
store (a fresh PostgreSQL database on 127.0.0.1:5432, dropped at the end, when it answers;
otherwise a SQLite file), a tenant, API key and integrated account made with the CLI
(`unified keys create`, `unified accounts create`), and then the real service with
`unified serve --workers N` as a child process for each N of --workers. A load generator
(asyncio + httpx; --concurrency clients on keep-alive connections, spread over
--client-processes processes) requests, for --duration seconds after --warmup seconds:

  direct   GET <sandbox>/v1/conversations?pageSize=100            (once; the vendor alone)
  proxy    GET /proxy/conversations?limit=100                      (per worker count)
  unified  GET /unified/ticketing/tickets?limit=100                (per worker count)

and reports requests/s, p50/p99 latency and errors for each, the unified/proxy throughput ratio
(goal: at least 0.80) and 2 workers vs 1. The sandbox is one process, so its direct figure is
the ceiling of proxy and unified. The load generator, the sandbox and the workers share the
machine's CPUs (printed): compare figures from one run only.

(c) start-up: in a fresh interpreter, imports, loading the catalogue, loading and compiling every
mapping, `create_app()` and the app's lifespan start (store opened, all mappings compiled); and
for each worker count, `unified serve` from exec until `/health` answers 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PAGE = 100
DEFAULT_POSTGRES = os.environ.get("UNIFIED_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- load generator


@dataclass
class Target:
    label: str
    url: str
    params: dict[str, Any]
    headers: dict[str, str]


async def _load(target: Target, concurrency: int, warmup: float, duration: float,
                max_requests: int | None) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    async with httpx.AsyncClient(headers=target.headers, limits=limits, timeout=120) as client:

        async def worker(until: float, record: bool) -> None:
            while time.perf_counter() < until:
                if record and max_requests is not None and len(latencies) + sum(errors.values()) >= max_requests:
                    return
                started = time.perf_counter()
                try:
                    response = await client.get(target.url, params=target.params)
                    status = str(response.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                if not record:
                    continue
                if status == "200":
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors[status] = errors.get(status, 0) + 1

        if warmup > 0:
            until = time.perf_counter() + warmup
            await asyncio.gather(*(worker(until, False) for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + duration, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed}


def _load_process(args: tuple[Target, int, float, float, int | None]) -> dict[str, Any]:
    return asyncio.run(_load(*args))


def run_load(target: Target, concurrency: int, warmup: float, duration: float, max_requests: int | None,
             processes: int) -> dict[str, Any]:
    """Drive ``target`` with ``concurrency`` clients spread over ``processes`` processes."""
    processes = max(1, min(processes, concurrency))
    shares = [concurrency // processes + (1 if i < concurrency % processes else 0) for i in range(processes)]
    per_process_max = None if max_requests is None else -(-max_requests // processes)
    jobs = [(target, share, warmup, duration, per_process_max) for share in shares]
    if processes == 1:
        parts = [_load_process(jobs[0])]
    else:
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            parts = pool.map(_load_process, jobs)
    latencies = sorted(x for p in parts for x in p["latencies"])
    errors: dict[str, int] = {}
    for p in parts:
        for k, v in p["errors"].items():
            errors[k] = errors.get(k, 0) + v
    elapsed = max(p["elapsed"] for p in parts)
    return {"count": len(latencies), "errors": errors, "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "elapsed": elapsed}


def percentile(sorted_values: list[float], pct: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


# --------------------------------------------------------------------------- store and service


@contextmanager
def database(kind: str, postgres_url: str, directory: Path) -> Iterator[tuple[str, str]]:
    """(URL, description) of an empty store: a new PostgreSQL database, else a SQLite file."""
    if kind in ("auto", "postgresql"):
        try:
            import psycopg
            from psycopg import sql
            from sqlalchemy.engine import make_url

            admin = psycopg.connect(postgres_url, autocommit=True, connect_timeout=5)
        except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
            if kind == "postgresql":
                raise SystemExit(f"PostgreSQL is not reachable ({type(exc).__name__}); use --database sqlite") from None
        else:
            name = f"unified_bench_{secrets.token_hex(5)}"
            with admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                try:
                    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
                    yield url, f"postgresql (fresh database {name}, dropped at the end)"
                finally:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            return
    yield f"sqlite:///{directory / 'bench.db'}", "sqlite (a file in a temporary directory)"


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "unified", *args, "--json"], input=stdin, capture_output=True,
                          text=True, env=env, cwd=PROJECT_ROOT, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"unified {args[0]} {args[1]} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[str, float]]:
    """`unified serve --workers N` on a free port; yields (base URL, seconds until /health is 200)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "ab") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "unified", "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(workers)], stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=PROJECT_ROOT)
    try:
        ready = None
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    ready = time.perf_counter() - started
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        if ready is None:
            tail = log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"unified serve --workers {workers} did not answer /health (exit {proc.poll()}):\n{tail}")
        yield base, ready
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- (c) start-up probe


def startup_probe() -> None:
    """Run in a fresh interpreter: one JSON line of start-up timings (seconds)."""
    t0 = time.perf_counter()
    import logging

    from litestar.testing import AsyncTestClient

    from unified.app.factory import create_app
    from unified.catalogue.loader import load_all
    from unified.mapping.loader import load_mappings

    logging.disable(logging.INFO)
    t1 = time.perf_counter()
    catalogues = load_all()
    t2 = time.perf_counter()
    mappings = load_mappings(catalogues)
    t3 = time.perf_counter()
    exprs = []
    for mapping in mappings.values():
        for method in mapping.methods.values():
            exprs.append(method.response)
            for lookup in method.lookups:
                exprs += [lookup.key, lookup.value]
            for route in method.routes:
                exprs += [route.when, route.query, route.body, route.records, route.response, *route.path.values()]
    exprs = list({id(e): e for e in exprs if e is not None}.values())
    compiled = sum(1 for e in exprs if getattr(e, "compiled", False))
    t4 = time.perf_counter()
    app = create_app()
    t5 = time.perf_counter()

    async def lifespan() -> float:
        started = time.perf_counter()
        async with AsyncTestClient(app) as client:
            elapsed = time.perf_counter() - started
            assert (await client.get("/health")).status_code == 200
        return elapsed

    t6 = asyncio.run(lifespan())
    print(json.dumps({"imports": t1 - t0, "catalogue": t2 - t1, "mappings": t3 - t2, "create_app": t5 - t4,
                      "lifespan": t6, "expressions": len(exprs), "compiled": compiled,
                      "mapping_files": len(mappings), "has_compiled_flag": any(hasattr(e, "compiled") for e in exprs)}))


def run_startup_probe(env: dict[str, str]) -> dict[str, Any] | str:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--startup-probe"], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, timeout=300)
    total = time.perf_counter() - started
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["failed"])[-1][:300]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process"] = total
    return result


# --------------------------------------------------------------------------- report


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def row(label: str, workers: str, r: dict[str, Any]) -> str:
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(r["errors"].items())) or "0"
    return (f"{label:<38}{workers:>8}{r['rps']:>9.1f}{fmt(r['p50']):>9}{fmt(r['p99']):>9}{r['count']:>9}"
            f"  {errors}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each target")
    parser.add_argument("--requests", type=int, help="stop a target after this many requests (else --duration)")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts for `unified serve`")
    parser.add_argument("--client-processes", type=int, default=1, help="processes the clients are spread over")
    parser.add_argument("--database", choices=("auto", "postgresql", "sqlite"), default="auto")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="maintenance database to create the bench database from (default: %(default)s)")
    parser.add_argument("--skip-startup", action="store_true", help="skip (c)")
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_probe:
        startup_probe()
        return 0

    from unified.sandbox.process import start_sandbox
    from unified.store import generate_key

    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    print(f"machine: {os.cpu_count()} CPUs, python {sys.version.split()[0]}; load: {args.concurrency} clients in "
          f"{args.client_processes} process(es), {args.warmup:g} s warm-up + "
          f"{f'{args.requests} requests' if args.requests else f'{args.duration:g} s'} per target; "
          f"pages of {PAGE}")
    with tempfile.TemporaryDirectory(prefix="unified-bench-") as tmp, \
            start_sandbox("--rate-limit", "10000000", "--search-rate-limit", "10000000") as sandbox, \
            database(args.database, args.postgres_url, Path(tmp)) as (db_url, db_note):
        print(f"store: {db_note}")
        env = {**os.environ, "UNIFIED_DATABASE_URL": db_url, "UNIFIED_ENCRYPTION_KEYS": generate_key(),
               "UNIFIED_CURSOR_SECRET": secrets.token_urlsafe(32), "UNIFIED_KEY_FILE": str(Path(tmp) / "unused.key"),
               "PYTHONUNBUFFERED": "1"}
        key = cli(env, "keys", "create", "--tenant", "bench", "--name", "bench")["api_key"]
        account = cli(env, "accounts", "create", "--provider", "kustomer", "--credential-stdin", "api_key",
                      "--base-url", sandbox.base_url, "--tenant", "bench", stdin=sandbox.api_key + "\n")["id"]
        startup = None if args.skip_startup else run_startup_probe(env)

        def load(target: Target) -> dict[str, Any]:
            return run_load(target, args.concurrency, args.warmup, args.duration, args.requests,
                            args.client_processes)

        print()
        print(f"(b) end to end, GET of {PAGE} records a page")
        header = f"{'target':<38}{'workers':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ok':>9}  errors"
        print(header)
        print("-" * len(header))
        direct = load(Target("direct", f"{sandbox.base_url}/v1/conversations", {"pageSize": PAGE},
                             {"Authorization": f"Bearer {sandbox.api_key}"}))
        print(row("direct sandbox /v1/conversations", "-", direct), flush=True)
        results: dict[int, dict[str, dict[str, Any]]] = {}
        ready_times: dict[int, float] = {}
        for workers in worker_counts:
            with serve(env, workers, Path(tmp) / f"serve-{workers}.log") as (base, ready):
                ready_times[workers] = ready
                headers = {"Authorization": f"Bearer {key}"}
                params = {"integrated_account_id": account, "limit": PAGE}
                check = httpx.get(f"{base}/unified/ticketing/tickets", params=params, headers=headers, timeout=60)
                if check.status_code != 200 or check.json().get("result_count") != PAGE:
                    raise SystemExit(f"unified tickets answered {check.status_code}: {check.text[:300]}")
                time.sleep(1.0)  # let every worker finish starting
                results[workers] = {}
                for name, path in (("proxy", "/proxy/conversations"), ("unified", "/unified/ticketing/tickets")):
                    r = load(Target(name, f"{base}{path}", params, headers))
                    results[workers][name] = r
                    print(row(f"{name} {path}", str(workers), r), flush=True)
        print()
        for workers, r in results.items():
            ratio = r["unified"]["rps"] / r["proxy"]["rps"] if r["proxy"]["rps"] else float("nan")
            print(f"unified/proxy throughput, {workers} worker(s): {ratio:.2f} (goal >= 0.80)")
        if 1 in results and 2 in results:
            for name in ("proxy", "unified"):
                one, two = results[1][name]["rps"], results[2][name]["rps"]
                print(f"{name}: 2 workers / 1 worker = {two / one:.2f}x" if one else f"{name}: -")
        print(f"direct sandbox: {direct['rps']:.1f} req/s (the vendor's ceiling for proxy and unified)")

        print()
        print("(c) start-up")
        if isinstance(startup, dict):
            print(f"  fresh interpreter: imports {startup['imports']:.2f} s, catalogue {startup['catalogue']:.2f} s, "
                  f"mappings {startup['mappings']:.2f} s ({startup['mapping_files']} files, "
                  f"{startup['expressions']} expressions"
                  + (f", {startup['compiled']} compiled to Python" if startup["has_compiled_flag"] else "")
                  + f"), create_app() {startup['create_app']:.2f} s (catalogue + mappings again + app), "
                  f"lifespan start {startup['lifespan']:.2f} s; whole probe process {startup['process']:.2f} s")
        elif startup is not None:
            print(f"  probe failed: {startup}")
        for workers, ready in ready_times.items():
            print(f"  unified serve --workers {workers}: /health answered after {ready:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
