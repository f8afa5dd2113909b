"""Province names, read from the same data file as domain.regions (which has no accessor for them)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def _provinces() -> dict[str, str]:
    raw = resources.files("domain.data").joinpath("regions.json").read_text("utf-8")
    return json.loads(raw)["provinces"]


def province_name(code: str) -> str:
    return _provinces().get(code, code)
