"""`unified sandbox`: serve the built-in Kustomer simulator."""

from __future__ import annotations

import argparse
import os

from unified.sandbox.faults import FaultConfig
from unified.sandbox.settings import Settings


def _handle(args: argparse.Namespace) -> int:
    from unified.sandbox.server import run

    settings = Settings(org_rate_limit=args.rate_limit, per_customer_create_limit=args.customer_create_limit,
                        search_rate_limit=args.search_rate_limit,
                        unmasking_window_seconds=args.unmasking_window_seconds)
    faults = FaultConfig(latency_ms=args.latency_ms, error_rate=args.error_rate, error_status=args.error_status,
                         timeout_rate=args.timeout_rate, timeout_seconds=args.timeout_seconds,
                         malformed_rate=args.malformed_rate, drop_rate=args.drop_rate, seed=args.seed)
    api_key = args.api_key or os.environ.get("UNIFIED_SANDBOX_API_KEY")
    return run(args.host, args.port, seed_value=args.seed, api_key=api_key, as_json=args.json,
               settings=settings, faults=faults)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sandbox", help="serve the built-in Kustomer sandbox over HTTP")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8799, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=1, help="seed for the deterministic demo data")
    p.add_argument("--api-key", help="bearer key to accept (default: random, printed at start)")
    p.add_argument("--json", action="store_true",
                   help='print one line {"base_url": ..., "api_key": ...} once ready, nothing else')
    g = p.add_argument_group("limits")
    g.add_argument("--rate-limit", type=int, default=1000, help="org requests per minute")
    g.add_argument("--customer-create-limit", type=int, default=120, help="creates per minute per customer")
    g.add_argument("--search-rate-limit", type=int, default=100, help="searches per minute")
    g.add_argument("--unmasking-window-seconds", type=float, default=86400.0)
    f = p.add_argument_group("fault injection")
    f.add_argument("--latency-ms", type=float, default=0.0)
    f.add_argument("--error-rate", type=float, default=0.0)
    f.add_argument("--error-status", type=int, default=500)
    f.add_argument("--timeout-rate", type=float, default=0.0)
    f.add_argument("--timeout-seconds", type=float, default=30.0)
    f.add_argument("--malformed-rate", type=float, default=0.0)
    f.add_argument("--drop-rate", type=float, default=0.0)
    p.set_defaults(handler=_handle)
