"""`unified check`: validate every YAML file the engine loads, without starting anything.

`--sample FILE --mapping VENDOR/API/RESOURCE [--method list]` also runs a mapping's response
expression over a sample vendor record so authors see the unified output at once."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from unified.catalogue.loader import Catalogue, CatalogueError, load_all, providers_dir
from unified.mapping.loader import MappingLoadError, ResourceMapping, expressions, load_mappings, mappings_dir


def run_check(providers: Path | None = None, mappings: Path | None = None
              ) -> tuple[list[str], dict[str, Catalogue], dict[tuple[str, str, str], ResourceMapping]]:
    """Problems found, formatted ``file:line: message`` (empty when all is well), and what loaded."""
    problems: list[str] = []
    try:
        catalogues = load_all(providers)
    except CatalogueError as exc:
        return [str(p) for p in exc.problems], {}, {}
    for catalogue in catalogues.values():
        print(f"ok: provider {catalogue.name}: {len(catalogue.operations)} operations "
              f"in {len(catalogue.files)} files", file=sys.stderr)
    loaded: dict[tuple[str, str, str], ResourceMapping] = {}
    try:
        loaded = load_mappings(catalogues, mappings)
    except MappingLoadError as exc:
        problems.extend(str(p) for p in exc.problems)
    if loaded:
        methods = sum(len(m.methods) for m in loaded.values())
        every = expressions(loaded)
        interpreted = [e.where for e in every if not e.compiled]
        print(f"ok: {len(loaded)} mapping files, {methods} methods, {len(every)} expressions "
              f"({len(every) - len(interpreted)} compiled to Python, {len(interpreted)} left to jsonata-python"
              f"{': ' + ', '.join(interpreted) if interpreted else ''})", file=sys.stderr)
    return problems, catalogues, loaded


def run_sample(loaded: dict[tuple[str, str, str], ResourceMapping], target: str, method: str, sample: Path) -> int:
    from unified.engine.unified_api import UnifiedEngine  # noqa: F401  (same mapping code as requests)

    try:
        provider, api, resource = target.split("/")
    except ValueError:
        print("--mapping takes VENDOR/API/RESOURCE, e.g. kustomer/ticketing/tickets", file=sys.stderr)
        return 2
    mapping = loaded.get((provider, api, resource))
    if mapping is None or method not in mapping.methods:
        print(f"no {method} mapping for {target}", file=sys.stderr)
        return 2
    try:
        data = json.loads(sample.read_text())
    except (OSError, ValueError) as exc:
        print(f"{sample}: cannot read JSON: {exc}", file=sys.stderr)
        return 2
    from unified.engine.unified_api import map_sample

    try:
        print(json.dumps(map_sample(mapping, method, data), indent=2, default=str))
    except Exception as exc:  # mapping and schema errors, shown as the author would see them
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _handle(args: argparse.Namespace) -> int:
    problems, _, loaded = run_check(Path(args.providers) if args.providers else None,
                                    Path(args.mappings) if args.mappings else None)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    if args.sample:
        return run_sample(loaded, args.mapping or "", args.method, Path(args.sample))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="validate provider catalogues and mappings")
    parser.add_argument("--providers", help=f"providers folder (default {providers_dir()})")
    parser.add_argument("--mappings", help=f"mappings folder (default {mappings_dir()})")
    parser.add_argument("--sample", help="a JSON file: a vendor record, or a vendor response with the records")
    parser.add_argument("--mapping", help="VENDOR/API/RESOURCE whose mapping --sample runs")
    parser.add_argument("--method", default="get", help="which method's response mapping (default get)")
    parser.set_defaults(handler=_handle)
