"""The system under test: `kelahiran up` as a child process on free ports in a temporary data dir."""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tools.embedded import free_port

# Which `kelahiran up` child is which, recognised by its command line.
ROLES = {"temporal": ("server", "start-dev"), "worker": ("cli", "worker"), "api": ("cli", "api"),
         "callbacks": ("cli", "callbacks"), "dukcapil-sim": ("simulator", "dukcapil"),
         "bpjs-sim": ("simulator", "bpjs"), "sms-sim": ("simulator", "sms")}


@dataclass
class Target:
    """Where the stack answers and, when known, the process ids to measure."""

    api: str
    dukcapil: str
    bpjs: str
    temporal: str | None = None
    payload_keys: str = ""
    database_url: str | None = None  # the API's database: where the bench's hospital keys are made
    hospital_keys: list[str] = field(default_factory=list)  # or keys given: no database needed
    pids: dict[str, int] = field(default_factory=dict)


def worker_settings_env() -> dict[str, str]:
    """The worker tuning given to the benchmark (KELAHIRAN_WORKER_*): the started stack's worker and
    the engine floor's both run with it."""
    return {k: v for k, v in os.environ.items() if k.startswith("KELAHIRAN_WORKER_")}


def _up_has(option: str) -> bool:
    from cli.up import up

    return option in inspect.signature(up).parameters


def _ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as r:
            return 200 <= r.status < 300
    except (OSError, ValueError):
        return False


def child_pids(parent: int) -> dict[str, int]:
    """The pids of `up`'s children by role."""
    found: dict[str, int] = {}
    for p in psutil.Process(parent).children():
        try:
            argv = p.cmdline()
        except psutil.Error:
            continue
        for role, words in ROLES.items():
            if all(w in argv for w in words) and role not in found:
                found[role] = p.pid
    return found


class UpStack:
    """Runs `python -m cli up` with free ports and a temporary data dir; stops it on exit."""

    def __init__(self, timeout: float = 120.0, population: int = 3000, keep: Path | None = None,
                 database_url: str | None = None) -> None:
        self._timeout = timeout
        self._database_url = database_url  # the read model: None is SQLite in the data dir
        self._population = population
        # `keep`: a fresh folder that stays afterwards (databases and data/logs, to look into).
        self._tmp = None if keep else tempfile.TemporaryDirectory(prefix="kelahiran-bench-")
        self.data = keep or Path(self._tmp.name)
        self.data.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Target:
        ports = {k: free_port() for k in ("temporal", "ui", "api", "dukcapil", "bpjs", "metrics", "health",
                                           "callbacks", "sms")}
        argv = [sys.executable, "-m", "cli", "up", "--data-dir", str(self.data), "--host", "127.0.0.1",
                "--temporal-port", str(ports["temporal"]), "--temporal-ui-port", str(ports["ui"]),
                "--api-port", str(ports["api"]), "--dukcapil-port", str(ports["dukcapil"]),
                "--bpjs-port", str(ports["bpjs"]), "--worker-metrics-port", str(ports["metrics"]),
                "--worker-health-port", str(ports["health"]), "--timeout", str(self._timeout)]
        # Every port free, including those of processes `up` gained later (if this `up` has them).
        argv += [a for name in ("callbacks", "sms") if _up_has(f"{name}_port")
                 for a in (f"--{name}-port", str(ports[name]))]
        if self._database_url:
            argv += ["--database-url", self._database_url]
        # The stack's own settings, not a developer's environment, decide what runs.
        own = ("KELAHIRAN_", "TEMPORAL_", "DUKCAPIL_SIM_", "BPJS_SIM_", "SMS_SIM_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(own)} | worker_settings_env()
        # Both simulators draw the same synthetic population; each benchmark birth needs a fresh family.
        env["DUKCAPIL_SIM_FAMILIES"] = env["BPJS_SIM_FAMILIES"] = str(self._population)
        self._log = (self.data / "up.out").open("ab")
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,  # noqa: S603
                                     stdout=self._log, stderr=subprocess.STDOUT)
        api = f"http://127.0.0.1:{ports['api']}"
        deadline = time.monotonic() + self._timeout * 3
        while not _ready(api + "/ready"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                said = self.tail()  # before __exit__ removes the data folder with the log
                self.__exit__()
                raise RuntimeError(f"`kelahiran up` did not come up:\n{said}")
            time.sleep(0.2)
        keys = (self.data / "payload-keys").read_text().strip()
        return Target(api=api, dukcapil=f"http://127.0.0.1:{ports['dukcapil']}",
                      bpjs=f"http://127.0.0.1:{ports['bpjs']}", temporal=f"127.0.0.1:{ports['temporal']}",
                      payload_keys=keys,
                      database_url=self._database_url or f"sqlite:///{self.data / 'kelahiran.db'}",
                      pids=child_pids(self.proc.pid))

    def tail(self, chars: int = 3000) -> str:
        return (self.data / "up.out").read_text(errors="replace")[-chars:]

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # `up` stops its children in reverse order
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        if self._tmp is not None:
            self._tmp.cleanup()
