"""`kelahiran bench`: latency and throughput of the stack, against the engine floor (issue 6)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Annotated

import typer

from cli.up import _stop_signals_as_interrupt

app = typer.Typer()

# The started stack's shapes: (APIs, workers); the floor runs as many workers as ours.
SHAPES = {"embedded": (1, 1), "production": (2, 2)}


def _pairs(text: str | None) -> dict[str, str]:
    """`a=1,b=2` -> {"a": "1", "b": "2"}."""
    out = {}
    for item in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r} is not name=value")
        out[key.strip()] = value.strip()
    return out


def _loopback(url: str) -> str:
    host = url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        raise typer.BadParameter(f"the benchmark only sends traffic to 127.0.0.1, not {url}")
    return url.rstrip("/")


@app.command()
def bench(
    mode: Annotated[str, typer.Option(help="rate: fixed arrival rate(s); inflight: a fixed number in flight")]
    = "rate",
    rate: Annotated[float, typer.Option(min=0.1, max=100, help="births/s (rate mode)")] = 5.0,
    rates: Annotated[str | None, typer.Option(help="a sweep for the plot, e.g. 1,2,5,10")] = None,
    inflight: Annotated[int, typer.Option(
        min=0, max=200, help="bundles in flight: the saturation phase (0 skips it in rate mode)")] = 16,
    duration: Annotated[float, typer.Option(min=1, max=600, help="seconds of load per phase")] = 20.0,
    drain: Annotated[float, typer.Option(min=1, max=600, help="seconds a phase waits for stragglers")]
    = 120.0,
    out: Annotated[Path, typer.Option(help="bench.json and bench.png go here")] = Path("bench-results"),
    no_floor: Annotated[bool, typer.Option("--no-floor", help="skip the engine floor")] = False,
    target: Annotated[str | None, typer.Option(help=(
        "a running stack: api=URL,dukcapil=URL,bpjs=URL[,temporal=HOST:PORT]; default: start one"))] = None,
    pids: Annotated[str | None, typer.Option(help=(
        "with --target: processes to measure, e.g. temporal=123,worker=456,api=789"))] = None,
    database_url: Annotated[str | None, typer.Option(
        envvar="KELAHIRAN_DATABASE_URL",
        help="with --target: the API's database, where the bench registers its hospitals and keys")] = None,
    stack_database_url: Annotated[str | None, typer.Option(
        help="the started stack's read model, an empty database (e.g. PostgreSQL); default: SQLite "
             "(embedded shape), a scratch database on 127.0.0.1:5432 dropped afterwards (production)")]
    = None,
    hospital_keys_file: Annotated[Path | None, typer.Option(
        help="with --target: hospital API keys to post with, one per line (instead of --database-url)")]
    = None,
    hospitals: Annotated[int, typer.Option(
        min=1, max=100, help="hospitals (API keys) to spread the load over (intake is limited per hospital)")]
    = 8,
    login_storm: Annotated[int, typer.Option(min=0, max=1000, help=(
        "only the login phase: intake p99 and API memory, quiet and with this many parallel logins "
        "(tools/bench/login_storm.py; --rate and --duration apply)"))] = 0,
    profile: Annotated[Path | None, typer.Option(
        help="py-spy the stack's Python processes during the phases; stacks and top frames go here")] = None,
    profile_gil: Annotated[bool, typer.Option(
        help="with --profile: only samples that hold the GIL (Python's own CPU, no waits in C)")] = False,
    keep_stack: Annotated[Path | None, typer.Option(
        help="run the started stack in this (new, empty) folder and keep its databases and logs")] = None,
    population: Annotated[int, typer.Option(
        min=100, max=20_000, help="families in the simulators of the started stack (one per birth)")] = 3000,
    repeat: Annotated[int, typer.Option(min=1, max=5, help=(
        "run the phases this many times in turns, each followed by the floor's; the own-CPU table "
        "adds each phase's median ratio (one run's ratio moves with the machine's speed)"))] = 1,
    shape: Annotated[str, typer.Option(help=(
        "the started stack: embedded (SQLite, 1 API, 1 worker) or production (PostgreSQL: "
        "--stack-database-url or a scratch database on 127.0.0.1:5432; 2 APIs taking the births in "
        "turn, 2 workers; the floor on 2 workers)"))] = "embedded",
) -> None:
    """Drive births at a rate or in flight; report latency, throughput, CPU and memory vs the engine floor."""
    try:
        from tools.bench.report import format_table, write
        from tools.bench.run import make_plan, run_bench
        from tools.bench.stack import Target, UpStack
    except ImportError as exc:  # psutil and matplotlib come with the `bench` extra
        raise typer.BadParameter(f"{exc}; install the bench extra: pip install 'kelahiran[bench]'") from exc

    if keep_stack and keep_stack.exists() and any(keep_stack.iterdir()):
        raise typer.BadParameter(f"--keep-stack {keep_stack} is not empty")
    if shape not in SHAPES:
        raise typer.BadParameter(f"--shape is {' or '.join(SHAPES)}")
    if shape != "embedded" and target:
        raise typer.BadParameter("--shape applies to the stack the bench starts, not to --target")
    if shape == "production" and (stack_database_url or "").startswith("sqlite"):
        raise typer.BadParameter("the production shape's read model is PostgreSQL, not SQLite")
    if mode not in ("rate", "inflight"):
        raise typer.BadParameter("--mode is rate or inflight")
    sweep = [float(r) for r in rates.split(",")] if rates else None
    if sweep and not all(0 < r <= 100 for r in sweep):
        raise typer.BadParameter("--rates must be within (0, 100]")
    if mode == "inflight" and inflight < 1:
        raise typer.BadParameter("--mode inflight needs --inflight >= 1")
    plan = make_plan(mode=mode, rate=rate, rates=sweep, inflight=inflight, duration=duration, drain=drain,
                     floor=not no_floor, hospitals=hospitals, repeat=repeat)
    plan.profile = profile
    apis, workers = SHAPES[shape]
    plan.shape, plan.floor_workers = shape, workers
    if profile_gil:
        plan.extra["profile_gil"] = True
    plan.extra["repeat"] = repeat
    out.mkdir(parents=True, exist_ok=True)

    def go(t: Target) -> dict:
        if login_storm:  # its own short report, printed; no floor, no plot
            from tools.bench.login_storm import run_login_storm

            done = asyncio.run(run_login_storm(t, logins=login_storm, seconds=duration, rate=rate,
                                               say=typer.echo))
            raise typer.Exit(0 if done["ok"] else 1)
        try:  # the load generator's own overhead adds to every latency it measures: keep it small
            import uvloop
        except ImportError:
            return asyncio.run(run_bench(plan, t, workdir=out, say=typer.echo))
        return uvloop.run(run_bench(plan, t, workdir=out, say=typer.echo))

    if target:
        urls = _pairs(target)
        missing = {"api", "dukcapil", "bpjs"} - urls.keys()
        if missing:
            raise typer.BadParameter(f"--target lacks {', '.join(sorted(missing))}")
        if not no_floor and "temporal" not in urls:
            raise typer.BadParameter("the engine floor needs temporal=HOST:PORT in --target (or --no-floor)")
        keys = [k.strip() for k in hospital_keys_file.read_text().splitlines() if k.strip()] \
            if hospital_keys_file else []
        if not keys and not database_url:
            raise typer.BadParameter("--target needs --hospital-keys-file or --database-url (the API's "
                                     "database, to register the bench's hospitals and keys)")
        t = Target(api=_loopback(urls["api"]), dukcapil=_loopback(urls["dukcapil"]),
                   bpjs=_loopback(urls["bpjs"]), temporal=urls.get("temporal"),
                   payload_keys=os.environ.get("KELAHIRAN_PAYLOAD_KEYS", ""),
                   database_url=database_url, hospital_keys=keys,
                   pids={k: int(v) for k, v in _pairs(pids).items()})
        if not t.pids:
            typer.echo("no --pids: CPU and memory per process are not measured")
        report = go(t)
    else:
        typer.echo(f"starting the stack, {shape} shape (`kelahiran up` on free ports, temporary data dir)")
        with _stop_signals_as_interrupt(), contextlib.ExitStack() as held:
            db = stack_database_url
            if db is None and shape == "production":
                from tools.bench.pgdb import scratch_database

                db = held.enter_context(scratch_database(keep=keep_stack is not None))
                typer.echo(f"read model: scratch database {db.rsplit('/', 1)[-1]}"
                           + (" (kept with --keep-stack)" if keep_stack else " (dropped afterwards)"))
            t = held.enter_context(UpStack(population=population, keep=keep_stack, database_url=db,
                                           api_replicas=apis, worker_replicas=workers))
            typer.echo(f"stack up: API {', '.join(t.endpoints)}, Temporal {t.temporal}; "
                       f"measuring {', '.join(t.pids)}")
            report = go(t)
    js, png = write(report, out)
    typer.echo("\n" + format_table(report))
    typer.echo(f"\nwrote {js} and {png}")
    if report["errors"] or report["lost"]:
        raise typer.Exit(1)
