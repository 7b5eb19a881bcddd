"""``tools/call`` results: JSON text for the model, the same value as ``structuredContent``.

Failures are results too (``isError: true``), not JSON-RPC errors, so the agent sees them
and can act: the status, the vendor's own message, and for a 429 how many seconds to wait.
Nothing is retried behind the agent's back.
"""

from __future__ import annotations

from typing import Any

import msgspec

from unified.errors import ApiError
from unified.mcp import protocol

_encoder = msgspec.json.Encoder()
DEFAULT_RETRY_SECONDS = 60


def _text(value: Any) -> str:
    return _encoder.encode(value).decode()


def success(value: Any, version: str) -> dict[str, Any]:
    """A result carrying ``value`` (an object; anything else is wrapped as ``{"result": value}``)."""
    structured = value if isinstance(value, dict) else {"result": value}
    out: dict[str, Any] = {"content": [{"type": "text", "text": _text(structured)}], "isError": False}
    if protocol.at_least(version, "2025-06-18"):
        out["structuredContent"] = structured
    return out


def failure(message: str, details: dict[str, Any], version: str) -> dict[str, Any]:
    """An error result: the message first (what to do), then the details as JSON."""
    structured = {"error": {"message": message, **details}}
    out: dict[str, Any] = {
        "content": [{"type": "text", "text": message}, {"type": "text", "text": _text(structured)}],
        "isError": True,
    }
    if protocol.at_least(version, "2025-06-18"):
        out["structuredContent"] = structured
    return out


def retry_after_seconds(exc: ApiError) -> int:
    """Seconds to wait after a 429, from Retry-After or the normalized ``ratelimit-reset``."""
    for name in ("Retry-After", "retry-after", "ratelimit-reset"):
        value = exc.headers.get(name)
        if value is not None and str(value).strip().isdigit():
            return int(value)
    return DEFAULT_RETRY_SECONDS


def api_failure(exc: ApiError, version: str, *, prefix: str = "", suffix: str = "",
                extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A vendor or engine error as an actionable result."""
    details: dict[str, Any] = {"status": exc.status, "from_vendor": exc.from_vendor, **(extra or {})}
    message = prefix + exc.detail
    if exc.from_vendor:
        details["vendor_status"] = exc.vendor_status
        details["vendor_body"] = exc.vendor_body
    rate = {k: v for k, v in exc.headers.items() if k.lower().startswith("ratelimit-")}
    if rate:
        details["rate_limit"] = rate
    if exc.status == 429 or exc.vendor_status == 429:
        seconds = retry_after_seconds(exc)
        details["retry_after_seconds"] = seconds
        message += f". Rate limited: wait {seconds} seconds before calling again; nothing was retried."
    elif exc.vendor_status is not None and exc.vendor_status >= 500:
        message += ". The vendor failed; the call may be retried later."
    elif exc.status == 504:
        message += ". The vendor did not answer in time; the call may or may not have taken effect."
    return failure(message + suffix, details, version)


def argument_failure(problems: list[str], version: str) -> dict[str, Any]:
    message = "Invalid arguments, nothing was sent: " + "; ".join(problems)
    return failure(message, {"status": 400, "problems": problems}, version)
