"""Record identifiers: ``<prefix>_<26 lowercase Crockford base32 characters>``.

The layout is ULID's (48-bit millisecond time, 80 random bits), so ids sort in creation
order. Lists are newest first with the last id seen as the cursor: that needs no second
sort column and a cursor stays valid when its record is deleted. The prefix tells kinds
apart in logs and makes an account id passed where a key id is expected simply not match.
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # ASCII-ordered, so strings sort like numbers
_RANDOM_BITS = 80
_lock = threading.Lock()
_last: tuple[int, int] = (0, 0)

TENANT = "ten"
API_KEY = "key"
ACCOUNT = "acc"
MCP_SERVER = "mcp"
UNMASKING_WINDOW = "umw"


def new_id(prefix: str) -> str:
    """A fresh id; strictly increasing within this process, even within one millisecond."""
    global _last
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, last_random = _last
        if millis <= last_millis:
            millis, random_part = last_millis, last_random + 1
            if random_part >= 1 << _RANDOM_BITS:  # pragma: no cover - 2**80 ids in one ms
                millis, random_part = millis + 1, secrets.randbits(_RANDOM_BITS)
        else:
            random_part = secrets.randbits(_RANDOM_BITS)
        _last = (millis, random_part)
    value = (millis << _RANDOM_BITS) | random_part
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return f"{prefix}_{''.join(reversed(chars))}"
