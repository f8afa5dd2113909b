"""`kelahiran up`: the whole system on one machine, offline, as children of one foreground command.

Order: Temporal dev server (file-backed) and both simulators, then `migrate` once, then the worker
and the API. Each child logs to <data-dir>/logs/<name>.log; data survives a restart.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Annotated

import typer

from api.auth.demo import DemoCredentials, ensure_demo_accounts
from cli import app
from cli.supervisor import (
    ChildFailed,
    ChildProcess,
    ReadyCheck,
    Supervisor,
    http_ok,
    port_in_use,
    tcp_open,
)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass(frozen=True)
class Ports:
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
    """Where everything lives: the bind host, the host clients dial, the ports and the data dir."""

    host: str
    ports: Ports
    data: Path
    database_url: str | None = None  # the read model; None: SQLite in the data dir

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


@app.command()
def up(
    data_dir: Annotated[
        Path, typer.Option(envvar="KELAHIRAN_DATA_DIR", help="Databases and logs live here.")
    ] = Path("data"),
    host: Annotated[str, typer.Option(envvar="KELAHIRAN_UP_HOST", help="Bind address.")] = "127.0.0.1",
    temporal_port: Annotated[int, typer.Option(envvar="KELAHIRAN_UP_TEMPORAL_PORT")] = 7233,
    temporal_ui_port: Annotated[int, typer.Option(envvar="KELAHIRAN_UP_TEMPORAL_UI_PORT")] = 8233,
    api_port: Annotated[int, typer.Option(envvar="KELAHIRAN_API_PORT")] = 8000,
    dukcapil_port: Annotated[int, typer.Option(envvar="DUKCAPIL_SIM_PORT")] = 8101,
    bpjs_port: Annotated[int, typer.Option(envvar="BPJS_SIM_PORT")] = 8102,
    worker_metrics_port: Annotated[int, typer.Option(envvar="KELAHIRAN_WORKER_METRICS_PORT")] = 9464,
    worker_health_port: Annotated[int, typer.Option(envvar="KELAHIRAN_WORKER_HEALTH_PORT")] = 9465,
    callbacks_port: Annotated[
        int, typer.Option(envvar="KELAHIRAN_CALLBACKS_PORT", help="Callback dispatcher's /health, /metrics.")
    ] = 9466,
    sms_port: Annotated[int, typer.Option(envvar="SMS_SIM_PORT", help="SMS gateway simulator.")] = 8103,
    bpjs_poll_seconds: Annotated[
        float,
        typer.Option(envvar="KELAHIRAN_BPJS_POLL_SECONDS", help="Short, so a paid PBPU bundle ends quickly."),
    ] = 5.0,
    timeout: Annotated[
        float, typer.Option(envvar="KELAHIRAN_UP_TIMEOUT", help="Seconds each stage may take.")
    ] = 90.0,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="KELAHIRAN_UP_DATABASE_URL",
                     help="The read model's database (postgresql+psycopg://...); default: SQLite in data."),
    ] = None,
) -> None:
    """Run Temporal, both simulators, the worker and the API locally until Ctrl-C."""
    ports = Ports(
        temporal_port,
        temporal_ui_port,
        api_port,
        dukcapil_port,
        bpjs_port,
        worker_metrics_port,
        worker_health_port,
        callbacks_port,
        sms_port,
    )
    stack = Stack(host=host, ports=ports, data=data_dir.resolve(), database_url=database_url)
    _refuse_busy_ports(stack)
    (stack.data / "logs").mkdir(parents=True, exist_ok=True)
    _data_lock = _lock_data_dir(stack.data)  # held while this command runs
    temporal, dukcapil, bpjs, migrate, worker, api, callbacks, sms = _children(stack, bpjs_poll_seconds)

    supervisor = Supervisor()
    code = 0
    with _stop_signals_as_interrupt():
        try:
            typer.echo(f"starting Temporal and the simulators (logs in {stack.data / 'logs'})")
            supervisor.start(temporal, dukcapil, bpjs, sms, timeout=timeout)
            typer.echo("migrating the read model")
            supervisor.run_once(migrate, timeout=timeout)
            demo = ensure_demo_accounts(stack.readmodel(), stack.data)
            typer.echo("starting the worker, the API and the callback dispatcher")
            supervisor.start(worker, api, callbacks, timeout=timeout)
            _print_urls(stack)
            _print_credentials(stack, demo)
            typer.echo("Ctrl-C to stop")  # last: scripts and tests wait for this line
            supervisor.watch()
        except KeyboardInterrupt:
            pass
        except ChildFailed as failure:
            _say(f"kelahiran up: {failure}", err=True, fg=typer.colors.RED)
            code = 1
        finally:
            supervisor.stop_all(say=_say)
            _say("stopped")
    raise typer.Exit(code)


def _say(message: str, **style) -> None:
    # After SIGHUP the terminal is gone; failing to print must not stop us stopping the children.
    with suppress(OSError):
        typer.secho(message, **style)


def _refuse_busy_ports(stack: Stack) -> None:
    named = asdict(stack.ports)
    if len(set(named.values())) != len(named):
        _fail(f"every port must be different: {named}")
    busy = [f"{port} ({name})" for name, port in named.items() if port_in_use(stack.host, port)]
    if busy:
        _fail(
            f"port already in use on {stack.host}: {', '.join(busy)}. Stop whatever holds it "
            "(another `kelahiran up`?) or choose other ports (see `kelahiran up --help`)."
        )


def _lock_data_dir(data: Path) -> IO[str]:
    """Two stacks writing the same SQLite files would corrupt them: one `up` per data dir."""
    lock = (data / "up.lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        _fail(f"{data} is in use by another `kelahiran up`; stop it or pass another --data-dir.")
    return lock


def _fail(message: str) -> None:
    typer.secho(f"kelahiran up: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(2)


def _children(stack: Stack, bpjs_poll_seconds: float) -> list[ChildProcess]:
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
        # The UI decrypts payloads through our API's codec endpoint, for supervisors and auditors only.
        "--ui-codec-endpoint", stack.url(p.api, "/codec"),
    ]  # fmt: skip
    temporal = ChildProcess(
        name="temporal",
        argv=server_argv,
        env=server_env,
        log_path=logs / "temporal.log",
        ready=[tcp_open(stack.dial, p.temporal), tcp_open(stack.dial, p.temporal_ui)],
    )
    env = {**os.environ, **_app_env(stack, bpjs_poll_seconds)}

    def kelahiran(name: str, *args: str, ready: Sequence[ReadyCheck] = ()) -> ChildProcess:
        # `python -m cli` from this interpreter works in a venv that was never activated.
        argv = [sys.executable, "-m", "cli", *args]
        return ChildProcess(name, argv, env, logs / f"{name}.log", ready)

    return [
        temporal,
        kelahiran("dukcapil-sim", "simulator", "dukcapil", ready=[http_ok(stack.url(p.dukcapil, "/ready"))]),
        kelahiran("bpjs-sim", "simulator", "bpjs", ready=[http_ok(stack.url(p.bpjs, "/ready"))]),
        kelahiran("migrate", "migrate"),
        kelahiran("worker", "worker", ready=[http_ok(stack.url(p.worker_health, "/health"))]),
        kelahiran("api", "api", ready=[http_ok(stack.url(p.api, "/ready"))]),
        # Hospital webhooks from the outbox (a process of its own: see cli/dispatcher_process.py).
        kelahiran("callbacks", "callbacks", ready=[http_ok(stack.url(p.callbacks, "/health"))]),
        # Receives the families' SMS (download link and PIN); read them at /admin/pesan.
        kelahiran("sms-sim", "simulator", "sms", ready=[http_ok(stack.url(p.sms, "/ready"))]),
    ]


def _app_env(stack: Stack, bpjs_poll_seconds: float) -> dict[str, str]:
    """What the API, worker, migrations and simulators read, pointing at each other."""
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
        **_payload_keys(stack, settings),
        **_readmodel_keys(stack, settings),
    }


def _local_key(path: Path) -> tuple[str, str]:
    """A key made on first start and kept in the data dir: (spec, key id)."""
    from infra.codec import new_key_spec

    if not path.exists():
        path.write_text(new_key_spec("local-1"))
        path.chmod(0o600)
    spec = path.read_text().strip()
    return spec, spec.split(":", 1)[0]


def _payload_keys(stack: Stack, settings) -> dict[str, str]:
    """Encrypt workflow payloads even on a laptop."""
    if settings.payload_keys:
        return {}
    spec, kid = _local_key(stack.data / "payload-keys")
    return {"KELAHIRAN_PAYLOAD_KEYS": spec, "KELAHIRAN_PAYLOAD_KEY_ID": kid}


def _readmodel_keys(stack: Stack, settings) -> dict[str, str]:
    """Encrypt the read model's stored states even on a laptop."""
    if settings.readmodel_keys:
        return {}
    spec, kid = _local_key(stack.data / "readmodel-keys")
    return {"KELAHIRAN_READMODEL_KEYS": spec, "KELAHIRAN_READMODEL_KEY_ID": kid}


def _print_credentials(stack: Stack, demo: DemoCredentials) -> None:
    typer.echo(f"\n  Demo credentials (made on first start, kept in {stack.data / 'demo-credentials.json'}):")
    typer.echo(f"  {'Hospital ' + demo.hospital_id:<26}X-API-Key: {demo.hospital_key}")
    typer.echo(f"  {'Admin login':<26}{demo.admin_user} / {demo.admin_password}")
    typer.echo(f"  {'Supervisor login':<26}{demo.supervisor_user} / {demo.supervisor_password}")


def _print_urls(stack: Stack) -> None:
    p = stack.ports
    rows = [
        ("API", stack.url(p.api)),
        ("API docs", stack.url(p.api, "/docs")),
        ("Operators' console", stack.url(p.api, "/console")),
        ("Temporal Web UI", stack.url(p.temporal_ui)),
        ("Temporal frontend (gRPC)", f"{stack.dial}:{p.temporal}"),
        ("Dukcapil simulator", stack.url(p.dukcapil, "/docs")),
        ("BPJS simulator", stack.url(p.bpjs, "/docs")),
        ("SMS simulator (inbox)", stack.url(p.sms, "/admin/pesan")),
        ("Worker metrics", stack.url(p.worker_metrics, "/metrics")),
        ("Worker health", stack.url(p.worker_health, "/health")),
        ("Callbacks health/metrics", stack.url(p.callbacks, "/health")),
    ]
    typer.secho("\nkelahiran is up", bold=True)
    for label, url in rows:
        typer.echo(f"  {label:<26}{url}")
    typer.echo(f"  {'Data and logs':<26}{stack.data}")


@contextmanager
def _stop_signals_as_interrupt() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into KeyboardInterrupt, so each one stops the children.

    SIGINT is set explicitly: a shell starts background jobs with it ignored.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
