"""GET /health answers without a key and reports the store."""

from .helpers import Harness


async def test_health_is_200_with_the_store_backend(harness: Harness):
    resp = await harness.client.get("/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok"
    assert body["store"] == {"ok": True, "backend": harness.backend, "schema_current": True, "error": None}


async def test_unknown_route_is_a_problem(harness: Harness):
    resp = await harness.client.get("/nope")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["status"] == 404
