"""The `kelahiran` command: one entry point for every process of the system.

Imports are local to each command so `kelahiran --help` stays fast and a simulator process never
loads Temporal.
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Birth bundle orchestrator for Disdukcapil and BPJS.")
simulator_app = typer.Typer(no_args_is_help=True, help="Run or query the Dukcapil and BPJS simulators.")
admin_app = typer.Typer(no_args_is_help=True, help="Accounts and keys; break-glass actions on bundles.")
app.add_typer(simulator_app, name="simulator")
app.add_typer(admin_app, name="admin")


@app.command()
def api() -> None:
    """Run the HTTP API (hospital intake, bundle queries) with uvicorn."""
    from api.cli.serve import serve_api

    serve_api()


@app.command()
def worker() -> None:
    """Run a Temporal worker for the kelahiran task queue."""
    from api.cli.serve import serve_worker

    serve_worker()


@app.command()
def migrate() -> None:
    """Bring the read model's schema up to date (Alembic)."""
    from api.readmodel.migrate import upgrade_to_head
    from api.settings import Settings

    upgrade_to_head(Settings().database_url)
    typer.echo("read model schema is up to date")


@simulator_app.command("dukcapil")
def simulator_dukcapil() -> None:
    """Run the Dukcapil simulator (settings: DUKCAPIL_SIM_*)."""
    from api.cli.serve import serve_simulator

    serve_simulator("dukcapil")


@simulator_app.command("bpjs")
def simulator_bpjs() -> None:
    """Run the BPJS Kesehatan simulator (settings: BPJS_SIM_*)."""
    from api.cli.serve import serve_simulator

    serve_simulator("bpjs")


@simulator_app.command("sms")
def simulator_sms() -> None:
    """Run the SMS gateway simulator (settings: SMS_SIM_*): it keeps the messages families get."""
    from api.cli.serve import serve_simulator

    serve_simulator("sms")


def main() -> None:
    app()


# Commands defined in their own modules register themselves on the apps above.
from api.cli import accounts as _accounts  # noqa: E402,F401
from api.cli import admin as _admin  # noqa: E402,F401
from api.cli import bench as _bench  # noqa: E402,F401
from api.cli import callbacks as _callbacks  # noqa: E402,F401
from api.cli import demo as _demo  # noqa: E402,F401
from api.cli import faults as _faults  # noqa: E402,F401
from api.cli import readmodel as _readmodel  # noqa: E402,F401
from api.cli import retention as _retention  # noqa: E402,F401
from api.cli import sample as _sample  # noqa: E402,F401
from api.cli import scenario as _scenario  # noqa: E402,F401
from api.cli import up as _up  # noqa: E402,F401
