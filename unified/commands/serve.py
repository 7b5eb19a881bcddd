"""`unified serve`: run the engine; `--sandbox` also starts the Kustomer sandbox and a demo."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

import uvicorn


def _handle(args: argparse.Namespace) -> int:
    from unified.store import StoreConfig

    if args.database_url:
        import os

        os.environ["UNIFIED_DATABASE_URL"] = args.database_url  # workers read the same environment
    config = StoreConfig.from_env()
    from unified.app.observability import configure_json_logging, json_log_config

    configure_json_logging()  # one JSON object per line, with the request id inside requests
    sandbox = None
    # uvicorn re-raises SIGTERM after its graceful shutdown; make that an exception so the
    # `finally` below still stops the sandbox child.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        if args.sandbox:
            from unified.demo import banner, demo_file, ensure_demo, example_email, sandbox_key_for_demo
            from unified.sandbox.process import start_sandbox

            sandbox = start_sandbox(port=args.sandbox_port, api_key=sandbox_key_for_demo(demo_file()))
            demo, created = asyncio.run(ensure_demo(config, sandbox.base_url, sandbox.api_key))
            email = example_email(sandbox.base_url, sandbox.api_key)
            print(banner(demo, created, f"http://{args.host}:{args.port}", sandbox.base_url, email), flush=True)
        uvicorn.run("unified.app.factory:create_served_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="warning", access_log=False, log_config=json_log_config())
    except (OSError, RuntimeError) as exc:
        print(f"unified serve: {exc}", file=sys.stderr)
        return 1
    finally:
        if sandbox is not None:
            sandbox.stop()
    return 0


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="serve the unified API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="worker processes (cursors and the store make this safe)")
    p.add_argument("--database-url", help="overrides UNIFIED_DATABASE_URL")
    p.add_argument("--sandbox", action="store_true",
                   help="also start the Kustomer sandbox and connect a demo tenant, key and account to it")
    p.add_argument("--sandbox-port", type=int, default=8799)
    p.set_defaults(handler=_handle)
