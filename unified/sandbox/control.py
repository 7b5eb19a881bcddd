"""``/__sandbox/...``: knobs for tests and demos, authenticated with the sandbox key.

    GET  /__sandbox/state          counts per table, settings, faults
    PUT  /__sandbox/faults         replace the fault config (see faults.FaultConfig)
    PUT  /__sandbox/settings       change limits and durations (see settings.Settings)
    POST /__sandbox/reset-limits   start every rate-limit window afresh
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from unified.sandbox.http import KustomerError, Reply, bad_request

if TYPE_CHECKING:
    from unified.sandbox.app import SandboxApp


def control(app: SandboxApp, method: str, path: str, body: Any) -> Reply:
    state = app.state
    if (method, path) == ("GET", "/state"):
        counts = {kind: len(table) for kind, table in sorted(state.tables.items())}
        return Reply(200, {"counts": counts, "settings": asdict(state.settings),
                           "faults": asdict(app.faults.config), "seed": state.seed})
    if (method, path) == ("PUT", "/faults"):
        if not isinstance(body, dict):
            raise bad_request("send the fault settings as a JSON object")
        return Reply(200, {"faults": asdict(app.faults.set(body))})
    if (method, path) == ("PUT", "/settings"):
        if not isinstance(body, dict):
            raise bad_request("send the settings as a JSON object")
        with state.lock:
            state.settings.update(body)
        return Reply(200, {"settings": asdict(state.settings)})
    if (method, path) == ("POST", "/reset-limits"):
        state.limiter.reset()
        return Reply(204)
    raise KustomerError(404, f"No sandbox control route {method} {path}")
