"""Python source for the hot shapes of a JSONata expression.

A closure per node still costs a Python call per node, a few hundred per mapped record. An
object constructor is therefore turned into one generated function whose body reads fields
with inline dict lookups, tests conditions and calls ``$exists``/``$string``/``$lookup``
inline. Any node outside that subset is a call to the closure ``compiler`` made for it, so the
generated code only ever inlines shapes whose semantics are spelled out in full below.

*Output mode*: jsonata-python ends every evaluation by walking the result to turn the JSON
nulls met on the way (its ``NULL`` sentinel) into ``None``. A constructor whose result goes
straight to the output is generated in output mode instead: it stores clean values as it
builds, and walks only values it did not build (closure results), so the final walk is skipped.

Kinds of generated values: "clean" (never holds ``NULL``: literals, strings, booleans, numbers,
constructors built in output mode), "path" (read from the input: an input value, ``NULL``, or
a sequence of those), "any" (anything, e.g. a closure's result)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from unified.mapping import runtime as rt
from unified.mapping.runtime import MISSING, NULL, JList

INLINE_NATIVES = frozenset({"exists", "string", "lookup", "not", "boolean", "type", "length"})
CLOSURE_NATIVES = frozenset({"count", "map", "filter", "each", "number"})  # compiler._fast_native has these
UNSUPPORTED = frozenset({"eval", "now", "millis", "random"})
GENERAL = object()  # "only the general path can read this": see _Source.prefix
PLAIN = frozenset({str, int, float, bool, dict, list})  # input values: never NULL, never sequences
CLEAN_KINDS = frozenset({"clean", "str", "bool", "num"})


def expression_function(compiler: Any, node: Any, *, output: bool) -> Callable[[Any, Any], Any]:
    """A generated ``(data, frame) -> value`` for any expression (the whole mapping, or a
    lambda's body); an array as context goes to the closure form, which handles grouping."""
    source = _Source(compiler, output)
    source.emit(1, "if isinstance(data, list):")
    result = f"{source.lazy(node)}(data, frame)"
    source.emit(2, f"return {result if not output else f'rt.cleaned({result})'}")
    head = len(source.lines)
    value, kind = source.value(node, 1, output)
    source.emit(1, f"return {source.stored(value, kind) if output else value}")
    return source.build("evaluate", head)


def object_function(compiler: Any, node: Any, grouped: Callable[[Any, Any], Any], *,
                    output: bool = False) -> Callable[[Any, Any], Any]:
    """A generated ``(data, frame) -> dict`` for an object constructor with constant keys."""
    source = _Source(compiler, output)
    source.emit(1, "if isinstance(data, list):")
    result = f"{source.const(grouped)}(data, frame)"
    source.emit(2, f"return {result if not output else f'rt.cleaned({result})'}")
    head = len(source.lines)
    source.emit(1, f"return {source.object(node, 1, output)}")
    return source.build("construct", head)


class _Source:
    def __init__(self, compiler: Any, output: bool) -> None:
        self.compiler = compiler
        self.output = output
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"rt": rt, "NULL": NULL, "MISSING": MISSING, "JList": JList, "PLAIN": PLAIN,
                                      "GENERAL": GENERAL}
        self.count = 0
        self.hoisted: list[str] = []
        self.prefixes: dict[tuple[str, ...], str] = {}
        self.reads: dict[tuple[Any, ...], str] = {}

    def build(self, name: str, head: int) -> Callable[[Any, Any], Any]:
        """The function: its first ``head`` lines, the hoisted reads, then the rest."""
        lines = self.lines[:head] + ["    " + line for line in self.hoisted] + self.lines[head:]
        text = f"def {name}(data, frame):\n" + "\n".join(lines) + "\n"
        namespace = dict(self.names)
        exec(compile(text, f"<jsonata {name}>", "exec"), namespace)  # noqa: S102 - our own generated code
        function = namespace[name]
        function.source = text
        return function

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def hoist(self, indent: int, line: str) -> None:
        self.hoisted.append("    " * indent + line)

    def temp(self) -> str:
        self.count += 1
        return f"t{self.count}"

    def const(self, value: Any) -> str:
        name = f"c{len(self.names)}"
        self.names[name] = value
        return name

    def lazy(self, node: Any) -> str:
        """The name of ``node``'s closure, compiled on first use (it backs rare paths only, and
        compiling it eagerly would compile nested constructors twice at every level)."""
        return self.const(_Lazy(self.compiler, node))

    # ------------------------------------------------------------------ nodes

    def value(self, node: Any, ind: int, out: bool = False) -> tuple[str, str]:
        """Emit code computing ``node`` over ``data``; return (expression, kind). With ``out``
        the node's value goes straight to the output, so constructors may build it clean."""
        if node.predicate or node.keep_array or getattr(node, "group", None) is not None:
            return self.closure(node, ind), "any"
        kind = node.type
        if kind == "string":
            return repr(str(node.value)), "str"
        if kind == "number" and type(node.value) in (int, float):
            return repr(node.value), "num"
        if kind == "value" and node.value is None:
            return "NULL", "path"
        if kind == "value" and isinstance(node.value, bool):
            return repr(node.value), "bool"
        if kind == "path":
            shape = path_shape(node)
            if shape is not None:
                return self.path(node, shape, ind, out), "clean" if shape[0] == "construct" and out else "path"
            if variable_path(node):
                return self.variable_path(node, ind), "any"
        if kind == "condition":
            return self.condition(node, ind, out)
        if kind == "unary" and node.value == "{" and constant_keys(node):
            # no array check: the generated function hands arrays to the general form first
            return self.object(node, ind, out), "clean" if out else "any"
        if kind == "unary" and node.value == "[":
            return self.array(node, ind, out), "clean" if out else "any"
        if kind == "function" and node.procedure.type == "variable":
            name = str(node.procedure.value)
            native = rt.STATIC_FRAME.lookup(name)
            if name not in self.compiler.bound and native is not None and name not in UNSUPPORTED:
                self.compiler.static_calls.add(name)
                inlined = self.native(name, node, ind) if name in INLINE_NATIVES else None
                if inlined is not None:
                    return inlined
                if name not in CLOSURE_NATIVES:
                    return self.native_call(native, node, ind), "any"
            elif name in self.compiler.bound:
                return self.lambda_call(name, node, ind), "any"
        if kind == "binary" and node.value in ("=", "!=", "and", "or", "&"):
            return self.binary(node, ind)
        if kind == "binary" and node.value in ("<", "<=", ">", ">="):
            return self.comparison(node, ind), "any"
        if kind == "binary" and node.value in ("+", "-", "*", "/", "%"):
            left, _ = self.value(node.lhs, ind)
            right, _ = self.value(node.rhs, ind)
            result = self.temp()
            self.emit(ind, f"{result} = rt.numeric({str(node.value)!r}, {left}, {right})")
            return result, "num"
        if kind == "unary" and node.value == "-":
            operand, _ = self.value(node.expression, ind)
            result = self.temp()
            self.emit(ind, f"{result} = rt.negate({operand})")
            return result, "num"
        if kind == "block":
            return self.block(node, ind, out)
        if kind == "bind":
            value, value_kind = self.value(node.rhs, ind)
            self.emit(ind, f"frame.bindings[{str(node.lhs.value)!r}] = {value}")
            return value, value_kind
        if kind == "variable" and node.value != "":
            result = self.temp()
            self.emit(ind, f"{result} = frame.lookup({str(node.value)!r})")
            return result, "any"
        if kind == "variable":  # `$`, the context: never an array here (arrays took the general form)
            return "data", "any"
        return self.closure(node, ind), "any"

    def block(self, node: Any, ind: int, out: bool) -> tuple[str, str]:
        """``(a; b; c)``: a new scope (the local ``frame`` is rebound, then restored)."""
        if not node.expressions:
            return "None", "clean"
        saved, result = self.temp(), self.temp()
        self.emit(ind, f"{saved} = frame")
        self.emit(ind, "frame = rt.Frame(frame)")
        for expression in node.expressions[:-1]:
            self.value(expression, ind)
        last, kind = self.value(node.expressions[-1], ind, out)
        self.emit(ind, f"{result} = {last}")
        self.emit(ind, f"frame = {saved}")
        return result, kind

    def comparison(self, node: Any, ind: int) -> str:
        """``<``..``>=``: numbers of one type or two strings compare directly, the rest (mixed
        int and float, wrong types, undefined) as jsonata-python does."""
        op = str(node.value)
        left, _ = self.value(node.lhs, ind)
        right, _ = self.value(node.rhs, ind)
        result = self.temp()
        if _literal(left) or _literal(right):
            left_name, right_name = self.temp(), self.temp()
            self.emit(ind, f"{left_name} = {left}")
            self.emit(ind, f"{right_name} = {right}")
            left, right = left_name, right_name
        self.emit(ind, f"if type({left}) is type({right}) and type({left}) in rt.ORDERED:")
        self.emit(ind + 1, f"{result} = {left} {op} {right}")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"{result} = rt.compare({op!r}, {left}, {right})")
        return result

    def lambda_call(self, name: str, node: Any, ind: int) -> str:
        """``$f(args)`` where the expression binds ``$f`` itself (usually to a lambda)."""
        proc = self.temp()
        self.emit(ind, f"{proc} = frame.lookup({name!r})")
        values = [self.value(argument, ind)[0] for argument in node.arguments or []]
        result = self.temp()
        self.emit(ind, f"if type({proc}) is rt.Lambda:")
        self.emit(ind + 1, f"{result} = rt.mangle({proc}.invoke([{', '.join(values)}]), False)")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"{result} = {self.lazy(node)}(data, frame)")
        return result

    def native_call(self, native: Any, node: Any, ind: int) -> str:
        """A built-in called with its arguments computed inline (see compiler.direct_call)."""
        from unified.mapping.compiler import direct_call

        values = [self.value(argument, ind)[0] for argument in node.arguments or []]
        result = self.temp()
        self.emit(ind, f"{result} = rt.mangle({self.const(direct_call(native))}(data, [{', '.join(values)}]), False)")
        return result

    def closure(self, node: Any, ind: int) -> str:
        result = self.temp()
        self.emit(ind, f"{result} = {self.const(self.compiler.node(node))}(data, frame)")
        return result

    def stored(self, expr: str, kind: str) -> str:
        """``expr`` as the output holds it: JSON nulls as ``None``, sequences walked."""
        if not self.output or kind in CLEAN_KINDS or _literal(expr):
            return expr
        if kind == "path":
            return f"({expr} if type({expr}) in PLAIN else rt.cleaned({expr}))"
        return f"({expr} if type({expr}) is str else rt.cleaned({expr}))"

    # ------------------------------------------------------------------ paths

    def path(self, node: Any, shape: tuple[str, Any], ind: int, out: bool) -> str:
        """Field steps read inline from nested dicts, then the shape's last step: a field, a
        field indexed by a number, or an object constructor applied to a field's items.
        Whatever else is met (an array midway, a sequence) goes to the general path.

        Field reads are pure and ``data`` is fixed for the whole function, so every prefix
        (``attributes``) and every field or index read is computed once, at the top."""
        what, extra = shape
        if what == "construct":
            general = self.const(_Converted(self.compiler, node)) if out else self.lazy(node)
            names = tuple(str(s.value) for s in node.steps[:-1])
            parent = self.prefix(names[:-1])
            result = self.temp()
            self.emit(ind, f"if type({parent}) is dict:")
            self.emit(ind + 1, f"{result} = {parent}.get({names[-1]!r}, MISSING)")
            self.last_construct(result, node.steps[-1], general, ind + 1, out)
            self.emit(ind, f"elif {parent} is GENERAL or isinstance({parent}, list):")
            self.emit(ind + 1, f"{result} = {general}(data, frame)")
            self.emit(ind, "else:")
            self.emit(ind + 1, f"{result} = None")
            return result
        names = tuple(str(s.value) for s in node.steps)
        key = (what, extra, names)
        if key in self.reads:
            return self.reads[key]
        general = self.lazy(node)
        parent = self.prefix(names[:-1])
        result = self.temp()
        self.hoist(0, f"if type({parent}) is dict:")
        self.hoist(1, f"{result} = {parent}.get({names[-1]!r}, MISSING)")
        if what == "field":
            self.last_field(result, general, 1)
        else:
            self.last_index(result, extra, general, 1)
        self.hoist(0, f"elif {parent} is GENERAL or isinstance({parent}, list):")
        self.hoist(1, f"{result} = {general}(data, frame)")
        self.hoist(0, "else:")
        self.hoist(1, f"{result} = None")
        self.reads[key] = result
        return result

    def prefix(self, names: tuple[str, ...]) -> str:
        """The local holding the value at field path ``names`` of ``data``: a dict to read on,
        GENERAL where only the general path can tell (``data`` not an object, an array midway),
        or anything else (missing, null, a scalar), which has no fields."""
        if names in self.prefixes:
            return self.prefixes[names]
        if not names:
            name = "p0"
            self.hoist(0, "p0 = data if type(data) is dict else GENERAL")
        else:
            parent = self.prefix(names[:-1])
            name = f"p{len(self.prefixes)}"
            self.hoist(0, f"{name} = {parent}.get({names[-1]!r}) if type({parent}) is dict else "
                          f"(GENERAL if {parent} is GENERAL or isinstance({parent}, list) else None)")
        self.prefixes[names] = name
        return name

    def last_field(self, t: str, general: str, ind: int) -> None:
        _field_value(self.hoist, t, general, ind)

    def last_index(self, t: str, index: int, general: str, ind: int) -> None:
        """``field[n]``: the n-th item of an array field; a non-array counts as an array of one."""
        self.hoist(ind, f"if {t} is MISSING:")
        self.hoist(ind + 1, f"{t} = None")
        self.hoist(ind, f"elif type({t}) is list:")
        self.hoist(ind + 1, f"{t} = {t}[{index}] if len({t}) > {index} else MISSING")
        self.hoist(ind + 1, f"if {t} is None:")
        self.hoist(ind + 2, f"{t} = NULL")
        self.hoist(ind + 1, f"elif {t} is MISSING:")
        self.hoist(ind + 2, f"{t} = None")
        self.hoist(ind + 1, f"elif type({t}) not in PLAIN:")
        self.hoist(ind + 2, f"{t} = {general}(data, frame)")
        self.hoist(ind, f"elif {t} is None:")
        self.hoist(ind + 1, f"{t} = NULL if {index} == 0 else None")
        self.hoist(ind, f"elif type({t}) in PLAIN:")
        self.hoist(ind + 1, f"{t} = {t} if {index} == 0 else None")
        self.hoist(ind, "else:")
        self.hoist(ind + 1, f"{t} = {general}(data, frame)")

    def last_construct(self, t: str, step: Any, general: str, ind: int, out: bool) -> None:
        """``field.{...}``: the constructor over each item of an array field, or over the field."""
        construct = self.const(self.compiler.object_step(step, output=out))
        self.emit(ind, f"if {t} is MISSING:")
        self.emit(ind + 1, f"{t} = None")
        self.emit(ind, f"elif type({t}) is list:")
        self.emit(ind + 1, f"if len({t}) == 1:")
        self.emit(ind + 2, f"{t} = {construct}({t}[0], frame)")
        self.emit(ind + 1, f"elif {t}:")
        self.emit(ind + 2, f"{t} = rt.sequence([{construct}(item, frame) for item in {t}])")
        self.emit(ind + 1, "else:")
        self.emit(ind + 2, f"{t} = None")
        self.emit(ind, f"elif {t} is not None and type({t}) in PLAIN:")
        self.emit(ind + 1, f"{t} = {construct}({t}, frame)")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"{t} = {general}(data, frame)")

    def variable_path(self, node: Any, ind: int) -> str:
        """``$v.a.b``: the variable read where it is used (an assignment may precede it), then
        its fields; anything but nested dicts goes to the general path."""
        general = self.lazy(node)
        names = [str(s.value) for s in node.steps[1:]]
        result = self.temp()
        self.emit(ind, f"{result} = frame.lookup({str(node.steps[0].value)!r})")
        depth = ind
        for name in names[:-1]:
            self.emit(depth, f"if type({result}) is dict:")
            self.emit(depth + 1, f"{result} = {result}.get({name!r})")
            depth += 1
        self.emit(depth, f"if type({result}) is dict:")
        self.emit(depth + 1, f"{result} = {result}.get({names[-1]!r}, MISSING)")
        _field_value(self.emit, result, general, depth + 1)
        for level in range(depth, ind - 1, -1):
            self.emit(level, "else:")
            self.emit(level + 1, f"{result} = {general}(data, frame)")
        return result

    # ------------------------------------------------------------------ constructors

    def object(self, node: Any, ind: int, out: bool) -> str:
        saved, self.output = self.output, out
        result = self.temp()
        self.emit(ind, f"{result} = {{}}")
        for key, value in node.lhs_object:
            expr, kind = self.value(value, ind, out)
            if _literal(expr):
                self.emit(ind, f"{result}[{str(key.value)!r}] = {expr}")
            else:
                self.emit(ind, f"if {expr} is not None:")
                self.emit(ind + 1, f"{result}[{str(key.value)!r}] = {self.stored(expr, kind)}")
        self.output = saved
        return result

    def array(self, node: Any, ind: int, out: bool) -> str:
        saved, self.output = self.output, out
        result = self.temp()
        self.emit(ind, f"{result} = rt.Array()")
        for item in node.expressions:
            expr, kind = self.value(item, ind, out)
            if _literal(expr):
                temp = self.temp()
                self.emit(ind, f"{temp} = {expr}")
                expr = temp
            self.emit(ind, f"if {expr} is not None:")
            if str(item.value) == "[":
                self.emit(ind + 1, f"{result}.append({self.stored(expr, kind)})")
            else:
                self.emit(ind + 1, f"rt.append_value({result}, {self.stored(expr, kind)})")
        if node.consarray:
            self.emit(ind, f"{result}.cons = True")
        self.output = saved
        return result

    def condition(self, node: Any, ind: int, out: bool) -> tuple[str, str]:
        result = self.temp()
        test = self.truth(node.condition, ind)
        self.emit(ind, f"if {test}:")
        then, then_kind = self.value(node.then, ind + 1, out)
        self.emit(ind + 1, f"{result} = {then}")
        self.emit(ind, "else:")
        other_kind = "clean"
        if node._else is not None:
            other, other_kind = self.value(node._else, ind + 1, out)
            self.emit(ind + 1, f"{result} = {other}")
        else:
            self.emit(ind + 1, f"{result} = None")
        kinds = {then_kind, other_kind}
        kind = "clean" if kinds <= CLEAN_KINDS else "path" if kinds <= CLEAN_KINDS | {"path"} else "any"
        return result, kind

    # ------------------------------------------------------------------ operators

    def truth(self, node: Any, ind: int) -> str:
        """A Python expression that is the JSONata truth of ``node``."""
        expr, kind = self.value(node, ind)
        return expr if kind == "bool" else f"rt.boolize({expr})"

    def binary(self, node: Any, ind: int) -> tuple[str, str]:
        op = str(node.value)
        result = self.temp()
        if op in ("and", "or"):
            left = self.truth(node.lhs, ind)
            self.emit(ind, f"{result} = {left}")
            self.emit(ind, f"if {'' if op == 'and' else 'not '}{result}:")
            right = self.truth(node.rhs, ind + 1)
            self.emit(ind + 1, f"{result} = {right}")
            return result, "bool"
        left, _ = self.value(node.lhs, ind)
        right, _ = self.value(node.rhs, ind)
        if op == "&":
            self.emit(ind, f"{result} = rt.concat({left}, {right})")
            return result, "str"
        if _literal(left) or _literal(right):
            # bind literals to names so the generated code never compares a literal with `is`
            left_name, right_name = self.temp(), self.temp()
            self.emit(ind, f"{left_name} = {left}")
            self.emit(ind, f"{right_name} = {right}")
            left, right = left_name, right_name
        self.emit(ind, f"if type({left}) is str and type({right}) is str:")
        self.emit(ind + 1, f"{result} = {left} {'==' if op == '=' else '!='} {right}")
        self.emit(ind, f"elif {left} is None or {right} is None:")
        self.emit(ind + 1, f"{result} = False")
        self.emit(ind, "else:")
        self.emit(ind + 1, f"{result} = {'' if op == '=' else 'not '}rt.deep_equal({left}, {right})")
        return result, "bool"

    def native(self, name: str, node: Any, ind: int) -> tuple[str, str] | None:
        arguments = node.arguments or []
        result = self.temp()
        if name == "exists" and len(arguments) == 1:
            arg, _ = self.value(arguments[0], ind)
            return ("True" if _literal(arg) else f"({arg} is not None)"), "bool"
        if name == "string" and len(arguments) == 1:
            arg, kind = self.value(arguments[0], ind)
            if kind == "str":
                return arg, "str"
            if _literal(arg):
                self.emit(ind, f"{result} = rt.to_string({arg})")
                return result, "str"
            self.emit(ind, f"{result} = {arg} if type({arg}) is str else rt.to_string({arg})")
            return result, "str"
        if name in ("not", "boolean") and len(arguments) == 1:
            arg, kind = self.value(arguments[0], ind)
            negate = "not " if name == "not" else ""
            if kind == "bool" or _literal(arg):
                self.emit(ind, f"{result} = {negate}{arg}" if kind == "bool" else f"{result} = {negate}rt.boolize({arg})")
                return result, "bool"
            self.emit(ind, f"if {arg} is None or type({arg}) is rt.Lambda:")
            self.emit(ind + 1, f"{result} = {self.lazy(node)}(data, frame) if {arg} is not None else None")
            self.emit(ind, "else:")
            self.emit(ind + 1, f"{result} = {negate}rt.boolize({arg})")
            return result, "any"
        if name == "length" and len(arguments) == 1:
            arg, _ = self.value(arguments[0], ind)
            self.emit(ind, f"{result} = len({arg}) if type({arg}) is str else {self.lazy(node)}(data, frame)")
            return result, "num"
        if name == "type" and len(arguments) == 1:
            arg, _ = self.value(arguments[0], ind)
            self.emit(ind, f"{result} = rt.type_of({arg})")
            return result, "str"
        if name == "lookup" and len(arguments) == 2:
            from unified.mapping.compiler import constant

            general = self.lazy(node)
            table = constant(arguments[0])
            if type(table) is dict:
                key, _ = self.value(arguments[1], ind)
                self.emit(ind, f"{result} = {self.const(table)}.get({key}) if type({key}) is str else {general}(data, frame)")
                return result, "clean"
            obj, _ = self.value(arguments[0], ind)
            key, _ = self.value(arguments[1], ind)
            self.emit(ind, f"if type({key}) is str and type({obj}) is dict:")
            self.emit(ind + 1, f"{result} = rt.mangle(rt.lookup({obj}, {key}), False)")
            self.emit(ind, "else:")
            self.emit(ind + 1, f"{result} = {general}(data, frame)")
            return result, "any"
        return None


def _field_value(emit: Callable[[int, str], None], t: str, general: str, ind: int) -> None:
    """Turn ``t``, just read with ``dict.get(name, MISSING)``, into what a JSONata field read
    gives: missing is undefined, a JSON null is NULL, a sequence goes to the general path."""
    emit(ind, f"if {t} is None:")
    emit(ind + 1, f"{t} = NULL")
    emit(ind, f"elif {t} is MISSING:")
    emit(ind + 1, f"{t} = None")
    emit(ind, f"elif type({t}) not in PLAIN and isinstance({t}, JList):")
    emit(ind + 1, f"{t} = {general}(data, frame)")


def variable_path(node: Any) -> bool:
    """``$v.a.b``: a named variable, then plain field steps."""
    if node.group is not None or node.tuple is not None or node.keep_singleton_array or node.predicate:
        return False
    first, *rest = node.steps
    if first.type != "variable" or first.value in ("", "$") or first.stages or first.predicate or first.keep_array:
        return False
    return bool(rest) and all(s.type == "name" and not s.stages and not s.predicate and not s.keep_array
                              and s.group is None and s.focus is None and s.index is None for s in rest)


def path_shape(node: Any) -> tuple[str, Any] | None:
    """Which inline form a path takes: ("field", None) for ``a.b``, ("index", n) for ``a.b[n]``
    (n >= 0), ("construct", None) for ``a.b.{...}``; None for any other path."""
    if node.group is not None or node.tuple is not None or node.keep_singleton_array or node.predicate:
        return None
    steps = node.steps

    def plain(step: Any) -> bool:
        return not step.predicate and not step.keep_array and step.group is None and step.focus is None \
            and step.index is None and step.tuple is None

    def field(step: Any) -> bool:
        return step.type == "name" and plain(step) and not step.stages

    if all(field(s) for s in steps):
        return "field", None
    *head, last = steps
    if not head or not all(field(s) for s in head):
        return None
    if last.type == "name" and plain(last) and last.stages and len(last.stages) == 1:
        stage = last.stages[0]
        if stage.type == "filter" and stage.expr.type == "number" and type(stage.expr.value) is int \
                and stage.expr.value >= 0 and not stage.expr.predicate and not stage.expr.keep_array:
            return "index", stage.expr.value
    if last.type == "unary" and last.value == "{" and plain(last) and not last.stages and constant_keys(last):
        return "construct", None
    return None


def _literal(expr: str) -> bool:
    """Whether generated ``expr`` is a Python literal or expression rather than a variable name."""
    return not expr.isidentifier() or expr in ("True", "False", "None")


class _Lazy:
    __slots__ = ("compiler", "node", "closure")

    def __init__(self, compiler: Any, node: Any) -> None:
        self.compiler, self.node, self.closure = compiler, node, None

    def __call__(self, data: Any, frame: Any) -> Any:
        if self.closure is None:
            self.closure = self.compiler.node(self.node)
        return self.closure(data, frame)


class _Converted(_Lazy):
    """A lazily compiled closure whose result is handed over with JSON nulls as ``None``."""

    __slots__ = ()

    def __call__(self, data: Any, frame: Any) -> Any:
        return rt.cleaned(super().__call__(data, frame))


def constant_keys(node: Any) -> bool:
    keys = [k for k, _ in node.lhs_object]
    if not all(k.type == "string" and not k.predicate and not k.keep_array for k in keys):
        return False
    return len({str(k.value) for k in keys}) == len(keys)
