"""Schema fuzzing: schemathesis drives every operation of the app's own OpenAPI document
(unified, proxy, passthrough, admin, MCP admin, health) with a real sandbox behind it and
checks each answer against the document: no 5xx from our code, documented status codes,
content types, headers and bodies, and (negative cases) bad input refused with a 4xx.

CI runs a few examples per operation and generation mode, derandomized; a longer, random
run is ``UNIFIED_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/app/test_schemathesis.py -q -s``
(README, "Fuzzing"). Each case carries a valid API key and, where the operation takes one,
the tenant's real integrated account, so it reaches the engine and the sandbox rather
than stopping at a 401 or 404."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.python import asgi

from unified.app.factory import create_app
from unified.sandbox.process import SandboxProcess, start_sandbox
from unified.store import Store, StoreConfig, generate_key

EXAMPLES = int(os.environ.get("UNIFIED_FUZZ_EXAMPLES", "6"))
RANDOM = "UNIFIED_FUZZ_EXAMPLES" in os.environ  # the longer run explores; CI replays the same cases
SANDBOX_LIMITS = ("--rate-limit", "1000000", "--search-rate-limit", "1000000", "--customer-create-limit", "100000")
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance, checks.negative_data_rejection]
SKIPPED = ("/mcp/", "/schema")  # MCP is JSON-RPC with its own tests; /schema is Litestar's
# a query string carries only text: a "non-string" value of these maps is still a valid string
FREE_TEXT = {"remote_query"}


@dataclass
class Target:
    schema: Any
    api_key: str
    account_id: str
    app: Any
    statuses: Counter = field(default_factory=Counter)


async def _tenant(config: StoreConfig, sandbox: SandboxProcess) -> tuple[str, str]:
    store = await Store.open(config)
    try:
        tenant = await store.create_tenant("fuzz")
        _, api_key = await store.create_api_key(tenant.id, "fuzz")
        account = await store.create_account(tenant.id, "kustomer", name="fuzzed",
                                             settings={"base_url": sandbox.base_url},
                                             credentials={"api_key": sandbox.api_key})
    finally:
        await store.close()
    return api_key, account.id


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The app (SQLite store) on a private sandbox, its document loaded by schemathesis."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    config = StoreConfig(f"sqlite:///{folder / 'unified.db'}", encryption_keys=(generate_key(),),
                         key_file=folder / "never-written.key")
    with start_sandbox(*SANDBOX_LIMITS, seed=3) as sandbox:
        api_key, account_id = asyncio.run(_tenant(config, sandbox))
        app = create_app(config)
        try:
            yield Target(schemathesis.openapi.from_asgi("/schema/openapi.json", app), api_key, account_id, app)
        finally:
            asgi.shutdown_lifespans()


def _unified_shape(target: Target, case: Any, response: Any) -> None:
    """The document lets `response_format=raw` answers be any JSON; every other answer of the
    unified API must have the unified shape (the first branch of the documented `anyOf`)."""
    if not case.operation.path.startswith("/unified/") or not 200 <= response.status_code < 300:
        return
    if (case.query or {}).get("response_format") == "raw" or case.method.upper() == "DELETE":
        return
    document = target.schema.raw_schema
    answer = document["paths"][case.operation.path][case.method.lower()]["responses"][str(response.status_code)]
    schema = answer["content"]["application/json"]["schema"]
    body = response.json()
    if "anyOf" not in schema:  # a list: the envelope, whose `result` is the anyOf
        schema, body = schema["properties"]["result"], body["result"]
    validator = jsonschema.Draft202012Validator({**schema["anyOf"][0], "components": document["components"]})
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, f"{case.method} {case.formatted_path}: not the unified shape: {errors[0].message}"


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if not op.path.startswith(SKIPPED)]


def _cases(target: Target, operation: Any) -> Any:
    """Positive and negative cases, each with our key and, where asked for, our account."""
    names = {p.name for p in operation.query}
    query = {"integrated_account_id": target.account_id} if "integrated_account_id" in names else None
    headers = {"Authorization": f"Bearer {target.api_key}"}
    modes = [operation.as_strategy(GenerationMode.POSITIVE, headers=headers, query=query)]
    negative = operation.as_strategy(GenerationMode.NEGATIVE, headers=headers, query=query)
    return st.one_of(*modes, negative)


def _fuzz(target: Target, operation: Any) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(case=_cases(target, operation))
    def run(case: Any) -> None:
        if operation.path == "/admin/mcp-servers" and operation.method == "post" and isinstance(case.body, dict) \
                and case.meta is not None and case.meta.generation.mode.is_positive:
            case.body["integrated_account_id"] = target.account_id  # reach the filters, not only the 404
        response = case.call()
        target.statuses[response.status_code] += 1
        negated = getattr(getattr(case.meta, "phase", None), "data", None)
        free = getattr(negated, "parameter", None) in FREE_TEXT
        case.validate_response(response, checks=[c for c in CHECKS if not (free and c is checks.negative_data_rejection)])
        _unified_shape(target, case, response)

    run()


def test_every_operation_answers_as_documented(target: Target) -> None:
    operations = _operations(target.schema)
    prefixes = {op.path.split("/")[1] for op in operations}
    assert {"unified", "proxy", "admin", "passthrough", "health"} <= prefixes, prefixes
    failures: list[str] = []
    for operation in operations:
        try:
            _fuzz(target, operation)
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's first failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    total = sum(target.statuses.values())
    print(f"\nschemathesis: {len(operations)} operations, {total} requests, statuses {dict(sorted(target.statuses.items()))}")
    assert not failures, "\n\n".join(failures)
    assert total >= len(operations)
    assert any(200 <= status < 300 for status in target.statuses), "no case reached a success"


def test_empty_proxy_limit_is_refused(target: Target) -> None:
    """Found by the fuzzer: `limit=` on the proxy was read as "no limit" where the unified API refuses it."""
    with asgi.get_client(target.app) as client:
        response = client.get("/proxy/brands", headers={"Authorization": f"Bearer {target.api_key}"},
                              params={"integrated_account_id": target.account_id, "limit": ""})
    assert response.status_code == 400, response.text
    assert response.json()["pointer"] == "/limit"


@pytest.mark.parametrize("path", ["/proxy/me", "/proxy/brands"])
def test_a_negative_proxy_limit_is_refused_even_where_it_does_nothing(target: Target, path: str) -> None:
    """Found by a longer fuzz run: `GET /proxy/me?limit=-35046272` answered 200 (limit was only
    read on list operations), against the documented minimum of 1."""
    with asgi.get_client(target.app) as client:
        response = client.get(path, headers={"Authorization": f"Bearer {target.api_key}"},
                              params={"integrated_account_id": target.account_id, "limit": "-35046272"})
    assert response.status_code == 400, response.text
    assert response.json()["pointer"] == "/limit"


@pytest.mark.parametrize("query", [
    {"priority": ""}, {"priority": "x"}, {"priority[gte]": "9"},  # were 500s: $number('') in the tickets mapping
    {"ignore_remote_data": ""}, {"ignore_remote_data": "j"},  # were silently taken as false
])
def test_found_defects_stay_fixed(target: Target, query: dict[str, str]) -> None:
    """Inputs the fuzzer found mishandled, replayed: each is now a 400 that names the parameter."""
    with asgi.get_client(target.app) as client:
        response = client.get("/unified/ticketing/tickets", headers={"Authorization": f"Bearer {target.api_key}"},
                              params={"integrated_account_id": target.account_id, **query})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["pointer"] == "/" + next(iter(query)).split("[")[0]
