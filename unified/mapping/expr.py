"""Compiled JSONata expressions that know where they came from.

Compile once at start-up; evaluation errors name the mapping file and line, because a
mapping author must be able to find the expression that failed."""

from __future__ import annotations

from typing import Any

import jsonata

from unified.mapping.compiler import compile_expression


class MappingError(Exception):
    """An expression failed: raised at load time (syntax) or at request time (evaluation)."""


class MappingRejected(MappingError):
    """The expression called ``$error(message)`` on purpose.

    On the request side (``when``, ``path``, ``query``, ``body``) this is how a mapping refuses
    input the vendor cannot take, and the caller gets a 400 with ``message``. A message that
    starts with a JSON pointer and a colon (``"/description: no such field"``) names the field."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(f"{where}: {message}")
        pointer, sep, text = message.partition(": ")
        if sep and pointer.startswith("/") and " " not in pointer:
            self.pointer: str | None = pointer
            self.message = text
        else:
            self.pointer, self.message = None, message


class Expr:
    """One JSONata expression: compiled to Python closures where it can be (see ``compiler``),
    with jsonata-python as the fallback and as the source of every error message."""

    __slots__ = ("source", "where", "_compiled", "_fast")

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self.where = where
        try:
            self._compiled = jsonata.Jsonata(source)
        except Exception as exc:  # jsonata-python raises JException and plain Python errors
            raise MappingError(f"{where}: invalid JSONata: {_message(exc)}") from None
        self._fast = compile_expression(source)

    @property
    def compiled(self) -> bool:
        return self._fast is not None

    def __call__(self, data: Any, bindings: dict[str, Any] | None = None) -> Any:
        if self._fast is not None:
            try:
                return self._fast(data, bindings if bindings is not None else {})
            except Exception:  # noqa: BLE001 - any doubt (a rare shape, an error) goes to jsonata-python
                pass
        return self.interpret(data, bindings)

    def interpret(self, data: Any, bindings: dict[str, Any] | None = None) -> Any:
        """Evaluate with jsonata-python only (the reference the compiled form must equal)."""
        try:
            # Always pass bindings: a shared compiled expression without them can leak `$$`
            # between concurrent evaluations in jsonata-python.
            return self._compiled.evaluate(data, bindings if bindings is not None else {})
        except Exception as exc:
            if getattr(exc, "error", None) == "D3137":  # $error("...") in the expression
                raise MappingRejected(str(getattr(exc, "current", "") or exc), self.where) from None
            raise MappingError(f"{self.where}: JSONata evaluation failed: {_message(exc)}") from None

    def __repr__(self) -> str:
        return f"Expr({self.source!r} @ {self.where})"


def _message(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:300]
