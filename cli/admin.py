"""`kelahiran admin ...`: act on a bundle until the operators' console exists."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from pydantic import BaseModel

from cli import admin_app
from domain.contracts import (
    BundleState,
    CloseBundleInput,
    KadisDecisionInput,
    RetryServiceInput,
    Service,
)


def _run_update(bundle_id: str, update: str, arg: BaseModel) -> None:
    from api import actions
    from cli.local import client_settings
    from infra.temporal_client import connect

    async def go() -> str:
        client = await connect(client_settings())
        return (await actions.send_update(client, bundle_id, update, arg)).message

    try:
        typer.echo(asyncio.run(go()))
        from cli.accounts import _audit, _db

        with _db() as s:  # break-glass actions bypass the API, never the audit log
            _audit(s, f"cli.{update}", bundle_id=bundle_id, arg=arg.model_dump(mode="json"))
    except actions.BundleNotFound:
        typer.echo(f"bundle {bundle_id} not found", err=True)
        raise typer.Exit(2) from None
    except actions.ActionRefused as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(1) from None


@admin_app.command("retry")
def retry(bundle_id: str, service: Service,
          child: Annotated[int | None, typer.Option(help="birth order; omit for routing/kk")] = None) -> None:
    """Retry a service that needs attention (or check a pending BPJS payment now)."""
    _run_update(bundle_id, "retry_service", RetryServiceInput(service=service, birth_order=child))


@admin_app.command("close")
def close(bundle_id: str, reason: Annotated[str, typer.Option(help="why the bundle is closed")],
          actor: Annotated[str, typer.Option(help="who closes it")] = "admin-cli") -> None:
    """Close a bundle with a reason; unresolved services end as cancelled (closed_with_issues)."""
    _run_update(bundle_id, "close_bundle", CloseBundleInput(reason=reason, actor=actor))


@admin_app.command("decision")
def decision(bundle_id: str, number: Annotated[str, typer.Option(help="decision number")],
             actor: Annotated[str, typer.Option(help="who records it")] = "admin-cli") -> None:
    """Record the Kepala Dinas's decision allowing a late (LT) akta."""
    _run_update(bundle_id, "record_kadis_decision", KadisDecisionInput(decision_number=number, actor=actor))


@admin_app.command("status")
def status(bundle_id: str) -> None:
    """Query the live workflow state of a bundle (JSON)."""
    from cli.local import client_settings
    from infra.temporal_client import connect

    async def go() -> BundleState:
        client = await connect(client_settings())
        return await client.get_workflow_handle(bundle_id).query("status", result_type=BundleState)

    typer.echo(json.dumps(asyncio.run(go()).model_dump(mode="json"), indent=2))
