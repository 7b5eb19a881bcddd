"""Run the sandbox as a child process and learn where it listens.

Used by the test suite and by `unified serve --sandbox`: the child prints one JSON line
when ready, which is the whole protocol."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


@dataclass
class SandboxProcess:
    base_url: str
    api_key: str
    process: subprocess.Popen

    def client(self, **kwargs: object) -> httpx.Client:
        """An httpx client that sends the sandbox key."""
        import httpx

        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self.api_key}"},
                            timeout=kwargs.pop("timeout", 30.0), **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Linux: have the kernel stop the sandbox when its parent dies, even by SIGKILL."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_sandbox(*extra_args: str, host: str = "127.0.0.1", port: int = 0, seed: int = 1,
                  api_key: str | None = None, stderr: IO | int | None = None,
                  ready_timeout: float = 60.0) -> SandboxProcess:
    args = [sys.executable, "-m", "unified", "sandbox", "--json", "--host", host, "--port", str(port),
            "--seed", str(seed), *extra_args]
    if api_key:
        args += ["--api-key", api_key]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=_die_with_parent)
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=ready_timeout):
        process.kill()
        raise RuntimeError("the sandbox did not start in time")
    line = process.stdout.readline()
    if not line:
        code = process.wait()
        raise RuntimeError(f"the sandbox exited with status {code} before it was ready")
    info = json.loads(line)
    return SandboxProcess(info["base_url"], info["api_key"], process)
