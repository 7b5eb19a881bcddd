"""The Kustomer catalogue produces exactly the 168 tool names of the published integration page."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from unified.catalogue.loader import load_catalogue

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The repository is checked out next to ``shared/``, which holds the seed pages.
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "kustomer-integration-page.txt"
TOOL_LINE = re.compile(
    r"^(list_all_kustomer|get_single_kustomer|create_a_kustomer|update_a_kustomer|delete_a_kustomer|kustomer_)[a-z_]+$"
)
EXPECTED_COUNT = 168


def seed_names() -> list[str]:
    assert SEED.is_file(), f"seed page not found at {SEED}"
    return [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if TOOL_LINE.match(line.strip())]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(PROJECT_ROOT / "providers" / "kustomer")


def test_seed_lists_168_distinct_tools() -> None:
    names = seed_names()
    repeated = sorted(n for n, c in Counter(names).items() if c > 1)
    assert not repeated, f"tool names repeated in the seed: {repeated}"
    assert len(names) == EXPECTED_COUNT


def test_catalogue_tool_names_equal_the_seed(catalogue) -> None:
    expected = set(seed_names())
    produced = set(catalogue.operations)
    missing = sorted(expected - produced)
    extra = sorted(produced - expected)
    assert not missing and not extra, (
        f"missing from the catalogue ({len(missing)}): {missing}\n"
        f"not in the seed ({len(extra)}): {extra}"
    )
    assert len(catalogue.operations) == EXPECTED_COUNT


def test_each_tool_comes_from_one_resource_method(catalogue) -> None:
    # The loader keys operations by tool name and rejects a second definition; check the
    # (resource, method) pairs are unique too, so no entry silently shadows another.
    pairs = Counter((op.resource, op.method) for op in catalogue.operations.values())
    assert [p for p, c in pairs.items() if c > 1] == []
    assert len(pairs) == EXPECTED_COUNT
