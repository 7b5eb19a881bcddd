"""`unified` command line. Each sub-command lives in its own module under
``unified/commands`` and registers itself through ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# Module names under unified.commands; each defines register(subparsers).
COMMAND_MODULES = ("check", "sandbox", "schemas", "serve", "tenants", "keys", "accounts", "openapi", "mcp_servers",
                   "encryption")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unified", description="Unified helpdesk API engine")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"unified.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code = args.handler(args)
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
