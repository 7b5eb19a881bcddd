"""Fixtures of the security tests; the app, databases and the main sandboxes come from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import ROOMY_LIMITS

from unified.sandbox.process import SandboxProcess, start_sandbox


@pytest.fixture(scope="session")
def other_sandbox() -> Iterator[SandboxProcess]:
    """A second vendor org with other data (seed 3) and its own API key: tenant B's helpdesk, so
    anything of B's that reached A (or the reverse) would be recognisable."""
    with start_sandbox(*ROOMY_LIMITS, seed=3) as proc:
        yield proc
