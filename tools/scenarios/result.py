"""What a run produces: one `Line` per expectation or step, grouped by scenario."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

Kind = Literal["setup", "post", "step", "expect"]


@dataclass
class Line:
    kind: Kind
    label: str
    ok: bool | None = True  # None: not run (the scenario stopped before it)
    expected: str = ""
    seen: str = ""
    at: float | None = None  # seconds after the scenario started when it held (or was done)
    day: float = 0.0  # simulated days jumped by then
    detail: str = ""


@dataclass
class ScenarioResult:
    name: str
    path: Path
    description: str
    covers: list[str]
    lines: list[Line] = field(default_factory=list)
    error: str | None = None  # the scenario could not run to its end
    seconds: float = 0.0
    stack: str = ""

    @property
    def failed(self) -> list[Line]:
        return [ln for ln in self.lines if ln.ok is False]

    @property
    def passed(self) -> bool:
        return self.error is None and not self.failed


class Listener(Protocol):
    """Told about progress as it happens (the console report prints as it goes)."""

    def started(self, name: str, path: Path, description: str, stack: str) -> None: ...

    def line(self, line: Line) -> None: ...

    def finished(self, result: ScenarioResult) -> None: ...
