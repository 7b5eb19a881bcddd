"""YAML loading that remembers where every value came from.

Authors edit providers and mappings by hand, so an error must point at a line, not at a
Python traceback. We compose the YAML node tree once, build plain Python values from it
and keep a map from each value's path (``("conversations", "methods", "list")``) to its
1-based line. Validation errors from msgspec (``$.a.b[0]``) are translated back through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is several times faster when libyaml is present
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

PathKey = tuple[str | int, ...]


class YamlError(Exception):
    """A problem in a YAML file, located by file and line."""

    def __init__(self, file: str | Path, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = str(file)
        self.line = line
        self.message = message


@dataclass
class YamlDocument:
    """Plain data from one YAML file plus the line of every value in it."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int:
        """Line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, path: PathKey, message: str) -> YamlError:
        return YamlError(self.file, self.line_of(path), message)

    def sub(self, prefix: PathKey) -> YamlDocument:
        """A view whose paths are relative to ``prefix`` (for validating one entry)."""
        n = len(prefix)
        lines = {k[n:]: v for k, v in self.lines.items() if k[:n] == prefix}
        data = self.data
        for part in prefix:
            data = data[part]
        return YamlDocument(self.file, data, lines)


_SCALAR_TAGS = "tag:yaml.org,2002:"


def _construct(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(file, key_node.start_mark.line + 1, "merge keys (<<) are not supported")
            key = _scalar(key_node)
            if not isinstance(key, (str, int)):
                raise YamlError(file, key_node.start_mark.line + 1, "mapping keys must be strings")
            key = str(key)
            if key in out:
                raise YamlError(file, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _construct(value_node, path + (key,), lines, file)
            # a key's own line is more useful than the line its value starts on
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, path + (i,), lines, file) for i, item in enumerate(node.value)]
    return _scalar(node)


_constructor = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.Node) -> Any:
    # Reuse PyYAML's constructor for scalars so ints, bools, floats and nulls behave as usual;
    # composing already resolved each node's tag.
    try:
        return _constructor.construct_object(node, deep=True)
    finally:
        _constructor.constructed_objects.clear()


def parse_yaml(text: str, file: str | Path = "<string>") -> YamlDocument:
    """Parse one YAML document, raising :class:`YamlError` with a line on syntax errors."""
    file = str(file)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(file, line, f"invalid YAML: {exc.problem or exc.context}") from None
    lines: dict[PathKey, int] = {}
    if node is None:
        return YamlDocument(file, None, {(): 1})
    data = _construct(node, (), lines, file)
    return YamlDocument(file, data, lines)


def display_path(path: str | Path) -> str:
    """Path relative to the working directory when it is inside it, for short messages."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_yaml(path: str | Path) -> YamlDocument:
    path = Path(display_path(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(path, 1, f"cannot read file: {exc}") from None
    return parse_yaml(text, path)



def parse_msgspec_path(message: str) -> tuple[str, PathKey]:
    """Split a msgspec ValidationError message into (text, path).

    msgspec writes ``"Expected `str`, got `int` - at `$.a.b[0]`"``; keys containing dots
    are ambiguous in that notation, so callers should treat the path as best effort.
    """
    text, sep, where = message.rpartition(" - at `")
    if not sep:
        text, where = message, "$"
    where = where.rstrip("`")
    if where.startswith("$"):
        where = where[1:]
    path: list[str | int] = []
    # `[...]` is msgspec's "some dict key": it ends what we can locate
    where = where.split("[...]", 1)[0]
    for match in re.finditer(r"\.([^.\[]+)|\[(\d+)\]", where):
        if match.group(1) is not None:
            path.append(match.group(1))
        else:
            path.append(int(match.group(2)))
    unknown = re.match(r"Object contains unknown field `(.+)`$", text)
    if unknown:  # point at the offending key itself, not at the object holding it
        path.append(unknown.group(1))
    return text, tuple(path)
