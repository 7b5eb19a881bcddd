"""Sequential A/B of one proxy and one unified list page, in-process (prints figures).

    .venv/bin/python tests/benchmarks/bench_inprocess.py [--requests 300] [--freeze]

The app runs in this process behind httpx's ASGI transport (no server, no load generator, so
CPU contention is out of the picture); the vendor is a sandbox process. Requests alternate
between ``/proxy/conversations`` and ``/unified/ticketing/tickets`` (pages of 100), so drift hits
both alike. ``--freeze`` does what ``unified serve`` does in each worker: ``gc.freeze()`` after
start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from typing import Any

import httpx

from unified.app.factory import create_app
from unified.sandbox.process import start_sandbox
from unified.store import StoreConfig, generate_key


async def start(app: Any) -> None:
    """Run the app's lifespan start-up (the ASGI transport does not)."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()
    await inbox.put({"type": "lifespan.startup"})

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    asyncio.get_running_loop().create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send))
    await started.wait()


async def main(requests: int, freeze: bool) -> None:
    config = StoreConfig(database_url=f"sqlite:///{tempfile.mkdtemp()}/unified.db", encryption_keys=[generate_key()])
    with start_sandbox("--rate-limit", "10000000", "--search-rate-limit", "10000000", seed=1) as sandbox:
        app = create_app(config)
        await start(app)
        if freeze:
            gc.collect()
            gc.freeze()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            store = app.state.engine.store
            tenant = await store.create_tenant("bench")
            _, key = await store.create_api_key(tenant.id, "bench")
            headers = {"Authorization": f"Bearer {key}"}
            account = (await client.post("/admin/accounts", headers=headers, json={
                "provider": "kustomer", "settings": {"base_url": sandbox.base_url},
                "credentials": {"api_key": sandbox.api_key}})).json()["id"]
            urls = {"proxy": f"/proxy/conversations?integrated_account_id={account}&limit=100",
                    "unified": f"/unified/ticketing/tickets?integrated_account_id={account}&limit=100"}
            times: dict[str, list[float]] = {name: [] for name in urls}
            for round_ in range(requests + 10):
                for name, url in urls.items():
                    started = time.perf_counter()
                    response = await client.get(url, headers=headers)
                    if round_ >= 10:  # the first rounds warm caches and pools
                        times[name].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
    print(f"in-process, sequential, {requests} alternating requests each, gc.freeze: {freeze}")
    for name, samples in times.items():
        samples.sort()
        print(f"  {name:8} mean {statistics.mean(samples):6.2f} ms  median {statistics.median(samples):6.2f} ms  "
              f"p99 {samples[int(len(samples) * 0.99) - 1]:6.1f} ms")
    ratio = statistics.mean(times["proxy"]) / statistics.mean(times["unified"])
    print(f"  unified/proxy throughput (ratio of mean times): {ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--freeze", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.freeze))
