"""Vendor rate-limit headers -> IETF ``ratelimit-limit/remaining/reset`` (reset in seconds)."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from unified.catalogue.model import RateLimitHeaders


def normalize(headers: Mapping[str, str], spec: RateLimitHeaders | None, now: float | None = None) -> dict[str, str]:
    if spec is None:
        return {}
    out: dict[str, str] = {}
    for ours, theirs in (("ratelimit-limit", spec.limit), ("ratelimit-remaining", spec.remaining)):
        value = headers.get(theirs)
        if value is not None and value.strip().lstrip("-").isdigit():
            out[ours] = str(max(0, int(value)))
    reset = headers.get(spec.reset)
    if reset is not None:
        try:
            number = float(reset)
        except ValueError:
            number = None
        if number is not None:
            now = time.time() if now is None else now
            if spec.reset_format == "epoch_seconds":
                number -= now
            elif spec.reset_format == "epoch_milliseconds":
                number = number / 1000.0 - now
            out["ratelimit-reset"] = str(max(0, math.ceil(number)))
    return out
