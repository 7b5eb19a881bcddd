"""Shared fixtures: a real sandbox process over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from unified.sandbox.process import SandboxProcess, start_sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    """One sandbox for read-mostly tests; tests that write create their own records."""
    with start_sandbox(seed=1) as proc:
        yield proc


@pytest.fixture()
def fresh_sandbox() -> Iterator[SandboxProcess]:
    """A private sandbox for tests that change limits, faults or settings."""
    with start_sandbox(seed=7) as proc:
        yield proc


@pytest.fixture(scope="session")
def kustomer(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    with sandbox.client() as client:
        yield client
