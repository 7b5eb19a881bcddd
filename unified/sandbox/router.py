"""Route concrete Kustomer paths to catalogue operations and their sandbox handlers.

Routes come from the provider catalogue, so the sandbox serves exactly what the catalogue
declares. Several tools can share one route (every channel's draft tool posts to
``/v1/customers/{id}/drafts``); the body then decides which operation it is."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from unified.catalogue.loader import Catalogue, CatalogueOperation
from unified.catalogue.paths import PathTemplate

_SHAPE = re.compile(r"\{[^}]+\}")

# Chooses among operations that share a route shape, e.g. klass by id vs kobjects by name.
Chooser = Callable[[list[CatalogueOperation], dict[str, str], Any], CatalogueOperation | None]


@dataclass
class Route:
    http: str
    shape: str
    operations: list[tuple[CatalogueOperation, PathTemplate]] = field(default_factory=list)
    weight: int = 0


@dataclass
class Match:
    op: CatalogueOperation
    params: dict[str, str]


class Router:
    def __init__(self, catalogue: Catalogue, choosers: dict[str, Chooser] | None = None) -> None:
        self.catalogue = catalogue
        self.choosers = choosers or {}
        routes: dict[tuple[str, str], Route] = {}
        self.validators: dict[str, jsonschema.Draft202012Validator] = {}
        for op in catalogue.operations.values():
            if op.body is not None:
                self.validators[op.tool_name] = jsonschema.Draft202012Validator(op.body)
            if op.external_url:
                continue
            shape = _SHAPE.sub("{}", op.path.template)
            route = routes.setdefault((op.http, shape), Route(op.http, shape, weight=op.path.literal_weight))
            route.operations.append((op, op.path))
        self.routes = sorted(routes.values(), key=lambda r: -r.weight)

    def match(self, http: str, path: str, body: Any) -> Match | None:
        for route in self.routes:
            if route.http != http:
                continue
            candidates = []
            for op, template in route.operations:
                params = template.match(path)
                if params is not None:
                    candidates.append((op, params))
            if not candidates:
                continue
            if len(candidates) == 1:
                return Match(*candidates[0])
            ops = [op for op, _ in candidates]
            chooser = self.choosers.get(route.shape)
            chosen = chooser(ops, candidates[0][1], body) if chooser else None
            if chosen is None:
                chosen = self._by_body(ops, body)
            params = dict(next(p for o, p in candidates if o is chosen))
            return Match(chosen, params)
        return None

    def _by_body(self, ops: list[CatalogueOperation], body: Any) -> CatalogueOperation:
        """The first operation whose body schema accepts ``body``; else the closest one.

        A ``const``/``enum`` mismatch (a discriminator such as a draft's ``channel``) says
        "wrong variant" far more strongly than, say, a body that is too long, so it weighs more."""
        best, best_errors = ops[0], None
        for op in ops:
            validator = self.validators.get(op.tool_name)
            if validator is None:
                return op
            errors = sum(10 if e.validator in ("const", "enum") else 1 for e in validator.iter_errors(body))
            if errors == 0:
                return op
            if best_errors is None or errors < best_errors:
                best, best_errors = op, errors
        return best
