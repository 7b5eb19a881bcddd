"""`unified openapi [--write]`: print, check or write the committed OpenAPI document."""

from __future__ import annotations

import argparse
import sys


def document() -> dict:
    from litestar._openapi.plugin import OpenAPIPlugin

    from unified.app.factory import create_app

    return create_app().plugins.get(OpenAPIPlugin).provide_openapi_schema()


def _handle(args: argparse.Namespace) -> int:
    from unified.app.openapi import committed, render

    text = render(document())
    path = committed()
    if args.write:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}", file=sys.stderr)
        return 0
    if args.check:
        if not path.exists() or path.read_text() != text:
            print(f"{path}: stale; run `unified openapi --write`")
            return 1
        return 0
    sys.stdout.write(text)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("openapi", help="print the OpenAPI document (--check / --write the committed copy)")
    p.add_argument("--write", action="store_true")
    p.add_argument("--check", action="store_true")
    p.set_defaults(handler=_handle)
