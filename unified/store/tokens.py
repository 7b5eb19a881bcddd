"""Bearer secrets (API keys now, MCP tokens later): generation, hashing, display prefix.

The secrets are 256 random bits, so a single fast SHA-256 is enough to make the stored
hash useless to a reader of the database; a slow password hash would only add latency to
every request. Only the hash and a short display prefix are stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

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
