"""The app as `unified serve` builds it freezes its start-up heap out of the cyclic GC; the
app tests build does not (frozen objects are never collected, and tests make many apps).

Each case runs in a fresh interpreter, so freezing there cannot pin this test process's objects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from unified.store import generate_key

PROBE = """
import asyncio, gc, json, sys
from unified.app import factory

async def main():
    app = factory.create_served_app() if sys.argv[1] == "served" else factory.create_app()
    before = gc.get_freeze_count()
    messages = asyncio.Queue()
    await messages.put({"type": "lifespan.startup"})
    sent = []

    async def send(message):
        sent.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            await messages.put({"type": "lifespan.shutdown"})

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, messages.get, send)
    print(json.dumps({"before": before, "after": gc.get_freeze_count(), "sent": sent}))

asyncio.run(main())
"""


@pytest.mark.parametrize("kind,frozen", [("served", True), ("plain", False)])
def test_only_the_served_app_freezes_its_heap(tmp_path: Path, kind: str, frozen: bool) -> None:
    env = {"UNIFIED_DATABASE_URL": f"sqlite:///{tmp_path / 'unified.db'}", "UNIFIED_ENCRYPTION_KEYS": generate_key(),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", PROBE, kind], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["sent"][0] == "lifespan.startup.complete"
    assert report["before"] == 0
    assert (report["after"] > 10_000) is frozen, report
