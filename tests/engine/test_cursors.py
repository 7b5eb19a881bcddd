"""Signed cursors: round trip, tamper-proofing, scope binding, key derivation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unified.engine.cursors import CursorCodec, derive_secret
from unified.errors import ApiError

CODEC = CursorCodec(derive_secret(b"material", "cursors"))
SCOPE = {"o": "list_all_kustomer_conversations", "a": "acc_1"}
STATE = {**SCOPE, "pp": {}, "q": {"sort": "desc"}, "b": None, "s": 7, "p": 2, "c": {}}

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)


def test_round_trip():
    assert CODEC.decode(CODEC.encode(STATE), scope=SCOPE) == STATE


@given(st.dictionaries(st.text(max_size=10), JSON, max_size=6))
def test_any_state_round_trips_and_stays_url_safe(extra):
    state = {**extra, **SCOPE}
    cursor = CODEC.encode(state)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert CODEC.decode(cursor, scope=SCOPE) == state


@given(st.data())
def test_any_single_character_change_is_refused(data):
    cursor = CODEC.encode(STATE)
    index = data.draw(st.integers(0, len(cursor) - 1))
    replacement = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.").filter(
        lambda c: c != cursor[index]))
    tampered = cursor[:index] + replacement + cursor[index + 1:]
    try:
        state = CODEC.decode(tampered, scope=SCOPE)
    except ApiError as exc:
        assert exc.status == 400 and exc.pointer == "/next_cursor"
    else:  # only base64's unused trailing bits may change without changing the bytes
        assert state == STATE


@pytest.mark.parametrize("scope", [{**SCOPE, "a": "acc_2"}, {**SCOPE, "o": "list_all_kustomer_customers"}])
def test_scope_is_enforced(scope):
    with pytest.raises(ApiError) as error:
        CODEC.decode(CODEC.encode(STATE), scope=scope)
    assert error.value.status == 400 and "another list" in error.value.detail


@pytest.mark.parametrize("garbage", ["", ".", "a", "a.b.c", "é.é", "!!!.!!!", "e30.e30"])
def test_garbage_is_400(garbage):
    with pytest.raises(ApiError) as error:
        CODEC.decode(garbage, scope=SCOPE)
    assert error.value.status == 400


def test_another_secret_refuses_our_cursors():
    other = CursorCodec(derive_secret(b"other material", "cursors"))
    with pytest.raises(ApiError):
        other.decode(CODEC.encode(STATE), scope=SCOPE)


def test_secrets_are_derived_per_purpose_and_deterministic():
    assert derive_secret(b"k", "cursors") == derive_secret(b"k", "cursors")
    assert derive_secret(b"k", "cursors") != derive_secret(b"k", "mcp")
    assert len(derive_secret(b"k", "cursors")) == 32
    with pytest.raises(ValueError):
        CursorCodec(b"short")
