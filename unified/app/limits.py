"""How deep a JSON request body may nest, checked on the raw bytes before decoding.

msgspec decodes deep nesting until Python's recursion limit (then it raises RecursionError,
a 500), and everything after it (mappings, JSONata, schema checks) recurses too. No real
request nests more than a few levels, so anything deeper than ``MAX_JSON_DEPTH`` is refused
up front with a clear message. The scan costs almost nothing for ordinary bodies: it only
walks the brackets when there are more of them than the limit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate

MAX_JSON_DEPTH = 64

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # brackets inside strings do not nest
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = tuple(1 if b in b"[{" else -1 if b in b"]}" else 0 for b in range(256))


class NestingTooDeep(ValueError):
    """The body nests arrays and objects deeper than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the JSON body nests arrays and objects more than {limit} levels deep")
        self.limit = limit


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in ``raw`` (0 for a scalar).

    Works on invalid JSON too (the decoder reports that afterwards)."""
    return max(0, max(_running_depth(raw), default=0))


def _running_depth(raw: bytes) -> Iterator[int]:
    """The nesting depth after each bracket outside strings."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    return accumulate(map(_STEP.__getitem__, brackets))


def check_json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ``NestingTooDeep`` when ``raw`` nests deeper than ``limit``."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return  # cannot be deeper than the number of openings
    if any(depth > limit for depth in _running_depth(raw)):  # stops at the first level too deep
        raise NestingTooDeep(limit)
