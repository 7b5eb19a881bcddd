"""Helpers for differential tests: documents shaped after an expression, and exact comparison.

Hypothesis draws documents that *reach* the fields an expression reads (the field paths in
its syntax tree, with arrays, nulls, wrong types and absences on the way) and strings that hit
the literals it compares against, so conditions and lookups take every branch."""

from __future__ import annotations

import copy
from typing import Any

import jsonata
from hypothesis import strategies as st

from unified.mapping.expr import Expr, MappingError


def syntax_nodes(ast: Any) -> list[Any]:
    found, stack, seen = [], [ast], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        for value in vars(node).values():
            if hasattr(value, "type") and value is not node:
                stack.append(value)
            elif isinstance(value, list):
                for item in value:
                    if hasattr(item, "type"):
                        stack.append(item)
                    elif isinstance(item, list):
                        stack.extend(x for x in item if hasattr(x, "type"))
    return found


class Shape:
    """What an expression reads: field paths from the context, variable paths, literals."""

    def __init__(self, source: str) -> None:
        nodes = syntax_nodes(jsonata.Jsonata(source).ast)
        self.fields: set[tuple[str, ...]] = set()
        self.variables: set[tuple[str, ...]] = set()
        self.names: set[str] = set()
        self.strings: set[str] = {"", "x"}
        for node in nodes:
            if node.type == "name":
                self.names.add(str(node.value))
            elif node.type == "string":
                self.strings.add(str(node.value))
            elif node.type == "path":
                names = []
                for step in node.steps[1:] if node.steps[0].type == "variable" else node.steps:
                    if step.type != "name":
                        break
                    names.append(str(step.value))
                if node.steps[0].type == "variable":
                    variable = str(node.steps[0].value)
                    if variable not in ("", "$"):
                        self.variables.add((variable, *names))
                elif names:
                    self.fields.add(tuple(names))
            elif node.type == "variable" and node.value not in ("", "$"):
                self.variables.add((str(node.value),))
        self.strings |= self.names

    def scalars(self) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.none(), st.booleans(),
            st.integers(-5, 5), st.integers(-(2**53), 2**53), st.sampled_from([0.5, -2.25, 1e20, 3.0]),
            st.sampled_from(sorted(self.strings)), st.sampled_from(["1", "2", "5", "open", "done", "2024-01-02"]),
        )

    def values(self) -> st.SearchStrategy[Any]:
        keys = st.sampled_from(sorted(self.names | {"k"}))
        return st.recursive(self.scalars(), lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)), max_leaves=6)

    def tree(self, paths: set[tuple[str, ...]]) -> st.SearchStrategy[Any]:
        """A value reaching ``paths``: each level is an object, an array of objects, a scalar,
        null or absent (a missing key), at random."""
        heads: dict[str, set[tuple[str, ...]]] = {}
        for path in paths:
            if path:
                heads.setdefault(path[0], set()).add(path[1:])

        @st.composite
        def build(draw: Any) -> Any:
            doc: dict[str, Any] = draw(st.dictionaries(st.sampled_from(sorted(self.names | {"k"})),
                                                       self.values(), max_size=2))
            for key, rest in sorted(heads.items()):
                choice = draw(st.sampled_from(["object", "object", "object", "array", "value", "null", "absent"]))
                deeper = {r for r in rest if r}
                if choice == "absent":
                    doc.pop(key, None)
                elif choice == "null":
                    doc[key] = None
                elif choice == "value" or not deeper and choice in ("object", "array"):
                    doc[key] = draw(self.values())
                elif choice == "object":
                    doc[key] = draw(self.tree(deeper))
                else:
                    doc[key] = draw(st.lists(self.tree(deeper), max_size=3))
            return doc
        return build()

    def inputs(self) -> st.SearchStrategy[tuple[Any, dict[str, Any]]]:
        data = st.one_of(self.tree(self.fields), self.tree(self.fields), st.lists(self.tree(self.fields), max_size=2),
                         self.values())
        bindings = self.tree(self.variables) if self.variables else st.just({})
        return st.tuples(data, bindings)


def canonical(value: Any) -> Any:
    """A form in which 1, 1.0 and True differ and key order counts, as in the JSON we send."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, dict):
        return ("object", tuple((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("array", tuple(canonical(v) for v in value))
    return ("other", type(value).__name__)


def outcome(run: Any, data: Any, bindings: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return ("value", canonical(run(copy.deepcopy(data), copy.deepcopy(bindings))))
    except MappingError as exc:
        return ("error", str(exc))
    except RecursionError:
        return ("error", "recursion")


def assert_same(expr: Expr, data: Any, bindings: dict[str, Any]) -> None:
    """The engine's evaluation (compiled, falling back when it must) equals jsonata-python's."""
    expected = outcome(expr.interpret, data, bindings)
    actual = outcome(expr, data, bindings)
    assert actual == expected, f"{expr.source!r}\ninput: {data!r}\nbindings: {bindings!r}"
