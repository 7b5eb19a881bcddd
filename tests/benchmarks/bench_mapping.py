"""Mapping speed per unified list resource: engine vs jsonata-python vs hand-written Python vs JavaScript.

    .venv/bin/python tests/benchmarks/bench_mapping.py [--seconds 0.5] [--min-runs 10] [--no-node]
        [--only tickets,comments] [--node-iterations 30] [--stat median|min]

Prints figures; asserts nothing about time. Starts a sandbox, fills it up to 100 records per list
through the sandbox API where the seed has fewer (users, teams, tags, companies, messages of one
conversation, custom attributes of conversations), fetches one real 100-record vendor page per
unified list resource with the engine's own vendor client, paging and lookups, and then times
mapping that page, one column per way of mapping it (ms per page; medians unless --stat min;
columns are sampled in interleaved rounds so that noise falls on all of them alike):

  engine     ``map_record`` for every record, as a list request does: the mapping's response
             expression through the engine (whatever ``Expr`` evaluates with), ``remote_data``,
             and the msgspec check and conversion to the unified schema
  expr       the engine's response expression alone (``Expr.__call__``), no schema step
  interp     jsonata-python directly: ``jsonata.Jsonata(source).evaluate(record, bindings)``
             with the same source text, inside ``map_record`` in place of the engine's
             expression (so with the same remote_data and schema steps as engine)
  python     the hand-written function of tests/benchmarks/handwritten.py (same output as the
             mapping, checked; no schema step: it builds the final dicts itself)
  py+schema  the hand-written function inside ``map_record`` in place of the expression (python
             plus the engine's remote_data and schema steps)
  js         the reference JavaScript ``jsonata`` package on Node.js: the response expression
             only (``await expr.evaluate(record, bindings)`` per record), when ``node`` and
             ``npm`` are present (installed with ``npm install --prefix var/bench-node``)

Ratios: engine/python (goal: at most 5 for tickets), js/engine (goal: at least 4 for tickets),
interp/engine. The records expression of a route (fields) runs once at set-up, not per column.
Roles (20) and attachments (50 in the seed, a few per ticket) cannot be created through the
sandbox API: the attachments page gathers the pages of every ticket that has any, and both pages
repeat the real records with suffixed ids up to 100 (marked "tiled"). ticket_status and
ticket_priorities are static lists (3 and 5 records, no expression): only engine, python and
py+schema apply.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import importlib.metadata
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import handwritten  # noqa: E402

from unified.catalogue.loader import PROJECT_ROOT  # noqa: E402

PAGE = 100
NODE_DIR = PROJECT_ROOT / "var" / "bench-node"

# (api, resource, unified filters of the list request) for every unified list resource;
# the filters pick the route a plain list call takes (comments and attachments need a ticket,
# fields an entity type).
RESOURCES: list[tuple[str, str, dict[str, Any]]] = [
    ("ticketing", "tickets", {}),
    ("ticketing", "comments", {"ticket_id": {"eq": "<ticket>"}}),
    ("ticketing", "contacts", {}),
    ("ticketing", "accounts", {}),
    ("ticketing", "users", {}),
    ("ticketing", "teams", {}),
    ("ticketing", "tags", {}),
    ("ticketing", "attachments", {"ticket_id": {"eq": "<attachments>"}}),
    ("ticketing", "fields", {"entity_type": {"eq": "ticket"}}),
    ("ticketing", "ticket_status", {}),
    ("ticketing", "ticket_priorities", {}),
    ("user-directory", "users", {}),
    ("user-directory", "roles", {}),
]


@dataclass
class Case:
    api: str
    resource: str
    mapping: Any
    method: Any
    route: Any = None
    records: list[Any] = field(default_factory=list)
    bindings: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    static: bool = False
    account: Any = None
    query: Any = None

    @property
    def name(self) -> str:
        return self.resource if self.api == "ticketing" else f"{self.api}/{self.resource}"

    @property
    def expr(self) -> Any:
        return (self.route.response if self.route and self.route.response else None) or self.method.response


# --------------------------------------------------------------------------- sandbox data


def _list(client: Any, path: str, **params: Any) -> list[Any]:
    response = client.get(path, params={"pageSize": PAGE, **params})
    response.raise_for_status()
    return response.json()["data"]


def _create(client: Any, method: str, path: str, body: Any) -> dict[str, Any]:
    response = client.request(method, path, json=body)
    if response.status_code >= 400:
        raise RuntimeError(f"sandbox {method} {path} answered {response.status_code}: {response.text[:300]}")
    return response.json() if response.content else {}


def populate(client: Any) -> dict[str, str]:
    """Top the seeded org up to a page of 100 for every list the API can add to.

    Returns the ids the list requests need: a ticket with 100 comments and the ticket with
    the most attachments."""
    users = _list(client, "/v1/users")
    for i in range(len(users), PAGE):
        _create(client, "POST", "/v1/users", {"name": f"Bench User {i}", "email": f"bench.user.{i}@example.test",
                                             "displayName": f"Bench {i}"})
    user_ids = [u["id"] for u in _list(client, "/v1/users")]
    teams = _list(client, "/v1/teams")
    for i in range(len(teams), PAGE):
        members = [user_ids[(i * 7 + k * 13) % len(user_ids)] for k in range(i % 5 + 1)]
        _create(client, "POST", "/v1/teams", {"name": f"Bench team {i}", "members": sorted(set(members))})
    conversations = _list(client, "/v1/conversations")
    spare = conversations[-1]["id"]  # tagging it creates the tags; untagging leaves them
    missing_tags = [f"bench-tag-{i}" for i in range(len(_list(client, "/v1/tags")), PAGE)]
    for start in range(0, len(missing_tags), 20):  # at most 20 names a call
        batch = missing_tags[start:start + 20]
        _create(client, "POST", f"/v1/conversations/{spare}/tags", batch)
        _create(client, "DELETE", f"/v1/conversations/{spare}/tags", batch)
    companies = _list(client, "/v1/companies")
    for i in range(len(companies), PAGE):
        _create(client, "POST", "/v1/companies", {"name": f"Bench Company {i}",
                                                  "domains": [{"domain": f"bench-{i}.example.test"}]})
    ticket = conversations[0]["id"]
    messages = _list(client, f"/v1/conversations/{ticket}/messages")
    for i in range(len(messages), PAGE):
        _create(client, "POST", f"/v1/conversations/{ticket}/messages", {
            "channel": "email", "app": "bench", "direction": "out" if i % 3 == 0 else "in",
            "preview": f"Benchmark message {i} about the order and its delivery", "subject": "Bench"})
    metadata = client.get("/v1/metadata/conversation").json()["data"]["attributes"]["properties"]
    suffixes = ["Str", "Num", "At", "Bool", "Url", "Txt"]
    new = {}
    for i in range(len(metadata), PAGE):
        suffix = suffixes[i % len(suffixes)]
        spec: dict[str, Any] = {"displayName": f"Bench field {i}"}
        if suffix == "Str" and i % 4 == 0:
            spec["enumeration"] = ["small", "medium", "large", "x-large"]
        new[f"bench{i}{suffix}"] = spec
    if new:
        _create(client, "PUT", "/v1/metadata/conversation", {"properties": new})
    # attachments cannot be created on a conversation through the API: take the richest one
    with_attachments: dict[str, int] = {}
    page = 1
    while True:
        batch = client.get("/v1/messages", params={"pageSize": PAGE, "page": page}).json()
        for m in batch["data"]:
            if m["attributes"].get("attachments"):
                conv = m["relationships"]["conversation"]["data"]["id"]
                with_attachments[conv] = with_attachments.get(conv, 0) + len(m["attributes"]["attachments"])
        if not batch.get("links", {}).get("next"):
            break
        page += 1
    richest = sorted(with_attachments, key=lambda c: -with_attachments[c]) or [ticket]
    return {"<ticket>": ticket, "<attachments>": richest[0], "<attachments>*": richest}


def tile(records: list[Any], size: int) -> list[Any]:
    """Repeat real records up to ``size``, with distinct ids."""
    out = list(records)
    k = 1
    while records and len(out) < size:
        for r in records:
            if len(out) >= size:
                break
            out.append({**r, "id": f"{r['id']}~{k}"})
        k += 1
    return out


# --------------------------------------------------------------------------- set-up through the engine


async def first_page(engine: Any, account: Any, method: Any, query: Any) -> tuple[Any, dict[str, Any], list[Any]]:
    """Route, bindings (lookup tables fetched) and records of a list's first page, by the same
    steps as ``UnifiedEngine.list``."""
    from unified.engine.paging import fetch_page
    from unified.engine.unified_api import _as_list

    inputs = engine._inputs(query, None, None, account)
    route = engine._route(method, inputs)
    bindings = await engine._bindings(method, account, inputs)
    path, vendor_query, body = engine._vendor_args(route, inputs, query, bindings)
    if route.op.pagination is None:
        response = await engine.vendor.call(route.op, account, path, vendor_query, body)
        return route, bindings, _as_list(route.records(response.body))
    page = await fetch_page(engine.vendor, engine.cursors, route.op, account, path_params=path, query=vendor_query,
                            body=body, limit=PAGE, cursor=None)
    records = page.records if route.records is None else _as_list(route.records(page.response.body))
    return route, bindings, records


async def prepare(sandbox: Any, only: set[str] | None) -> list[Case]:
    """Fetch each resource's first list page and lookup tables exactly as a list request would."""
    from unified.catalogue.loader import load_all
    from unified.engine.cursors import CursorCodec
    from unified.engine.unified_api import UnifiedEngine, UnifiedQuery
    from unified.mapping.loader import load_mappings
    from unified.vendor.client import Account, VendorClient

    catalogues = load_all()
    mappings = load_mappings(catalogues)
    with sandbox.client() as client:
        ids = populate(client)
    vendor = VendorClient(catalogues, timeout=30)
    codec = CursorCodec(b"bench-mapping-cursor-secret-0123456789")
    engine = UnifiedEngine(vendor, codec)
    account = Account("acc_bench", "kustomer", {"base_url": sandbox.base_url}, {"api_key": sandbox.api_key})
    cases = []
    try:
        for api, resource, filters in RESOURCES:
            name = resource if api == "ticketing" else f"{api}/{resource}"
            if only and resource not in only and name not in only:
                continue
            mapping = mappings[("kustomer", api, resource)]
            method = mapping.methods["list"]
            filters = {k: {op: ids.get(v, v) for op, v in ops.items()} for k, ops in filters.items()}
            query = UnifiedQuery(filters=filters, limit=PAGE)
            case = Case(api, resource, mapping, method, account=account, query=query)
            if method.static is not None:
                case.static = True
                case.records = list(method.static)
                case.note = f"static list of {len(method.static)}"
                cases.append(case)
                continue
            route, bindings, records = await first_page(engine, account, method, query)
            case.route, case.bindings = route, bindings
            if resource == "attachments":  # one ticket has a few: gather the pages of every ticket that has any
                for ticket in ids["<attachments>*"][1:]:
                    if len(records) >= PAGE:
                        break
                    more = UnifiedQuery(filters={"ticket_id": {"eq": ticket}}, limit=PAGE)
                    records += (await first_page(engine, account, method, more))[2]
                case.note = f"attachments of {len(ids['<attachments>*'])} tickets"
            if len(records) < PAGE:
                case.note = f"{case.note}; tiled from {len(records)}".lstrip("; ")
                records = tile(records, PAGE)
            case.records = records
            cases.append(case)
    finally:
        await vendor.aclose()
    return cases


# --------------------------------------------------------------------------- the columns


def timed(cols: dict[str, Callable[[], Any]], min_runs: int, seconds: float,
          stat: Callable[[list[float]], float] = statistics.median) -> dict[str, float]:
    """Median (or ``stat``) ms per call of each column, sampled in rounds (every column once per round) so that
    noise from other processes falls on all columns alike; at least ``min_runs`` rounds and
    ``seconds`` per column."""
    for fn in cols.values():
        for _ in range(2):
            fn()
    gc.collect()
    samples: dict[str, list[float]] = {name: [] for name in cols}
    started = time.perf_counter()
    budget = seconds * len(cols)
    rounds = 0
    while rounds < min_runs or (time.perf_counter() - started < budget and rounds < 10_000):
        for name, fn in cols.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - t0) * 1000)
        rounds += 1
    return {name: stat(values) for name, values in samples.items()}


class Swapped:
    """Stands in for a mapping's response ``Expr`` inside ``map_record``."""

    def __init__(self, fn: Callable[[Any, Any], Any], where: str) -> None:
        self.fn, self.where = fn, where

    def __call__(self, data: Any, bindings: dict[str, Any] | None = None) -> Any:
        return self.fn(data, bindings)


def columns(case: Case) -> dict[str, Callable[[], Any]]:
    import jsonata

    from unified.engine.unified_api import UnifiedEngine, map_record

    model = case.mapping.model.record
    to_unified = msgspec.to_builtins
    convert = msgspec.convert
    key = (case.api, case.resource)
    if case.static:
        engine = UnifiedEngine(None, None)  # type: ignore[arg-type]  # a static list calls no vendor
        scope = f"{case.api}/{case.resource}"
        static_page = handwritten.STATIC_PAGES[key]

        def engine_static() -> Any:
            return engine._static(case.method, case.mapping, case.account, case.query, scope)["result"]

        def python_schema_static() -> Any:
            return [to_unified(convert(r, model, strict=False)) for r in static_page()]

        return {"engine": engine_static, "python": static_page, "py+schema": python_schema_static}

    mapping, method, route, records, bindings = case.mapping, case.method, case.route, case.records, case.bindings
    expr = case.expr
    interpreter = jsonata.Jsonata(expr.source)
    hand = handwritten.RECORD_MAPPERS[key]
    # The interp and py+schema columns run through map_record too, with the response expression
    # swapped for jsonata-python or the hand-written function: whatever the engine does after the
    # expression (remote_data, the schema check and conversion) is then the same in all three.
    via_interpreter = dataclasses.replace(method, response=Swapped(interpreter.evaluate, expr.where))
    via_hand = dataclasses.replace(method, response=Swapped(hand, expr.where))

    def engine_page() -> Any:  # as UnifiedEngine._envelope maps a page
        return [m for r in records if (m := map_record(mapping, method, route, r, bindings, True)) is not None]

    def expr_page() -> Any:
        return [expr(r, bindings) for r in records]

    def interp_page() -> Any:
        return [m for r in records if (m := map_record(mapping, via_interpreter, None, r, bindings, True)) is not None]

    def python_page() -> Any:
        return [m for r in records if (m := hand(r, bindings)) is not None]

    def python_schema_page() -> Any:
        return [m for r in records if (m := map_record(mapping, via_hand, None, r, bindings, True)) is not None]

    return {"engine": engine_page, "expr": expr_page, "interp": interp_page, "python": python_page,
            "py+schema": python_schema_page}


def first_difference(a: Any, b: Any, where: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}/{k}: only in {'engine' if k in a else 'python'}"
            found = first_difference(a[k], b[k], f"{where}/{k}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items (engine) vs {len(b)} (python)"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{where}/{i}")
            if found:
                return found
        return None
    return None if a == b else f"{where}: engine {a!r} vs python {b!r}"


def check_equal(case: Case, cols: dict[str, Callable[[], Any]], sample: int) -> list[str]:
    """Warnings where the hand-written mapping (or the interpreter) disagrees with the engine."""
    warnings = []
    engine_out = msgspec.to_builtins(cols["engine"]())  # the engine returns Structs; compare as dicts
    python_out = cols["python"]()
    for i, (e, p) in enumerate(zip(engine_out, python_out, strict=False)):
        if i >= sample:
            break
        diff = first_difference(e, p)
        if diff:
            warnings.append(f"WARNING {case.name}: hand-written mapping differs from the engine on record {i}: {diff}")
            break
    if len(engine_out) != len(python_out):
        warnings.append(f"WARNING {case.name}: engine kept {len(engine_out)} records, python {len(python_out)}")
    if "interp" in cols and msgspec.to_builtins(cols["interp"]()) != engine_out:
        warnings.append(f"WARNING {case.name}: jsonata-python output differs from the engine's")
    return warnings


# --------------------------------------------------------------------------- Node.js reference


def node_setup() -> tuple[bool, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return False, "node or npm not on PATH"
    wanted = json.loads((HERE / "node" / "package.json").read_text())["dependencies"]["jsonata"]
    installed = NODE_DIR / "node_modules" / "jsonata" / "package.json"
    if installed.exists() and json.loads(installed.read_text()).get("version") == wanted:
        return True, f"jsonata {wanted} (already installed in {NODE_DIR.relative_to(PROJECT_ROOT)})"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "node" / "package.json", NODE_DIR / "package.json")
    try:
        done = subprocess.run([npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"npm install failed: {type(exc).__name__}"
    if done.returncode != 0 or not installed.exists():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return False, f"npm install failed ({done.returncode}): {last[:200]}"
    return True, f"jsonata {wanted} (installed in {NODE_DIR.relative_to(PROJECT_ROOT)})"


def node_time(case: Case, iterations: int, stat: str) -> tuple[float | None, str]:
    job = {"expression": case.expr.source, "data": case.records, "bindings": case.bindings,
           "iterations": iterations}
    try:
        done = subprocess.run(["node", str(HERE / "node" / "bench.mjs"), str(NODE_DIR)], input=json.dumps(job),
                              capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, type(exc).__name__
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or ["failed"])[-1][:200]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result[f"{stat}_ms"]), f"jsonata {result['jsonata']} on node {result['node']}"


# --------------------------------------------------------------------------- report


def engine_banner() -> None:
    import jsonata

    import unified.mapping.expr as expr_module

    names = sorted({d.metadata["Name"] for d in importlib.metadata.distributions()
                    if "jsonata" in (d.metadata["Name"] or "").lower()})
    try:
        version = importlib.metadata.version("jsonata-python")
    except importlib.metadata.PackageNotFoundError:
        version = "not installed"
    print(f"jsonata engine module: {jsonata.__file__}")
    print(f"jsonata-python version: {version}; jsonata distributions installed: {', '.join(names) or 'none'}")
    if any(n.lower().replace("_", "-") == "jsonata-rs" for n in names) or not hasattr(jsonata, "Jsonata"):
        print("WARNING: jsonata-rs is installed and shadows jsonata-python under the `jsonata` import name; "
              "the interp column is not jsonata-python")
    print(f"mapping expressions: {expr_module.__file__} ({expr_module.Expr.__module__}.Expr)")


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time budget per column and resource")
    parser.add_argument("--min-runs", type=int, default=10, help="at least this many rounds (pages per column)")
    parser.add_argument("--node-iterations", type=int, default=30)
    parser.add_argument("--no-node", action="store_true", help="skip the JavaScript reference")
    parser.add_argument("--only", help="comma-separated resources, e.g. tickets,comments")
    parser.add_argument("--stat", choices=("median", "min"), default="median",
                        help="statistic per column (min is steadier on a busy machine)")
    parser.add_argument("--check-records", type=int, default=PAGE, help="records compared engine vs python")
    args = parser.parse_args()

    import logging

    logging.disable(logging.INFO)
    from unified.sandbox.process import start_sandbox

    engine_banner()
    node_ok, node_note = (False, "skipped (--no-node)") if args.no_node else node_setup()
    print(f"node reference: {node_note}" if node_ok else f"node reference: unavailable ({node_note})")
    only = set(args.only.split(",")) if args.only else None
    started = time.perf_counter()
    with start_sandbox("--rate-limit", "10000000", "--search-rate-limit", "10000000",
                       "--customer-create-limit", "10000000") as sandbox:
        cases = asyncio.run(prepare(sandbox, only))
    print(f"set-up (sandbox, data, pages, lookups): {time.perf_counter() - started:.1f} s; "
          f"times are {args.stat}s in ms per page; python {sys.version.split()[0]}")

    print("columns: engine = map_record (expression + remote_data + schema check); expr = the engine's "
          "expression only;\n  interp = jsonata-python evaluate in map_record; python = hand-written (final "
          "dicts, no schema step);\n  py+schema = hand-written in map_record; js = npm jsonata on Node.js, "
          "expression only")
    header = (f"{'resource':<22}{'n':>4} {'engine':>8}{'expr':>8}{'interp':>8}{'python':>8}{'py+schema':>10}"
              f"{'js':>8}  {'engine/python':>13}{'js/engine':>10}{'interp/engine':>14}  note")
    print(header)
    print("-" * len(header))
    warnings: list[str] = []
    results = {}
    for case in cases:
        cols = columns(case)
        warnings += check_equal(case, cols, args.check_records)
        times: dict[str, float | None] = dict(timed(cols, args.min_runs, args.seconds, statistics.median if args.stat == 'median' else min))
        times["js"] = None
        note = case.note
        flag = None if case.static else getattr(case.expr, "compiled", None)
        if flag is not None:  # the engine says whether it compiled the response expression
            note = f"{'compiled' if flag else 'NOT compiled (jsonata-python)'}; {note}".rstrip("; ")
        if node_ok and not case.static:
            times["js"], detail = node_time(case, args.node_iterations, args.stat)
            if times["js"] is None:
                note = f"{note}; js failed: {detail}".lstrip("; ")
        results[case.name] = times
        n = len(cols["engine"]())
        print(f"{case.name:<22}{n:>4} {fmt(times['engine']):>8}{fmt(times.get('expr')):>8}"
              f"{fmt(times.get('interp')):>8}{fmt(times['python'], 3):>8}{fmt(times['py+schema'], 3):>10}"
              f"{fmt(times['js']):>8}  {ratio(times['engine'], times['python']):>13}"
              f"{ratio(times['js'], times['engine']):>10}{ratio(times.get('interp'), times['engine']):>14}  {note}",
              flush=True)
    for line in warnings:
        print(line)
    tickets = results.get("tickets")
    if tickets:
        print()
        print("goals (tickets, 100 conversations):")
        js = tickets["js"]
        print(f"  js/engine      = {ratio(js, tickets['engine'])} (goal >= 4; "
              f"expression only: js/expr = {ratio(js, tickets.get('expr'))})")
        print(f"  engine/python  = {ratio(tickets['engine'], tickets['python'])} (goal <= 5; "
              f"against python with the schema step: {ratio(tickets['engine'], tickets['py+schema'])})")
        print(f"  interp/engine  = {ratio(tickets.get('interp'), tickets['engine'])} (jsonata-python vs engine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
