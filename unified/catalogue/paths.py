"""Vendor path templates such as ``/v1/customers/email={email}``.

One small class both renders a template (engine side, every value percent-encoded so a
value can never add a path segment) and matches concrete paths (sandbox side).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Characters left readable in a rendered value; "/" is never among them.
_SAFE = "@+,:=!$'()*;~"


class PathTemplate:
    __slots__ = ("template", "params", "_regex", "literal_weight")

    def __init__(self, template: str) -> None:
        self.template = template
        self.params: tuple[str, ...] = tuple(_PLACEHOLDER.findall(template))
        pattern = ""
        pos = 0
        for match in _PLACEHOLDER.finditer(template):
            pattern += re.escape(template[pos : match.start()])
            pattern += f"(?P<{match.group(1)}>[^/]+)"
            pos = match.end()
        pattern += re.escape(template[pos:])
        self._regex = re.compile(pattern + r"/?\Z")
        # More literal text means a more specific route (`/customers/email={email}` beats
        # `/customers/{id}`); routers try specific templates first.
        self.literal_weight = len(_PLACEHOLDER.sub("", template))

    def render(self, values: dict[str, object]) -> str:
        def replace(match: re.Match[str]) -> str:
            value = values[match.group(1)]
            return quote(str(value), safe=_SAFE)

        return _PLACEHOLDER.sub(replace, self.template)

    def match(self, path: str) -> dict[str, str] | None:
        found = self._regex.match(path)
        if found is None:
            return None
        return {k: unquote(v) for k, v in found.groupdict().items()}

    def __repr__(self) -> str:
        return f"PathTemplate({self.template!r})"
