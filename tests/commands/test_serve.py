"""`unified serve --sandbox`: the README's run command gives a newcomer working curl examples."""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from unified.catalogue.loader import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(tmp: Path, port: int, sandbox_port: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "UNIFIED_DATABASE_URL": f"sqlite:///{tmp / 'u.db'}", "UNIFIED_KEY_FILE": str(tmp / "k.key"),
           "UNIFIED_DEMO_FILE": str(tmp / "demo.json"), "PYTHONUNBUFFERED": "1"}
    env.pop("UNIFIED_ENCRYPTION_KEYS", None)
    proc = subprocess.Popen([sys.executable, "-m", "unified", "serve", "--sandbox", "--port", str(port),
                             "--sandbox-port", str(sandbox_port)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=PROJECT_ROOT, env=env)
    lines = []
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("OpenAPI:"):
            break
    out = "".join(lines)
    for _ in range(100):  # the banner prints just before uvicorn binds
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return proc, out


def run_curl_lines(output: str) -> list[httpx.Response]:
    responses = []
    for line in output.splitlines():
        line = line.strip()
        if not line.startswith("curl "):
            continue
        args = shlex.split(line)
        headers = dict(h.split(": ", 1) for flag, h in zip(args, args[1:], strict=False) if flag == "-H")
        url = args[-1]
        responses.append(httpx.get(url, headers=headers, timeout=30))
    return responses


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_run_command_prints_three_working_curl_examples_and_reuses_the_demo(tmp_path: Path):
    port, sandbox_port = free_port(), free_port()
    proc, out = start(tmp_path, port, sandbox_port)
    try:
        assert "Created the demo tenant" in out, out
        assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "demo.json").stat().st_mode & 0o777 == 0o600
        responses = run_curl_lines(out)
        assert len(responses) == 3
        assert [r.status_code for r in responses] == [200, 200, 200], [r.text[:200] for r in responses]
        listed = responses[0].json()
        assert listed["result_count"] == 2 and listed["next_cursor"]
        assert responses[1].json()["data"]["type"] == "customer"
        assert responses[2].json()["data"]["attributes"]["userType"] == "machine"
        key = re.search(r"API key:\s+(\S+)", out).group(1)
    finally:
        stop(proc)
    proc, again = start(tmp_path, port, sandbox_port)
    try:
        assert "Reusing the demo tenant" in again, again
        assert re.search(r"API key:\s+(\S+)", again).group(1) == key
        assert [r.status_code for r in run_curl_lines(again)] == [200, 200, 200]
    finally:
        stop(proc)
