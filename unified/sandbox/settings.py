"""Sandbox behaviour settings (limits, durations), changeable at run time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unified.sandbox.http import bad_request


@dataclass
class Settings:
    """Knobs a test or a user can change at start-up or through /__sandbox/config."""

    org_rate_limit: int = 1000          # requests per window for the whole org
    rate_window_seconds: float = 60.0
    per_customer_create_limit: int = 120  # conversations/messages/notes/drafts per minute per customer
    search_rate_limit: int = 100        # search requests per minute (API keys are machine users)
    unmasking_window_seconds: float = 24 * 3600
    max_body_bytes: int = 100 * 1024

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key not in self.__dataclass_fields__:
                raise bad_request(f"unknown setting {key!r}", pointer=f"/{key}")
            current = getattr(self, key)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise bad_request(f"{key} must be a positive number", pointer=f"/{key}")
            setattr(self, key, type(current)(value))
