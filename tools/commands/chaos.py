"""`kelahiran chaos`: the black-box reliability figures of issue 19, reproduced against `kelahiran up`."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import tempfile
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def chaos(
    scale: Annotated[float, typer.Option(
        min=0.01, max=10, help="births and seconds of every stage times this (1: the figures of issue 19)")]
    = 1.0,
    stages: Annotated[str | None, typer.Option(help=(
        "comma-separated, run in this order whatever the order given: identical, worker-kill, "
        "temporal-kill, temporal-freeze, bpjs-outage, power-loss, burst (default: all)"))] = None,
    identical: Annotated[str | None, typer.Option(help="concurrent POSTs of one record, e.g. 10,30")] = None,
    in_flight: Annotated[int | None, typer.Option(min=1, help="births in flight at each kill")] = None,
    freeze_seconds: Annotated[float | None, typer.Option(min=1, help="Temporal under SIGSTOP")] = None,
    outage_seconds: Annotated[float | None, typer.Option(min=1, help="BPJS answering 503")] = None,
    burst_rate: Annotated[float | None, typer.Option(min=0.1, max=200, help="births/s")] = None,
    burst_seconds: Annotated[float | None, typer.Option(min=1, help="length of the burst")] = None,
    drain_seconds: Annotated[float, typer.Option(min=10, help="how long a stage waits for its bundles")]
    = 900.0,
    keep: Annotated[Path | None, typer.Option(
        help="run the stack in this (new, empty) folder and keep its databases and logs")] = None,
) -> None:
    """Break a fresh `kelahiran up` stage by stage; check every accepted birth completed exactly once,
    no read-model drift and no NIK, KK number or name in logs, databases or histories. Exit 1 on a failure."""
    try:
        from tools.chaos.plan import STAGES, Plan
        from tools.chaos.report import table
        from tools.chaos.run import run_chaos
    except ImportError as exc:  # psutil comes with the `bench` extra
        raise typer.BadParameter(f"{exc}; install the bench extra: pip install 'kelahiran[bench]'") from exc
    from cli.up import _stop_signals_as_interrupt

    plan = Plan().scaled(scale) if scale != 1 else Plan()
    chosen = tuple(s.strip() for s in stages.split(",")) if stages else STAGES
    if unknown := [s for s in chosen if s not in STAGES]:
        raise typer.BadParameter(f"unknown stage(s): {', '.join(unknown)}", param_hint="--stages")
    try:
        posts = tuple(int(n) for n in identical.split(",")) if identical else None
    except ValueError:
        raise typer.BadParameter("expected whole numbers, e.g. 10,30", param_hint="--identical") from None
    given = {"identical": posts,
             "in_flight": in_flight, "freeze_seconds": freeze_seconds, "outage_seconds": outage_seconds,
             "burst_rate": burst_rate, "burst_seconds": burst_seconds}
    plan = dataclasses.replace(plan, stages=tuple(s for s in STAGES if s in chosen),
                               drain_seconds=drain_seconds,
                               **{k: v for k, v in given.items() if v is not None})
    if keep and keep.exists() and any(keep.iterdir()):
        raise typer.BadParameter(f"--keep {keep} is not empty")
    with _stop_signals_as_interrupt(), contextlib.ExitStack() as held:
        data = keep.resolve() if keep else Path(held.enter_context(
            tempfile.TemporaryDirectory(prefix="kelahiran-chaos-"))) / "data"
        results = asyncio.run(run_chaos(plan, data, typer.echo))
    typer.echo("\n" + table(results))
    if not results or not all(r.passed for r in results):
        raise typer.Exit(1)
