"""The stack `kelahiran up` runs, as the testers' commands find it: a URL that no option (or its
environment variable) gives comes from DATA_DIR/urls.json, which `up` writes once its processes are
ready (cli/local.py), as `kelahiran demo` does; without either the command stops with one line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.local import URLS, read_urls

DataDir = Annotated[Path, typer.Option(
    envvar="KELAHIRAN_DATA_DIR", help="the data folder of `kelahiran up` (its urls.json)")]
SIMULATORS = ("dukcapil", "bpjs", "sms")


def fail(command: str, text: str) -> typer.Exit:
    """One red line on stderr, exit 2 (a usage problem: nothing was done)."""
    typer.secho(f"kelahiran {command}: {text}", err=True, fg=typer.colors.RED)
    return typer.Exit(2)


def stack_url(given: str | None, name: str, data: Path, *, command: str, option: str) -> str:
    """`given` if set, else the URL named `name` in data/urls.json, else one line saying what to do."""
    if given:
        return given.rstrip("/")
    found = read_urls(data).get(name)
    if isinstance(found, str) and found:
        return found.rstrip("/")
    raise fail(command, f"no {option} given and no {name} URL in {data / URLS}: start the stack "
                        f"(`kelahiran up`) or pass {option}")
