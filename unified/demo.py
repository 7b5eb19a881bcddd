"""First-run demo: a tenant, an API key and an integrated account wired to the sandbox.

The demo key is kept in ``var/demo.json`` (mode 0600) so that every `unified serve --sandbox`
can print working curl examples again; real keys are never written anywhere."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from unified.store import Store, StoreConfig
from unified.store.config import project_root

DEMO_FILE_ENV = "UNIFIED_DEMO_FILE"


@dataclass
class Demo:
    tenant_id: str
    api_key: str
    account_id: str
    sandbox_api_key: str


def demo_file() -> Path:
    return Path(os.environ.get(DEMO_FILE_ENV, project_root() / "var" / "demo.json"))


def load_demo(path: Path) -> Demo | None:
    try:
        return Demo(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def sandbox_key_for_demo(path: Path) -> str:
    """The sandbox key of an earlier demo, so its stored account keeps working; else a new one."""
    demo = load_demo(path)
    return demo.sandbox_api_key if demo else f"sandbox_{secrets.token_urlsafe(24)}"


def _save(path: Path, demo: Demo) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(demo), handle, indent=2)


async def ensure_demo(config: StoreConfig, sandbox_url: str, sandbox_key: str) -> tuple[Demo, bool]:
    """Reuse the recorded demo when its key and account still exist, else create one."""
    path = demo_file()
    demo = load_demo(path)
    async with await Store.open(config) as store:
        auth = await store.authenticate(demo.api_key) if demo else None
        account = await store.get_account(auth.tenant.id, demo.account_id) if auth and demo else None
        settings = {"base_url": sandbox_url}
        credentials = {"api_key": sandbox_key}
        if demo and auth and account:
            await store.update_account(auth.tenant.id, account.id, settings=settings, credentials=credentials)
            demo.sandbox_api_key = sandbox_key
            _save(path, demo)
            return demo, False
        tenant = await store.create_tenant("demo")
        _, api_key = await store.create_api_key(tenant.id, "demo key")
        account = await store.create_account(tenant.id, "kustomer", name="Kustomer sandbox", settings=settings,
                                             credentials=credentials)
        demo = Demo(tenant.id, api_key, account.id, sandbox_key)
        _save(path, demo)
        return demo, True


def example_email(sandbox_url: str, sandbox_key: str) -> str:
    """A real customer email from the sandbox, so the lookup example finds someone."""
    import httpx

    try:
        resp = httpx.get(f"{sandbox_url}/v1/customers", params={"pageSize": 1},
                         headers={"Authorization": f"Bearer {sandbox_key}"}, timeout=10)
        return resp.json()["data"][0]["attributes"]["emails"][0]["email"]
    except (httpx.HTTPError, KeyError, IndexError, ValueError):
        return "someone@example.test"


def banner(demo: Demo, created: bool, base_url: str, sandbox_url: str, email: str) -> str:
    auth = f"-H 'Authorization: Bearer {demo.api_key}'"
    acc = f"integrated_account_id={demo.account_id}"
    lines = [
        "",
        f"unified is serving on {base_url}  (Kustomer sandbox on {sandbox_url})",
        f"{'Created' if created else 'Reusing'} the demo tenant {demo.tenant_id}",
        f"  API key:             {demo.api_key}",
        f"  integrated account:  {demo.account_id}  (provider kustomer, the sandbox)",
        "",
        "Try:",
        f"  curl -s {auth} '{base_url}/proxy/conversations?{acc}&limit=2'",
        f"  curl -s {auth} '{base_url}/proxy/customers:using_email?{acc}&email={email}'",
        f"  curl -s {auth} '{base_url}/passthrough/v1/users/current?{acc}'",
        "",
        f"OpenAPI: {base_url}/schema/openapi.json   Health: {base_url}/health   Stop: Ctrl-C",
        "",
    ]
    return "\n".join(lines)
