"""`unified schemas`: the JSON Schemas editors use to validate and complete our YAML files.

They are generated from the msgspec Structs the loader validates with, so the published
schema and the loader can never disagree; a test fails when the committed copies are stale."""

from __future__ import annotations

import argparse
import json
import sys

from unified.catalogue.loader import PROJECT_ROOT
from unified.catalogue.model import Provider, ResourceFile, json_schema
from unified.mapping.model import MappingFile

SCHEMA_DIR = PROJECT_ROOT / "schemas"
FILES = {
    "provider.schema.json": (Provider, "Provider file (providers/<vendor>/provider.yaml)"),
    "resources.schema.json": (ResourceFile, "Catalogue file (providers/<vendor>/resources/<domain>.yaml)"),
    "mapping.schema.json": (MappingFile, "Mapping file (mappings/<vendor>/<api>/<resource>.yaml)"),
}


def render_schemas() -> dict[str, str]:
    out = {}
    for name, (kind, title) in FILES.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **json_schema(kind)}
        out[name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def _handle(args: argparse.Namespace) -> int:
    rendered = render_schemas()
    if args.write:
        SCHEMA_DIR.mkdir(exist_ok=True)
        for name, text in rendered.items():
            (SCHEMA_DIR / name).write_text(text)
            print(f"wrote {SCHEMA_DIR / name}", file=sys.stderr)
        return 0
    stale = [n for n, t in rendered.items() if not (SCHEMA_DIR / n).exists() or (SCHEMA_DIR / n).read_text() != t]
    for name in stale:
        print(f"{SCHEMA_DIR / name}: stale; run `unified schemas --write`")
    return 1 if stale else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("schemas", help="check (or --write) the JSON Schemas of the YAML files")
    p.add_argument("--write", action="store_true")
    p.set_defaults(handler=_handle)
