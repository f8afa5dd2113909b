"""Small value types of the scenario format: durations, birth dates relative to 'today', codes."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

STRICT = ConfigDict(extra="forbid", frozen=True)
_DURATION = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> timedelta:
    """`90` (seconds), `"1.5s"`, `"2m"`, `"36h"`, `"22d"`, `"-75d"`."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str) and (m := _DURATION.match(value.strip())):
        return timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2)])
    raise ValueError(f"not a duration: {value!r} (write e.g. 30s, 2m, 36h, 22d)")


def _positive(value: Any) -> timedelta:
    d = parse_duration(value)
    if d <= timedelta(0):
        raise ValueError(f"must be positive, got {value!r}")
    return d


def _birth_day(value: Any) -> int | date:
    """Days relative to the scenario's today (`-75d`, `today`), or an absolute date."""
    if isinstance(value, date):
        return value
    if value == "today":
        return 0
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    d = parse_duration(value)
    if d % timedelta(days=1):
        raise ValueError(f"a birth date offset is whole days, got {value!r}")
    return d.days


def _code(value: Any) -> Any:
    # YAML reads 3673 as a number; region codes and classes are strings.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Duration = Annotated[timedelta, BeforeValidator(_positive)]
BirthDay = Annotated[int | date, BeforeValidator(_birth_day)]
Code = Annotated[str, BeforeValidator(_code)]
Alias = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")]


def human(d: timedelta) -> str:
    """`22d`, `36h`, `1.5s`: the way scenario files write durations."""
    seconds = d.total_seconds()
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
