"""The `kelahiran` command: one entry point for every process of the system.

Imports are local to each command so `kelahiran --help` stays fast and a simulator process never
loads Temporal.
"""

from __future__ import annotations

import importlib
import importlib.util

import click
import typer
from typer.core import TyperGroup


class _WithTools(TyperGroup):
    """A command group that also offers the testers' and maintainers' tools (the `tools` package),
    imported only when one of them is asked for: production processes never load them, and a
    deployment without `tools/` simply lacks those commands."""

    tools: dict[str, str] = {}  # command name -> "module:attribute" of a Typer app

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(n for n in self.tools if _tools_installed())})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.tools.get(cmd_name)
        if target is None or not _tools_installed():
            return _plain(super().get_command(ctx, cmd_name))
        module, _, attribute = target.partition(":")
        command = typer.main.get_command(getattr(importlib.import_module(module), attribute))
        command.name = cmd_name
        return _plain(command)


def _plain(command: click.Command | None) -> click.Command | None:
    """Help as click writes it, wrapped at 80 columns: rich's tables cut environment variable names
    (`KELAHIRAN_WORKER_METRI…`) to fit them in a column."""
    if command is not None:
        command.rich_markup_mode = None
        for sub in getattr(command, "commands", {}).values():
            _plain(sub)
    return command


def _tools_installed() -> bool:
    return importlib.util.find_spec("tools") is not None


class _Root(_WithTools):
    """The root group: a command's failure is one line saying what to do (cli/errors.py), with the
    traceback only under --debug."""

    tools = {"bench": "tools.commands.bench:app", "chaos": "tools.commands.chaos:app",
             "demo": "tools.commands.demo:app", "scenario": "tools.commands.scenario:scenario_app"}

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # `kelahiran ... | head`: the reader has gone, nothing to say
            raise typer.Exit(1) from None
        except Exception as exc:
            # Typer's (and click's) own exits, aborts and usage errors already speak for themselves.
            if ctx.params.get("debug") or type(exc).__module__.startswith(("typer.", "click.")):
                raise
            from cli.errors import explain

            typer.secho(f"kelahiran: {explain(exc)}", err=True, fg=typer.colors.RED)
            raise typer.Exit(1) from None


class _Simulator(_WithTools):
    tools = {"faults": "tools.commands.faults:faults_app", "sample": "tools.commands.sample:app"}


app = typer.Typer(cls=_Root, no_args_is_help=True, rich_markup_mode=None,
                  help="Birth bundle orchestrator for Disdukcapil and BPJS.")
simulator_app = typer.Typer(
    cls=_Simulator, no_args_is_help=True,
    help="Run the three simulators (Dukcapil, BPJS, SMS); draw families, inject faults.")
admin_app = typer.Typer(no_args_is_help=True, help="Accounts and keys; break-glass actions on bundles.")
app.add_typer(simulator_app, name="simulator")
app.add_typer(admin_app, name="admin")


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", envvar="KELAHIRAN_DEBUG",
                                     help="Show the traceback when a command fails.")) -> None:
    """Birth bundle orchestrator for Disdukcapil and BPJS.

    The client commands (demo, admin, readmodel, scenario run, simulator sample and faults) find a
    local stack's URLs and keys in its data folder (KELAHIRAN_DATA_DIR, default ./data) unless
    their options or the environment name them.
    """


@app.command()
def api() -> None:
    """Run the HTTP API (hospital intake, bundle queries) with uvicorn."""
    from cli.serve import serve_api

    serve_api()


@app.command()
def worker() -> None:
    """Run a Temporal worker for the kelahiran task queue."""
    from cli.serve import serve_worker

    serve_worker()


@app.command()
def migrate() -> None:
    """Bring the read model's schema up to date (Alembic)."""
    from infra.settings import Settings
    from store.migrate import upgrade_to_head

    upgrade_to_head(Settings().database_url)
    typer.echo("read model schema is up to date")


@simulator_app.command("dukcapil")
def simulator_dukcapil() -> None:
    """Run the Dukcapil simulator (settings: DUKCAPIL_SIM_*)."""
    from cli.serve import serve_simulator

    serve_simulator("dukcapil")


@simulator_app.command("bpjs")
def simulator_bpjs() -> None:
    """Run the BPJS Kesehatan simulator (settings: BPJS_SIM_*)."""
    from cli.serve import serve_simulator

    serve_simulator("bpjs")


@simulator_app.command("sms")
def simulator_sms() -> None:
    """Run the SMS gateway simulator (settings: SMS_SIM_*): it keeps the messages families get."""
    from cli.serve import serve_simulator

    serve_simulator("sms")


def main() -> None:
    app()


# Commands defined in their own modules register themselves on the apps above.
from cli import accounts as _accounts  # noqa: E402,F401
from cli import admin as _admin  # noqa: E402,F401
from cli import callbacks as _callbacks  # noqa: E402,F401
from cli import readmodel as _readmodel  # noqa: E402,F401
from cli import retention as _retention  # noqa: E402,F401
from cli import up as _up  # noqa: E402,F401
