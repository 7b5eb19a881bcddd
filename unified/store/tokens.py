"""Bearer secrets (API keys, MCP tokens): generation, hashing, display prefix, redaction.

The secrets are 256 random bits, so a single fast SHA-256 is enough to make the stored
hash useless to a reader of the database; a slow password hash would only add latency to
every request. Only the hash and a short display prefix are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

API_KEY_PREFIX = "uk_"
DISPLAY_LENGTH = 10  # "uk_" + 7 characters: enough to tell keys apart, far too few to guess


def generate_token(prefix: str = API_KEY_PREFIX) -> str:
    """A new secret; the prefix makes it recognisable to people and secret scanners."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Hex SHA-256 of the token: the only form in which it is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """The non-secret start of a token, shown in listings so users can tell keys apart."""
    return token[:DISPLAY_LENGTH]


def hashes_match(a: str, b: str) -> bool:
    """Constant-time comparison, so response time says nothing about how much matched."""
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


# Our secrets are recognisable by shape: a known prefix and 43 url-safe characters. Server and key
# ids share the prefixes but are 26 characters long, so they are never mistaken for secrets.
_SECRET_SHAPE = re.compile(r"(?<![A-Za-z0-9_-])(uk_|mcp_)[A-Za-z0-9_-]{40,}")


def redact(value: Any) -> Any:
    """``value`` (a string, or lists and dicts of them) with anything shaped like an API key or an
    MCP token replaced by its prefix and ``[redacted]``.

    Error messages quote the caller's input ("MCP server X not found"); a user who pastes a token
    where an id belongs must not find it again in an error body, and from there in client logs.
    """
    if isinstance(value, str):
        return _SECRET_SHAPE.sub(lambda m: f"{m.group(1)}[redacted]", value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value
