"""Every failure of a `kelahiran` command is one line that says what to do; --debug adds the traceback.
The client commands find a local stack in its data folder; help fits 80 columns."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from cli import app
from cli.local import client_settings, local_defaults
from tests.support import payloads
from tests.support.servers import free_port

runner = CliRunner()
# The developer's own settings must not leak into what these commands see.
CLEAN = {k: None for k in ("TEMPORAL_ADDRESS", "KELAHIRAN_TEMPORAL_ADDRESS", "KELAHIRAN_DATABASE_URL",
                           "KELAHIRAN_PAYLOAD_KEYS", "KELAHIRAN_PAYLOAD_KEY_ID", "KELAHIRAN_READMODEL_KEYS",
                           "KELAHIRAN_READMODEL_KEY_ID", "KELAHIRAN_DEBUG", "KELAHIRAN_DEMO_API",
                           "KELAHIRAN_DUKCAPIL_URL", "KELAHIRAN_BPJS_URL", "KELAHIRAN_HOSPITAL_KEY")}


def invoke(args: list[str], tmp_path, **env: str):
    return runner.invoke(app, args, env={**CLEAN, "KELAHIRAN_DATA_DIR": str(tmp_path), **env})


def one_line(result) -> str:
    """The command's whole error output, asserted to be one line without a traceback."""
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_temporal_down_is_one_line_naming_the_address_and_what_to_do(tmp_path):
    down = f"127.0.0.1:{free_port()}"
    for args in (["admin", "status", "some-bundle"], ["admin", "retry", "some-bundle", "routing"],
                 ["readmodel", "drift"]):
        res = invoke(args, tmp_path, TEMPORAL_ADDRESS=down,
                     KELAHIRAN_DATABASE_URL=f"sqlite:///{tmp_path}/rm.db")
        assert res.exit_code in (1, 2), res.output
        line = one_line(res)
        assert f"cannot reach Temporal at {down}" in line and "kelahiran up" in line, line


def test_debug_shows_the_traceback(tmp_path):
    down = f"127.0.0.1:{free_port()}"
    res = invoke(["--debug", "admin", "status", "x"], tmp_path, TEMPORAL_ADDRESS=down)
    assert res.exit_code == 1
    assert isinstance(res.exception, RuntimeError) and "Failed client connect" in str(res.exception)
    res = invoke(["admin", "status", "x"], tmp_path, TEMPORAL_ADDRESS=down, KELAHIRAN_DEBUG="1")
    assert isinstance(res.exception, RuntimeError)


def test_a_database_that_is_not_there_is_one_line(tmp_path):
    res = invoke(["admin", "key", "list", "RSUD-X"], tmp_path,
                 KELAHIRAN_DATABASE_URL=f"sqlite:///{tmp_path}/missing/rm.db")
    assert res.exit_code == 1
    line = one_line(res)
    assert "read model's database" in line and "KELAHIRAN_DATABASE_URL" in line


def test_demo_against_a_dead_url_is_one_line(tmp_path):
    (tmp_path / "demo-credentials.json").write_text(json.dumps({"hospital_key": "k"}))
    dead = f"http://127.0.0.1:{free_port()}"
    res = invoke(["demo", "--api", dead, "--births", "3"], tmp_path)
    assert res.exit_code == 2
    assert one_line(res) == (f"kelahiran demo: nothing answers at {dead}: start the stack "
                             "(`kelahiran up`) or pass --api")


def test_demo_takes_the_urls_up_wrote_to_the_data_folder(tmp_path):
    (tmp_path / "demo-credentials.json").write_text(json.dumps({"hospital_key": "k"}))
    dead = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "urls.json").write_text(json.dumps({"api": dead, "dukcapil": dead, "bpjs": dead}))
    res = invoke(["demo"], tmp_path)
    assert res.exit_code == 2 and f"nothing answers at {dead}" in one_line(res)


def test_the_clients_take_temporal_the_database_and_keys_from_the_data_folder(tmp_path, monkeypatch):
    for var in CLEAN:
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "urls.json").write_text(json.dumps({"temporal": "127.0.0.1:17233",
                                                    "database_url": f"sqlite:///{tmp_path}/kelahiran.db"}))
    (tmp_path / "payload-keys").write_text("local-1:" + "A" * 43 + "=\n")
    assert local_defaults(tmp_path)["payload_key_id"] == "local-1"
    settings = client_settings(tmp_path)
    assert settings.temporal_address == "127.0.0.1:17233"
    assert settings.database_url == f"sqlite:///{tmp_path}/kelahiran.db"
    assert settings.payload_keys.startswith("local-1:") and settings.payload_key_id == "local-1"
    # What the environment says wins over the data folder.
    monkeypatch.setenv("TEMPORAL_ADDRESS", "temporal.example:7233")
    assert client_settings(tmp_path).temporal_address == "temporal.example:7233"


COMMANDS = [[], ["up"], ["demo"], ["admin"], ["admin", "status"], ["admin", "key"], ["admin", "key", "issue"],
            ["admin", "operator"], ["readmodel"], ["readmodel", "drift"], ["simulator"],
            ["simulator", "faults"], ["simulator", "sample"], ["scenario"], ["bench"], ["retention"],
            ["worker"], ["api"], ["callbacks"], ["migrate"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "kelahiran")
def test_help_fits_80_columns_with_whole_environment_variable_names(command, tmp_path):
    res = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert res.exit_code == 0, res.output
    wide = [line for line in res.output.splitlines() if len(line) > 80]
    assert not wide, wide
    assert "…" not in res.output  # nothing cut to fit a column
    for word in res.output.replace("[", " ").replace(";", " ").replace("]", " ").split():
        if word.startswith(("KELAHIRAN_", "TEMPORAL_")):
            assert not word.endswith("_"), word


def test_help_counts_three_simulators():
    res = runner.invoke(app, ["--help"], terminal_width=80)
    assert "three simulators" in res.output and "both simulators" not in res.output
    assert "three simulators" in runner.invoke(app, ["up", "--help"], terminal_width=80).output


# Against the running test stack: its workflows' payloads are encrypted with a key this shell lacks.


@pytest.mark.integration
async def test_status_and_drift_without_the_payload_key_say_which_key_is_missing(stack, tmp_path):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT", segmen="PBI")  # completes unpaid
    bid = await stack.accepted(payloads.from_family(fam))
    await stack.wait(bid)
    env = {"TEMPORAL_ADDRESS": stack.settings.temporal_address,
           "KELAHIRAN_DATABASE_URL": stack.settings.database_url,
           "KELAHIRAN_READMODEL_KEYS": stack.settings.readmodel_keys,
           "KELAHIRAN_READMODEL_KEY_ID": stack.settings.readmodel_key_id}
    res = await asyncio.to_thread(invoke, ["admin", "status", bid], tmp_path, **env)
    assert res.exit_code == 1
    line = one_line(res)
    assert "encrypted" in line and "KELAHIRAN_PAYLOAD_KEYS" in line, line
    res = await asyncio.to_thread(invoke, ["readmodel", "drift", "--task-queue", stack.settings.task_queue,
                                           "--settle", "0"], tmp_path, **env)
    assert res.exit_code == 2, res.output
    assert "KELAHIRAN_PAYLOAD_KEYS" in res.output and "rebuild" not in res.output
    # With the key, the same commands answer.
    keyed = {**env, "KELAHIRAN_PAYLOAD_KEYS": stack.settings.payload_keys,
             "KELAHIRAN_PAYLOAD_KEY_ID": stack.settings.payload_key_id}
    res = await asyncio.to_thread(invoke, ["admin", "status", bid], tmp_path, **keyed)
    assert res.exit_code == 0 and json.loads(res.output)["bundle_id"] == bid
