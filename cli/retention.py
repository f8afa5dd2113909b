"""`kelahiran retention run`: remove the personal data of bundles that ended long ago, and give the
Temporal namespace the same workflow retention."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from cli import app

retention_app = typer.Typer(no_args_is_help=True,
                            help="Remove the personal data of bundles that ended long ago.")
app.add_typer(retention_app, name="retention")

CONNECT_TIMEOUT = 15


def _days(ttl: timedelta) -> str:
    n = ttl / timedelta(days=1)
    return f"{n:g} day" + ("" if n == 1 else "s")


async def _namespace(settings, ttl: timedelta, dry_run: bool) -> tuple[str, bool]:
    """(what happened, ok) for the namespace's workflow execution retention."""
    from infra.temporal_client import connect
    from infra.temporal_namespace import set_workflow_retention, workflow_retention

    ns = settings.temporal_namespace
    try:
        client = await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT)
        before = await workflow_retention(client, ns)
        if dry_run:
            return f"is {_days(before)}; would be set to {_days(ttl)}", True
        after = await set_workflow_retention(client, ns, ttl)
    except Exception as exc:  # noqa: BLE001 - reported, and the exit code says it
        why = getattr(exc, "message", "") or type(exc).__name__
        return f"not changed: Temporal at {settings.temporal_address} answered {why}", False
    note = "" if after == ttl else f" (asked for {_days(ttl)})"
    return f"{_days(before)} -> {_days(after)} as Temporal reports it{note}", after == ttl


@retention_app.command("run")
def run(
    older_than_days: Annotated[int | None, typer.Option(
        min=1, help="Bundles that ended more than this many days ago. Default: KELAHIRAN_RETENTION_DAYS "
                    "(365: a year after a bundle ends covers the infant deaths and name corrections "
                    "that follow up on it; after that, Dukcapil's and BPJS's registers hold the "
                    "documents and this service needs none of it).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Change nothing; say what would be done.")] = False,
    skip_temporal: Annotated[bool, typer.Option(
        help="Leave the Temporal namespace's retention alone (e.g. it is managed elsewhere).")] = False,
) -> None:
    """Anonymise bundles in a terminal status that ended before the cutoff: their stored state keeps
    statuses, dates and reason codes and loses document numbers and free text; their follow-ups lose
    their documents, their reminders are deleted, the audit log's details about them are cleared.
    Then sets the Temporal namespace's workflow execution retention to the same number of days.
    Exit 1 if a bundle could not be read or Temporal did not take the retention; run it daily."""
    from cli.local import client_settings
    from store.cipher import StateKeyError
    from store.db import make_engine
    from store.retention import apply_retention

    settings = client_settings()
    days = older_than_days or settings.retention_days
    cutoff = datetime.now(UTC) - timedelta(days=days)
    engine = make_engine(settings.database_url)
    try:
        report = apply_retention(engine, settings.readmodel_cipher(), cutoff=cutoff, dry_run=dry_run)
    except StateKeyError as exc:
        typer.echo(f"kelahiran retention run: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()

    would = "would be " if dry_run else ""
    typer.echo(f"retention{' (dry run: nothing changed)' if dry_run else ''}: bundles in a terminal status "
               f"that ended before {cutoff:%Y-%m-%d %H:%M} UTC ({days} days)")
    typer.echo(f"  bundle       {report.bundles:>6} {would}anonymised (statuses, dates, reason codes kept)")
    typer.echo(f"  follow_up    {report.follow_ups:>6} {would}anonymised (document numbers removed)")
    typer.echo(f"  reminder     {report.reminders:>6} {would}deleted")
    typer.echo(f"  birth_identity {report.identities:>4} {would}deleted (the duplicate check's digests)")
    if report.audit_events is None:
        typer.echo("  audit_event         no such table in this database: nothing to clear")
    else:
        typer.echo(f"  audit_event  {report.audit_events:>6} {would}details cleared")
    for bid in report.failed:
        typer.echo(f"  failed       {bid}: its state does not decrypt with KELAHIRAN_READMODEL_KEYS; left")
    ok = not report.failed
    if skip_temporal:
        typer.echo(f"temporal namespace {settings.temporal_namespace!r}: skipped (--skip-temporal)")
    else:
        said, ns_ok = asyncio.run(_namespace(settings, timedelta(days=days), dry_run))
        typer.echo(f"temporal namespace {settings.temporal_namespace!r}: workflow execution retention {said}")
        ok = ok and ns_ok
    if not ok:
        raise typer.Exit(1)
