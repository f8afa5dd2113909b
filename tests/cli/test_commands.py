"""The testers' and admins' commands against the running test stack."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from typer.testing import CliRunner

from cli import app
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
                         "--dukcapil", stack.dukcapil_url, "--bpjs", stack.bpjs_url, "--timeout", "60",
                         "--key", stack.hospital("RSUD-DEMO-CLI")["X-API-Key"]])
    assert res.exit_code == 0, res.output
    assert "4/4 bundles completed" in res.output


async def test_admin_retry_and_close(stack):
    env = {"TEMPORAL_ADDRESS": stack.settings.temporal_address,
           "KELAHIRAN_PAYLOAD_KEYS": stack.settings.payload_keys,
           "KELAHIRAN_PAYLOAD_KEY_ID": stack.settings.payload_key_id,
           "KELAHIRAN_DATABASE_URL": stack.settings.database_url}
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


async def _status_within(stack, key: str, status: int) -> float | None:
    """Seconds until GET /v1/births with `key` answers `status`, or None if not within the key
    cache's time (plus 2 s)."""
    began = time.monotonic()
    while time.monotonic() - began < stack.settings.api_key_cache_seconds + 2:
        r = await stack.http.get(f"{stack.api_url}/v1/births", headers={"X-API-Key": key})
        if r.status_code == status:
            return time.monotonic() - began
        await asyncio.sleep(0.2)
    return None


async def test_admin_accounts_hospitals_and_keys(stack):
    env = {"KELAHIRAN_DATABASE_URL": stack.settings.database_url,
           "KELAHIRAN_NEW_PASSWORD": "a long enough passphrase"}
    res = await _invoke(["admin", "hospital", "add", "RSUD-CLI", "--name", "RSUD dari CLI"], env)
    assert res.exit_code == 0, res.output
    key = res.output.split("X-API-Key): ")[1].split()[0]
    r = await stack.http.get(f"{stack.api_url}/v1/births", headers={"X-API-Key": key})
    assert r.status_code == 200
    res = await _invoke(["admin", "hospital", "add", "RSUD-CLI", "--name", "lagi"], env)
    assert res.exit_code == 1 and "already exists" in res.output
    key_id = key.split("_")[1]
    assert key_id in (await _invoke(["admin", "key", "list", "RSUD-CLI"], env)).output
    assert key not in (await _invoke(["admin", "key", "list", "RSUD-CLI"], env)).output
    res = await _invoke(["admin", "key", "rotate", key_id, "--grace-hours", "0"], env)
    assert res.exit_code == 0, res.output
    new_key = res.output.split()[0]
    # The CLI is not the API process: the API trusts a key it verified for up to
    # api_key_cache_seconds (api/auth/keys.py KeyCache), then asks the database again.
    assert await _status_within(stack, key, 401) is not None
    assert (await stack.http.get(f"{stack.api_url}/v1/births",
                                 headers={"X-API-Key": new_key})).status_code == 200
    res = await _invoke(["admin", "key", "revoke", new_key.split("_")[1]], env)
    assert res.exit_code == 0
    assert await _status_within(stack, new_key, 401) is not None
    res = await _invoke(["admin", "operator", "add", "rina", "--role", "operator", "--name", "Rina",
                         "--office", "3673"], env)
    assert res.exit_code == 0, res.output
    r = await stack.http.post(f"{stack.api_url}/v1/auth/login",
                              json={"username": "rina", "password": "a long enough passphrase"})
    stack.http.cookies.clear()
    assert r.status_code == 200 and r.json()["office_code"] == "3673"
    res = await _invoke(["admin", "operator", "add", "weak", "--role", "operator", "--name", "W",
                         "--password", "short"], env)
    assert res.exit_code == 1 and "12 characters" in res.output
    assert "rina" in (await _invoke(["admin", "operator", "list"], env)).output
