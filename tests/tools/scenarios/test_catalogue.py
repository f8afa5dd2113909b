"""The whole catalogue as CI runs it: `kelahiran scenario run scenarios/*.yaml` on the runner's stacks."""

from __future__ import annotations

import asyncio
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

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
    _no_nik_in_logs(tmp_path / "stacks", res.output + junit.read_text())


def _no_nik_in_logs(folder: Path, report: str) -> None:
    """Every log the whole catalogue wrote (API, worker, simulators, Temporal), and the report:
    no NIK- or KK-shaped number anywhere, though hundreds went through."""
    logs = {p: p.read_text(errors="replace") for p in folder.rglob("*.log")}
    assert "birth accepted" in logs[folder / "stack.log"]  # the scan reads real, non-empty logs
    shaped = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
    found = {str(p.relative_to(folder)): shaped.findall(text)[:3] for p, text in logs.items()
             if shaped.search(text)}
    assert found == {}
    assert not shaped.search(report)
