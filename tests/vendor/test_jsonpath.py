"""Dotted paths into parsed JSON."""

from unified.vendor.jsonpath import get_path

DATA = {"errors": [{"detail": "bad", "source": {"pointer": "/x"}}], "links": {"next": None}, "n": 0}


def test_paths_through_objects_and_arrays():
    assert get_path(DATA, "errors.0.detail") == "bad"
    assert get_path(DATA, "errors.0.source.pointer") == "/x"
    assert get_path(DATA, "n") == 0


def test_missing_parts_give_the_default():
    assert get_path(DATA, "errors.1.detail") is None
    assert get_path(DATA, "errors.x") is None
    assert get_path(DATA, "nope.deeper", default="d") == "d"
    assert get_path("text", "a") is None
    assert get_path(None, "a.b") is None


def test_present_null_is_null_not_the_default():
    assert get_path(DATA, "links.next", default="d") is None
