"""The value model and helpers that compiled JSONata closures run on.

Compiled expressions must give exactly what jsonata-python gives, so this module keeps its
value model: ``None`` is *undefined*, ``NULL`` (jsonata-python's own sentinel) is a JSON null
met during evaluation, a ``JList`` with ``sequence`` set is a result sequence that collapses
to its only item. Where a case is rare or subtle, the helpers raise ``Fallback`` and the
caller re-runs the whole expression in jsonata-python, so rare paths cost time, never
correctness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonata import functions, utils
from jsonata.jsonata import Jsonata

Functions = functions.Functions
Utils = utils.Utils
JList = Utils.JList
NULL = Utils.NULL_VALUE
MISSING = Utils.NONE
STATIC_FRAME = Jsonata.static_frame  # jsonata-python's built-in functions by name


SAFE_INTEGER = 10**15


class Fallback(Exception):
    """This evaluation needs the interpreter (an unsupported shape met at run time)."""


class Frame:
    """A variable scope: the same lookup rules as jsonata-python's ``Frame``, fewer features."""

    __slots__ = ("bindings", "parent")

    def __init__(self, parent: Frame | None, bindings: dict[str, Any] | None = None) -> None:
        self.parent = parent
        self.bindings = {} if bindings is None else bindings

    def lookup(self, name: str) -> Any:
        frame: Frame | None = self
        while frame is not None:
            value = frame.bindings.get(name, MISSING)
            if value is not MISSING:
                return value
            frame = frame.parent
        return STATIC_FRAME.lookup(name)


class Lambda:
    """A compiled ``function($a, $b) { body }`` closed over its scope and context value."""

    __slots__ = ("params", "body", "frame", "input")

    def __init__(self, params: tuple[str, ...], body: Callable[[Any, Frame], Any], frame: Frame, input: Any) -> None:
        self.params, self.body, self.frame, self.input = params, body, frame, input

    def invoke(self, args: list[Any]) -> Any:
        bindings = {name: args[i] for i, name in enumerate(self.params) if i < len(args)}
        return self.body(self.input, Frame(self.frame, bindings))


class Sequence(JList):
    """A result sequence: a ``JList`` with ``sequence`` set, made without ``JList.__init__``'s
    five attribute writes (its flags are class defaults until something sets them)."""

    __init__ = list.__init__  # type: ignore[assignment]
    sequence = True
    outer_wrapper = False
    tuple_stream = False
    keep_singleton = False
    cons = False


sequence = Sequence


class Array(JList):
    """An array built by an array constructor: a ``JList`` with every flag off until set."""

    __init__ = list.__init__  # type: ignore[assignment]
    sequence = False
    outer_wrapper = False
    tuple_stream = False
    keep_singleton = False
    cons = False


def is_jlist(value: Any) -> bool:
    kind = type(value)
    return kind is Sequence or kind is JList or isinstance(value, JList)


def mangle(result: Any, keep_array: bool) -> Any:
    """What jsonata-python does to every node's result: a sequence of one is its item."""
    kind = type(result)
    if kind is str or kind is dict or result is None:
        return result
    if isinstance(result, JList) and result.sequence and not result.tuple_stream:
        if keep_array:
            result.keep_singleton = True
        if not result:
            return None
        if len(result) == 1:
            return result if result.keep_singleton else result[0]
    return result


def boolize(value: Any) -> bool:
    if value is True:
        return True
    if value is None or value is False:
        return False
    kind = type(value)
    if kind is str:
        return value != ""
    if kind is dict:
        return bool(value)
    return bool(Functions.to_boolean(value))


def lookup(data: Any, key: str) -> Any:
    """``Functions.lookup``: a field of an object, or of every object in an array."""
    if type(data) is dict:
        value = data.get(key, MISSING)
        if value is MISSING:
            return None
        return NULL if value is None else value
    return Functions.lookup(data, key)


def is_function(value: Any) -> bool:
    return isinstance(value, (Lambda, Jsonata.JFunction))


def call(proc: Any, args: list[Any], context: Any) -> Any:
    """Apply a function value: a compiled lambda or one of jsonata-python's natives."""
    if type(proc) is Lambda:
        return proc.invoke(args)
    if isinstance(proc, Jsonata.JFunction):
        for arg in args:
            if type(arg) is Lambda:
                raise Fallback("a compiled lambda passed to a native function")
        validated = proc.validate(args, context)
        return proc.call(context, validated)
    raise Fallback("not a function")


def arity(proc: Any) -> int:
    if type(proc) is Lambda:
        return len(proc.params)
    if isinstance(proc, Jsonata.JFunction) and proc.signature is not None:
        return proc.signature.get_min_number_of_args()
    raise Fallback("unknown arity")


def hof_args(proc: Any, value: Any, position: Any, whole: Any) -> list[Any]:
    n = arity(proc)
    if n >= 3:
        return [value, position, whole]
    if n == 2:
        return [value, position]
    return [value]


def as_array(value: Any) -> Any:
    """The array a higher-order function walks: undefined stays undefined; anything but an
    array (a null, a scalar, an object) is left to jsonata-python's signature rules."""
    if value is None or isinstance(value, list):
        return value
    raise Fallback("a higher-order function over a non-array")


def hof_map(array: Any, proc: Any) -> Any:
    array = as_array(array)
    if array is None:
        return None
    results = (call(proc, hof_args(proc, item, i, array), None) for i, item in enumerate(array))
    return sequence(r for r in results if r is not None)


def hof_filter(array: Any, proc: Any) -> Any:
    array = as_array(array)
    if array is None:
        return None
    return sequence(item for i, item in enumerate(array)
                    if Functions.to_boolean(call(proc, hof_args(proc, item, i, array), None)))


def hof_each(obj: Any, proc: Any) -> Any:
    if obj is None:
        return None
    if type(obj) is not dict:
        raise Fallback("$each over a non-object")
    results = (call(proc, hof_args(proc, value, key, obj), None) for key, value in obj.items())
    return sequence(r for r in results if r is not None)


def deep_equal(lhs: Any, rhs: Any) -> bool:
    if lhs is None or rhs is None:
        return False
    if type(lhs) is str and type(rhs) is str:
        return lhs == rhs
    if not isinstance(lhs, bool) and isinstance(lhs, (int, float)):
        lhs = float(lhs)
    if not isinstance(rhs, bool) and isinstance(rhs, (int, float)):
        rhs = float(rhs)
    return Utils.is_deep_equal(lhs, rhs)


def includes(lhs: Any, rhs: Any) -> bool:
    if lhs is None or rhs is None:
        return False
    if not isinstance(rhs, list):
        rhs = [rhs]
    return any(item == lhs for item in rhs)


def to_string(value: Any) -> Any:
    """``$string(x)`` and the operands of ``&``."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is int and -SAFE_INTEGER < value < SAFE_INTEGER:
        return str(value)  # what jsonata-python's 15-digit Decimal formatting gives for these
    if kind is Lambda:
        return ""
    return Functions.string(value, None)


def concat(lhs: Any, rhs: Any) -> str:
    left = "" if lhs is None else to_string(lhs)
    right = "" if rhs is None else to_string(rhs)
    return left + right


def numeric(op: str, lhs: Any, rhs: Any) -> Any:
    if lhs is not None and not Utils.is_numeric(lhs):
        raise Fallback("T2001")
    if rhs is not None and not Utils.is_numeric(rhs):
        raise Fallback("T2002")
    if lhs is None or rhs is None:
        return None
    a, b = float(lhs), float(rhs)
    if op == "+":
        result = a + b
    elif op == "-":
        result = a - b
    elif op == "*":
        result = a * b
    elif op == "/":
        if b == 0:
            raise Fallback("division by zero")
        result = a / b
    else:
        if b == 0:
            raise Fallback("modulo by zero")
        import math

        result = int(math.fmod(a, b))
    return Utils.convert_number(result)


def _comparable(value: Any) -> bool:
    return value is None or type(value) is str or (not isinstance(value, bool) and isinstance(value, (int, float)))


def compare(op: str, lhs: Any, rhs: Any) -> Any:
    if not _comparable(lhs) or not _comparable(rhs):
        raise Fallback("T2010")
    if lhs is None or rhs is None:
        return None
    if type(lhs) is not type(rhs):
        if type(lhs) is str or type(rhs) is str:
            raise Fallback("T2009")
        lhs, rhs = float(lhs), float(rhs)
    if op == "<":
        return lhs < rhs
    if op == "<=":
        return lhs <= rhs
    if op == ">":
        return lhs > rhs
    return lhs >= rhs


def append_value(result: JList, value: Any) -> None:
    """One item of an array constructor (``Functions.append`` without its copies)."""
    if isinstance(value, list):
        result.extend(value)
    else:
        result.append(value)


def cleaned(value: Any) -> Any:
    """``value`` with JSON nulls as ``None``, copied where it held one: unlike ``convert_nulls``
    this runs mid-evaluation, where the same object may still be read through a variable."""
    if value is NULL:
        return None
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is dict:
        for item in value.values():
            if item is NULL or (type(item) is not str and item is not None and cleaned(item) is not item):
                return {key: cleaned(item) for key, item in value.items()}
        return value
    if isinstance(value, list):
        for item in value:
            if item is NULL or (type(item) is not str and item is not None and cleaned(item) is not item):
                return [cleaned(item) for item in value]
        return value
    return value


ORDERED = frozenset({int, float, str})  # types `<` compares directly when both sides share one


def negate(value: Any) -> Any:
    if value is None:
        return None
    if not Utils.is_numeric(value):
        raise Fallback("D1002")
    return Utils.convert_number(-float(value))


def type_of(value: Any) -> Any:
    """``$type``: a compiled lambda is a function, as jsonata-python's own lambdas are."""
    if type(value) is Lambda:
        return "function"
    return Functions.type(value)


def convert_nulls(value: Any) -> Any:
    """The output step of jsonata-python: JSON nulls met in evaluation become ``None``."""
    if value is NULL:
        return None
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if item is NULL:
                value[key] = None
            elif type(item) is not str and item is not None:
                convert_nulls(item)
    elif kind is Sequence or kind is Array or kind is JList or kind is list:
        for i, item in enumerate(value):
            if item is NULL:
                value[i] = None
            elif type(item) is not str and item is not None:
                convert_nulls(item)
    elif isinstance(value, dict) or isinstance(value, list):
        Utils.recurse(value)
    return value
