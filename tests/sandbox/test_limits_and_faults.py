"""Rate limits and fault knobs, each on a private sandbox so the budgets start full."""

import time

import httpx
import pytest


def configure(client: httpx.Client, **settings) -> None:
    assert client.put("/__sandbox/settings", json=settings).status_code == 200
    assert client.post("/__sandbox/reset-limits").status_code == 204


def test_org_budget_gives_429_with_kustomer_body_and_headers(fresh_sandbox):
    with fresh_sandbox.client() as client:
        configure(client, org_rate_limit=5)
        statuses = [client.get("/v1/brands") for _ in range(7)]
        assert [r.status_code for r in statuses] == [200] * 5 + [429] * 2
        assert [r.headers["x-ratelimit-remaining"] for r in statuses[:5]] == ["4", "3", "2", "1", "0"]
        limited = statuses[5]
        assert limited.headers["x-ratelimit-limit"] == "5"
        assert limited.headers["x-ratelimit-remaining"] == "0"
        assert int(limited.headers["x-ratelimit-reset"]) >= int(time.time())
        error = limited.json()["errors"][0]
        assert error["code"] == "rate_limit_exceeded"
        assert "message" in error


def test_120_creates_per_customer_rule_with_imported_at_exempt(fresh_sandbox):
    with fresh_sandbox.client() as client:
        configure(client, per_customer_create_limit=3)
        customer = client.post("/v1/customers", json={"name": "Busy"}).json()["data"]["id"]
        codes = [client.post("/v1/conversations", json={"customer": customer}).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        imported = client.post("/v1/conversations", json={"customer": customer, "importedAt": "2024-01-01T00:00:00Z"})
        assert imported.status_code == 201
        other = client.post("/v1/customers", json={"name": "Calm"}).json()["data"]["id"]
        assert client.post("/v1/conversations", json={"customer": other}).status_code == 201


def test_search_limit(fresh_sandbox):
    with fresh_sandbox.client() as client:
        configure(client, search_rate_limit=2)
        body = {"queryContext": "customer"}
        codes = [client.post("/v1/customers/search", json=body).status_code for _ in range(3)]
        assert codes == [200, 200, 429]


def set_faults(client: httpx.Client, **faults) -> None:
    assert client.put("/__sandbox/faults", json=faults).status_code == 200


def test_fault_queue_error_timeout_malformed_and_drop(fresh_sandbox):
    with fresh_sandbox.client(timeout=2.0) as client:
        set_faults(client, queue=["error:503", "malformed", "drop", "timeout"], timeout_seconds=5)
        unavailable = client.get("/v1/brands")
        assert unavailable.status_code == 503
        assert unavailable.json()["errors"][0]["status"] == 503
        malformed = client.get("/v1/brands")
        assert malformed.status_code == 200
        with pytest.raises(ValueError):
            malformed.json()
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/v1/brands")
        with pytest.raises(httpx.ReadTimeout):
            client.get("/v1/brands")
        set_faults(client)
        assert client.get("/v1/brands").status_code == 200


def test_fault_rates_and_latency(fresh_sandbox):
    with fresh_sandbox.client() as client:
        set_faults(client, error_rate=0.5, error_status=502, seed=3)
        codes = [client.get("/v1/brands").status_code for _ in range(40)]
        assert 5 <= codes.count(502) <= 35 and codes.count(200) + codes.count(502) == 40
        set_faults(client, latency_ms=150)
        started = time.perf_counter()
        assert client.get("/v1/brands").status_code == 200
        assert time.perf_counter() - started >= 0.15
        bad = client.put("/__sandbox/faults", json={"error_rate": 2})
        assert bad.status_code == 400


def test_fault_path_prefix_limits_the_blast_radius(fresh_sandbox):
    with fresh_sandbox.client() as client:
        set_faults(client, error_rate=1.0, path_prefix="/v1/brands")
        assert client.get("/v1/brands").status_code == 500
        assert client.get("/v1/companies").status_code == 200
