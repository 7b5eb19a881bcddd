"""Benchmarks that print figures (not timed tests).

    .venv/bin/python tests/benchmarks/bench_unified.py [--requests 200]

(a) mapping a 100-conversation Kustomer page to unified tickets with the engine (compiled
JSONata from mappings/kustomer/ticketing/tickets.yaml) vs a hand-written Python function of
the same fields, in one run; (b) end to end, a unified tickets list vs the proxy
conversations list vs the sandbox directly, same page size, sequential requests on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from typing import Any

import httpx


def hand_mapping(record: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    a = record["attributes"]
    rels = record.get("relationships", {})
    status_names = {"open": "open", "snoozed": "pending", "done": "closed"}
    priority_names = {"1": "lowest", "2": "low", "3": "medium", "4": "high", "5": "urgent"}
    priority = a.get("priority")
    return {
        "id": record["id"],
        "name": a.get("name"),
        "description": a.get("preview"),
        "status": {"id": a.get("status"), "name": status_names.get(a.get("status"))},
        "priority": {"id": str(priority), "name": priority_names.get(str(priority))} if priority is not None else None,
        "assignees": [{"id": u} for u in a.get("assignedUsers") or []],
        "team": {"id": a["assignedTeams"][0]} if a.get("assignedTeams") else None,
        "contact": {"id": rels["customer"]["data"]["id"]} if rels.get("customer", {}).get("data") else None,
        "created_by": {"id": rels["createdBy"]["data"]["id"], "type": "user"} if rels.get("createdBy", {}).get("data") else None,
        "tags": [{"id": t, "name": tags.get(t)} for t in a.get("tags") or []],
        "completed_at": a.get("updatedAt") if a.get("status") == "done" else None,
        "created_at": a.get("createdAt"),
        "updated_at": a.get("updatedAt"),
        "etag": str(a["rev"]) if "rev" in a else None,
        "custom_fields": a.get("custom"),
        "remote_data": record,
    }


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_mapping(sandbox) -> None:
    import jsonata

    from unified.catalogue.loader import load_all
    from unified.engine.unified_api import map_record
    from unified.mapping.loader import load_mappings

    print(f"jsonata engine module: {jsonata.__file__}")
    mapping = load_mappings(load_all())[("kustomer", "ticketing", "tickets")]
    method = mapping.methods["list"]
    with sandbox.client() as client:
        page = client.get("/v1/conversations", params={"pageSize": 100}).json()["data"]
        tags = {t["id"]: t["attributes"]["name"] for t in client.get("/v1/tags", params={"pageSize": 100}).json()["data"]}
    bindings = {"query": {}, "body": None, "id": None, "context": {}, "lookups": {"tags": tags}}
    route = method.routes[-1]
    engine = timed(lambda: [map_record(mapping, method, route, r, bindings, True) for r in page], 20)
    python = timed(lambda: [hand_mapping(r, tags) for r in page], 200)
    e, p = statistics.median(engine), statistics.median(python)
    print(f"(a) map 100 conversations -> tickets: engine {e:.2f} ms, hand-written Python {p:.3f} ms, "
          f"ratio {e / p:.1f}x")


async def bench_http(sandbox, requests: int) -> None:
    os.environ.setdefault("UNIFIED_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    os.environ.setdefault("UNIFIED_ENCRYPTION_KEYS", "dGhpc2lzYWZha2VrZXl0aGlzaXNhZmFrZWtleTAxMjM=")
    import logging

    logging.disable(logging.INFO)
    from litestar.testing import AsyncTestClient

    from unified.app.factory import create_app

    app = create_app()
    async with AsyncTestClient(app) as client:
        store = app.state.engine.store
        tenant = await store.create_tenant("bench")
        _, key = await store.create_api_key(tenant.id, "bench")
        account = await store.create_account(tenant.id, "kustomer", settings={"base_url": sandbox.base_url},
                                             credentials={"api_key": sandbox.api_key})
        headers = {"Authorization": f"Bearer {key}"}
        params = {"integrated_account_id": account.id, "limit": 100}
        async with httpx.AsyncClient(base_url=sandbox.base_url,
                                     headers={"Authorization": f"Bearer {sandbox.api_key}"}) as direct:
            cases = {
                "direct sandbox /v1/conversations": lambda: direct.get("/v1/conversations", params={"pageSize": 100}),
                "proxy /proxy/conversations": lambda: client.get("/proxy/conversations", params=params, headers=headers),
                "unified /unified/ticketing/tickets": lambda: client.get("/unified/ticketing/tickets", params=params,
                                                                         headers=headers),
            }
            results = {}
            for name, call in cases.items():
                await call()  # warm pools and lookups
                samples = []
                for _ in range(requests):
                    started = time.perf_counter()
                    response = await call()
                    samples.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text[:200]
                samples.sort()
                results[name] = samples
                p50 = samples[len(samples) // 2]
                p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
                print(f"(b) {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, {1000 / statistics.mean(samples):.0f} req/s "
                      f"(sequential, page of 100)")
            unified = statistics.mean(results["unified /unified/ticketing/tickets"])
            proxy = statistics.mean(results["proxy /proxy/conversations"])
            print(f"(b) unified throughput / proxy throughput = {proxy / unified:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    from unified.sandbox.process import start_sandbox

    with start_sandbox() as sandbox:
        bench_mapping(sandbox)
        asyncio.run(bench_http(sandbox, args.requests))


if __name__ == "__main__":
    main()
