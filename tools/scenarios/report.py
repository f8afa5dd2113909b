"""The console report: one line per expectation or step as it happens, then a summary."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tools.scenarios.result import Line, ScenarioResult

_SIXTEEN = re.compile(r"(?<!\d)(\d{6})\d{6}(\d{4})(?!\d)")
SYMBOL = {True: "✓", False: "✗", None: "-"}


def mask(text: str) -> str:
    """NIKs and KK numbers shortened to region and serial: 367302******0001."""
    return _SIXTEEN.sub(r"\1******\2", text)


def render_line(line: Line, *, hide: Callable[[str], str] = mask) -> str:
    text = f"  {SYMBOL[line.ok]} {line.label}"
    if line.expected and line.seen:
        text += f": expected {line.expected}, seen {line.seen}"
    elif line.expected:
        text += f": expected {line.expected}"
    elif line.seen:
        text += f": {line.seen}"
    if line.detail:
        text += f" ({line.detail})" if line.ok is not False else f" -- {line.detail}"
    timing = [f"{line.at:.2f}s"] if line.at is not None else []
    if line.day:
        timing.append(f"day {line.day:g}")
    if timing:
        text += f"  [{', '.join(timing)}]"
    return hide(text)


def summary(results: list[ScenarioResult], seconds: float) -> list[str]:
    out = ["", "Summary"]
    width = max((len(r.name) for r in results), default=10)
    for r in results:
        checked = [ln for ln in r.lines if ln.kind != "setup"]
        good = sum(ln.ok is True for ln in checked)
        state = "✓" if r.passed else ("!" if r.error else "✗")
        note = f"  error: {r.error}" if r.error else (f"  {len(r.failed)} failed" if r.failed else "")
        out.append(f"  {state} {r.name:<{width}}  {good:>3}/{len(checked):<3} {r.seconds:6.1f}s{note}")
    lines = [ln for r in results for ln in r.lines if ln.kind != "setup"]
    passed = sum(r.passed for r in results)
    errors = sum(r.error is not None for r in results)
    out.append(
        f"{len(results)} scenarios: {passed} passed, {len(results) - passed - errors} failed, {errors} errors"
        f" | {len(lines)} expectations and steps: {sum(ln.ok is True for ln in lines)} passed, "
        f"{sum(ln.ok is False for ln in lines)} failed, {sum(ln.ok is None for ln in lines)} not run"
        f" | {seconds:.1f}s")
    return out


class ConsoleReport:
    """Prints as the run goes; `echo` is typer.echo in the CLI."""

    def __init__(self, echo: Callable[[str], None], *, show_identifiers: bool = False) -> None:
        self.echo = echo
        self.hide: Callable[[str], str] = (lambda s: s) if show_identifiers else mask

    def started(self, name: str, path: Path, description: str, stack: str) -> None:
        self.echo("")
        self.echo(f"== {name}  ({path}{', ' + stack if stack else ''})")
        first = description.strip().splitlines()[0] if description.strip() else ""
        if first:
            self.echo(f"   {first}")

    def line(self, line: Line) -> None:
        self.echo(render_line(line, hide=self.hide))

    def finished(self, result: ScenarioResult) -> None:
        checked = [ln for ln in result.lines if ln.kind != "setup"]
        verdict = "PASSED" if result.passed else ("ERROR" if result.error else "FAILED")
        self.echo(f"   {verdict}: {sum(ln.ok is True for ln in checked)}/{len(checked)} in "
                  f"{result.seconds:.1f}s")
