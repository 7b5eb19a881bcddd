"""Check a tool call's arguments against the tool's schemas, then split them for the vendor call.

Validation happens before anything is sent, against the catalogue's own schemas (each path
and query parameter, and the body as one document), so ``oneOf`` bodies and root arrays are
checked exactly. Problems come back naming the flat argument, so an agent can fix its call.
Formats (``date-time``...) are left to the vendor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from unified.mcp.tools import PAGING_ARGUMENTS, Tool

MAX_PROBLEMS = 10


class ArgumentError(Exception):
    """The call's arguments do not fit the tool; ``problems`` says how, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class SplitCall:
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    limit: int | None = None
    cursor: str | None = None


_validators: dict[int, tuple[Any, jsonschema.Draft202012Validator]] = {}


def validator(schema: Mapping[str, Any]) -> jsonschema.Draft202012Validator:
    """A compiled validator per schema object (catalogue schemas live as long as the process)."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = _validators[id(schema)] = (schema, jsonschema.Draft202012Validator(schema))
    return cached[1]


def _where(argument: str, path: Any) -> str:
    out = argument
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _check(schema: Mapping[str, Any], value: Any, argument: str, problems: list[str],
           renames: Mapping[str, str] | None = None) -> None:
    for err in sorted(validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path)):
        path = list(err.absolute_path)
        if renames is not None and path:  # a body error: name the flat argument it came from
            first = renames.get(str(path[0]), str(path[0]))
            problems.append(f"{_where(first, path[1:])}: {err.message}")
        elif renames is not None:
            problems.append(f"arguments: {err.message}")
        else:
            problems.append(f"{_where(argument, path)}: {err.message}")


def split(tool: Tool, arguments: Mapping[str, Any] | None) -> SplitCall:
    """Validate ``arguments`` for an operation tool and sort them into path, query and body."""
    op = tool.op
    assert op is not None
    arguments = dict(arguments or {})
    call = SplitCall()
    problems: list[str] = []
    if op.is_list:
        limit = arguments.pop("limit", None)
        cursor = arguments.pop("next_cursor", None)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            problems.append("limit: must be an integer of at least 1")
        if cursor is not None and (not isinstance(cursor, str) or not cursor):
            problems.append("next_cursor: must be the non-empty string from a previous result")
        call.limit, call.cursor = limit, cursor or None
    body_fields: dict[str, Any] = {}
    renames: dict[str, str] = {}
    for name, value in arguments.items():
        target = tool.arguments.get(name)
        if target is None:
            if tool.open_body and name not in PAGING_ARGUMENTS:
                body_fields[name] = value
                continue
            known = ", ".join(sorted(tool.input_schema["properties"])) or "none"
            problems.append(f"{name}: unknown argument (this tool takes: {known})")
        elif target.location == "path":
            call.path[target.name] = value
        elif target.location == "query":
            call.query[target.name] = value
        elif target.location == "body_root":
            call.body = value
        else:
            body_fields[target.name] = value
            renames[target.name] = name
    following = call.cursor is not None  # the cursor carries the first page's arguments
    for name, schema in op.path_params.items():
        if name in call.path:
            _check(schema, call.path[name], name, problems)
            if isinstance(call.path[name], str) and not call.path[name].strip():
                problems.append(f"{name}: must not be empty")
        elif not following:
            problems.append(f"{name}: required")
    for name, value in call.query.items():
        _check(op.query[name], value, name, problems)
    if not following:
        problems += [f"{name}: required" for name in op.query_required if name not in call.query]
    if op.body is not None:
        if body_fields:
            call.body = body_fields
        elif call.body is None and op.body_required and not following and _object_like(tool):
            call.body = {}
        if call.body is not None:
            _check(op.body, call.body, "body", problems, renames if _object_like(tool) else None)
        elif op.body_required and not following:
            problems.append("body: required")
    if problems:
        raise ArgumentError(problems[:MAX_PROBLEMS])
    return call


def _object_like(tool: Tool) -> bool:
    return "body" not in tool.arguments or tool.arguments["body"].location != "body_root"
