"""The load harness (scripts/loadtest.py) at a small size: two `unified serve` workers sharing a
fresh PostgreSQL database, 10 concurrent clients on 3 tenants x 2 accounts, ~300 mixed requests
through unified, proxy and MCP. No write may be lost or duplicated and nothing may be a 5xx.

The figures of a full run come from running the script itself (see the README); here they are
only printed. A second test proves the write check can fail.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from unified.sandbox.process import start_sandbox


def load_harness() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "loadtest.py"
    spec = importlib.util.spec_from_file_location("loadtest", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["loadtest"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


loadtest = load_harness()


@pytest.fixture(scope="module")
def postgres() -> str:
    if os.environ.get("UNIFIED_TEST_POSTGRES") == "skip":
        pytest.skip("UNIFIED_TEST_POSTGRES=skip")
    return os.environ.get("UNIFIED_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def test_two_workers_on_postgres_lose_and_duplicate_no_write(postgres: str):
    options = loadtest.LoadOptions(workers=2, clients=10, requests=300, duration=60, tenants=3, accounts=2,
                                   admin_url=postgres)
    report = loadtest.run(options)
    print("\n" + loadtest.summary(report, options))
    assert report.requests >= 300
    assert report.writes_ok > 50 and report.updates_checked > 0
    assert not (report.missing or report.duplicated or report.failed_duplicated or report.wrong_id), report
    assert not report.updates_wrong, report.updates_wrong
    assert report.our_5xx == 0 and report.gateway_5xx == 0, report.errors
    assert report.server_tracebacks == 0
    assert not report.errors, report.errors
    assert {name for name, _ in loadtest.MIX} <= set(report.latency_ms)  # every kind of call was made
    assert report.retries_wrong == 0  # creates re-sent with their Idempotency-Key were replayed, not repeated
    assert report.ok


def test_the_write_check_finds_lost_duplicated_and_overwritten_records():
    with start_sandbox(seed=3) as sandbox, sandbox.client() as kustomer:
        customer = kustomer.get("/v1/customers", params={"pageSize": 1}).json()["data"][0]["id"]

        def conversation(name: str) -> str:
            resp = kustomer.post("/v1/conversations", json={"name": name, "customer": customer})
            assert resp.status_code == 201, resp.text
            return resp.json()["data"]["id"]

        once = conversation("once")
        conversation("twice")
        conversation("twice")
        conversation("failed twice")
        conversation("failed twice")
        assert kustomer.put(f"/v1/conversations/{once}", json={"priority": 2}).status_code == 200
        recorder = loadtest.Recorder()
        recorder.writes = [loadtest.Write("conversation", "once", True, once),
                           loadtest.Write("conversation", "never", True, "x"),
                           loadtest.Write("conversation", "twice", True, None),
                           loadtest.Write("conversation", "failed twice", False),
                           loadtest.Write("customer", "once", True, "y")]
        recorder.priorities = {once: "4"}
        report = loadtest.LoadReport()
        loadtest.verify(recorder, sandbox, report)
    assert (report.missing, report.duplicated, report.failed_duplicated) == (["never", "once"], ["twice"],
                                                                             ["failed twice"])
    assert report.updates_wrong == [once] and not report.verified
