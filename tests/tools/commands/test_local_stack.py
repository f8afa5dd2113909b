"""`simulator sample` and `scenario run` find the stack `kelahiran up` runs in its data folder
(DATA_DIR/urls.json, with its payload keys and admin credentials) when no option names it, as
`kelahiran demo` does; without either, one line says what to do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from simulators.dukcapil.app import create_app
from simulators.dukcapil.settings import DukcapilSimSettings
from tests.support import creds
from tests.support.servers import free_port, serve_app
from tools.commands.scenario import _admin, _payload_keys

runner = CliRunner()
CATALOGUE = Path(__file__).resolve().parents[3] / "scenarios"
JUMPING = str(CATALOGUE / "bpjs_pbpu_paid_after_reminder_day_21.yaml")
PLAIN = str(CATALOGUE / "stillbirth_only_certificate.yaml")
# The developer's own settings must not leak into what these commands see.
CLEAN = {k: None for k in ("KELAHIRAN_DATA_DIR", "KELAHIRAN_DUKCAPIL_URL", "TEMPORAL_ADDRESS",
                           "KELAHIRAN_PAYLOAD_KEYS", "KELAHIRAN_PAYLOAD_KEY_ID",
                           "KELAHIRAN_SCENARIO_ADMIN_USER", "KELAHIRAN_SCENARIO_ADMIN_PASSWORD")}


def invoke(args: list[str], data: Path, **env: str):
    return runner.invoke(app, args, env={**CLEAN, "KELAHIRAN_DATA_DIR": str(data), **env})


def one_line(result, code: int) -> str:
    """The command's whole output, asserted to be one line without a traceback, and its exit code."""
    lines = result.output.strip().splitlines()
    assert result.exit_code == code and len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_sample_draws_from_the_dukcapil_simulator_named_in_the_data_folder(tmp_path):
    settings = DukcapilSimSettings(database_url=f"sqlite:///{tmp_path}/dukcapil.db", families=30)
    with serve_app(create_app(settings)) as url:
        (tmp_path / "urls.json").write_text(json.dumps({"dukcapil": url}))
        res = invoke(["simulator", "sample", "--kab-kota", "3673", "--limit", "2"], tmp_path)
        assert res.exit_code == 0, res.output
        families = json.loads(res.stdout)
        assert len(families) == 2 and all(f["no_kk"].startswith("3673") for f in families)


def test_sample_without_a_url_says_what_to_do_and_names_a_dead_one(tmp_path):
    assert one_line(invoke(["simulator", "sample"], tmp_path), 2) == (
        f"kelahiran simulator sample: no --url given and no dukcapil URL in {tmp_path / 'urls.json'}: "
        "start the stack (`kelahiran up`) or pass --url")
    dead = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "urls.json").write_text(json.dumps({"dukcapil": dead}))
    line = one_line(invoke(["simulator", "sample"], tmp_path), 1)
    assert line.startswith(f"kelahiran: cannot reach {dead}: start the stack (`kelahiran up`)"), line


def test_scenario_run_takes_missing_urls_from_the_data_folder(tmp_path):
    # Without a folder that names it, --running is one line naming the first URL missing.
    assert one_line(invoke(["scenario", "run", PLAIN, "--running"], tmp_path), 2) == (
        f"kelahiran scenario run: no --api given and no api URL in {tmp_path / 'urls.json'}: "
        "start the stack (`kelahiran up`) or pass --api")
    (tmp_path / "urls.json").write_text(json.dumps({"api": "http://127.0.0.1:1"}))
    line = one_line(invoke(["scenario", "run", PLAIN, "--api", "http://127.0.0.1:2"], tmp_path), 2)
    assert "no --dukcapil given and no dukcapil URL in" in line
    # With all three found the run goes as far as a running stack allows: its jumps are refused.
    (tmp_path / "urls.json").write_text(json.dumps({"dukcapil": "http://127.0.0.1:1",
                                                    "bpjs": "http://127.0.0.1:1"}))
    res = invoke(["scenario", "run", JUMPING, "--api", "http://127.0.0.1:2"], tmp_path)
    assert res.exit_code == 2 and "jump(s) in time" in res.output, res.output
    dead = "http://127.0.0.1:1"
    (tmp_path / "urls.json").write_text(json.dumps({"api": dead, "dukcapil": dead, "bpjs": dead}))
    # --up-data names the folder as well as KELAHIRAN_DATA_DIR (here another one).
    res = invoke(["scenario", "run", JUMPING, "--running", "--up-data", str(tmp_path)], tmp_path / "other")
    assert res.exit_code == 2 and "jump(s) in time" in res.output, res.output


def test_the_running_stacks_keys_and_admin_come_from_its_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("KELAHIRAN_PAYLOAD_KEYS", raising=False)
    assert _payload_keys(None, tmp_path) == ""
    (tmp_path / "payload-keys").write_text("local-1:" + "A" * 43 + "=\n")
    assert _payload_keys(None, tmp_path) == "local-1:" + "A" * 43 + "="
    monkeypatch.setenv("KELAHIRAN_PAYLOAD_KEYS", "env-1:" + "B" * 43 + "=")
    assert _payload_keys(None, tmp_path) == ""  # Settings() reads the environment's
    assert _admin(None, None, tmp_path) == {"admin_user": None, "admin_password": None}
    (tmp_path / "demo-credentials.json").write_text(json.dumps({"admin_user": "admin",
                                                                "admin_password": "pw"}))
    assert _admin(None, None, tmp_path) == {"admin_user": "admin", "admin_password": "pw"}
    assert _admin("other", "x", tmp_path) == {"admin_user": "other", "admin_password": "x"}


@pytest.mark.integration
async def test_running_plays_a_scenario_on_the_stack_its_data_folder_names(stack, tmp_path):
    """URLs, Temporal (the operator's retry), payload keys and admin all from the folder, no option."""
    (tmp_path / "urls.json").write_text(json.dumps({
        "api": stack.api_url, "dukcapil": stack.dukcapil_url, "bpjs": stack.bpjs_url,
        "temporal": stack.settings.temporal_address}))
    (tmp_path / "payload-keys").write_text(f"{stack.settings.payload_keys}\n")
    admin = creds.ensure_operator(stack.settings, "admin")
    (tmp_path / "demo-credentials.json").write_text(json.dumps({"admin_user": admin,
                                                                "admin_password": creds.PASSWORD}))
    scenario = str(CATALOGUE / "dukcapil_forced_rejection_then_retry.yaml")
    res = await asyncio.to_thread(invoke, ["scenario", "run", scenario, "--running"], tmp_path)
    assert res.exit_code == 0, res.output
    assert f"running stack at {stack.api_url}" in res.output
    assert "✓ retry b1 akta child 1: expected accepted, seen accepted" in res.output
    assert "1 scenarios: 1 passed" in res.output
