"""Stateless, signed list cursors.

A cursor carries everything needed to fetch the next page (which operation, for which
account, the vendor's paging state, the page size and the original filters), so any
instance can serve it. An HMAC makes it tamper-proof; a cursor made for one account or
operation is refused for another."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import msgspec

from unified.errors import ApiError

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()
_SIG_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("cursor secret too short")
        self._secret = secret

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_SIG_BYTES]

    def encode(self, state: dict[str, Any]) -> str:
        payload = _encoder.encode(state)
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, cursor: str, *, scope: dict[str, str]) -> dict[str, Any]:
        """The cursor's state, after checking its signature and that it belongs to ``scope``."""
        try:
            payload_text, sig_text = cursor.split(".")
            payload, signature = _unb64(payload_text), _unb64(sig_text)
        except (ValueError, TypeError):
            raise ApiError(400, "invalid cursor", pointer="/next_cursor") from None
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise ApiError(400, "invalid cursor", pointer="/next_cursor")
        state = _decoder.decode(payload)
        for key, value in scope.items():
            if state.get(key) != value:
                raise ApiError(400, "this cursor belongs to another list", pointer="/next_cursor")
        return state


def derive_secret(material: bytes, purpose: str) -> bytes:
    """A purpose-bound key from shared configuration, so every instance derives the same one."""
    return hmac.new(material, f"unified:{purpose}".encode(), hashlib.sha256).digest()
