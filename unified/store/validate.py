"""Checks on caller input, done before any SQL so a bad call writes nothing.

Messages name the argument, never its value: a value might be a secret pasted into the
wrong field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import InvalidInput

MAX_NAME_LENGTH = 200
MAX_JSON_BYTES = 64 * 1024
MAX_PAGE_SIZE = 500
_PROVIDER = re.compile(r"[a-z][a-z0-9_-]{0,63}")


def name(value: object, what: str = "name") -> str:
    """A display name: text, trimmed, 1 to 200 characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string")
    value = value.strip()
    if not value:
        raise InvalidInput(f"{what} must not be empty")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput(f"{what} must be at most {MAX_NAME_LENGTH} characters")
    if any(ord(ch) < 32 for ch in value):
        raise InvalidInput(f"{what} must not contain control characters")
    return value


def provider(value: object) -> str:
    """A provider name as used for ``providers/<name>/``: lower-case slug."""
    if not isinstance(value, str) or not _PROVIDER.fullmatch(value):
        raise InvalidInput("provider must be a lower-case name such as 'kustomer' (a-z, 0-9, '_', '-')")
    return value


def json_object(value: object, what: str) -> dict[str, Any]:
    """A JSON object with string keys, of bounded size; returned as a fresh plain dict."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{what} must be a JSON object")
    if not all(isinstance(key, str) and key for key in value):
        raise InvalidInput(f"{what} keys must be non-empty strings")
    try:
        encoded = json.dumps(dict(value), allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{what} must contain only JSON values (strings, numbers, booleans, null, lists, objects)"
        ) from None
    if len(encoded.encode("utf-8")) > MAX_JSON_BYTES:
        raise InvalidInput(f"{what} must be at most {MAX_JSON_BYTES} bytes as JSON")
    result: dict[str, Any] = json.loads(encoded)
    return result


def page_size(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}")
    return value


def record_id(value: object, what: str) -> str:
    """Ids are opaque strings; anything else is a programming error, not a miss."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be a string")
    return value
