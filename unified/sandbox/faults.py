"""Fault injection: make the sandbox slow, failing, hanging, malformed or rude on purpose.

Rates apply to every request; ``queue`` lists faults for the next requests, in order, so a
test can ask for exactly one 503 or one dropped connection. Control routes do not count."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from unified.sandbox.http import bad_request

FAULT_KINDS = ("error", "timeout", "malformed", "drop")


@dataclass
class FaultConfig:
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    malformed_rate: float = 0.0
    drop_rate: float = 0.0
    path_prefix: str = ""          # only requests whose path starts with this are faulted
    queue: list[str] = field(default_factory=list)  # e.g. ["error", "drop"] or "error:503"
    seed: int = 0


@dataclass
class Fault:
    kind: str          # "error", "timeout", "malformed", "drop"
    status: int = 500


class Faults:
    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config or FaultConfig()
        self._random = random.Random(self.config.seed)
        self._lock = threading.Lock()

    def set(self, values: dict[str, Any]) -> FaultConfig:
        merged = asdict(FaultConfig())
        for key, value in values.items():
            if key not in merged:
                raise bad_request(f"unknown fault setting {key!r}", pointer=f"/{key}")
            merged[key] = value
        try:
            config = FaultConfig(**merged)
            for name in ("error_rate", "timeout_rate", "malformed_rate", "drop_rate"):
                rate = float(getattr(config, name))
                if not 0.0 <= rate <= 1.0:
                    raise bad_request(f"{name} must be between 0 and 1", pointer=f"/{name}")
            if not 400 <= int(config.error_status) <= 599:
                raise bad_request("error_status must be a 4xx or 5xx status", pointer="/error_status")
            for entry in config.queue:
                kind = str(entry).split(":")[0]
                if kind not in FAULT_KINDS:
                    raise bad_request(f"unknown fault {entry!r}; use one of {FAULT_KINDS}", pointer="/queue")
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid fault settings: {exc}") from None
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
        return config

    def latency(self) -> float:
        c = self.config
        if not c.latency_ms and not c.latency_jitter_ms:
            return 0.0
        with self._lock:
            jitter = self._random.uniform(0, c.latency_jitter_ms) if c.latency_jitter_ms else 0.0
        return (c.latency_ms + jitter) / 1000.0

    def draw(self, path: str) -> Fault | None:
        c = self.config
        if c.path_prefix and not path.startswith(c.path_prefix):
            return None
        with self._lock:
            if c.queue:
                entry = str(c.queue.pop(0))
                kind, _, status = entry.partition(":")
                return Fault(kind, int(status) if status else c.error_status)
            roll = self._random.random()
        for kind, rate in (("error", c.error_rate), ("timeout", c.timeout_rate),
                           ("malformed", c.malformed_rate), ("drop", c.drop_rate)):
            if roll < rate:
                return Fault(kind, c.error_status)
            roll -= rate
        return None
