"""`kelahiran scenario ...`: run testers' scenario files and report every expectation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from cli.local import read_urls
from tools.commands.local_stack import stack_url

scenario_app = typer.Typer(no_args_is_help=True,
                           help="Run scenario files (YAML) against the simulators and check every outcome.")

Files = Annotated[list[Path], typer.Argument(help="scenario files, or folders of *.yaml", exists=True)]


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out += sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p]
    return out


def _load(files: list[Path], match: str | None = None):
    from tools.scenarios.loader import load_all

    loaded, errors = load_all(_expand(files))
    for exc in errors:
        typer.echo(str(exc), err=True)
    if match:
        loaded = [item for item in loaded if match in item.scenario.name]
    return loaded, errors


@scenario_app.command("validate")
def validate(files: Files) -> None:
    """Check scenario files without running them (exit 1 when any is invalid)."""
    loaded, errors = _load(files)
    for item in loaded:
        sc = item.scenario
        typer.echo(f"ok {item.path}: {sc.name} ({len(sc.births)} births, {len(sc.steps)} steps"
                   f"{', jumps in time' if sc.jumps else ''})")
    if errors:
        raise typer.Exit(1)


@scenario_app.command("run")
def run(
    files: Files,
    running: Annotated[bool, typer.Option(
        "--running", help="run on the stack `kelahiran up` runs (URLs from UP_DATA/urls.json)")] = False,
    api: Annotated[str | None, typer.Option("--api", help=(
        "a running stack's API URL; a URL not given: from UP_DATA/urls.json"))] = None,
    dukcapil: Annotated[str | None, typer.Option(help="its Dukcapil simulator URL")] = None,
    bpjs: Annotated[str | None, typer.Option(help="its BPJS simulator URL")] = None,
    temporal: Annotated[str | None, typer.Option(envvar="TEMPORAL_ADDRESS", help=(
        "its Temporal (admin actions); default: from UP_DATA/urls.json, else 127.0.0.1:7233"))] = None,
    namespace: Annotated[str, typer.Option(envvar="TEMPORAL_NAMESPACE")] = "default",
    admin_token: Annotated[str, typer.Option(envvar="KELAHIRAN_SIMULATOR_ADMIN_TOKEN",
                                             help="the simulators' admin token")
                           ] = "dev-admin-token",  # noqa: S107 - the simulators' development default
    dukcapil_client_id: Annotated[str, typer.Option(envvar="KELAHIRAN_DUKCAPIL_CLIENT_ID",
                                                    help="our OAuth2 client at its Dukcapil simulator")
                                  ] = "kelahiran",
    dukcapil_client_secret: Annotated[str, typer.Option(envvar="KELAHIRAN_DUKCAPIL_CLIENT_SECRET",
                                                        help="that client's secret", show_default=False)
                                      ] = "dev-dukcapil-secret",  # noqa: S107 - the simulator's default
    payload_keys_file: Annotated[Path | None, typer.Option(
        help="its Temporal payload keys (default: UP_DATA/payload-keys, unless "
             "KELAHIRAN_PAYLOAD_KEYS is set)")] = None,
    admin_user: Annotated[str | None, typer.Option(envvar="KELAHIRAN_SCENARIO_ADMIN_USER", help=(
        "an admin account of the running stack, to register the scenarios' hospitals and keys "
        "(default: the admin of `kelahiran up`, from UP_DATA/demo-credentials.json)"))] = None,
    admin_password: Annotated[str | None, typer.Option(envvar="KELAHIRAN_SCENARIO_ADMIN_PASSWORD",
                                                       show_default=False)] = None,
    junit: Annotated[Path | None, typer.Option(help="write JUnit XML here")] = None,
    match: Annotated[str | None, typer.Option(help="only scenarios whose name contains this")] = None,
    skip_jumps: Annotated[bool, typer.Option(
        "--skip-jumps", help="leave out scenarios that jump in time (for a running stack)")] = False,
    data_dir: Annotated[Path | None, typer.Option(
        help="keep the runner's own stacks' databases and log here (default: a temporary folder)")] = None,
    up_data: Annotated[Path, typer.Option(
        "--up-data", envvar="KELAHIRAN_DATA_DIR", help="the data folder of `kelahiran up` (UP_DATA): "
        "a running stack's URLs, payload keys and admin credentials")] = Path("data"),
    show_identifiers: Annotated[bool, typer.Option(help="print NIKs and KK numbers unmasked")] = False,
) -> None:
    """Run scenarios on a stack of the runner's own (default), or a running one (--running, --api...)."""
    from tools.scenarios import junit as junit_xml
    from tools.scenarios.report import ConsoleReport, summary
    from tools.scenarios.session import RunningStack, jumping, run_scenarios

    loaded, errors = _load(files, match)
    if skip_jumps and (jumps := jumping(loaded)):
        typer.echo(f"leaving out {len(jumps)} scenario(s) that jump in time: "
                   + ", ".join(i.scenario.name for i in jumps))
        loaded = [i for i in loaded if not i.scenario.jumps]
    if errors:
        typer.echo("refusing to run: fix the scenario files above (`kelahiran scenario validate`)", err=True)
        raise typer.Exit(2)
    if not loaded:
        typer.echo("no scenario to run", err=True)
        raise typer.Exit(2)
    stack = None
    if running or any((api, dukcapil, bpjs)):
        # What no option gives comes from the stack `kelahiran up` runs, as for `kelahiran demo`.
        api, dukcapil, bpjs = (stack_url(given, name, up_data, command="scenario run", option=option)
                               for given, name, option in ((api, "api", "--api"),
                                                           (dukcapil, "dukcapil", "--dukcapil"),
                                                           (bpjs, "bpjs", "--bpjs")))
        if jumps := jumping(loaded):
            names = ", ".join(i.scenario.name for i in jumps)
            typer.echo(f"refusing to run: {names} jump(s) in time, which only the runner's own time-skipping "
                       "stack can do (a running stack's Temporal keeps real time). Run them without "
                       "--running/--api/--dukcapil/--bpjs, or leave them out (--skip-jumps).", err=True)
            raise typer.Exit(2)
        temporal = temporal or read_urls(up_data).get("temporal") or "127.0.0.1:7233"
        stack = RunningStack(api_url=api, dukcapil_url=dukcapil, bpjs_url=bpjs,
                             temporal_address=temporal, temporal_namespace=namespace, admin_token=admin_token,
                             payload_keys=_payload_keys(payload_keys_file, up_data),
                             dukcapil_client_id=dukcapil_client_id,
                             dukcapil_client_secret=dukcapil_client_secret,
                             sms_url=read_urls(up_data).get("sms"),
                             **_admin(admin_user, admin_password, up_data))
    report = ConsoleReport(typer.echo, show_identifiers=show_identifiers)
    started = time.monotonic()
    with _data_folder(data_dir) as folder, _logs_to(None if stack else folder / "stack.log"):
        if stack is None:
            typer.echo(f"starting the runner's own stack(s); logs in {folder / 'stack.log'}")
        results = asyncio.run(run_scenarios(loaded, listener=report, data_dir=folder, stack=stack))
    seconds = time.monotonic() - started
    for text in summary(results, seconds):
        typer.echo(text)
    if junit is not None:
        junit_xml.write(junit, results, seconds=seconds, show_identifiers=show_identifiers)
        typer.echo(f"JUnit XML: {junit}")
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def _payload_keys(path: Path | None, up_data: Path) -> str:
    """Keys for a running stack's encrypted payloads; empty: Settings() takes them from the environment."""
    if path is None:
        if os.environ.get("KELAHIRAN_PAYLOAD_KEYS"):
            return ""
        path = up_data / "payload-keys"  # what `kelahiran up` made in its data folder
        if not path.exists():
            return ""
    return path.read_text().strip()


@contextlib.contextmanager
def _data_folder(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="kelahiran-scenarios-") as tmp:
        yield Path(tmp)


@contextlib.contextmanager
def _logs_to(path: Path | None) -> Iterator[None]:
    """The embedded stack's logs go to a file, so the report stays readable; restored afterwards."""
    if path is None:
        yield
        return
    from infra.logging_setup import configure_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("INFO", json=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(root.handlers[0].formatter)
    root.handlers = [handler]
    try:
        yield
    finally:
        root.handlers = saved[0]
        root.setLevel(saved[1])
        handler.close()


def _admin(user: str | None, password: str | None, up_data: Path) -> dict[str, str | None]:
    """The running stack's admin credentials: given, or those `kelahiran up` made in its data folder."""
    if user is None:
        demo = up_data / "demo-credentials.json"
        if demo.exists():
            import json

            made = json.loads(demo.read_text())
            user, password = made["admin_user"], made["admin_password"]
    return {"admin_user": user, "admin_password": password}
