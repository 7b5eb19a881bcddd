"""Load, check and compile every mapping file once.

Checks go beyond the file's shape: each `call` must name a catalogue operation, each path
placeholder of that operation needs an expression, every expression must compile, and the
resource must be a known unified resource. Problems come back as ``file:line: message``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from unified.catalogue.loader import PROJECT_ROOT, Catalogue, CatalogueOperation
from unified.mapping.expr import Expr, MappingError
from unified.mapping.model import MappingFile
from unified.models import REGISTRY, ResourceModel
from unified.yamlfile import YamlDocument, YamlError, load_yaml, parse_msgspec_path

WRITE_METHODS = ("create", "update")


def mappings_dir() -> Path:
    return Path(os.environ.get("UNIFIED_MAPPINGS_DIR", PROJECT_ROOT / "mappings"))


@dataclass
class CompiledRoute:
    op: CatalogueOperation
    when: Expr | None
    path: dict[str, Expr]
    query: Expr | None
    body: Expr | None
    records: Expr | None
    response: Expr | None


@dataclass
class CompiledLookup:
    name: str
    op: CatalogueOperation
    key: Expr
    value: Expr
    max_pages: int
    ttl_seconds: float
    scope: str = ""  # the mapping file: lookups of different files never share a cache entry
    collect: bool = False  # each of a record's keys -> the list of values naming it


@dataclass
class CompiledMethod:
    name: str
    routes: list[CompiledRoute]
    static: list[dict[str, Any]] | None
    response: Expr | None
    filters: dict[str, tuple[str, ...]]
    sort_by: tuple[str, ...]
    lookups: list[CompiledLookup]
    description: str = ""


@dataclass
class ResourceMapping:
    provider: str
    api: str
    resource: str
    file: str
    model: ResourceModel
    methods: dict[str, CompiledMethod] = field(default_factory=dict)


class MappingLoadError(Exception):
    def __init__(self, problems: list[YamlError]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _compile(doc: YamlDocument, where: tuple, source: str | None, problems: list[YamlError]) -> Expr | None:
    if source is None:
        return None
    location = f"{doc.file}:{doc.line_of(where)}"
    try:
        return Expr(source, location)
    except MappingError as exc:
        problems.append(doc.error(where, str(exc)[len(location) + 2:]))
        return None


def _operation(doc: YamlDocument, where: tuple, call: str, catalogue: Catalogue,
               problems: list[YamlError]) -> CatalogueOperation | None:
    resource, _, method = call.partition(".")
    op = catalogue.operation(resource, method)
    if op is None:
        problems.append(doc.error(where, f"{call!r} is not an operation of the {catalogue.name} catalogue"))
    return op


def load_mapping_file(path: Path, provider: str, api: str, catalogue: Catalogue) -> ResourceMapping:
    problems: list[YamlError] = []
    doc = load_yaml(path)
    resource = path.stem
    model = REGISTRY.get((api, resource))
    if model is None:
        known = sorted(r for a, r in REGISTRY if a == api)
        raise MappingLoadError([doc.error((), f"{api}/{resource} is not a unified resource (known: {known})")])
    try:
        parsed = msgspec.convert(doc.data, MappingFile, strict=True)
    except msgspec.ValidationError as exc:
        text, where = parse_msgspec_path(str(exc))
        raise MappingLoadError([doc.error(where, text)]) from None
    mapping = ResourceMapping(provider, api, resource, doc.file, model)
    lookups: dict[str, CompiledLookup] = {}
    for name, spec in parsed.lookups.items():
        where = ("lookups", name)
        op = _operation(doc, where + ("call",), spec.call, catalogue, problems)
        key = _compile(doc, where + ("key",), spec.key, problems)
        value = _compile(doc, where + ("value",), spec.value, problems)
        if op is not None and op.pagination is None:
            problems.append(doc.error(where + ("call",), f"lookup {spec.call} must be a paged list"))
        if op and key and value:
            lookups[name] = CompiledLookup(name, op, key, value, spec.max_pages, spec.ttl_seconds,
                                           scope=f"{provider}/{api}/{resource}", collect=spec.collect)
    default_response = _compile(doc, ("response",), parsed.response, problems)
    for method_name, method in parsed.methods.items():
        where = ("methods", method_name)
        if method_name in WRITE_METHODS and getattr(model, method_name) is None:
            problems.append(doc.error(where, f"{api}/{resource} has no unified {method_name} body schema"))
        if (method.routes is None) == (method.static is None):
            problems.append(doc.error(where, "give either routes or static"))
            continue
        if method.static is not None and method_name != "list":
            problems.append(doc.error(where + ("static",), "static records serve list only"))
        routes = []
        for i, route in enumerate(method.routes or []):
            rwhere = where + ("routes", i)
            op = _operation(doc, rwhere + ("call",), route.call, catalogue, problems)
            if op is not None:
                missing = [p for p in op.path.params if p not in route.path]
                extra = [p for p in route.path if p not in op.path.params]
                if missing:
                    problems.append(doc.error(rwhere + ("path",), f"{route.call} needs path expressions for {missing}"))
                if extra:
                    problems.append(doc.error(rwhere + ("path",), f"{route.call} has no placeholders {extra}"))
                if method_name == "list" and op.pagination is None and route.records is None:
                    problems.append(doc.error(rwhere + ("call",), f"{route.call} is not a paged list; add `records`"))
            if route.when is None and i != len(method.routes or []) - 1:
                problems.append(doc.error(rwhere, "only the last route may omit `when`"))
            compiled = CompiledRoute(
                op=op,  # type: ignore[arg-type]
                when=_compile(doc, rwhere + ("when",), route.when, problems),
                path={k: e for k, v in route.path.items() if (e := _compile(doc, rwhere + ("path", k), v, problems))},
                query=_compile(doc, rwhere + ("query",), route.query, problems),
                body=_compile(doc, rwhere + ("body",), route.body, problems),
                records=_compile(doc, rwhere + ("records",), route.records, problems),
                response=_compile(doc, rwhere + ("response",), route.response, problems),
            )
            routes.append(compiled)
        response = _compile(doc, where + ("response",), method.response, problems) or default_response
        has_response = method.response or parsed.response or all(r.response for r in method.routes or [])
        if method_name != "delete" and method.static is None and not has_response:
            problems.append(doc.error(where, "no response mapping (set `response` on the method or the file)"))
        unknown = [name for name in method.lookups if name not in parsed.lookups]
        if unknown:
            problems.append(doc.error(where + ("lookups",), f"unknown lookups {unknown}"))
        mapping.methods[method_name] = CompiledMethod(
            name=method_name, routes=routes, static=method.static, response=response,
            filters={k: tuple(v) for k, v in method.filters.items()}, sort_by=tuple(method.sort_by),
            lookups=[lookups[n] for n in method.lookups if n in lookups], description=method.description)
    if problems:
        raise MappingLoadError(problems)
    return mapping


def load_mappings(catalogues: dict[str, Catalogue], root: Path | None = None
                  ) -> dict[tuple[str, str, str], ResourceMapping]:
    """Every mapping under ``root``, keyed by (provider, api, resource)."""
    root = root or mappings_dir()
    out: dict[tuple[str, str, str], ResourceMapping] = {}
    problems: list[YamlError] = []
    if not root.exists():
        return out
    for provider_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        catalogue = catalogues.get(provider_dir.name)
        for path in sorted(provider_dir.glob("*/*.yaml")):
            api = path.parent.name
            if catalogue is None:
                problems.append(YamlError(path, 1, f"no provider catalogue named {provider_dir.name!r}"))
                continue
            try:
                mapping = load_mapping_file(path, provider_dir.name, api, catalogue)
            except MappingLoadError as exc:
                problems.extend(exc.problems)
                continue
            except YamlError as exc:
                problems.append(exc)
                continue
            out[(provider_dir.name, api, mapping.resource)] = mapping
    if problems:
        raise MappingLoadError(problems)
    return out


def expressions(mappings: dict[Any, ResourceMapping]) -> list[Expr]:
    """Every expression of the loaded mappings (routes, responses, lookups), in file order."""
    found: dict[int, Expr] = {}

    def walk(value: Any) -> None:
        if isinstance(value, Expr):
            found[id(value)] = value
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name))
    walk(list(mappings.values()))
    return list(found.values())
