"""Standing rules of the layout: small modules (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "workflows", "activities", "adapters", "infra", "store", "cli", "tools", "api",
            "simulators")
MAX_LINES = 300


def test_no_source_module_is_over_300_lines():
    too_long = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:  # generated, one per schema change
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = lines
    assert too_long == {}
