"""`unified check`: validate every YAML file the engine loads, without starting anything."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from unified.catalogue.loader import CatalogueError, load_all, providers_dir


def run_check(providers: Path | None = None) -> list[str]:
    """Return the problems found, formatted ``file:line: message``; empty when all is well."""
    problems: list[str] = []
    try:
        catalogues = load_all(providers)
    except CatalogueError as exc:
        problems.extend(str(p) for p in exc.problems)
        catalogues = {}
    for catalogue in catalogues.values():
        print(
            f"ok: provider {catalogue.name}: {len(catalogue.operations)} operations "
            f"in {len(catalogue.files)} files",
            file=sys.stderr,
        )
    return problems


def _handle(args: argparse.Namespace) -> int:
    problems = run_check(Path(args.providers) if args.providers else None)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate provider catalogues and mappings")
    parser.add_argument("--providers", help=f"providers folder (default {providers_dir()})")
    parser.set_defaults(handler=_handle)
