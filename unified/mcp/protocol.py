"""JSON-RPC 2.0 framing and MCP protocol versions.

We speak the handshake era of MCP (``initialize`` then requests), revisions 2024-11-05 to
2025-11-25, statelessly: no session id, so any instance answers any request. The
2026-07-28 revision (``server/discover``, no handshake) is not spoken; its probe gets
"method not found", which is what makes current SDK clients fall back to ``initialize``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Implementation-defined (the -32000..-32099 server range): the URL token is not usable.
SERVER_NOT_AVAILABLE = -32001

SUPPORTED_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")  # newest first
LATEST_VERSION = SUPPORTED_VERSIONS[0]
# What a request without MCP-Protocol-Version speaks (2025-06-18 transports spec).
HEADERLESS_VERSION = "2025-03-26"
_ORDER = {version: i for i, version in enumerate(reversed(SUPPORTED_VERSIONS))}

_decoder = msgspec.json.Decoder()
_encoder = msgspec.json.Encoder()


class RpcError(Exception):
    """A JSON-RPC error to send back instead of a result."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


@dataclass(frozen=True)
class Message:
    """One inbound JSON-RPC message. ``id`` is None for notifications."""

    method: str | None
    id: str | int | None
    params: Any
    is_response: bool = False

    @property
    def is_notification(self) -> bool:
        return self.method is not None and self.id is None


def negotiate(requested: object) -> str:
    """The version to answer ``initialize`` with: the client's if we speak it, else our latest."""
    return requested if isinstance(requested, str) and requested in _ORDER else LATEST_VERSION


def at_least(version: str, minimum: str) -> bool:
    return _ORDER.get(version, -1) >= _ORDER[minimum]


def decode(raw: bytes) -> Any:
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise RpcError(PARSE_ERROR, f"Parse error: {exc}") from None


def encode(payload: Any) -> bytes:
    return _encoder.encode(payload)


def message(obj: Any) -> Message:
    """Classify one decoded JSON value, or raise INVALID_REQUEST."""
    if not isinstance(obj, dict) or obj.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object")
    ident = obj.get("id")
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, (str, int))):
        raise RpcError(INVALID_REQUEST, "Invalid Request: id must be a string or an integer")
    if "method" not in obj:
        if ("result" in obj or "error" in obj) and "id" in obj:
            return Message(None, ident, None, is_response=True)
        raise RpcError(INVALID_REQUEST, "Invalid Request: no method")
    method = obj["method"]
    if not isinstance(method, str) or not method:
        raise RpcError(INVALID_REQUEST, "Invalid Request: method must be a non-empty string")
    if "id" in obj and ident is None:
        raise RpcError(INVALID_REQUEST, "Invalid Request: id must not be null")
    return Message(method, ident, obj.get("params"))


def request_id(obj: Any) -> str | int | None:
    """The id of a message that failed validation, when it has a usable one."""
    if isinstance(obj, dict):
        ident = obj.get("id")
        if isinstance(ident, (str, int)) and not isinstance(ident, bool):
            return ident
    return None


def result(ident: str | int | None, value: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "result": value}


def error(ident: str | int | None, code: int, text: str, data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": text}
    if data is not None:
        body["data"] = data
    return {"jsonrpc": "2.0", "id": ident, "error": body}
