"""The system under test: `kelahiran up` as a child process on free ports in a temporary data dir."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from cli.stack import replica_names
from tools.embedded import free_port

PORT_STEP = 10  # `up --replica-port-step`: replica k of the API and the worker listens on port + k x step
# Which `kelahiran up` child is which, recognised by its command line (replicas: api-1, api-2...).
ROLES = {"temporal": ("server", "start-dev"), "worker": ("cli", "worker"), "api": ("cli", "api"),
         "callbacks": ("cli", "callbacks"), "dukcapil-sim": ("simulator", "dukcapil"),
         "bpjs-sim": ("simulator", "bpjs"), "sms-sim": ("simulator", "sms")}


@dataclass
class Target:
    """Where the stack answers and, when known, the process ids to measure."""

    api: str  # the first API; `apis`: every one, when several take the births in turn
    dukcapil: str
    bpjs: str
    temporal: str | None = None
    payload_keys: str = ""
    database_url: str | None = None  # the API's database: where the bench's hospital keys are made
    hospital_keys: list[str] = field(default_factory=list)  # or keys given: no database needed
    pids: dict[str, int] = field(default_factory=dict)
    apis: list[str] = field(default_factory=list)

    @property
    def endpoints(self) -> list[str]:
        return self.apis or [self.api]


def worker_settings_env() -> dict[str, str]:
    """The worker tuning given to the benchmark (KELAHIRAN_WORKER_*): the started stack's worker and
    the engine floor's both run with it."""
    return {k: v for k, v in os.environ.items() if k.startswith("KELAHIRAN_WORKER_")}


def _ready(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as r:
            return 200 <= r.status < 300
    except (OSError, ValueError):
        return False


def child_pids(parent: int) -> dict[str, int]:
    """The pids of `up`'s children by role; replicas named as `up` names them (worker-1, worker-2...),
    in the order they started."""
    found: dict[str, list[int]] = {}
    for p in sorted(psutil.Process(parent).children(), key=lambda p: p.pid):
        try:
            argv = p.cmdline()
        except psutil.Error:
            continue
        role = next((role for role, words in ROLES.items() if all(w in argv for w in words)), None)
        if role is not None:
            found.setdefault(role, []).append(p.pid)
    return {name: pid for role, pids in found.items()
            for name, pid in zip(replica_names(role, len(pids)), pids, strict=True)}


def spaced_free_ports(names: list[str], replicas: dict[str, int], step: int = PORT_STEP) -> dict[str, int]:
    """A free port for each name such that port + k x step is free too, for k below its replicas."""
    taken: set[int] = set()
    out: dict[str, int] = {}
    for name in names:
        for _ in range(100):
            base = free_port()
            run = [base + k * step for k in range(replicas.get(name, 1))]
            if run[-1] < 65536 and taken.isdisjoint(run) and all(_free(p) for p in run[1:]):
                break
        else:
            raise RuntimeError(f"no free ports {step} apart for {name}")
        taken.update(run)
        out[name] = base
    return out


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def up_argv(data: Path, ports: dict[str, int], *, timeout: float, database_url: str | None = None,
            api_replicas: int = 1, worker_replicas: int = 1) -> list[str]:
    """`python -m cli up` on the given ports (see spaced_free_ports), in the data dir."""
    argv = [sys.executable, "-m", "cli", "up", "--data-dir", str(data), "--host", "127.0.0.1",
            "--temporal-port", str(ports["temporal"]), "--temporal-ui-port", str(ports["ui"]),
            "--api-port", str(ports["api"]), "--dukcapil-port", str(ports["dukcapil"]),
            "--bpjs-port", str(ports["bpjs"]), "--worker-metrics-port", str(ports["metrics"]),
            "--worker-health-port", str(ports["health"]), "--callbacks-port", str(ports["callbacks"]),
            "--sms-port", str(ports["sms"]), "--timeout", str(timeout)]
    if database_url:
        argv += ["--database-url", database_url]
    if api_replicas > 1 or worker_replicas > 1:
        argv += ["--api-replicas", str(api_replicas), "--worker-replicas", str(worker_replicas),
                 "--replica-port-step", str(PORT_STEP)]
    return argv


class UpStack:
    """Runs `python -m cli up` with free ports and a temporary data dir; stops it on exit."""

    def __init__(self, timeout: float = 120.0, population: int = 3000, keep: Path | None = None,
                 database_url: str | None = None, api_replicas: int = 1, worker_replicas: int = 1) -> None:
        self._timeout = timeout
        self._database_url = database_url  # the read model: None is SQLite in the data dir
        self._replicas = {"api": api_replicas, "worker": worker_replicas}
        self._population = population
        # `keep`: a fresh folder that stays afterwards (databases and data/logs, to look into).
        self._tmp = None if keep else tempfile.TemporaryDirectory(prefix="kelahiran-bench-")
        self.data = keep or Path(self._tmp.name)
        self.data.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Target:
        names = ["temporal", "ui", "api", "dukcapil", "bpjs", "metrics", "health", "callbacks", "sms"]
        w = self._replicas["worker"]
        ports = spaced_free_ports(names, {"api": self._replicas["api"], "metrics": w, "health": w})
        argv = up_argv(self.data, ports, timeout=self._timeout, database_url=self._database_url,
                       api_replicas=self._replicas["api"], worker_replicas=w)
        # The stack's own settings, not a developer's environment, decide what runs.
        own = ("KELAHIRAN_", "TEMPORAL_", "DUKCAPIL_SIM_", "BPJS_SIM_", "SMS_SIM_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(own)} | worker_settings_env()
        # Both simulators draw the same synthetic population; each benchmark birth needs a fresh family.
        env["DUKCAPIL_SIM_FAMILIES"] = env["BPJS_SIM_FAMILIES"] = str(self._population)
        self._log = (self.data / "up.out").open("ab")
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,  # noqa: S603
                                     stdout=self._log, stderr=subprocess.STDOUT)
        apis = [f"http://127.0.0.1:{ports['api'] + k * PORT_STEP}" for k in range(self._replicas["api"])]
        deadline = time.monotonic() + self._timeout * 3
        # `up` says so once every child is ready; the APIs answering is checked too.
        while "Ctrl-C to stop" not in self.tail() or not all(_ready(a + "/ready") for a in apis):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                said = self.tail()  # before __exit__ removes the data folder with the log
                self.__exit__()
                raise RuntimeError(f"`kelahiran up` did not come up:\n{said}")
            time.sleep(0.2)
        keys = (self.data / "payload-keys").read_text().strip()
        return Target(api=apis[0], apis=apis, dukcapil=f"http://127.0.0.1:{ports['dukcapil']}",
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
