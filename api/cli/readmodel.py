"""`kelahiran readmodel drift|rebuild`: check the read model against the workflows, or rebuild it."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from api.cli import app

readmodel_app = typer.Typer(no_args_is_help=True,
                            help="Compare the read model with the workflows' state, or rebuild it.")
app.add_typer(readmodel_app, name="readmodel")

TaskQueue = Annotated[str | None, typer.Option(help="only workflows on this task queue (default: all)")]
Concurrency = Annotated[int, typer.Option(min=1, max=256, help="workflow queries in flight at once")]


def _run(work):
    """Connect to Temporal and the read model (settings from the environment), then run `work`."""
    from api.readmodel.db import make_engine
    from api.settings import Settings
    from api.temporal_client import connect

    settings = Settings()

    async def go():
        try:
            client = await connect(settings)
        except Exception as exc:  # noqa: BLE001 - any failure to connect ends the command alike
            typer.echo(f"cannot reach Temporal at {settings.temporal_address} ({type(exc).__name__})",
                       err=True)
            raise typer.Exit(2) from None
        engine = make_engine(settings.database_url)
        try:
            return await work(client, engine)
        finally:
            engine.dispose()

    return asyncio.run(go())


def _scope(task_queue: str | None) -> str:
    return f"task queue {task_queue}" if task_queue else "all task queues"


@readmodel_app.command("drift")
def drift(task_queue: TaskQueue = None, concurrency: Concurrency = 16,
          settle: Annotated[float, typer.Option(min=0, help="seconds a difference may take to heal "
                                                            "(a running bundle writing its row)")] = 2.0,
          ) -> None:
    """Report rows missing, stale or orphaned against the workflows' state; exit 1 on drift."""
    from api.readmodel.rebuild import check_drift

    report = _run(lambda client, engine: check_drift(
        client, engine, task_queue=task_queue, concurrency=concurrency, settle_seconds=settle))
    typer.echo(f"read model vs workflows ({_scope(task_queue)}): {report.workflows} workflows, "
               f"{report.rows} rows")
    for d in report.drifts:
        typer.echo(f"  {d.kind.value:<12} {d.bundle_id}  {d.detail}")
    if not report.drifts:
        typer.echo("no drift")
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts().items() if n)
    typer.echo(f"drift: {counts} ({len(report.drifts)} bundles); `kelahiran readmodel rebuild` repairs "
               "missing and stale rows")
    raise typer.Exit(1)


@readmodel_app.command("rebuild")
def rebuild(task_queue: TaskQueue = None, concurrency: Concurrency = 16) -> None:
    """Write every workflow's state into the read model; rows without a workflow are only reported."""
    from api.readmodel.rebuild import rebuild as run_rebuild

    report = _run(lambda client, engine: run_rebuild(
        client, engine, task_queue=task_queue, concurrency=concurrency))
    for bid, outcome, detail in report.actions:
        typer.echo(f"  {outcome:<12} {bid}  {detail}")
    c = report.counts()
    typer.echo(f"rebuilt from {report.workflows} workflows ({_scope(task_queue)}): {c['created']} created, "
               f"{c['overwritten']} overwritten, {report.unchanged} already up to date, "
               f"{c['skipped']} skipped (row newer), {c['left']} orphan rows left, "
               f"{c['failed']} unqueryable")
    if c["failed"]:
        raise typer.Exit(1)
