"""Every catalogue operation is routed to itself, and served over HTTP."""

import httpx
import pytest

from unified.catalogue.loader import PROJECT_ROOT, load_catalogue
from unified.sandbox.handlers import CHOOSERS, HANDLERS
from unified.sandbox.router import Router

CATALOGUE = load_catalogue(PROJECT_ROOT / "providers" / "kustomer")
OBJECT_ID = "5f0c1a2b3c4d5e6f70819203"
SAMPLES = {"name": "order", "resource": "customer", "email": "a@b.test", "phone": "+15550001111",
           "externalId": "ext-1", "url": "https://files.example.test/x"}


def sample_path(op) -> str:
    return op.path.render({p: SAMPLES.get(p, OBJECT_ID) for p in op.path.params})


def test_every_operation_has_a_handler():
    assert set(CATALOGUE.operations) <= set(HANDLERS)


@pytest.mark.parametrize("tool", sorted(n for n, op in CATALOGUE.operations.items() if not op.external_url))
def test_router_maps_each_operation_to_itself(tool: str):
    op = CATALOGUE.operations[tool]
    router = Router(CATALOGUE, CHOOSERS)
    body = None
    if op.body is not None and op.body.get("properties", {}).get("channel"):
        channel = op.body["properties"]["channel"]
        value = channel.get("const", (channel.get("enum") or [None])[0])
        body = {"channel": value, "body": "hi", "app": "whatsapp"}
        if "interactive" in tool:
            body["meta"] = {"interactive": {}}
    match = router.match(op.http, sample_path(op), body)
    assert match is not None
    if body is None or "whatsapp" not in tool:
        assert HANDLERS[match.op.tool_name] is HANDLERS[tool]


def test_every_list_operation_answers_over_http(kustomer: httpx.Client):
    """Smoke over real HTTP: each parameter-free GET list answers 200 with data."""
    failures = []
    for op in CATALOGUE.operations.values():
        if op.http != "GET" or op.path.params or op.query_required:
            continue
        resp = kustomer.get(op.path.template)
        if resp.status_code != 200 or "data" not in resp.json():
            failures.append((op.tool_name, resp.status_code, resp.text[:200]))
    assert not failures
