"""Build and run the sandbox: load the catalogue, seed the org, serve with uvicorn."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import socket
import sys
from pathlib import Path

import uvicorn

from unified.catalogue.loader import load_catalogue, providers_dir
from unified.sandbox.app import SandboxApp
from unified.sandbox.faults import FaultConfig, Faults
from unified.sandbox.seed import seed
from unified.sandbox.settings import Settings
from unified.sandbox.state import SandboxState

PROVIDER = "kustomer"


def build_app(*, seed_value: int = 1, api_key: str | None = None, settings: Settings | None = None,
              faults: FaultConfig | None = None, providers: Path | None = None) -> SandboxApp:
    catalogue = load_catalogue((providers or providers_dir()) / PROVIDER)
    state = SandboxState(api_key=api_key or f"sandbox_{secrets.token_urlsafe(24)}", seed=seed_value,
                         settings=settings or Settings())
    seed(state)
    return SandboxApp(state, catalogue, Faults(faults))


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it small replies wait ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


async def serve(app: SandboxApp, host: str, port: int, *, as_json: bool, quiet: bool = False) -> None:
    sock = bind(host, port)
    actual_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown_host}:{actual_port}"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            timeout_keep_alive=30)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            return
        await asyncio.sleep(0.01)
    if as_json:
        print(json.dumps({"base_url": base_url, "api_key": app.state.api_key}), flush=True)
    elif not quiet:
        counts = {k: len(v) for k, v in app.state.tables.items()}
        print(f"Kustomer sandbox listening on {base_url}", file=sys.stderr)
        print(f"API key: {app.state.api_key}", file=sys.stderr)
        print(f"Seed {app.state.seed}: {counts.get('customer', 0)} customers, "
              f"{counts.get('conversation', 0)} conversations, {counts.get('message', 0)} messages", file=sys.stderr)
        print(f"Try: curl -H 'Authorization: Bearer {app.state.api_key}' {base_url}/v1/conversations?pageSize=2",
              file=sys.stderr, flush=True)
    await task


def run(host: str, port: int, *, seed_value: int, api_key: str | None, as_json: bool,
        settings: Settings, faults: FaultConfig) -> int:
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)  # dropped connections are intended
    app = build_app(seed_value=seed_value, api_key=api_key, settings=settings, faults=faults)
    try:
        asyncio.run(serve(app, host, port, as_json=as_json))
    except KeyboardInterrupt:
        pass
    return 0
