"""Discovery exposure: three meta-tools instead of 168, so the tool list does not flood an
agent's context. ``search_tools`` finds tools by keywords, ``get_tool_schema`` shows how to
call up to five of them, ``call_tool`` calls one. Only tools in the server's scope are found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from typing import Any

from unified.mcp import results
from unified.mcp.arguments import validator
from unified.mcp.tools import Tool

SEARCH_TOOLS = "search_tools"
GET_TOOL_SCHEMA = "get_tool_schema"
CALL_TOOL = "call_tool"
MAX_SCHEMAS = 5
_WORD = re.compile(r"[a-z0-9]+")

Runner = Callable[[Tool, dict[str, Any] | None], Awaitable[dict[str, Any]]]


@cache
def meta_tools(provider: str) -> tuple[Tool, ...]:
    """The three meta-tools (built once per provider: their compiled validators are cached by schema)."""
    read_only = {"readOnlyHint": True, "destructiveHint": False, "idempotentHint": True, "openWorldHint": False}
    return (
        Tool(
            name=SEARCH_TOOLS, title="Search tools",
            description=(f"Find {provider} tools by keywords (e.g. 'conversation tags', 'customer email'). Returns "
                         f"matching tool names with short descriptions; then call {GET_TOOL_SCHEMA} for their "
                         f"arguments and {CALL_TOOL} to run one."),
            input_schema={"type": "object", "properties": {
                "query": {"type": "string", "minLength": 1, "description": "Keywords describing what you need."},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "description": "At most this many (10)."},
            }, "required": ["query"], "additionalProperties": False},
            annotations=read_only),
        Tool(
            name=GET_TOOL_SCHEMA, title="Get tool schemas",
            description=(f"The full definition (description, input schema, hints) of 1 to {MAX_SCHEMAS} tools named "
                         f"by {SEARCH_TOOLS}. Misspelt names get suggestions."),
            input_schema={"type": "object", "properties": {
                "tool_names": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": MAX_SCHEMAS},
            }, "required": ["tool_names"], "additionalProperties": False},
            annotations=read_only),
        Tool(
            name=CALL_TOOL, title="Call a tool",
            description=(f"Run a {provider} tool found with {SEARCH_TOOLS}: pass its name and its arguments, shaped "
                         f"as its {GET_TOOL_SCHEMA} input schema says. Returns what the tool returns."),
            input_schema={"type": "object", "properties": {
                "tool_name": {"type": "string", "minLength": 1},
                "arguments": {"type": "object", "description": "The tool's own arguments."},
            }, "required": ["tool_name"], "additionalProperties": False},
            annotations={"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False,
                         "openWorldHint": True}),
    )


def _words(text: str) -> set[str]:
    words = set(_WORD.findall(text.lower()))
    return words | {w[:-1] for w in words if len(w) > 3 and w.endswith("s")}


def search(tools: Mapping[str, Tool], query: str, limit: int) -> list[dict[str, Any]]:
    """Tools ranked by how many query words they mention, name words weighing most."""
    wanted = _words(query)
    scored = []
    for tool in tools.values():
        name, tags, text = _words(tool.name), _words(" ".join(tool.tags)), _words(tool.description)
        score = sum(3 * (w in name) + 2 * (w in tags) + (w in text) for w in wanted)
        if score:
            scored.append((-score, tool.name, tool))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [{"name": t.name, "title": t.title, "description": _first_sentence(t.description),
             "read_only": t.annotations.get("readOnlyHint", False)} for _, _, t in scored[:limit]]


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


def suggestions(name: str, tools: Mapping[str, Tool]) -> list[str]:
    return difflib.get_close_matches(name, list(tools), n=3, cutoff=0.6)


async def run_meta(name: str, arguments: dict[str, Any] | None, tools: Mapping[str, Tool], version: str,
                   meta: Mapping[str, Tool], run: Runner) -> dict[str, Any]:
    """Answer one meta-tool call over the server's scoped ``tools``."""
    arguments = dict(arguments or {})
    problems = [f"{e.json_path.removeprefix('$.') or 'arguments'}: {e.message}"
                for e in validator(meta[name].input_schema).iter_errors(arguments)]
    if problems:
        return results.argument_failure(problems, version)
    if name == SEARCH_TOOLS:
        found = search(tools, arguments["query"], arguments.get("limit", 10))
        payload: dict[str, Any] = {"tools": found, "result_count": len(found)}
        if not found:
            payload["hint"] = "No tool matched; try fewer or more general words (e.g. a resource name)."
        return results.success(payload, version)
    if name == GET_TOOL_SCHEMA:
        found_tools, missing = [], []
        for wanted in arguments["tool_names"]:
            tool = tools.get(wanted)
            if tool is None:
                missing.append({"name": wanted, "did_you_mean": suggestions(wanted, tools)})
            else:
                found_tools.append(tool.definition(version))
        if not found_tools:
            return results.failure("None of these tools exists in this server's scope; see did_you_mean, or use "
                                   f"{SEARCH_TOOLS}.", {"status": 404, "not_found": missing}, version)
        return results.success({"tools": found_tools, "not_found": missing}, version)
    target = tools.get(arguments["tool_name"])
    if target is None:
        hint = suggestions(arguments["tool_name"], tools)
        return results.failure(f"No tool {arguments['tool_name']!r} in this server's scope"
                               + (f"; did you mean {', '.join(hint)}?" if hint else f"; use {SEARCH_TOOLS}."),
                               {"status": 404, "did_you_mean": hint}, version)
    return await run(target, arguments.get("arguments"))
