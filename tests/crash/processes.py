"""Child processes the crash tests kill: a kelahiran worker or API and a file-backed Temporal dev server.

Output goes to a log file per process (appended across restarts), whose tail a failing test prints.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.client import Client

from infra.codec import test_converter as make_test_converter
from infra.settings import Settings
from infra.temporal_bin import temporal_cli
from tools.embedded import free_port

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n===== start #{self.starts} of {self.name} =====\n".encode())
            out.flush()
            self.popen = subprocess.Popen(self.argv, env=self.env, cwd=REPO, stdout=out,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int, *, wait: float = 15) -> int | None:
        """Send `sig` to this process (by its pid only) and wait for it to end."""
        if not self.running:
            return None
        assert self.popen is not None
        self.popen.send_signal(sig)
        try:
            return self.popen.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end; for `finally` blocks."""
        self.signal(signal.SIGTERM, wait=10)

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return f"--- {self.name}: no log ---"
        return f"--- last {lines} lines of {self.log} ---\n" + "\n".join(text[-lines:])


@dataclass
class Processes:
    """Every child process a test started, stopped together and reported on failure."""

    items: list[Proc] = field(default_factory=list)

    def add(self, proc: Proc) -> Proc:
        self.items.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.items):
            proc.stop()

    def tails(self) -> str:
        return "\n".join(p.tail() for p in self.items)


def _clean_env() -> dict[str, str]:
    # Children must not pick up a developer's own settings.
    return {k: v for k, v in os.environ.items() if not k.startswith(("KELAHIRAN_", "TEMPORAL_"))}


def _python_env() -> dict[str, str]:
    """Without bytecode caching (PYTHONDONTWRITEBYTECODE) every worker start compiles ~4000 modules
    (seconds of CPU); cache them outside the source tree instead, shared by every start."""
    env = _clean_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / f"kelahiran-pycache-{os.getuid()}")
    return env


class WorkerProc(Proc):
    """`python -m cli worker` with the settings of the stack it serves; /health tells it is up."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.health_port = free_port()
        env = _python_env() | {
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "TEMPORAL_NAMESPACE": settings.temporal_namespace,
            "KELAHIRAN_ENVIRONMENT": "test",
            "KELAHIRAN_TASK_QUEUE": settings.task_queue,
            "KELAHIRAN_DATABASE_URL": settings.database_url,
            "KELAHIRAN_DUKCAPIL_URL": settings.dukcapil_url,
            "KELAHIRAN_DUKCAPIL_CLIENT_ID": settings.dukcapil_client_id,
            "KELAHIRAN_DUKCAPIL_CLIENT_SECRET": settings.dukcapil_client_secret,
            "KELAHIRAN_BPJS_URL": settings.bpjs_url,
            "KELAHIRAN_SMS_URL": settings.sms_url,  # the families' notices when bundles complete
            "KELAHIRAN_BPJS_POLL_SECONDS": str(settings.bpjs_poll_seconds),
            "KELAHIRAN_RETRY_MAX_SECONDS": str(settings.retry_max_seconds),
            "KELAHIRAN_ACTIVITY_TIMEOUT_SECONDS": str(settings.activity_timeout_seconds),
            "KELAHIRAN_HTTP_TIMEOUT_SECONDS": str(settings.http_timeout_seconds),
            "KELAHIRAN_WORKER_METRICS_PORT": "0",
            "KELAHIRAN_WORKER_HEALTH_PORT": str(self.health_port),
            "KELAHIRAN_LOG_LEVEL": "WARNING",
            "KELAHIRAN_PAYLOAD_KEYS": settings.payload_keys,
        }
        if settings.payload_key_id:
            env["KELAHIRAN_PAYLOAD_KEY_ID"] = settings.payload_key_id
        super().__init__("worker", [sys.executable, "-m", "cli", "worker"], env, log)

    async def started(self, timeout: float = 60) -> None:
        """Start and wait until the worker answers on /health."""
        self.start()
        url = f"http://127.0.0.1:{self.health_port}/health"
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=1) as http:
            while time.monotonic() < deadline:
                assert self.running, f"worker exited\n{self.tail()}"
                try:
                    if (await http.get(url)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"worker not healthy within {timeout}s\n{self.tail()}")


class ApiProc(Proc):
    """`python -m cli api` with the settings of the stack it serves (its own Temporal address, say a
    relay, and extra `KELAHIRAN_*` variables); /ready tells it is up, connected to Temporal."""

    def __init__(self, name: str, settings: Settings, log: Path, *, temporal_address: str | None = None,
                 extra: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = _python_env() | {
            "TEMPORAL_ADDRESS": temporal_address or settings.temporal_address,
            "TEMPORAL_NAMESPACE": settings.temporal_namespace,
            "KELAHIRAN_ENVIRONMENT": "test",
            "KELAHIRAN_API_HOST": "127.0.0.1",
            "KELAHIRAN_API_PORT": str(self.port),
            "KELAHIRAN_TASK_QUEUE": settings.task_queue,
            "KELAHIRAN_DATABASE_URL": settings.database_url,
            "KELAHIRAN_PAYLOAD_KEYS": settings.payload_keys,
            "KELAHIRAN_READMODEL_KEYS": settings.readmodel_keys,
            "KELAHIRAN_LOG_LEVEL": "INFO",
            "KELAHIRAN_LOG_JSON": "true",
            **(extra or {}),
        }
        for key, value in (("KELAHIRAN_PAYLOAD_KEY_ID", settings.payload_key_id),
                           ("KELAHIRAN_READMODEL_KEY_ID", settings.readmodel_key_id)):
            if value:
                env[key] = value
        super().__init__(name, [sys.executable, "-m", "cli", "api"], env, log)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    async def started(self, timeout: float = 60) -> None:
        """Start and wait until the API answers 200 on /ready (database and Temporal reached)."""
        self.start()
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=1) as http:
            while time.monotonic() < deadline:
                assert self.running, f"{self.name} exited\n{self.tail()}"
                try:
                    r = await http.get(f"{self.url}/ready")
                    # 200 alone says the database answers; Temporal is a check that does not fail it.
                    if r.status_code == 200 and r.json()["checks"]["temporal"] == "ok":
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} not ready within {timeout}s\n{self.tail()}")


class DevServerProc(Proc):
    """The Temporal dev server on fixed ports with its state in one SQLite file (WAL), restartable."""

    def __init__(self, db_file: Path, log: Path) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        argv = [str(temporal_cli()), "server", "start-dev", "--db-filename", str(db_file),
                "--ip", "127.0.0.1", "--port", str(self.port), "--http-port", str(free_port()),
                "--metrics-port", str(free_port()), "--headless",
                "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
                "--log-level", "error"]
        super().__init__("temporal", argv, _clean_env(), log)

    async def started(self, timeout: float = 60) -> Client:
        """Start and wait until a client can connect; returns that client (test payload key)."""
        self.start()
        deadline = time.monotonic() + timeout
        while True:
            assert self.running, f"temporal exited\n{self.tail()}"
            try:
                client = await Client.connect(self.address, data_converter=make_test_converter())
                await client.count_workflows()  # the frontend answers, not just the port
                return client
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(f"temporal not up within {timeout}s\n{self.tail()}") from exc
                await asyncio.sleep(0.2)
