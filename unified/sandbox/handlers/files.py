"""Attachments and media: metadata records plus the pre-signed file URLs they hand out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from unified.sandbox.handlers.common import apply_update, body_object, get_many, handles, single, split_body
from unified.sandbox.http import Ctx, KustomerError, Reply, bad_request

BLOCKED_EXTENSIONS = {".bin", ".bat", ".chm", ".com", ".cpl", ".crt", ".exe", ".hlp", ".hta", ".inf", ".ins",
                      ".isp", ".jse", ".lnk", ".mdb", ".msc", ".msi", ".msp", ".mst", ".pcd", ".pif", ".ps1",
                      ".reg", ".scr", ".sct", ".shs", ".vbe", ".vba", ".vbs", ".wsf", ".wsh", ".wsl"}
MAX_MEDIA_BYTES = 10_048_576


def _upload_reply(ctx: Ctx, kind: str, body: dict[str, Any]) -> Reply:
    for field in ("name", "contentType", "contentLength"):
        if body.get(field) in (None, ""):
            raise bad_request(f"{field} is required", pointer=f"/{field}")
    name = str(body["name"])
    if kind == "media":
        if any(name.lower().endswith(ext) for ext in BLOCKED_EXTENSIONS):
            raise bad_request("this file type cannot be uploaded", pointer="/name")
        if not isinstance(body["contentLength"], int) or body["contentLength"] > MAX_MEDIA_BYTES:
            raise bad_request(f"contentLength must be at most {MAX_MEDIA_BYTES}", pointer="/contentLength")
    attrs, _ = split_body(body, {})
    attrs.setdefault("redacted", False)
    attrs["uploaded"] = False
    record = ctx.state.add(kind, attrs)
    reply = single(ctx, record)
    reply.body["meta"] = {"upload": {"url": f"{ctx.origin}/files/uploads/{record.id}",
                                     "fields": {"key": f"{kind}/{record.id}", "Content-Type": attrs["contentType"]}}}
    if kind == "media":
        reply.body["meta"]["provider"] = "s3"
    return reply


@handles("create_a_kustomer_attachment")
def create_attachment(ctx: Ctx) -> Reply:
    return _upload_reply(ctx, "attachment", body_object(ctx))


@handles("get_single_kustomer_attachment_by_id")
def get_attachment(ctx: Ctx) -> Reply:
    return get_many(ctx, "attachment", "attachment")


@handles("update_a_kustomer_attachment_by_id")
def upsert_attachment(ctx: Ctx) -> Reply:
    body = body_object(ctx)
    record = ctx.state.table("attachment").get(ctx.params["id"])
    if record is None:  # PUT upserts
        attrs, _ = split_body(body, {})
        attrs.setdefault("redacted", False)
        record = ctx.state.add("attachment", attrs, ident=ctx.params["id"])
    else:
        apply_update(ctx, record, body)
    return single(ctx, record)


@handles("create_a_kustomer_media")
def create_media(ctx: Ctx) -> Reply:
    return _upload_reply(ctx, "media", body_object(ctx))


@handles("get_single_kustomer_media_by_id")
def get_media(ctx: Ctx) -> Reply:
    return get_many(ctx, "media", "media")


@handles("update_a_kustomer_media_by_id")
def update_media(ctx: Ctx) -> Reply:
    record = ctx.state.require("media", ctx.params["id"], "media")
    body = body_object(ctx)
    apply_update(ctx, record, {k: v for k, v in body.items() if k in ("name", "redacted")})
    return single(ctx, record)


@dataclass(frozen=True)
class FileRoute:
    """``GET /files/attachments/{id}``: the pre-signed download an attachment links to."""

    prefix: str = "/files/"

    def serve(self, state, path: str, query: dict[str, str]) -> Reply:
        parts = path[len(self.prefix):].split("/")
        if len(parts) != 2 or parts[0] != "attachments":
            raise KustomerError(404, f"No file at {path}")
        record = state.table("attachment").get(parts[1])
        if record is None:
            raise KustomerError(404, f"No file at {path}")
        if "X-Amz-Signature" not in query:
            raise KustomerError(401, "the download link is not signed")
        if record.attributes.get("redacted"):
            raise KustomerError(404, "the attachment was redacted")
        size = int(record.attributes.get("contentLength") or 0) or 16
        content = (hashlib.sha256(record.id.encode()).hexdigest().encode() * (size // 64 + 1))[:size]
        return Reply(200, raw=content, content_type=str(record.attributes.get("contentType") or "application/octet-stream"))


FILE_ROUTE = FileRoute()
