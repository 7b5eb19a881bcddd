"""Kustomer's rate limits: the org budget, creates per customer, and search.

Windows are fixed and 60 s long by default. The reset header counts epoch seconds (the
older Kustomer docs say so; the newer ones only say "now + 60s")."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from unified.sandbox.http import KustomerError
from unified.sandbox.settings import Settings


class _Window:
    def __init__(self) -> None:
        self.started = 0.0
        self.count = 0

    def hit(self, limit: int, length: float, now: float) -> tuple[bool, int, float]:
        if now - self.started >= length:
            self.started = now
            self.count = 0
        allowed = self.count < limit
        if allowed:
            self.count += 1
        return allowed, max(0, limit - self.count), self.started + length


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._org = _Window()
        self._search = _Window()
        self._creates: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._org = _Window()
            self._search = _Window()
            self._creates.clear()

    def org(self) -> dict[str, str]:
        """Count one request against the org budget; raise 429 when it is spent."""
        s = self.settings
        with self._lock:
            allowed, remaining, reset_at = self._org.hit(s.org_rate_limit, s.rate_window_seconds, time.time())
        headers = {
            "x-ratelimit-limit": str(s.org_rate_limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": str(math.ceil(reset_at)),
        }
        if not allowed:
            raise KustomerError(429, "Rate limit exceeded: the org's request budget for this minute is spent",
                                simple=True, meta={"limit": s.org_rate_limit}, headers=headers)
        return headers

    def peek(self) -> dict[str, str]:
        """The org budget's headers without spending from it (for 401s and control routes)."""
        s = self.settings
        with self._lock:
            window = self._org
            fresh = time.time() - window.started >= s.rate_window_seconds
            used = 0 if fresh else window.count
            reset_at = time.time() + s.rate_window_seconds if fresh else window.started + s.rate_window_seconds
        return {
            "x-ratelimit-limit": str(s.org_rate_limit),
            "x-ratelimit-remaining": str(max(0, s.org_rate_limit - used)),
            "x-ratelimit-reset": str(math.ceil(reset_at)),
        }

    def search(self) -> None:
        s = self.settings
        with self._lock:
            allowed, _, reset_at = self._search.hit(s.search_rate_limit, s.rate_window_seconds, time.time())
        if not allowed:
            raise KustomerError(429, f"Search rate limit exceeded: {s.search_rate_limit} searches per minute",
                                simple=True, code="search_rate_limit_exceeded")

    def customer_create(self, customer_id: str, what: str) -> None:
        s = self.settings
        now = time.time()
        with self._lock:
            hits = self._creates.setdefault(customer_id, deque())
            while hits and now - hits[0] >= s.rate_window_seconds:
                hits.popleft()
            if len(hits) >= s.per_customer_create_limit:
                raise KustomerError(
                    429,
                    f"Rate limit exceeded: at most {s.per_customer_create_limit} {what} per minute per customer",
                    simple=True, code="customer_rate_limit_exceeded",
                )
            hits.append(now)
