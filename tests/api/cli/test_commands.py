"""The testers' and admins' commands against the running test stack."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.support import payloads

pytestmark = pytest.mark.integration
runner = CliRunner()


async def _invoke(args: list[str], env: dict[str, str] | None = None):
    # The commands run their own event loop: keep them off the test's loop.
    return await asyncio.to_thread(runner.invoke, app, args, env=env)


async def test_sample_draws_families_with_traits(stack):
    res = await _invoke(["simulator", "sample", "--kab-kota", "3604", "--segmen", "PPU", "--limit", "3",
                         "--url", stack.dukcapil_url])
    assert res.exit_code == 0, res.output
    fams = json.loads(res.output)
    assert len(fams) == 3
    assert all(f["domisili"]["kode_kab_kota"] == "3604" and f["segmen_bpjs"] == "PPU" for f in fams)


async def test_demo_completes_every_birth(stack):
    res = await _invoke(["demo", "--births", "4", "--seed", "7", "--api", stack.api_url,
                         "--dukcapil", stack.dukcapil_url, "--bpjs", stack.bpjs_url, "--timeout", "60"])
    assert res.exit_code == 0, res.output
    assert "4/4 bundles completed" in res.output


async def test_admin_retry_and_close(stack):
    env = {"TEMPORAL_ADDRESS": stack.settings.temporal_address,
           "KELAHIRAN_PAYLOAD_KEYS": stack.settings.payload_keys,
           "KELAHIRAN_PAYLOAD_KEY_ID": stack.settings.payload_key_id}
    fam = await stack.family(kab_kota="3671")
    bid = await stack.accepted(payloads.from_family(fam))
    await stack.wait(bid, lambda b: b["status"] == "needs_attention")
    res = await _invoke(["admin", "retry", bid, "akta", "--child", "1"], env)
    assert res.exit_code == 1 and "not waiting for a retry" in res.output
    res = await _invoke(["admin", "retry", bid, "routing"], env)
    assert res.exit_code == 0, res.output
    b = await stack.wait(bid, lambda b: b["routing"]["attempts"] == 2 and b["status"] == "needs_attention")
    assert b["routing"]["reason"] == "DOMISILI_LUAR"
    res = await _invoke(["admin", "close", bid, "--reason", "diteruskan ke Kota Tangerang"], env)
    assert res.exit_code == 0, res.output
    assert (await stack.wait(bid))["status"] == "closed_with_issues"
    res = await _invoke(["admin", "close", bid, "--reason", "again"], env)
    assert res.exit_code == 1 and "refused" in res.output
    res = await _invoke(["admin", "status", bid], env)
    assert res.exit_code == 0 and json.loads(res.output)["status"] == "closed_with_issues"
