"""Dotted paths (``errors.0.detail``, ``links.next``) into parsed JSON, as catalogues write them."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def get_path(data: Any, path: str, default: Any = None) -> Any:
    current = data
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part, _MISSING)
        elif isinstance(current, list) and part.isdigit():
            index = int(part)
            current = current[index] if index < len(current) else _MISSING
        else:
            return default
        if current is _MISSING:
            return default
    return current
