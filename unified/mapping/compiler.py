"""Compile a JSONata expression into Python closures.

jsonata-python walks its syntax tree on every evaluation: a dispatch on the node type, a
thread-local lookup, callbacks and frame objects for every node. Mapping a page of 100
records that way costs over a millisecond a record. This module reuses jsonata-python's parser
and turns each node into a closure ``(context, frame) -> value`` once, at load time, keeping
jsonata-python's value model (see ``runtime``) so results are the same; hot shapes (field
paths over objects, object constructors, ``$exists``/``$lookup``/``$string``) get direct code.

Shapes it does not compile (sorting, tuple streams, transforms, regexes, partial application,
``$eval``/``$now``...) make ``compile_expression`` return ``None``, and the caller evaluates
with jsonata-python. At run time a closure raises ``runtime.Fallback`` for rare cases, and
any error is re-raised by re-running jsonata-python, so errors are jsonata-python's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonata

from unified.mapping import codegen
from unified.mapping import runtime as rt
from unified.mapping.runtime import MISSING, NULL, Fallback, Frame, JList, Lambda

Closure = Callable[[Any, Frame], Any]

# Built-ins whose results depend on more than their arguments, or that re-enter the interpreter.
UNSUPPORTED_FUNCTIONS = frozenset({"eval", "now", "millis", "random"})


class Unsupported(Exception):
    """A node this compiler leaves to jsonata-python."""


class Compiled:
    """A compiled expression: call with the input and the bindings, like ``Jsonata.evaluate``."""

    __slots__ = ("_root", "_shadowed", "_clean")

    def __init__(self, root: Closure, shadowed: frozenset[str], clean: bool) -> None:
        self._root, self._shadowed, self._clean = root, shadowed, clean

    def __call__(self, data: Any, bindings: dict[str, Any]) -> Any:
        if self._shadowed and not self._shadowed.isdisjoint(bindings):
            raise Fallback("a binding shadows a built-in function")
        # the caller's bindings are read, never written: assignments go to the inner frame
        frame = Frame(Frame(None, bindings), {"$": data})
        if isinstance(data, list) and not (isinstance(data, JList) and data.sequence):
            wrapped = rt.sequence((data,))
            wrapped.outer_wrapper = True
            data = wrapped
        result = self._root(data, frame)
        return result if self._clean else rt.convert_nulls(result)


def compile_expression(source: str) -> Compiled | None:
    """The compiled form of ``source``, or None when it uses a shape left to jsonata-python."""
    ast = jsonata.Jsonata(source).ast
    compiler = _Compiler(_bound_names(ast))
    try:
        # generated code in output mode: the result is built clean (no final null walk)
        root = codegen.expression_function(compiler, ast, output=True)
        compiler.node(ast)  # compile every closure now: an unsupported shape shows here, not mid-request
    except Unsupported:
        return None
    return Compiled(root, frozenset(compiler.static_calls), True)


def _children(node: Any) -> list[Any]:
    found: list[Any] = []
    for value in vars(node).values():
        if hasattr(value, "type") and value is not node:
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                if hasattr(item, "type"):
                    found.append(item)
                elif isinstance(item, list):
                    found.extend(x for x in item if hasattr(x, "type"))
    return found


def _bound_names(ast: Any) -> set[str]:
    """Every variable name the expression assigns or takes as a lambda parameter."""
    names: set[str] = set()
    stack, seen = [ast], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.type == "bind":
            names.add(str(node.lhs.value))
        elif node.type == "lambda":
            names.update(str(arg.value) for arg in node.arguments or [])
        stack.extend(_children(node))
    return names


class _Compiler:
    def __init__(self, bound: set[str]) -> None:
        self.bound = bound
        self.static_calls: set[str] = set()
        self._closures: dict[int, Closure] = {}  # by node: generated code and fallbacks share one closure

    # ------------------------------------------------------------------ every node

    def node(self, node: Any) -> Closure:
        """``Jsonata._eval``: the node itself, then its predicates, then sequence collapsing."""
        closure = self._closures.get(id(node))
        if closure is None:
            closure = self._closures[id(node)] = self._node(node)
        return closure

    def _node(self, node: Any) -> Closure:
        if getattr(node, "group", None) is not None and node.type != "path":
            raise Unsupported("grouping")
        if node.type == "path" and not node.predicate:
            return self.path(node)  # collapses its own result
        core = self.path(node) if node.type == "path" else self.core(node)
        predicates = [self.predicate(p.expr) for p in (node.predicate or [])]
        keep = bool(node.keep_array)
        if predicates:
            def with_predicates(data: Any, frame: Frame) -> Any:
                result = core(data, frame)
                for apply in predicates:
                    result = apply(result, frame)
                return rt.mangle(result, keep)
            return with_predicates
        if node.type in ("string", "number", "value", "condition", "block", "bind", "lambda") and not keep:
            return core  # never a sequence (or already collapsed)
        if node.type == "unary" and node.value in ("{", "[") and not keep:
            return core

        def collapsed(data: Any, frame: Frame) -> Any:
            return rt.mangle(core(data, frame), keep)
        return collapsed

    def core(self, node: Any) -> Closure:
        kind = node.type
        if kind in ("string", "number", "value"):
            value = node.value if node.value is not None else NULL
            return lambda data, frame: value
        if kind == "name":
            key = str(node.value)
            return lambda data, frame: rt.lookup(data, key)
        if kind == "variable":
            return self.variable(node)
        if kind == "binary":
            return self.binary(node)
        if kind == "unary":
            return self.unary(node)
        if kind == "condition":
            return self.condition(node)
        if kind == "block":
            return self.block(node)
        if kind == "bind":
            return self.bind(node)
        if kind == "function":
            return self.function(node, None)
        if kind == "lambda":
            return self.lambda_(node)
        if kind == "apply":
            return self.apply(node)
        if kind in ("wildcard", "descendant"):
            return self.interpreter_step(node)
        raise Unsupported(kind)

    # ------------------------------------------------------------------ paths

    def path(self, node: Any) -> Closure:
        """``Jsonata.evaluate_path`` (and the collapsing of its result).

        Leading field steps are read straight from nested dicts; the general step loop takes
        over from the first step that is not a plain field or meets an array."""
        if node.group is not None or node.tuple is not None:
            raise Unsupported("grouped or tuple path")
        steps = node.steps
        for step in steps:
            if step.type in ("sort", "parent") or step.focus is not None or step.index is not None \
                    or step.tuple is not None or getattr(step, "ancestor", None) is not None:
                raise Unsupported("tuple stream")
        compiled = []
        for i, step in enumerate(steps):
            stages = []
            for stage in step.stages or []:
                if stage.type != "filter":
                    raise Unsupported("index stage")
                stages.append(self.predicate(stage.expr))
            compiled.append((self.node(step), stages, i == len(steps) - 1, i == 0 and bool(step.consarray)))
        keep_singleton, keep = bool(node.keep_singleton_array), bool(node.keep_array)
        first_is_variable = steps[0].type == "variable"

        def run(items: Any, frame: Frame, start: int) -> Any:
            result = None
            for step, stages, last, consarray_first in compiled[start:]:
                if consarray_first:
                    result = step(items, frame)
                else:
                    result = _step(step, stages, items, frame, last)
                if result is None or not result:
                    break
                items = result
            if keep_singleton:
                if not isinstance(result, JList):
                    result = JList(result)
                if result.cons and not result.sequence:
                    result = rt.sequence((result,))
                result.keep_singleton = True
            return rt.mangle(result, keep)

        def general(data: Any, frame: Frame) -> Any:
            if isinstance(data, list) and not first_is_variable:
                return run(data, frame, 0)
            return run(rt.sequence((data,)), frame, 0)

        def simple(step: Any) -> bool:
            return step.type == "name" and not step.stages and not step.predicate and not step.keep_array \
                and step.group is None
        start = 1 if first_is_variable and steps[0].value != "" and not steps[0].stages \
            and not steps[0].predicate and not steps[0].keep_array else 0
        prefix = start
        while prefix < len(steps) and simple(steps[prefix]):
            prefix += 1
        if prefix == start or keep_singleton:
            return general
        names = [str(s.value) for s in steps[start:prefix]]
        whole = prefix == len(steps)
        if start == 1:
            variable = str(steps[0].value)
            walk = _walk(names, whole, run, prefix, lambda data, frame: MISSING)

            def from_variable(data: Any, frame: Frame) -> Any:
                value = frame.lookup(variable)
                if type(value) is dict:
                    result = walk(value, frame)
                    if result is not MISSING:
                        return result
                return general(data, frame)
            return from_variable
        return _walk(names, whole, run, prefix, general)

    def predicate(self, expr: Any) -> Callable[[Any, Frame], Any]:
        """``Jsonata.evaluate_filter`` without tuple streams."""
        if expr.type == "number":
            index = int(expr.value)

            def by_index(data: Any, frame: Frame) -> Any:
                if isinstance(data, JList) and data.tuple_stream:
                    raise Fallback("tuple stream")
                if data is None:
                    return rt.sequence()
                items = data if isinstance(data, list) else (data,)
                i = index + len(items) if index < 0 else index
                if 0 <= i < len(items):
                    item = items[i]
                    if item is None:
                        item = NULL
                    if isinstance(item, list):
                        return item
                    return rt.sequence((item,))
                return rt.sequence()
            return by_index
        test = self.node(expr)

        def by_test(data: Any, frame: Frame) -> Any:
            if isinstance(data, JList) and data.tuple_stream:
                raise Fallback("tuple stream")
            results = rt.sequence()
            if data is None:
                return results
            items = data if isinstance(data, list) else (data,)
            for position, item in enumerate(items):
                res = test(item, frame)
                if rt.Utils.is_numeric(res):
                    res = rt.sequence((res,))
                if rt.Utils.is_array_of_numbers(res):
                    for number in res:
                        wanted = int(number)
                        if wanted < 0:
                            wanted += len(items)
                        if wanted == position:
                            results.append(item)
                elif rt.boolize(res):
                    results.append(item)
            return results
        return by_test

    # ------------------------------------------------------------------ operators

    def variable(self, node: Any) -> Closure:
        name = str(node.value)
        if name == "":
            def context(data: Any, frame: Frame) -> Any:
                if isinstance(data, JList) and data.outer_wrapper:
                    return data[0]
                return data
            return context
        return lambda data, frame: frame.lookup(name)

    def binary(self, node: Any) -> Closure:
        op = str(node.value)
        lhs, rhs = self.node(node.lhs), self.node(node.rhs)
        if op == "and":
            return lambda data, frame: rt.boolize(lhs(data, frame)) and rt.boolize(rhs(data, frame))
        if op == "or":
            return lambda data, frame: rt.boolize(lhs(data, frame)) or rt.boolize(rhs(data, frame))
        if op == "=":
            return lambda data, frame: rt.deep_equal(lhs(data, frame), rhs(data, frame))
        if op == "!=":
            def not_equal(data: Any, frame: Frame) -> Any:
                a, b = lhs(data, frame), rhs(data, frame)
                if a is None or b is None:
                    return False
                return not rt.deep_equal(a, b)
            return not_equal
        if op in ("<", "<=", ">", ">="):
            return lambda data, frame: rt.compare(op, lhs(data, frame), rhs(data, frame))
        if op in ("+", "-", "*", "/", "%"):
            return lambda data, frame: rt.numeric(op, lhs(data, frame), rhs(data, frame))
        if op == "&":
            return lambda data, frame: rt.concat(lhs(data, frame), rhs(data, frame))
        if op == "in":
            fixed = constant(node.rhs)
            if fixed is not MISSING:
                return lambda data, frame: rt.includes(lhs(data, frame), fixed)
            return lambda data, frame: rt.includes(lhs(data, frame), rhs(data, frame))
        if op == "..":
            interpreter = _interpreter()
            return lambda data, frame: interpreter.evaluate_range_expression(lhs(data, frame), rhs(data, frame))
        raise Unsupported(op)

    def unary(self, node: Any) -> Closure:
        op = str(node.value)
        if op == "-":
            operand = self.node(node.expression)

            def negate(data: Any, frame: Frame) -> Any:
                value = operand(data, frame)
                if value is None:
                    return None
                if not rt.Utils.is_numeric(value):
                    raise Fallback("D1002")
                return rt.Utils.convert_number(-float(value))
            return negate
        if op == "[":
            return self.array(node)
        if op == "{":
            return self.object(node)
        raise Unsupported(op)

    def array(self, node: Any) -> Closure:
        items = [(self.node(item), str(item.value) == "[") for item in node.expressions]
        cons = bool(node.consarray)

        def construct(data: Any, frame: Frame) -> Any:
            result = rt.Array()
            for item, nested in items:
                value = item(data, frame)
                if value is not None:
                    if nested:
                        result.append(value)
                    else:
                        rt.append_value(result, value)
            if cons:
                result.cons = True
            return result
        return construct

    def object_step(self, node: Any, *, output: bool) -> Closure:
        """An object constructor used as the last step of a path (see ``codegen``)."""
        return self.object(node, output=output)

    def object(self, node: Any, *, output: bool = False) -> Closure:
        compiled: list[tuple[Closure, Closure]] = []

        def pairs() -> list[tuple[Closure, Closure]]:
            if not compiled:  # compiled on first use: most constructors never see an array
                compiled.extend((self.node(k), self.node(v)) for k, v in node.lhs_object)
            return compiled

        def grouped(data: Any, frame: Frame) -> Any:
            """``Jsonata.evaluate_group_expression`` without tuple streams."""
            if isinstance(data, JList) and data.tuple_stream:
                raise Fallback("tuple stream")
            items = data if isinstance(data, list) else rt.sequence((data,))
            if not items:
                items = [None]
            groups: dict[str, list[Any]] = {}
            for item in items:
                for index, (key_of, _) in enumerate(pairs()):
                    key = key_of(item, frame)
                    if key is None:
                        continue
                    if type(key) is not str:
                        raise Fallback("T1003")
                    entry = groups.get(key)
                    if entry is None:
                        groups[key] = [item, index]
                    elif entry[1] != index:
                        raise Fallback("D1009")
                    else:
                        entry[0] = rt.Functions.append(entry[0], item)
            result = {}
            for key, (context, index) in groups.items():
                v = pairs()[index][1](context, frame)
                if v is not None:
                    result[key] = v
            return result

        if codegen.constant_keys(node):
            return codegen.object_function(self, node, grouped, output=output)
        return grouped

    def condition(self, node: Any) -> Closure:
        test, then = self.node(node.condition), self.node(node.then)
        otherwise = self.node(node._else) if node._else is not None else None

        def choose(data: Any, frame: Frame) -> Any:
            if rt.boolize(test(data, frame)):
                return then(data, frame)
            if otherwise is not None:
                return otherwise(data, frame)
            return None
        return choose

    def block(self, node: Any) -> Closure:
        expressions = [self.node(e) for e in node.expressions]

        def run(data: Any, frame: Frame) -> Any:
            scope = Frame(frame)
            result = None
            for expression in expressions:
                result = expression(data, scope)
            return result
        return run

    def bind(self, node: Any) -> Closure:
        name, value = str(node.lhs.value), self.node(node.rhs)

        def assign(data: Any, frame: Frame) -> Any:
            result = value(data, frame)
            frame.bindings[name] = result
            return result
        return assign

    def lambda_(self, node: Any) -> Closure:
        if node.thunk:
            # A call in tail position: jsonata-python returns a thunk and its caller's loop
            # runs the call without collapsing the result; calling it here does the same.
            if node.body.keep_array or node.body.group is not None or node.body.predicate:
                raise Unsupported("thunk shape")
            return self.function(node.body, None)
        if node.signature is not None:
            raise Unsupported("lambda signature")
        params = tuple(str(arg.value) for arg in node.arguments)
        body = codegen.expression_function(self, node.body, output=False)
        return lambda data, frame: Lambda(params, body, frame, data)

    def apply(self, node: Any) -> Closure:
        """``x ~> $f(args)`` is ``$f(x, args)``; ``x ~> $f`` is ``$f(x)``."""
        lhs = self.node(node.lhs)
        if node.rhs.type == "function":
            return self.function(node.rhs, lhs)
        rhs = self.node(node.rhs)

        def pipe(data: Any, frame: Frame) -> Any:
            value, proc = lhs(data, frame), rhs(data, frame)
            if not rt.is_function(proc):
                raise Fallback("function composition")
            return rt.call(proc, [value], data)
        return pipe

    def interpreter_step(self, node: Any) -> Closure:
        """Wildcards and descendants need no scope: jsonata-python's own methods do them."""
        interpreter = _interpreter()
        method = interpreter.evaluate_wildcard if node.type == "wildcard" else interpreter.evaluate_descendants
        return lambda data, frame: method(node, data)

    # ------------------------------------------------------------------ function calls

    def function(self, node: Any, piped: Closure | None) -> Closure:
        procedure = node.procedure
        args = [self.node(a) for a in node.arguments or []]
        if piped is not None:
            args.insert(0, piped)
        if procedure.type == "variable":
            name = str(procedure.value)
            if name in UNSUPPORTED_FUNCTIONS:
                raise Unsupported(f"${name}")
            if name not in self.bound:
                native = rt.STATIC_FRAME.lookup(name)
                if native is not None:
                    self.static_calls.add(name)
                    fast = _fast_native(name, node.arguments or [], args, piped is not None)
                    if fast is not None:
                        return fast
                    return _native_call(native, args)
        proc_of = self.node(procedure)

        def dynamic(data: Any, frame: Frame) -> Any:
            proc = proc_of(data, frame)
            if proc is None:
                raise Fallback("T1006")
            values = [a(data, frame) for a in args]
            return rt.call(proc, values, data)
        return dynamic


# ---------------------------------------------------------------------- helpers


def _step(step: Closure, stages: list[Any], items: Any, frame: Frame, last: bool) -> Any:
    """``Jsonata.evaluate_step``: one step over every item, results flattened."""
    results = []
    for item in items:
        res = step(item, frame)
        for stage in stages:
            res = stage(res, frame)
        if res is not None:
            results.append(res)
    if last and len(results) == 1 and isinstance(results[0], list) and not (
            isinstance(results[0], JList) and results[0].sequence):
        return results[0]
    flat = rt.sequence()
    for res in results:
        if not isinstance(res, list) or (isinstance(res, JList) and res.cons):
            flat.append(res)
        else:
            flat.extend(res)
    return flat


def _walk(names: list[str], whole: bool, run: Callable[[Any, Frame, int], Any], rest: int,
          general: Closure) -> Closure:
    """Field steps ``a.b.c`` read from nested dicts; ``run`` continues with the steps after them.

    Anything but a plain dict on the way (an array, a sequence) goes to ``general``, the
    step-by-step evaluation, which gives the same result more slowly."""
    *middle, last = names

    def read(data: Any, frame: Frame) -> Any:
        if type(data) is not dict:
            return general(data, frame)
        value = data
        for name in middle:
            value = value.get(name)
            if type(value) is not dict:
                if isinstance(value, list):
                    return general(data, frame)
                return None  # missing, null or a scalar: nothing below it
        found = value.get(last, MISSING)
        if found is MISSING:
            return None
        kind = type(found)
        if whole:
            if found is None:
                return NULL
            if kind is list or not isinstance(found, JList):
                return found
            return general(data, frame)
        if found is None:
            return run(rt.sequence((NULL,)), frame, rest)
        if kind is list:
            for item in found:
                if isinstance(item, list):
                    return general(data, frame)
            return run(found, frame, rest) if found else None
        if isinstance(found, list):
            return general(data, frame)
        return run(rt.sequence((found,)), frame, rest)
    return read


def constant(node: Any) -> Any:
    """A literal string, number, or an array/object of them (no nulls), else MISSING."""
    if node.predicate or node.keep_array or getattr(node, "stages", None):
        return MISSING
    if node.type in ("string", "number") or (node.type == "value" and node.value is not None):
        return node.value
    if node.type == "unary" and node.value == "{" and getattr(node, "group", None) is None:
        result = {}
        for key, value in node.lhs_object:
            k, v = constant(key), constant(value)
            if type(k) is not str or v is MISSING or isinstance(v, (dict, list)) or k in result:
                return MISSING
            result[k] = v
        return result
    if node.type == "unary" and node.value == "[" and not node.consarray:
        items = [constant(e) for e in node.expressions]
        if any(i is MISSING or isinstance(i, (dict, list)) for i in items):
            return MISSING
        return JList(items)
    return MISSING


def direct_call(native: Any) -> Callable[[Any, list[Any]], Any]:
    """Call a jsonata-python built-in. Where the arguments' types plainly fit its signature it
    is called directly, skipping the signature check (a regex match per call)."""
    fits = _SIGNATURE_FITS.get(getattr(native, "function_name", None) or "")
    if fits is None:
        return lambda data, values: rt.call(native, values, data)

    def call(data: Any, values: list[Any]) -> Any:
        if fits(values):
            return native.call(data, values)
        return rt.call(native, values, data)
    return call


def _native_call(native: Any, args: list[Closure]) -> Closure:
    direct = direct_call(native)
    return lambda data, frame: direct(data, [a(data, frame) for a in args])


def _number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is float


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _numbers(value: Any) -> bool:
    return type(value) is list and all(_number(v) for v in value)


def _json(value: Any) -> bool:
    """A defined value that is data, not a function."""
    return value is not None and type(value) is not Lambda and not isinstance(value, jsonata.Jsonata.JFunction)


# Argument lists that certainly pass each built-in's signature unchanged (no context value to
# insert, no single value to wrap into an array): for these the check can be skipped.
_SIGNATURE_FITS: dict[str, Callable[[list[Any]], bool]] = {
    "substring": lambda a: len(a) in (2, 3) and type(a[0]) is str and all(_number(v) for v in a[1:]),
    "contains": lambda a: len(a) == 2 and type(a[0]) is str and type(a[1]) is str,
    "substringBefore": lambda a: len(a) == 2 and type(a[0]) is str and type(a[1]) is str,
    "substringAfter": lambda a: len(a) == 2 and type(a[0]) is str and type(a[1]) is str,
    "length": lambda a: len(a) == 1 and type(a[0]) is str,
    "uppercase": lambda a: len(a) == 1 and type(a[0]) is str,
    "lowercase": lambda a: len(a) == 1 and type(a[0]) is str,
    "trim": lambda a: len(a) == 1 and type(a[0]) is str,
    "join": lambda a: len(a) in (1, 2) and _strings(a[0]) and all(type(v) is str for v in a[1:]),
    "abs": lambda a: len(a) == 1 and _number(a[0]),
    "floor": lambda a: len(a) == 1 and _number(a[0]),
    "ceil": lambda a: len(a) == 1 and _number(a[0]),
    "round": lambda a: len(a) in (1, 2) and all(_number(v) for v in a),
    "sum": lambda a: len(a) == 1 and _numbers(a[0]),
    "max": lambda a: len(a) == 1 and _numbers(a[0]),
    "min": lambda a: len(a) == 1 and _numbers(a[0]),
    "type": lambda a: len(a) == 1 and _json(a[0]),
    "keys": lambda a: len(a) == 1 and type(a[0]) in (dict, list),
    "append": lambda a: len(a) == 2 and _json(a[0]) and _json(a[1]),
}


def _fast_native(name: str, arg_nodes: list[Any], args: list[Closure], piped: bool) -> Closure | None:
    """Direct code for the built-ins mappings call on every record; same results as the natives."""
    n = len(args)
    native = rt.STATIC_FRAME.lookup(name)
    generic = _native_call(native, args)
    if name == "exists" and n == 1:
        (a,) = args
        return lambda data, frame: a(data, frame) is not None
    if name == "string" and n == 1:
        (a,) = args
        return lambda data, frame: rt.to_string(a(data, frame))
    if name == "lookup" and n == 2:
        table = None if piped else constant(arg_nodes[0])
        obj, key = args

        if type(table) is dict:
            def lookup_constant(data: Any, frame: Frame) -> Any:
                k = key(data, frame)
                if type(k) is str:
                    return table.get(k)
                return generic(data, frame)
            return lookup_constant

        def lookup(data: Any, frame: Frame) -> Any:
            o, k = obj(data, frame), key(data, frame)
            if type(k) is str:
                if type(o) is dict:
                    return rt.lookup(o, k)
                if o is None:
                    return None
            return rt.call(native, [o, k], data)
        return lookup
    if name in ("not", "boolean") and n == 1:
        (a,) = args
        negate = name == "not"

        def truth(data: Any, frame: Frame) -> Any:
            value = a(data, frame)
            if value is None:
                return None
            if type(value) is Lambda:
                return generic(data, frame)
            return rt.boolize(value) is not negate
        return truth
    if name == "count" and n == 1:
        (a,) = args

        def count(data: Any, frame: Frame) -> Any:
            value = a(data, frame)
            if value is None:
                return 0
            if isinstance(value, list):
                return len(value)
            return rt.call(native, [value], data)
        return count
    if name in ("map", "filter", "each") and n == 2:
        target, proc_of = args
        run = {"map": rt.hof_map, "filter": rt.hof_filter, "each": rt.hof_each}[name]

        def higher_order(data: Any, frame: Frame) -> Any:
            proc = proc_of(data, frame)
            if not rt.is_function(proc):
                raise Fallback("not a function")
            return run(target(data, frame), proc)
        return higher_order
    if name == "number" and n == 1:
        (a,) = args

        def number(data: Any, frame: Frame) -> Any:
            value = a(data, frame)
            if value is None:
                return None
            if type(value) is int or type(value) is float:
                return value
            return rt.call(native, [value], data)
        return number
    return None


_INTERPRETER: Any = None


def _interpreter() -> Any:
    """A jsonata-python instance whose scope-free helper methods compiled code borrows."""
    global _INTERPRETER
    if _INTERPRETER is None:
        _INTERPRETER = jsonata.Jsonata("$")
    return _INTERPRETER
