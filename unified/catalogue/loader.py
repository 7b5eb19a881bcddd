"""Load and validate provider catalogues into ready-to-use operations.

Everything that can be wrong in a catalogue is found here, at load time, and reported as
``file:line: message``; nothing downstream re-checks the YAML.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import msgspec

from unified.catalogue.model import (
    Operation,
    PaginationOverride,
    PaginationStyle,
    Provider,
    Resource,
    ResourceFile,
)
from unified.catalogue.naming import STANDARD_METHODS, tool_name
from unified.catalogue.paths import PathTemplate
from unified.yamlfile import YamlDocument, YamlError, load_yaml, parse_msgspec_path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def providers_dir() -> Path:
    return Path(os.environ.get("UNIFIED_PROVIDERS_DIR", PROJECT_ROOT / "providers"))


class CatalogueError(Exception):
    """One or more problems, each already formatted as ``file:line: message``."""

    def __init__(self, problems: list[YamlError]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Pagination:
    style: str
    size_param: str
    page_param: str
    cursor_params: tuple[str, ...]
    first_page: int
    default_size: int
    max_size: int
    records: str
    next_link: str
    max_pages: int | None


@dataclass(frozen=True)
class CatalogueOperation:
    """A vendor operation with everything derived: tool name, tags, pagination."""

    provider: str
    resource: str
    singular: str
    method: str
    tool_name: str
    http: str
    path: PathTemplate
    description: str
    path_params: dict[str, dict[str, Any]]
    query: dict[str, dict[str, Any]]
    query_required: tuple[str, ...]
    body: dict[str, Any] | None
    body_required: bool
    pagination: Pagination | None
    access: str
    status: int
    tags: tuple[str, ...]
    external_url: bool
    source: str  # "file:line", for messages

    @property
    def is_list(self) -> bool:
        return self.pagination is not None

    @property
    def is_custom(self) -> bool:
        return self.method not in STANDARD_METHODS


@dataclass
class Catalogue:
    provider: Provider
    operations: dict[str, CatalogueOperation] = field(default_factory=dict)  # by tool name
    files: list[str] = field(default_factory=list)
    _by_resource: dict[str, dict[str, CatalogueOperation]] = field(default_factory=dict, repr=False)
    _indexed: int = field(default=-1, repr=False)

    @property
    def name(self) -> str:
        return self.provider.name

    def resources(self) -> dict[str, dict[str, CatalogueOperation]]:
        """Operations grouped by resource; built once (and again only if operations were added),
        since the proxy resolves every request through it."""
        if self._indexed != len(self.operations):
            out: dict[str, dict[str, CatalogueOperation]] = {}
            for op in self.operations.values():
                out.setdefault(op.resource, {})[op.method] = op
            self._by_resource, self._indexed = out, len(self.operations)
        return self._by_resource

    def operation(self, resource: str, method: str) -> CatalogueOperation | None:
        return self.resources().get(resource, {}).get(method)


def _convert(doc: YamlDocument, kind: type, problems: list[YamlError], at: tuple = ()) -> Any:
    data = doc.data
    for part in at:
        data = data[part]
    try:
        return msgspec.convert(data, kind, strict=True)
    except msgspec.ValidationError as exc:
        text, path = parse_msgspec_path(str(exc))
        problems.append(doc.error(at + path, text))
        return None


def _convert_resource_file(doc: YamlDocument, problems: list[YamlError]) -> ResourceFile | None:
    """Validate innermost entries first: msgspec reports dict keys as `[...]`, so converting
    each operation and resource on its own is what lets an error name its line."""
    before = len(problems)
    data = doc.data
    resources = data.get("resources") if isinstance(data, dict) else None
    if isinstance(resources, dict):
        for res_name, resource in resources.items():
            methods = resource.get("methods") if isinstance(resource, dict) else None
            if isinstance(methods, dict):
                for method in methods:
                    _convert(doc, Operation, problems, ("resources", res_name, "methods", method))
            if len(problems) == before:
                _convert(doc, Resource, problems, ("resources", res_name))
    if len(problems) != before:
        return None
    return _convert(doc, ResourceFile, problems)


def _check_schema(doc: YamlDocument, path: tuple, schema: Any, problems: list[YamlError]) -> None:
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = path + tuple(exc.path)
        problems.append(doc.error(where, f"invalid JSON Schema: {exc.message}"))


def _resolve_pagination(
    op: Operation, method: str, provider: Provider
) -> tuple[Pagination | None, str | None]:
    spec = op.pagination
    if spec is None:
        spec = provider.default_pagination if method == "list" else "none"
    if spec == "none":
        return None, None
    override = spec if isinstance(spec, PaginationOverride) else PaginationOverride(style=spec)
    style: PaginationStyle | None = provider.pagination.get(override.style)
    if style is None:
        known = ", ".join(sorted(provider.pagination)) or "none"
        return None, f"unknown pagination style {override.style!r} (known: {known}, none)"
    return (
        Pagination(
            style=style.style,
            size_param=style.size_param,
            page_param=style.page_param,
            cursor_params=tuple(style.cursor_params),
            first_page=style.first_page,
            default_size=override.default_size or style.default_size,
            max_size=override.max_size or style.max_size,
            records=style.records,
            next_link=style.next_link,
            max_pages=style.max_pages,
        ),
        None,
    )


def _load_provider(path: Path, problems: list[YamlError]) -> Provider | None:
    try:
        doc = load_yaml(path)
    except YamlError as exc:
        problems.append(exc)
        return None
    provider = _convert(doc, Provider, problems)
    if provider is None:
        return None
    if provider.default_pagination not in provider.pagination:
        problems.append(
            doc.error(("default_pagination",), f"unknown pagination style {provider.default_pagination!r}")
        )
    for name, option in provider.base_url.options.items():
        template = PathTemplate(option.template)
        missing = [p for p in template.params if p not in option.settings]
        if missing:
            problems.append(
                doc.error(("base_url", "options", name, "template"), f"template reads undeclared settings {missing}")
            )
    return provider


def _load_resource_file(
    doc: YamlDocument, provider: Provider, catalogue: Catalogue, problems: list[YamlError]
) -> None:
    parsed = _convert_resource_file(doc, problems)
    if parsed is None:
        return
    for res_name, resource in parsed.resources.items():
        for method, op in resource.methods.items():
            where = ("resources", res_name, "methods", method)
            before = len(problems)
            template = PathTemplate(op.path)
            if op.external_url:
                if template.template != "{url}":
                    problems.append(doc.error(where + ("path",), "external_url operations use path '{url}'"))
            elif not op.path.startswith("/"):
                problems.append(doc.error(where + ("path",), "path must start with '/'"))
            if len(set(template.params)) != len(template.params):
                problems.append(doc.error(where + ("path",), "a placeholder appears twice"))
            for extra in set(op.path_params) - set(template.params):
                problems.append(doc.error(where + ("path_params", extra), f"{extra!r} is not in the path"))
            for name in op.query_required:
                if name not in op.query:
                    problems.append(doc.error(where + ("query_required",), f"{name!r} is not a declared query parameter"))
            clash = set(op.query) & set(template.params)
            if clash:
                problems.append(doc.error(where + ("query",), f"query parameters shadow path parameters: {sorted(clash)}"))
            if op.body is not None and op.http == "GET":
                problems.append(doc.error(where + ("body",), "GET operations take no body"))
            for pname, schema in op.path_params.items():
                _check_schema(doc, where + ("path_params", pname), schema, problems)
            for qname, schema in op.query.items():
                _check_schema(doc, where + ("query", qname), schema, problems)
            if op.body is not None:
                _check_schema(doc, where + ("body",), op.body, problems)
            pagination, pag_error = _resolve_pagination(op, method, provider)
            if pag_error:
                problems.append(doc.error(where + ("pagination",), pag_error))
            name = tool_name(provider.name, res_name, resource.singular, method)
            if name in catalogue.operations:
                other = catalogue.operations[name].source
                problems.append(doc.error(where, f"tool name {name!r} already defined at {other}"))
            if len(problems) != before:
                continue
            access = op.access or ("read" if op.http == "GET" else "write")
            tags = tuple(dict.fromkeys([parsed.domain, *resource.tags, *op.tags, access]))
            catalogue.operations[name] = CatalogueOperation(
                provider=provider.name,
                resource=res_name,
                singular=resource.singular,
                method=method,
                tool_name=name,
                http=op.http,
                path=template,
                description=op.description.strip(),
                path_params={p: op.path_params.get(p, {"type": "string"}) for p in template.params},
                query=dict(op.query),
                query_required=tuple(op.query_required),
                body=op.body,
                body_required=op.body_required if op.body is not None else False,
                pagination=pagination,
                access=access,
                status=op.status,
                tags=tags,
                external_url=op.external_url,
                source=f"{doc.file}:{doc.line_of(where)}",
            )


def _check_unmasking(provider_file: Path, provider: Provider, catalogue: Catalogue,
                     problems: list[YamlError]) -> None:
    """``pii_unmasking`` must name existing operations that all take the subject in their path."""
    spec = provider.pii_unmasking
    if spec is None:
        return
    doc = load_yaml(provider_file)
    refs = [(("open",), spec.open), (("close",), spec.close)]
    refs += [(("read", name), ref) for name, ref in spec.read.items()]
    if not spec.read:
        problems.append(doc.error(("pii_unmasking", "read"), "name at least one operation to read"))
    if spec.tool in catalogue.operations:
        problems.append(doc.error(("pii_unmasking", "tool"), f"{spec.tool!r} is already a catalogue tool name"))
    for where, ref in refs:
        resource, _, method = ref.partition(".")
        op = catalogue.operation(resource, method)
        at = ("pii_unmasking", *where)
        if op is None:
            problems.append(doc.error(at, f"no catalogue operation {ref!r}"))
        elif spec.subject not in op.path.params:
            problems.append(doc.error(at, f"{ref} does not take {spec.subject!r} in its path"))
        elif where[0] == "read" and (op.http != "GET" or op.external_url):
            problems.append(doc.error(at, f"{ref} is not a plain GET operation"))
        elif where[0] == "open" and op.body is not None and op.body_required:
            problems.append(doc.error(at, f"{ref} needs a body; the open operation must take none"))


def load_catalogue(provider_dir: Path) -> Catalogue:
    """Load ``provider.yaml`` and ``resources/*.yaml`` of one provider, or raise CatalogueError."""
    problems: list[YamlError] = []
    provider_file = provider_dir / "provider.yaml"
    if not provider_file.exists():
        raise CatalogueError([YamlError(provider_file, 1, "provider.yaml is missing")])
    provider = _load_provider(provider_file, problems)
    if provider is None:
        raise CatalogueError(problems)
    if provider.name != provider_dir.name:
        problems.append(YamlError(provider_file, 1, f"name {provider.name!r} must match the folder {provider_dir.name!r}"))
    catalogue = Catalogue(provider=provider, files=[str(provider_file)])
    resource_files = sorted((provider_dir / "resources").glob("*.yaml"))
    if not resource_files:
        problems.append(YamlError(provider_dir / "resources", 1, "no resource files found"))
    for path in resource_files:
        catalogue.files.append(str(path))
        try:
            doc = load_yaml(path)
        except YamlError as exc:
            problems.append(exc)
            continue
        _load_resource_file(doc, provider, catalogue, problems)
    if not problems:
        _check_unmasking(provider_file, provider, catalogue, problems)
    if problems:
        raise CatalogueError(problems)
    return catalogue


def load_all(root: Path | None = None) -> dict[str, Catalogue]:
    """Every provider under ``root`` (default: the project's ``providers/``)."""
    root = root or providers_dir()
    catalogues: dict[str, Catalogue] = {}
    problems: list[YamlError] = []
    for provider_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            catalogues[provider_dir.name] = load_catalogue(provider_dir)
        except CatalogueError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CatalogueError(problems)
    return catalogues
