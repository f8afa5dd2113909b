"""What `kelahiran up` runs and where: the ports, the replicas, each child's command line and settings."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cli.supervisor import ChildProcess, ReadyCheck, http_ok, tcp_open

DEFAULT_PORT_STEP = 10  # replica k listens on its port + k x step (the worker's own ports are consecutive)


@dataclass(frozen=True)
class Ports:
    """The ports of the first (or only) replica of each process."""

    temporal: int
    temporal_ui: int
    api: int
    dukcapil: int
    bpjs: int
    worker_metrics: int
    worker_health: int
    callbacks: int = 9466  # the callback dispatcher's /health and /metrics
    sms: int = 8103  # the SMS gateway simulator (the families' phones)


@dataclass(frozen=True)
class Stack:
    """Where everything lives: the bind host, the host clients dial, the ports, the data dir and how
    many APIs and workers run (replica k of each listens on its ports + k x port_step)."""

    host: str
    ports: Ports
    data: Path
    database_url: str | None = None  # the read model; None: SQLite in the data dir
    api_replicas: int = 1
    worker_replicas: int = 1
    port_step: int = DEFAULT_PORT_STEP

    def readmodel(self) -> str:
        return self.database_url or self.sqlite("kelahiran.db")

    @property
    def dial(self) -> str:
        # A wildcard bind address is not something a client can connect to.
        return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)  # noqa: S104

    def url(self, port: int, path: str = "") -> str:
        host = f"[{self.dial}]" if ":" in self.dial else self.dial
        return f"http://{host}:{port}{path}"

    def sqlite(self, name: str) -> str:
        return f"sqlite:///{self.data / name}"

    def api_ports(self) -> list[int]:
        return [self.ports.api + k * self.port_step for k in range(self.api_replicas)]

    def worker_ports(self) -> list[tuple[int, int]]:
        """(metrics, health) of each worker."""
        p, step = self.ports, self.port_step
        return [(p.worker_metrics + k * step, p.worker_health + k * step)
                for k in range(self.worker_replicas)]

    def named_ports(self) -> dict[str, int]:
        """Every port the stack listens on, by a name that says whose it is."""
        named = asdict(self.ports)
        for k, port in enumerate(self.api_ports()[1:], start=2):
            named[f"api-{k}"] = port
        for k, (metrics, health) in enumerate(self.worker_ports()[1:], start=2):
            named[f"worker_metrics-{k}"], named[f"worker_health-{k}"] = metrics, health
        return named


def replica_names(role: str, count: int) -> list[str]:
    """`worker` alone; `worker-1`, `worker-2`... when there are several (their log files too)."""
    return [role] if count == 1 else [f"{role}-{k}" for k in range(1, count + 1)]


@dataclass
class Children:
    """`up`'s children, in the stages it starts them."""

    temporal: ChildProcess
    simulators: list[ChildProcess]
    migrate: ChildProcess
    workers: list[ChildProcess] = field(default_factory=list)
    apis: list[ChildProcess] = field(default_factory=list)
    callbacks: ChildProcess | None = None


def children(stack: Stack, bpjs_poll_seconds: float) -> Children:
    from infra.temporal_bin import temporal_cli

    p, logs = stack.ports, stack.data / "logs"
    # The dev server must not pick up a developer's TEMPORAL_* client settings.
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    # WAL brings the file-backed dev server back to in-memory speed.
    server_argv = [
        str(temporal_cli()), "server", "start-dev", "--db-filename", str(stack.data / "temporal.db"),
        "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
        "--ip", stack.host, "--port", str(p.temporal), "--ui-port", str(p.temporal_ui),
        "--ui-disable-news-fetch", "--log-level", "warn",
        # The UI decrypts payloads through our (first) API's codec endpoint, for supervisors and auditors.
        "--ui-codec-endpoint", stack.url(p.api, "/codec"),
    ]  # fmt: skip
    temporal = ChildProcess(
        name="temporal",
        argv=server_argv,
        env=server_env,
        log_path=logs / "temporal.log",
        ready=[tcp_open(stack.dial, p.temporal), tcp_open(stack.dial, p.temporal_ui)],
    )
    # The read model's gauges are counted by exactly one process, the dispatcher (below): never by
    # every child because the shell happens to export the flag.
    env = {**os.environ, **app_env(stack, bpjs_poll_seconds), "KELAHIRAN_METRICS_GAUGES": "false"}

    def kelahiran(name: str, *args: str, ready: Sequence[ReadyCheck] = (), **extra: str) -> ChildProcess:
        # `python -m cli` from this interpreter works in a venv that was never activated.
        argv = [sys.executable, "-m", "cli", *args]
        return ChildProcess(name, argv, env | extra, logs / f"{name}.log", ready)

    workers = [
        kelahiran(name, "worker", ready=[http_ok(stack.url(health, "/ready"))],
                  KELAHIRAN_WORKER_METRICS_PORT=str(metrics), KELAHIRAN_WORKER_HEALTH_PORT=str(health))
        for name, (metrics, health) in zip(replica_names("worker", stack.worker_replicas),
                                           stack.worker_ports(), strict=True)
    ]
    apis = [
        kelahiran(name, "api", ready=[http_ok(stack.url(port, "/ready"))], KELAHIRAN_API_PORT=str(port))
        for name, port in zip(replica_names("api", stack.api_replicas), stack.api_ports(), strict=True)
    ]
    return Children(
        temporal=temporal,
        simulators=[
            kelahiran("dukcapil-sim", "simulator", "dukcapil",
                      ready=[http_ok(stack.url(p.dukcapil, "/ready"))]),
            kelahiran("bpjs-sim", "simulator", "bpjs", ready=[http_ok(stack.url(p.bpjs, "/ready"))]),
            # Receives the families' SMS (download link and PIN); read them at /admin/pesan.
            kelahiran("sms-sim", "simulator", "sms", ready=[http_ok(stack.url(p.sms, "/ready"))]),
        ],
        migrate=kelahiran("migrate", "migrate"),
        workers=workers,
        apis=apis,
        # Hospital webhooks from the outbox (a process of its own: see cli/dispatcher_process.py).
        # It also exports the read model's gauges on its /metrics (bundles by status, reasons, ...).
        callbacks=kelahiran("callbacks", "callbacks", ready=[http_ok(stack.url(p.callbacks, "/health"))],
                            KELAHIRAN_METRICS_GAUGES="true"),
    )


def app_env(stack: Stack, bpjs_poll_seconds: float) -> dict[str, str]:
    """What the API, worker, migrations and simulators read, pointing at each other (the first API's
    and worker's ports; each replica's own ports are set on its child)."""
    from infra.settings import Settings

    # The app's BPJS and Dukcapil credentials (env or development defaults) are what the
    # simulators expect.
    settings = Settings()
    p = stack.ports
    bpjs_credentials = {
        "CONS_ID": settings.bpjs_cons_id,
        "SECRET": settings.bpjs_secret,
        "USER_KEY": settings.bpjs_user_key,
    }
    dukcapil_client = {"CLIENT_ID": settings.dukcapil_client_id,
                       "CLIENT_SECRET": settings.dukcapil_client_secret}
    return {
        "PYTHONUNBUFFERED": "1",
        "KELAHIRAN_DEBUG": "1",  # a child's log keeps the whole traceback; `up` shows its tail
        # glibc's default of 8 malloc arenas per core kept ~100 MiB of freed memory in the worker's
        # many threads; two arenas cost no measurable CPU here (see README, Performance).
        "MALLOC_ARENA_MAX": os.environ.get("MALLOC_ARENA_MAX", "2"),
        "TEMPORAL_ADDRESS": f"{stack.dial}:{p.temporal}",
        "TEMPORAL_NAMESPACE": "default",
        "KELAHIRAN_TEMPORAL_UI_URL": stack.url(p.temporal_ui),
        "KELAHIRAN_DATABASE_URL": stack.readmodel(),
        "KELAHIRAN_API_HOST": stack.host,
        "KELAHIRAN_API_PORT": str(p.api),
        "KELAHIRAN_WORKER_METRICS_PORT": str(p.worker_metrics),
        "KELAHIRAN_WORKER_HEALTH_PORT": str(p.worker_health),
        "KELAHIRAN_CALLBACKS_PORT": str(p.callbacks),
        "KELAHIRAN_DUKCAPIL_URL": stack.url(p.dukcapil),
        **{f"KELAHIRAN_DUKCAPIL_{k}": v for k, v in dukcapil_client.items()},
        "KELAHIRAN_BPJS_URL": stack.url(p.bpjs),
        "KELAHIRAN_BPJS_POLL_SECONDS": str(bpjs_poll_seconds),
        **{f"KELAHIRAN_BPJS_{k}": v for k, v in bpjs_credentials.items()},
        "DUKCAPIL_SIM_DATABASE_URL": stack.sqlite("dukcapil.db"),
        "DUKCAPIL_SIM_HOST": stack.host,
        "DUKCAPIL_SIM_PORT": str(p.dukcapil),
        **{f"DUKCAPIL_SIM_{k}": v for k, v in dukcapil_client.items()},
        "BPJS_SIM_DATABASE_URL": stack.sqlite("bpjs.db"),
        "BPJS_SIM_HOST": stack.host,
        "BPJS_SIM_PORT": str(p.bpjs),
        **{f"BPJS_SIM_{k}": v for k, v in bpjs_credentials.items()},
        "KELAHIRAN_SMS_URL": stack.url(p.sms),
        "KELAHIRAN_SMS_API_KEY": settings.sms_api_key,
        "SMS_SIM_DATABASE_URL": stack.sqlite("sms.db"),
        "SMS_SIM_HOST": stack.host,
        "SMS_SIM_PORT": str(p.sms),
        "SMS_SIM_API_KEY": settings.sms_api_key,
        **payload_keys(stack, settings),
        **readmodel_keys(stack, settings),
    }


def _local_key(path: Path) -> tuple[str, str]:
    """A key made on first start and kept in the data dir: (spec, key id)."""
    from infra.codec import new_key_spec

    if not path.exists():
        path.write_text(new_key_spec("local-1"))
        path.chmod(0o600)
    spec = path.read_text().strip()
    return spec, spec.split(":", 1)[0]


def payload_keys(stack: Stack, settings) -> dict[str, str]:
    """Encrypt workflow payloads even on a laptop."""
    if settings.payload_keys:
        return {}
    spec, kid = _local_key(stack.data / "payload-keys")
    return {"KELAHIRAN_PAYLOAD_KEYS": spec, "KELAHIRAN_PAYLOAD_KEY_ID": kid}


def readmodel_keys(stack: Stack, settings) -> dict[str, str]:
    """Encrypt the read model's stored states even on a laptop."""
    if settings.readmodel_keys:
        return {}
    spec, kid = _local_key(stack.data / "readmodel-keys")
    return {"KELAHIRAN_READMODEL_KEYS": spec, "KELAHIRAN_READMODEL_KEY_ID": kid}
