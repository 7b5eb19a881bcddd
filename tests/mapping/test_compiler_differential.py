"""The compiled JSONata evaluation equals jsonata-python's: on every expression of every mapping
file over generated vendor records, on a broad set of other expressions, and on real sandbox
pages (where the compiled path must also never need the interpreter)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mapping.differential import Shape, assert_same, canonical
from unified.catalogue.loader import load_all
from unified.mapping.expr import Expr
from unified.mapping.loader import expressions, load_mappings

MAPPINGS = load_mappings(load_all())


EXPRESSIONS = sorted(expressions(MAPPINGS), key=lambda e: e.where)

BROAD = [
    # paths over objects, arrays and singletons; missing fields
    "a", "a.b", "a.b.c", "a.b.c.d", "nothing.here", "a[0]", "a[1]", "a[-1]", "a.b[0]", "a.b[2]", "a.b[-1]",
    "a.b[0][0]", "a[0].b", "a.b.c[0]", "a.b[]", "a[]", "$.a", "$$.a.b", "a.(b)", "a.*", "**.c", "a.b.*",
    "a[b]", "a[b = 'x']", "a[b > 1]", "a.b[c = 'open'].d", "a[$exists(b)].b", "a[0][b]", "a[[0, 1]]",
    "a.b.{'v': $}", "[a.b.{'v': $}]", "a.{'b': b, 'c': c}", "a.b.(c & d)", "a.[b, c]", "[a, b]", "[[a]]",
    # object and array constructors
    "{'x': a, 'y': b.c, 'z': nothing}", "{'x': {'y': a.b}}", "{'x': [a.b]}", "{'x': a.b[0]}", "{}", "[]",
    "{'a': null, 'b': [null], 'c': a}", "{a: b}", "{'k': a, 'k2': a}", "[a, [b], [[c]]]", "[1, 2, [3]]",
    "{'x': a}.x", "{'x': a.b}.x.c", "[a.b][0]", "[a.b][-1]",
    # conditionals and logic
    "a ? b : c", "a.b = 'open' ? 'o' : 'c'", "$exists(a) ? a : 'none'", "a and b", "a or b", "$not(a)",
    "a = b", "a != b", "a = null", "a.b = 1", "a < 3", "a >= b", "a in ['x', 'open']", "'x' in a.b",
    "$boolean(a)", "$boolean([])", "$boolean({})", "a ? a.b", "(a; b)", "($x := a; $x.b)",
    # strings
    "a & b", "a.b & '-' & c", "$string(a)", "$string(a.b)", "$string(1.5)", "$string(123456789012345678)",
    "$string({'a': a})", "$string(a, true)", "$uppercase(a)", "$lowercase(a.b)", "$length(a)", "$trim(a)",
    "$substring(a, 1, 2)", "$substringBefore(a, '-')", "$substringAfter(a, '-')", "$contains(a, 'o')",
    "$split(a, '-')", "$join(a, ',')", "$join(a.b, ';')", "$pad(a, 5)", "$string()",
    # numbers
    "a + 1", "a - b", "a * 2", "a / 2", "a % 3", "-a", "$number(a)", "$number('0x1f')", "$abs(a)",
    "$floor(a)", "$ceil(a)", "$round(a, 1)", "$sum(a)", "$sum(a.b)", "$max(a)", "$min(a.b)", "$average(a)",
    "$count(a)", "$count(a.b)", "$count([])", "[1..3]", "[1..a]",
    # arrays and objects
    "$keys(a)", "$keys(a)[$ != 'b']", "$count($keys(a)[$ != 'b' and $ != 'c'])", "$lookup(a, 'b')",
    "$lookup({'x': 1}, a)", "$lookup(a, b)", "$append(a, b)", "$append(a, 'z')", "$reverse(a)",
    "$distinct(a)", "$merge([a, b])", "$spread(a)", "$type(a)", "$exists(a.b.c)", "$exists(nothing)",
    "$sort(a)", "$zip(a, b)", "$sift(a, function($v){$v})",
    # higher-order functions and lambdas
    "$map(a, function($v) { $v & '!' })", "$map(a, function($v, $i) { $i })", "$map(a.b, $string)",
    "$filter(a, function($v) { $v })", "$filter(a, function($v, $i) { $i > 0 })", "$each(a, function($v, $k) { $k })",
    "$each(a, function($v) { $v })", "$reduce(a, function($x, $y) { $x + $y })", "$single(a, function($v) { $v = 'x' })",
    "($f := function($v) { $v ? $v : 'none' }; $f(a))", "($f := function($v) { {'v': $v} }; a.$f($))",
    "($r := function($n) { $n <= 0 ? 0 : $r($n - 1) + 1 }; $r(3))", "a ~> $string()", "a ~> $count",
    "($lookup := 1; a)", "$map([1, 2], function($v) { [$v] })", "$map([1], function($v) { [$v] })",
    "$each({'a': 1}, function($v, $k) { {$k: $v} })", "a.$uppercase($)", "a.b.$string()",
    # errors
    "$error('/x: no')", "a + 'x'", "$number('abc')", "$lookup(a)", "a > 'x'", "{a: 1}",
]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=lambda e: e.where)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_mapping_expression_matches_jsonata_python(expr: Expr, data: st.DataObject) -> None:
    document, bindings = data.draw(Shape(expr.source).inputs())
    assert_same(expr, document, bindings)


@pytest.mark.parametrize("source", BROAD)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_broad_expressions_match_jsonata_python(source: str, data: st.DataObject) -> None:
    expr = Expr(source, "test")
    document, bindings = data.draw(Shape(source).inputs())
    assert_same(expr, document, bindings)


def test_every_response_mapping_compiles() -> None:
    """The per-record expressions, which carry the cost, are all compiled (no interpreter)."""
    responses = [e for m in MAPPINGS.values() for method in m.methods.values()
                 for e in [method.response, *(r.response for r in method.routes)] if e is not None]
    assert len(responses) >= len(MAPPINGS)
    assert [e.where for e in responses if not e.compiled] == []


def test_most_mapping_expressions_compile() -> None:
    compiled = [e for e in EXPRESSIONS if e.compiled]
    assert len(compiled) >= 0.9 * len(EXPRESSIONS), [e.where for e in EXPRESSIONS if not e.compiled]


LIST_PAGES = {
    ("ticketing", "tickets"): "/v1/conversations",
    ("ticketing", "contacts"): "/v1/customers",
    ("ticketing", "accounts"): "/v1/companies",
    ("ticketing", "users"): "/v1/users",
    ("ticketing", "teams"): "/v1/teams",
    ("ticketing", "tags"): "/v1/tags",
    ("user-directory", "users"): "/v1/users",
}


@pytest.mark.parametrize("resource", sorted(LIST_PAGES), ids="/".join)
def test_real_pages_map_compiled_without_the_interpreter(resource: tuple[str, str], kustomer: Any) -> None:
    """On real vendor pages the compiled path answers by itself, and equals jsonata-python."""
    api, name = resource
    mapping = MAPPINGS[("kustomer", api, name)]
    expr = mapping.methods["list"].response
    page = kustomer.get(LIST_PAGES[resource], params={"pageSize": 100}).json()["data"]
    assert page
    tags = {t["id"]: t["attributes"]["name"] for t in kustomer.get("/v1/tags", params={"pageSize": 100}).json()["data"]}
    bindings = {"query": {}, "body": None, "id": None, "context": {}, "lookups": {"tags": tags}}
    for record in page:
        compiled = expr._fast(copy.deepcopy(record), bindings)  # no fallback: this must just work
        expected = expr.interpret(copy.deepcopy(record), bindings)
        assert canonical(compiled) == canonical(expected), record["id"]
