"""The whole catalogue as CI runs it: `kelahiran scenario run scenarios/*.yaml` on the runner's stacks."""

from __future__ import annotations

import asyncio
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

pytestmark = pytest.mark.integration
CATALOGUE = Path(__file__).resolve().parents[3] / "scenarios"


@pytest.mark.timeout(420)
async def test_the_whole_catalogue_passes(tmp_path):
    files = sorted(str(p) for p in CATALOGUE.glob("*.yaml"))
    junit = tmp_path / "catalogue.xml"
    started = time.monotonic()
    res = await asyncio.to_thread(CliRunner().invoke, app, ["scenario", "run", *files, "--junit", str(junit),
                                                            "--data-dir", str(tmp_path / "stacks")])
    took = time.monotonic() - started
    failed = [ln for ln in res.output.splitlines() if "✗" in ln or ln.lstrip().startswith("!")]
    assert res.exit_code == 0, "\n".join(failed) or res.output[-3000:]
    root = ET.parse(junit).getroot()
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("0", "0", "0")
    assert len(list(root.iter("testsuite"))) == len(files)
    print(f"\ncatalogue: {len(files)} scenarios, {root.get('tests')} checks, {took:.0f}s")
