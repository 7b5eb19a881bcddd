"""Vendor rate-limit headers -> IETF ratelimit-* with the reset in seconds."""

from __future__ import annotations

import httpx
import pytest

from unified.catalogue.loader import load_all
from unified.catalogue.model import RateLimitHeaders
from unified.sandbox.process import SandboxProcess
from unified.vendor.ratelimit import normalize

NOW = 1_800_000_000.0


def spec(reset_format: str = "epoch_seconds") -> RateLimitHeaders:
    return RateLimitHeaders(limit="X-RateLimit-Limit", remaining="x-ratelimit-remaining",
                            reset="x-ratelimit-reset", reset_format=reset_format)


def headers(**values: str) -> httpx.Headers:
    return httpx.Headers({f"x-ratelimit-{k}": v for k, v in values.items()})


@pytest.mark.parametrize("reset_format,raw,seconds", [
    ("epoch_seconds", str(int(NOW) + 42), "42"),
    ("epoch_seconds", str(int(NOW) - 5), "0"),        # a window that already ended
    ("epoch_seconds", f"{NOW + 0.2}", "1"),           # rounded up: never retry too early
    ("epoch_milliseconds", str(int(NOW * 1000) + 1500), "2"),
    ("seconds", "17", "17"),
    ("seconds", "-3", "0"),
])
def test_reset_becomes_seconds_from_now(reset_format: str, raw: str, seconds: str):
    out = normalize(headers(limit="1000", remaining="999", reset=raw), spec(reset_format), now=NOW)
    assert out == {"ratelimit-limit": "1000", "ratelimit-remaining": "999", "ratelimit-reset": seconds}


def test_header_names_are_case_insensitive_and_missing_ones_are_left_out():
    out = normalize(httpx.Headers({"x-ratelimit-limit": "10"}), spec(), now=NOW)
    assert out == {"ratelimit-limit": "10"}
    assert normalize(httpx.Headers({}), spec(), now=NOW) == {}


@pytest.mark.parametrize("value", ["abc", "", "1e3", "NaN"])
def test_garbage_counts_are_dropped(value: str):
    out = normalize(headers(limit=value, remaining=value), spec(), now=NOW)
    assert "ratelimit-limit" not in out and "ratelimit-remaining" not in out


def test_garbage_reset_is_dropped_and_negative_remaining_is_zero():
    out = normalize(headers(limit="5", remaining="-2", reset="soon"), spec(), now=NOW)
    assert out == {"ratelimit-limit": "5", "ratelimit-remaining": "0"}


def test_no_spec_means_no_headers():
    assert normalize(headers(limit="5", remaining="1", reset="3"), None) == {}


def test_against_the_sandbox(roomy_sandbox: SandboxProcess):
    """The sandbox's own headers normalize to a small countdown, not an epoch."""
    with roomy_sandbox.client() as kustomer:
        resp = kustomer.get("/v1/brands")
    out = normalize(resp.headers, load_all()["kustomer"].provider.rate_limit)
    assert set(out) == {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"}
    assert int(out["ratelimit-remaining"]) <= int(out["ratelimit-limit"])
    assert 0 <= int(out["ratelimit-reset"]) <= 61
