"""Which operations an MCP server exposes: its ``methods`` filter AND its ``tags`` filter.

``methods`` entries are ``read`` (every operation that changes nothing: gets, lists,
lookups, searches), ``write`` (every operation that does), ``custom`` (methods beyond
list/get/create/update/delete), or an exact method name (``list``, ``using_email``...) or
tool name. An operation passes if any entry matches. ``tags`` pass an operation carrying
any of them (domain, resource and method tags, plus its access ``read``/``write``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from unified.catalogue.loader import Catalogue, CatalogueOperation

ACCESS_ENTRIES = ("read", "write")
CUSTOM_ENTRY = "custom"


@dataclass(frozen=True)
class Scope:
    methods: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None

    def allows(self, op: CatalogueOperation) -> bool:
        if self.methods is not None and not any(_method_matches(entry, op) for entry in self.methods):
            return False
        return self.tags is None or any(tag in op.tags for tag in self.tags)

    def operations(self, catalogue: Catalogue) -> list[CatalogueOperation]:
        return [op for op in catalogue.operations.values() if self.allows(op)]


def _method_matches(entry: str, op: CatalogueOperation) -> bool:
    if entry in ACCESS_ENTRIES:
        return op.access == entry
    if entry == CUSTOM_ENTRY:
        return op.is_custom
    return entry in (op.method, op.tool_name)


def problems(catalogue: Catalogue, methods: Sequence[str] | None, tags: Sequence[str] | None) -> list[str]:
    """What is wrong with a filter: entries that match nothing (typos), or no tool at all."""
    out: list[str] = []
    ops = list(catalogue.operations.values())
    for entry in methods or ():
        if entry not in ACCESS_ENTRIES and entry != CUSTOM_ENTRY and not any(_method_matches(entry, op) for op in ops):
            out.append(f"methods: {entry!r} is not read, write, custom, a method name or a tool name")
    known_tags = {tag for op in ops for tag in op.tags}
    for tag in tags or ():
        if tag not in known_tags:
            out.append(f"tags: no {catalogue.provider.display_name} tool has the tag {tag!r}")
    if not out and not Scope(_tuple(methods), _tuple(tags)).operations(catalogue):
        out.append("methods and tags together match no tool; a server needs at least one")
    return out


def _tuple(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)
