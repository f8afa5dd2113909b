"""`kelahiran up`: the whole system on one machine, offline, as children of one foreground command.

Order: Temporal dev server (file-backed) and the simulators, then `migrate` once, then the
worker(s), the API(s) and the callback dispatcher. Each child logs to <data-dir>/logs/<name>.log;
data survives a restart. What runs where (ports, replicas, settings) is cli/stack.py.
"""

from __future__ import annotations

import fcntl
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import IO, Annotated

import typer

from api.auth.demo import DemoCredentials, ensure_demo_accounts
from cli import app
from cli.local import private_data_dir, write_urls
from cli.stack import DEFAULT_PORT_STEP, Ports, Stack, children, readmodel_keys
from cli.supervisor import ChildFailed, Supervisor, port_in_use

# Where they lived before cli/stack.py (tests/store/test_cipher.py imports them from here).
__all__ = ["Ports", "Stack", "_readmodel_keys", "up"]
_readmodel_keys = readmodel_keys

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
    api_replicas: Annotated[
        int, typer.Option(min=1, max=16, envvar="KELAHIRAN_UP_API_REPLICAS",
                          help="API processes; replica k listens on --api-port + k x --replica-port-step.")
    ] = 1,
    worker_replicas: Annotated[
        int, typer.Option(min=1, max=16, envvar="KELAHIRAN_UP_WORKER_REPLICAS",
                          help="Worker processes (one task queue); replica k serves /metrics and /health "
                               "on --worker-metrics-port and --worker-health-port + k x --replica-port-step.")
    ] = 1,
    replica_port_step: Annotated[
        int, typer.Option(min=1, max=1000, envvar="KELAHIRAN_UP_REPLICA_PORT_STEP",
                          help="How far apart the replicas' ports are (the worker's ports are consecutive).")
    ] = DEFAULT_PORT_STEP,
) -> None:
    """Run Temporal, the three simulators, the worker(s), the API(s) and the callback dispatcher
    locally until Ctrl-C, restarting any of them that stops."""
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
    stack = Stack(host=host, ports=ports, data=data_dir.resolve(), database_url=database_url,
                  api_replicas=api_replicas, worker_replicas=worker_replicas, port_step=replica_port_step)
    _refuse_sqlite_replicas(stack)
    _refuse_busy_ports(stack)
    # Everything below, our children included, creates files for this user only: the databases hold
    # operators' password hashes, families' download links and PINs; the logs and keys are no better.
    os.umask(0o077)
    private_data_dir(stack.data)
    _data_lock = _lock_data_dir(stack.data)  # held while this command runs
    kids = children(stack, bpjs_poll_seconds)

    supervisor = Supervisor(say=_progress(stack))
    code = 0
    with _stop_signals_as_interrupt():
        try:
            typer.echo(f"[1/4] starting Temporal and the three simulators (logs in {stack.data / 'logs'})")
            supervisor.start(kids.temporal, *kids.simulators, timeout=timeout)
            typer.echo("[2/4] migrating the read model")
            supervisor.run_once(kids.migrate, timeout=timeout)
            typer.echo("  read model up to date")
            demo = ensure_demo_accounts(stack.readmodel(), stack.data)
            typer.echo(f"[3/4] starting {_count(len(kids.workers), 'worker')}, "
                       f"{_count(len(kids.apis), 'API')} and the callback dispatcher")
            supervisor.start(*kids.workers, *kids.apis, kids.callbacks, timeout=timeout)
            typer.echo(f"[4/4] writing the URLs for the other commands to {write_urls(stack)}")
            _print_urls(stack)
            _print_credentials(stack, demo)
            typer.echo("Ctrl-C to stop; a process that stops is restarted")  # last: scripts wait for it
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


def _progress(stack: Stack) -> Callable[[str], None]:
    """Say what the supervisor does, on the terminal and in logs/up.log (restarts happen unattended)."""
    log_path = stack.data / "logs" / "up.log"

    def say(message: str) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        _say(message if message.startswith("  ") else f"{stamp} {message}")
        with suppress(OSError), log_path.open("a") as log:
            log.write(f"{datetime.now().isoformat(timespec='seconds')} {message.strip()}\n")

    return say


def _count(n: int, what: str) -> str:
    return f"the {what}" if n == 1 else f"{n} {what}s"


def _say(message: str, **style) -> None:
    # After SIGHUP the terminal is gone; failing to print must not stop us stopping the children.
    with suppress(OSError):
        typer.secho(message, **style)


def _refuse_sqlite_replicas(stack: Stack) -> None:
    if max(stack.api_replicas, stack.worker_replicas) > 1 and stack.readmodel().startswith("sqlite"):
        _fail("several API or worker processes write the read model at once: that belongs on "
              "PostgreSQL (--database-url postgresql+psycopg://...), not on one SQLite file.")


def _refuse_busy_ports(stack: Stack) -> None:
    named = stack.named_ports()
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


def _print_credentials(stack: Stack, demo: DemoCredentials) -> None:
    typer.echo(f"\n  Demo credentials (made on first start, kept in {stack.data / 'demo-credentials.json'}):")
    typer.echo(f"  {'Hospital ' + demo.hospital_id:<26}X-API-Key: {demo.hospital_key}")
    typer.echo(f"  {'Admin login':<26}{demo.admin_user} / {demo.admin_password}")
    typer.echo(f"  {'Supervisor login':<26}{demo.supervisor_user} / {demo.supervisor_password}")


def _print_urls(stack: Stack) -> None:
    p = stack.ports
    apis, workers = stack.api_ports(), stack.worker_ports()
    rows = [
        ("API", stack.url(p.api)),
        *((f"API {k}", stack.url(port)) for k, port in enumerate(apis[1:], start=2)),
        ("API docs", stack.url(p.api, "/docs")),
        ("Operators' console", stack.url(p.api, "/console")),
        ("Temporal Web UI", stack.url(p.temporal_ui)),
        ("Temporal frontend (gRPC)", f"{stack.dial}:{p.temporal}"),
        ("Dukcapil simulator", stack.url(p.dukcapil, "/docs")),
        ("BPJS simulator", stack.url(p.bpjs, "/docs")),
        ("SMS simulator (inbox)", stack.url(p.sms, "/admin/pesan")),
    ]
    for k, (metrics, health) in enumerate(workers, start=1):
        worker = "Worker" if len(workers) == 1 else f"Worker {k}"
        rows += [(f"{worker} metrics", stack.url(metrics, "/metrics")),
                 (f"{worker} health", stack.url(health, "/health"))]
    rows.append(("Callbacks health/metrics", stack.url(p.callbacks, "/health")))
    typer.secho("\nkelahiran is up", bold=True)
    for label, url in rows:
        typer.echo(f"  {label:<26}{url}")
    typer.echo(f"  {'Read model':<26}{_without_password(stack.readmodel())}")
    typer.echo(f"  {'Data and logs':<26}{stack.data}")


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


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
