"""``Idempotency-Key`` on creates: a retried create answers with the first attempt's response.

A client that lost the connection after sending a create cannot know whether it happened.
Sending the same ``Idempotency-Key`` again makes the retry safe: the first request claims the
key (per tenant and operation, in the store, so every instance and worker agrees), and later
requests with the key get the stored response replayed with ``Idempotent-Replayed: true``,
a 409 while the first is still running, or a 422 when the key was used for a different
request (method, path, query or body differ).

Only successes (2xx) are stored. Any error releases the key so the client can retry:
5xx and timeouts because the outcome is unknown or temporary, and 4xx because nothing was
created (bad input, auth, a vendor refusal, a 429 rate limit) and a retry after fixing the
cause should be possible; an identical retry then gets the same 4xx from the vendor again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from litestar import Request, Response
from litestar.serialization import encode_json

from unified.errors import ApiError
from unified.store import ConfigurationError, Store
from unified.store.idempotency import MAX_KEY_LENGTH, StoredResponse

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
POINTER = f"/headers/{HEADER}"
TTL_ENV = "UNIFIED_IDEMPOTENCY_TTL_SECONDS"
LEASE_ENV = "UNIFIED_IDEMPOTENCY_LEASE_SECONDS"
log = logging.getLogger("unified.idempotency")
REPLAYED_HEADERS = ("location",)  # besides the content type; rate-limit headers would be stale


@dataclass(frozen=True)
class IdempotencyPolicy:
    """How long a key is remembered (``ttl``) and after how long an unfinished claim counts
    as abandoned by a crashed process (``lease``; keep it above the slowest create)."""

    ttl: timedelta = timedelta(hours=24)
    lease: timedelta = timedelta(minutes=5)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IdempotencyPolicy:
        env = os.environ if environ is None else environ
        return cls(ttl=_seconds(env, TTL_ENV, cls.ttl), lease=_seconds(env, LEASE_ENV, cls.lease))


def _seconds(env: Mapping[str, str], name: str, default: timedelta) -> timedelta:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ConfigurationError(f"{name} must be a positive number of seconds")
    return timedelta(seconds=value)


def idempotency_key(request: Request) -> str | None:
    """The request's key, None without one; a malformed or repeated header is a 400."""
    values = request.headers.getall(HEADER, [])
    if not values:
        return None
    if len(values) > 1:
        raise ApiError(400, f"send one {HEADER} header, not {len(values)}", pointer=POINTER)
    key = values[0]
    # A comma is refused because proxies may join repeated headers into one, comma-separated.
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= ch <= "~" and ch != "," for ch in key):
        raise ApiError(400, f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters without commas "
                       "(one header per request)", pointer=POINTER)
    return key


def fingerprint(method: str, path: str, query: list[tuple[str, str]], body: bytes) -> str:
    """What makes two requests "the same": method, path, query (in any order) and body bytes."""
    digest = hashlib.sha256()
    for part in (method.upper(), path, *(f"{k}={v}" for k, v in sorted(query))):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    digest.update(body)
    return digest.hexdigest()


def _policy(request: Request) -> IdempotencyPolicy:
    policy = getattr(request.app.state, "idempotency", None)
    return policy if isinstance(policy, IdempotencyPolicy) else IdempotencyPolicy()


def _stored(response: Response) -> tuple[Response, StoredResponse]:
    """The response with its body rendered once, and the part of it kept for replays."""
    content = response.content
    body = content if isinstance(content, bytes) else b"" if content is None else encode_json(content)
    media_type = str(response.media_type or "application/json")
    kept = {k.lower(): v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
    if body:
        kept["content-type"] = media_type
    rendered = Response(body, status_code=response.status_code, headers=dict(response.headers),
                        media_type=media_type)
    return rendered, StoredResponse(status=response.status_code, headers=kept, body=body)


def replay(stored: StoredResponse) -> Response:
    headers = {k: v for k, v in stored.headers.items() if k != "content-type"}
    return Response(stored.body, status_code=stored.status, media_type=stored.headers.get("content-type"),
                    headers={**headers, REPLAYED_HEADER: "true"})


async def run_once(request: Request, store: Store, tenant_id: str, scope: str,
                   create: Callable[[], Awaitable[Response]]) -> Response:
    """Run ``create`` unless this tenant already sent the request's key for ``scope``.

    Call it after the request is authenticated and its body parsed, so a request that is
    refused up front (bad input, unknown account) never claims the key."""
    key = idempotency_key(request)
    if key is None:
        return await create()
    policy = _policy(request)
    request_print = fingerprint(request.method, request.url.path, list(request.query_params.multi_items()),
                         await request.body())
    claim = await store.claim_idempotency_key(tenant_id, scope, key, request_print, ttl=policy.ttl, lease=policy.lease)
    if claim.outcome == "replay" and claim.response is not None:
        return replay(claim.response)
    if claim.outcome == "mismatch":
        raise ApiError(422, f"this {HEADER} was already used for a different request (method, path, query or "
                            "body differ); send a new key for a new request", pointer=POINTER,
                       code="idempotency-key-reused")
    if claim.outcome != "claimed" or claim.token is None:
        raise ApiError(409, f"a request with this {HEADER} is still being processed; retry when it has finished",
                       pointer=POINTER, headers={"Retry-After": "1"}, code="idempotency-key-in-use")
    try:
        response = await create()
    except BaseException:
        await store.release_idempotency_key(tenant_id, scope, key, claim.token)
        raise
    if not 200 <= response.status_code < 300:
        await store.release_idempotency_key(tenant_id, scope, key, claim.token)
        return response
    rendered, stored = _stored(response)
    try:
        await store.complete_idempotency_key(tenant_id, scope, key, claim.token, stored)
    except Exception:
        # The create happened; answering with an error now would invite a duplicate. The key
        # stays claimed (retries get 409) until its lease runs out.
        log.exception("could not store the response of an idempotent request")
    return rendered
