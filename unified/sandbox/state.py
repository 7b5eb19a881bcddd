"""The sandbox org: its tables, settings and the rules Kustomer applies to every write."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from unified.sandbox.http import KustomerError, bad_request, not_found
from unified.sandbox.limits import RateLimiter
from unified.sandbox.records import IdFactory, Record, Table, iso, parse_iso
from unified.sandbox.settings import Settings

MASK = {"isMasked": True, "maskedPresentation": "****"}

# Custom attribute suffixes and what each accepts (None is always allowed).
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s]+$")


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_iso(value)
    except ValueError:
        return False
    return True


CUSTOM_SUFFIXES: dict[str, tuple[str, Any]] = {
    "Num": ("a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
    "At": ("an ISO 8601 date-time", _is_datetime),
    "Str": ("a string of at most 1024 characters", lambda v: isinstance(v, str) and len(v) <= 1024),
    "Txt": ("a string of at most 1024 characters", lambda v: isinstance(v, str) and len(v) <= 1024),
    "Bool": ("a boolean", lambda v: isinstance(v, bool)),
    "Url": ("a URL", lambda v: isinstance(v, str) and bool(_URL.match(v))),
}


@dataclass
class SandboxState:
    api_key: str
    seed: int
    org_id: str = ""
    machine_user_id: str = ""
    settings: Settings = field(default_factory=Settings)
    tables: dict[str, Table] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    ids: IdFactory = field(default_factory=lambda: IdFactory(0x60000000))
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.settings)

    def table(self, kind: str) -> Table:
        found = self.tables.get(kind)
        if found is None:
            found = self.tables[kind] = Table()
        return found

    def new_id(self) -> str:
        return self.ids.new()

    def now(self) -> datetime:
        return datetime.now(UTC)

    # ------------------------------------------------------------------ lookups

    def require(self, kind: str, ident: str, label: str | None = None) -> Record:
        record = self.table(kind).get(ident)
        if record is None or record.attributes.get("deleted") is True and kind not in ("user",):
            raise not_found(label or kind, ident)
        return record

    def add(self, kind: str, attributes: dict[str, Any], relationships: dict[str, Any] | None = None,
            *, ident: str | None = None, owner_customer: str | None = None, stamp: bool = True) -> Record:
        now = iso(self.now())
        attrs = dict(attributes)
        if stamp:
            attrs.setdefault("createdAt", now)
            attrs.setdefault("updatedAt", now)
            attrs.setdefault("modifiedAt", attrs["updatedAt"])
        rels = {"org": {"type": "org", "id": self.org_id}}
        if stamp:
            rels["createdBy"] = {"type": "user", "id": self.machine_user_id}
            rels["modifiedBy"] = {"type": "user", "id": self.machine_user_id}
        rels.update({k: v for k, v in (relationships or {}).items() if v is not None})
        record = Record(kind, ident or self.new_id(), attrs, rels, owner_customer)
        return self.table(kind).add(record)

    def touch(self, record: Record) -> None:
        now = iso(self.now())
        record.attributes["updatedAt"] = now
        record.attributes["modifiedAt"] = now
        if "rev" in record.attributes:
            record.attributes["rev"] = int(record.attributes["rev"]) + 1
        record.relationships["modifiedBy"] = {"type": "user", "id": self.machine_user_id}

    # ------------------------------------------------------------------ rules

    def metadata(self, resource: str) -> dict[str, Any]:
        record = self.table("metadata").get(resource)
        return record.attributes if record else {"properties": {}}

    def check_custom(self, custom: Any, resource: str, pointer: str = "/custom") -> dict[str, Any]:
        """Kustomer types custom attributes by name suffix; anything else is a 400."""
        if custom is None:
            return {}
        if not isinstance(custom, dict):
            raise bad_request("custom must be an object", pointer=pointer)
        declared = self.metadata(resource).get("properties", {})
        for key, value in custom.items():
            where = f"{pointer}/{key}"
            suffix = next((s for s in CUSTOM_SUFFIXES if key.endswith(s) and len(key) > len(s)), None)
            if suffix is None:
                if key.endswith("Id") and key in declared:
                    if value is not None and not isinstance(value, str):
                        raise bad_request(f"custom attribute {key} must be an id string", pointer=where)
                    continue
                raise bad_request(
                    f"bad custom attribute suffix: {key!r} must end in Num, At, Str, Txt, Bool or Url",
                    pointer=where,
                )
            label, accepts = CUSTOM_SUFFIXES[suffix]
            if value is not None and not accepts(value):
                raise bad_request(f"custom attribute {key} must be {label}", pointer=where)
            enumeration = declared.get(key, {}).get("enumeration")
            if enumeration and value is not None and value not in enumeration:
                raise bad_request(f"custom attribute {key} must be one of {enumeration}", pointer=where)
        return dict(custom)

    def check_rev(self, record: Record, body: dict[str, Any]) -> None:
        """Optimistic locking: a stale ``rev`` is a 409."""
        rev = body.get("rev")
        if rev is not None and "rev" in record.attributes and rev != record.attributes["rev"]:
            raise KustomerError(409, f"rev {rev} is stale; current rev is {record.attributes['rev']}",
                                pointer="/rev")

    # ------------------------------------------------------------------ masking

    def unmasked(self, customer_id: str | None, now: datetime) -> bool:
        if not customer_id:
            return False
        customer = self.table("customer").get(customer_id)
        window = customer.attributes.get("unmaskingWindow") if customer else None
        if not window:
            return False
        return parse_iso(window["startDate"]) <= now < parse_iso(window["endDate"])

    def masked_attributes(self, record: Record, now: datetime) -> dict[str, Any]:
        """Attributes as the API shows them: sensitive values hidden unless unmasked."""
        resource = record.type if not record.type.startswith("kobject.") else record.type
        meta = self.metadata(resource)
        sensitive_custom = [k for k, v in meta.get("properties", {}).items() if v.get("sensitive")]
        sensitive_standard = [k for k, v in meta.get("standardProperties", {}).items() if v.get("sensitive")]
        if not sensitive_custom and not sensitive_standard:
            return record.attributes
        owner = record.id if record.type == "customer" else record.owner_customer
        if self.unmasked(owner, now):
            return record.attributes
        attrs = dict(record.attributes)
        custom = attrs.get("custom")
        if isinstance(custom, dict) and any(k in custom for k in sensitive_custom):
            attrs["custom"] = {k: (dict(MASK) if k in sensitive_custom and v is not None else v)
                               for k, v in custom.items()}
        for name in sensitive_standard:
            attrs[name] = _mask_value(attrs.get(name), name)
        return attrs


# The leaf that carries the sensitive value inside Kustomer's contact arrays.
_LEAF = {"emails": "email", "phones": "phone", "whatsapps": "phone", "socials": "username",
         "urls": "url", "locations": "address"}


def _mask_value(value: Any, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        leaf = _LEAF.get(name)
        out = []
        for item in value:
            if isinstance(item, dict) and leaf and item.get(leaf) is not None:
                out.append({**item, leaf: dict(MASK)})
            else:
                out.append(dict(MASK) if not isinstance(item, dict) else item)
        return out
    return dict(MASK)
