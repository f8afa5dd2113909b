"""`kelahiran readmodel drift|rebuild|reencrypt`: check the read model against the workflows, rebuild
it, or rewrite its stored states under the current key."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from cli import app

readmodel_app = typer.Typer(no_args_is_help=True,
                            help="Compare the read model with the workflows' state, or rebuild it.")
app.add_typer(readmodel_app, name="readmodel")

TaskQueue = Annotated[str | None, typer.Option(help="only workflows on this task queue (default: all)")]
Concurrency = Annotated[int, typer.Option(min=1, max=256, help="workflow queries in flight at once")]


def _run(work):
    """Connect to Temporal and the read model (settings from the environment), then run `work`."""
    from cli.local import client_settings
    from infra.temporal_client import connect
    from store.db import make_engine

    settings = client_settings()
    cipher = settings.readmodel_cipher()

    async def go():
        try:
            client = await connect(settings)
        except Exception:  # noqa: BLE001 - any failure to connect ends the command alike
            typer.echo(f"kelahiran: cannot reach Temporal at {settings.temporal_address}: start the stack "
                       "(`kelahiran up`) or set TEMPORAL_ADDRESS", err=True)
            raise typer.Exit(2) from None
        engine = make_engine(settings.database_url)
        try:
            return await work(client, engine, cipher)
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
    from store.drift import DriftKind
    from store.rebuild import check_drift

    report = _run(lambda client, engine, cipher: check_drift(
        client, engine, cipher=cipher, task_queue=task_queue, concurrency=concurrency,
        settle_seconds=settle))
    typer.echo(f"read model vs workflows ({_scope(task_queue)}): {report.workflows} workflows, "
               f"{report.rows} rows")
    for d in report.drifts:
        typer.echo(f"  {d.kind.value:<12} {d.bundle_id}  {d.detail}")
    if not report.drifts:
        typer.echo("no drift")
        return
    if any("KeyError" in d.detail for d in report.drifts if d.kind is DriftKind.UNQUERYABLE):
        # Not drift: this command cannot read the workflows' encrypted state, and a rebuild could not either.
        typer.secho("kelahiran: the workflows' state is encrypted and no key to read it is set: run where "
                    "`kelahiran up` keeps its data (KELAHIRAN_DATA_DIR) or set KELAHIRAN_PAYLOAD_KEYS",
                    err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts().items() if n)
    repairable = any(d.kind in (DriftKind.MISSING, DriftKind.STALE) for d in report.drifts)
    typer.echo(f"drift: {counts} ({len(report.drifts)} bundles)"
               + ("; `kelahiran readmodel rebuild` repairs missing and stale rows" if repairable else ""))
    raise typer.Exit(1)


@readmodel_app.command("rebuild")
def rebuild(task_queue: TaskQueue = None, concurrency: Concurrency = 16) -> None:
    """Write every workflow's state into the read model; rows without a workflow are only reported."""
    from store.rebuild import rebuild as run_rebuild

    report = _run(lambda client, engine, cipher: run_rebuild(
        client, engine, cipher=cipher, task_queue=task_queue, concurrency=concurrency))
    for bid, outcome, detail in report.actions:
        typer.echo(f"  {outcome:<12} {bid}  {detail}")
    c = report.counts()
    typer.echo(f"rebuilt from {report.workflows} workflows ({_scope(task_queue)}): {c['created']} created, "
               f"{c['overwritten']} overwritten, {report.unchanged} already up to date, "
               f"{c['skipped']} skipped (row newer), {c['left']} orphan rows left, "
               f"{c['failed']} unqueryable")
    if c["failed"]:
        raise typer.Exit(1)


@readmodel_app.command("reencrypt")
def reencrypt(dry_run: Annotated[bool, typer.Option(help="only count what would be rewritten")] = False,
              ) -> None:
    """Rewrite stored states not under the current key (KELAHIRAN_READMODEL_KEY_ID): rows written
    before encryption or under an older key. Safe while the system runs; exit 1 if a row fails."""
    from cli.local import client_settings
    from store.cipher import StateKeyError
    from store.db import make_engine
    from store.reencrypt import reencrypt as run_reencrypt

    settings = client_settings()
    engine = make_engine(settings.database_url)
    try:
        cipher = settings.readmodel_cipher()
        report = run_reencrypt(engine, cipher, dry_run=dry_run)
    except StateKeyError as exc:
        typer.echo(f"kelahiran readmodel reencrypt: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    verb = "would rewrite" if dry_run else "rewritten"
    for table, n in report.rewritten.items():
        typer.echo(f"  {table:<10} {n} {verb}, {report.current[table]} already under key {cipher.current!r}, "
                   f"{report.moved[table]} changed meanwhile (left)")
    for row, why in report.failed:
        typer.echo(f"  failed     {row}: {why}")
    typer.echo("dry run: nothing changed" if dry_run else "done")
    if report.failed:
        raise typer.Exit(1)
