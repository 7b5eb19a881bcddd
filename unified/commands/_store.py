"""Shared plumbing of the store commands (``unified tenants|keys|accounts``).

Each command is a coroutine ``action(store) -> Output``; ``run`` opens the store, awaits it,
closes the store and prints the result: one JSON object with ``--json``, short lines
without. Failures become one line on stderr and an exit code, never a traceback:

* 2 - bad input: malformed arguments, unknown provider, bad database URL or keys;
* 1 - not found, conflicts, an unreachable database, anything else.

Messages never carry a credential value or an API key: the store's own errors name
fields, not values, and database errors are reduced to their first line with any
password in the URL masked.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the store pulls in SQLAlchemy; import it only when a command runs
    from unified.store import Store, StoreConfig, Tenant

EXIT_OK = 0
EXIT_FAILURE = 1  # not found, conflict, database unreachable
EXIT_BAD_INPUT = 2  # same code argparse uses for usage errors

DEFAULT_TENANT = "default"
_TENANT_ID = re.compile(r"ten_[0-9a-z]{26}")


class CliError(Exception):
    """A failure with a message fit for users (already free of secrets) and an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def bad_input(message: str) -> CliError:
    return CliError(message, EXIT_BAD_INPUT)


def not_found(message: str) -> CliError:
    return CliError(message, EXIT_FAILURE)


@dataclass
class Output:
    """What a command prints: ``data`` as JSON with ``--json``, else ``lines``.

    ``notes`` always go to stderr (they are for people, and must not break ``--json``).
    """

    data: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Action = Callable[["Store"], Awaitable[Output]]


# --------------------------------------------------------------------------- arguments


def common_options() -> argparse.ArgumentParser:
    """``--database-url`` and ``--json``, for every store command (use as ``parents=[...]``)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--database-url",
        metavar="URL",
        help="sqlite:///ABSOLUTE/PATH or postgresql://... (default: $UNIFIED_DATABASE_URL, "
        "else sqlite under the project's var/)",
    )
    parent.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    return parent


def tenant_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--tenant", metavar="ID_OR_NAME", help=help_text)


def parse_pairs(values: Sequence[str] | None, option: str, *, secret: bool = False) -> dict[str, str]:
    """``["k=v", ...]`` as a dict. Errors never echo a value (it may be a secret typed without ``k=``)."""
    result: dict[str, str] = {}
    for raw in values or ():
        name, sep, value = raw.partition("=")
        name = name.strip()
        if not sep or not name:
            raise bad_input(f"{option} must be NAME=VALUE" + (" (the value is not shown)" if secret else ""))
        if name in result:
            raise bad_input(f"{option} {name} given more than once")
        result[name] = value
    return result


# --------------------------------------------------------------------------- running


def store_config(args: argparse.Namespace) -> StoreConfig:
    """The environment's configuration, with ``--database-url`` taking precedence."""
    from unified.store import ConfigurationError, StoreConfig
    from unified.store.config import DATABASE_URL_ENV

    environ = dict(os.environ)
    if args.database_url:
        environ[DATABASE_URL_ENV] = args.database_url
    try:
        return StoreConfig.from_env(environ)
    except ConfigurationError as exc:
        message = str(exc)
        if args.database_url:
            message = message.replace(DATABASE_URL_ENV, "--database-url")
        raise bad_input(message) from None


def run(args: argparse.Namespace, action: Action) -> int:
    """Open the store, run ``action``, print its output; returns the exit code."""
    try:
        config = store_config(args)
        output = asyncio.run(_run(config, action))
    except CliError as exc:
        return fail(exc.message, exc.code)
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except Exception as exc:  # noqa: BLE001 - the promise is: one line, never a traceback
        return fail(*describe(exc, args))
    emit(args, output)
    return EXIT_OK


async def _run(config: StoreConfig, action: Action) -> Output:
    from unified.store import Store

    store = await Store.open(config)
    try:
        return await action(store)
    finally:
        await store.close()


def emit(args: argparse.Namespace, output: Output) -> None:
    for note in output.notes:
        print(f"unified: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(output.data, ensure_ascii=False))
    else:
        for line in output.lines:
            print(line)
    sys.stdout.flush()


def fail(message: str, code: int) -> int:
    print(f"unified: error: {message}", file=sys.stderr)
    return code


def describe(exc: Exception, args: argparse.Namespace) -> tuple[str, int]:
    """A one-line, secret-free message and exit code for an exception from the store or the database."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from unified.store import ConfigurationError, Conflict, InvalidInput, NotFound, StoreError

    if isinstance(exc, (InvalidInput, ConfigurationError)):
        return str(exc), EXIT_BAD_INPUT
    if isinstance(exc, (NotFound, Conflict, StoreError)):
        return str(exc), EXIT_FAILURE
    if isinstance(exc, (SQLAlchemyError, OSError)):
        where = _safe_url(args)
        detail = type(exc).__name__
        if isinstance(exc, DBAPIError) and exc.orig is not None:
            first = str(exc.orig).strip().splitlines()
            detail = f"{type(exc.orig).__name__}: {first[0]}" if first else type(exc.orig).__name__
        elif isinstance(exc, OSError) and exc.strerror:
            detail = f"{type(exc).__name__}: {exc.strerror}"
        return f"database error at {where}: {_scrub(detail, args)}", EXIT_FAILURE
    return f"unexpected {type(exc).__name__}; nothing printed for safety", EXIT_FAILURE


def _safe_url(args: argparse.Namespace) -> str:
    try:
        return store_config(args).safe_database_url
    except Exception:  # noqa: BLE001
        return "the configured database"


def _scrub(text: str, args: argparse.Namespace) -> str:
    """Remove the database password from a driver message, should the driver have echoed it."""
    try:
        from sqlalchemy.engine import make_url

        password = make_url(store_config(args).database_url).password
    except Exception:  # noqa: BLE001
        return text
    return text.replace(str(password), "***") if password else text


# --------------------------------------------------------------------------- tenants


async def find_tenant(store: Store, ref: str) -> Tenant | None:
    """The tenant with id ``ref``, else the oldest one named ``ref``, else None.

    Names are not unique in the database; taking the oldest makes two processes that
    raced to create the same name agree on one tenant afterwards.
    """
    ref = ref.strip()
    tenants = await store.list_tenants()  # oldest first
    for tenant in tenants:
        if tenant.id == ref:
            return tenant
    for tenant in tenants:
        if tenant.name == ref:
            return tenant
    return None


async def require_tenant(store: Store, ref: str) -> Tenant:
    tenant = await find_tenant(store, ref)
    if tenant is None:
        raise not_found(f"tenant {ref!r} not found")
    return tenant


async def tenant_for_write(store: Store, ref: str | None, output_notes: list[str]) -> Tenant:
    """The tenant ``ref`` names (default ``"default"``), created when no tenant has that name.

    A ``ten_...`` id that matches nothing is an error, not a new tenant named like an id.
    """
    ref = DEFAULT_TENANT if ref is None else ref
    tenant = await find_tenant(store, ref)
    if tenant is not None:
        return tenant
    if _TENANT_ID.fullmatch(ref.strip()):
        raise not_found(f"tenant {ref!r} not found")
    created = await store.create_tenant(ref)  # validates the name
    tenant = await find_tenant(store, created.name) or created  # the oldest, should another process race us
    if tenant.id == created.id:
        output_notes.append(f"created tenant {tenant.name!r} ({tenant.id})")
    return tenant


async def tenant_for_read(store: Store, ref: str | None) -> Tenant | None:
    """The tenant to list: ``ref``'s (which must exist), or ``"default"``'s, None if not yet created."""
    if ref is None:
        return await find_tenant(store, DEFAULT_TENANT)
    return await require_tenant(store, ref)


async def scope(store: Store, ref: str | None) -> list[Tenant]:
    """Where to look up a record by id: the named tenant, or every tenant when none is named."""
    if ref is None:
        return await store.list_tenants()
    return [await require_tenant(store, ref)]


# --------------------------------------------------------------------------- output helpers


def to_json(record: Any) -> dict[str, Any]:
    """A store record (msgspec Struct) as JSON-ready builtins; datetimes become RFC 3339 strings."""
    import msgspec

    data: dict[str, Any] = msgspec.to_builtins(record)
    return data


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Left-aligned columns separated by two spaces; ``-`` for empty cells."""
    cells = [[cell(value) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return lines


def fields(pairs: Mapping[str, Any]) -> list[str]:
    """``name  value`` lines for one record."""
    width = max(len(k) for k in pairs)
    return [f"{k.ljust(width)}  {cell(v)}" for k, v in pairs.items()]


def cell(value: Any) -> str:
    if value is None or value == "" or value == () or value == []:
        return "-"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items()) or "-"
    if hasattr(value, "isoformat"):
        return str(value.isoformat(timespec="seconds"))
    return str(value)
