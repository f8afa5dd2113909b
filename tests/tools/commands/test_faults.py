"""`kelahiran simulator faults ...` against a served simulator (no Temporal needed)."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from cli import app
from simulators.bpjs.app import create_app
from simulators.bpjs.settings import BpjsSimSettings
from tests.support.servers import free_port, serve_app

runner = CliRunner()
TOKEN = "cli-admin-token"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    db = tmp_path_factory.mktemp("faults-cli") / "bpjs.db"
    settings = BpjsSimSettings(database_url=f"sqlite:///{db}", families=20, admin_token=TOKEN)
    with serve_app(create_app(settings)) as base:
        yield base


def one_line(result, code: int) -> str:
    """The command's whole output, asserted to be one line (no traceback) and the exit code."""
    lines = result.output.strip().splitlines()
    assert result.exit_code == code and len(lines) == 1, result.output
    return lines[0]


def faults(url: str, *args: str, code: int = 0) -> list[dict] | str:
    res = runner.invoke(app, ["simulator", "faults", *args, "--url", url, "--token", TOKEN])
    assert res.exit_code == code, res.output
    return json.loads(res.stdout) if "--json" in args and code == 0 else res.output


def test_add_list_remove_reset_round_trip(url, tmp_path):
    rules = faults(url, "add", "--endpoint", "enrol_newborn", "--status", "503", "--remaining", "3",
                   "--id", "flaky", "--json")
    assert [(r["id"], r["status_code"], r["remaining"], r["error_rate"]) for r in rules] == [
        ("flaky", 503, 3, 1.0)]
    faults(url, "add", "--endpoint", "status", "--latency-uniform", "5:20", "--timeout-effect",
           "applied", "--timeout-hold", "0.5", "--label", "slow status")
    faults(url, "add", "--endpoint", "eligibility", "--outage-for", "60", "--outage-status", "502")
    faults(url, "add", "--endpoint", "enrol_newborn", "--reject", "PESERTA_TIDAK_AKTIF",
           "--match-nik", "3673015504910001", "--match-nik", "3673015504910002")
    listed = faults(url, "list", "--json")
    assert [r["endpoint"] for r in listed] == ["enrol_newborn", "status", "eligibility", "enrol_newborn"]
    assert listed[1]["latency"] == {"kind": "uniform", "min_ms": 5.0, "max_ms": 20.0}
    assert listed[1]["timeout"]["effect"] == "applied" and listed[1]["label"] == "slow status"
    assert listed[2]["outage"]["status_code"] == 502 and listed[2]["outage"]["end"]
    assert listed[3]["reject"]["nik"] == ["3673015504910001", "3673015504910002"]
    text = faults(url, "list")
    assert "flaky  enrol_newborn  error 503 x1.0  [3 left, hits 0/0]" in text
    assert "reject PESERTA_TIDAK_AKTIF for 2 identifier(s)" in text and "3673015504910001" not in text

    left = faults(url, "remove", "flaky", "--json")
    assert "flaky" not in [r["id"] for r in left] and len(left) == 3
    assert faults(url, "reset").strip() == "no faults"
    assert httpx.get(f"{url}/admin/faults", headers={"X-Admin-Token": TOKEN}).json() == []


def test_rules_from_yaml_and_json_files(url, tmp_path):
    yaml_file = tmp_path / "rules.yaml"
    yaml_file.write_text(
        "faults:\n"
        "  - {id: outage, endpoint: '*',\n"
        "     outage: {start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z'}}\n"
        "  - id: jitter\n    endpoint: status\n    latency: {kind: normal, mean_ms: 20, stddev_ms: 5}\n"
        "    error_rate: 0.1\n")
    rules = faults(url, "add", "--file", str(yaml_file), "--json")
    assert [r["id"] for r in rules] == ["outage", "jitter"]
    json_file = tmp_path / "rules.json"
    json_file.write_text(json.dumps([{"endpoint": "status", "status_code": 429}]))
    rules = faults(url, "add", "--file", str(json_file), "--replace", "--json")
    assert [(r["endpoint"], r["status_code"]) for r in rules] == [("status", 429)]
    faults(url, "reset")


def test_mistakes_are_reported(url, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"endpoint": "status", "timeout": {"effect": "maybe"}}]))
    assert "invalid fault rule" in faults(url, "add", "--file", str(bad), code=2)
    assert "unknown endpoint" in faults(url, "add", "--endpoint", "enroll", code=1)
    assert "404" in faults(url, "remove", "nope", code=1)
    res = runner.invoke(app, ["simulator", "faults", "list", "--url", url, "--token", "wrong-token"])
    assert res.exit_code == 1 and "401" in res.output
    assert {"eligibility", "enrol_newborn", "status"} <= set(faults(url, "endpoints").split())


# Without --url the simulator is found by name in the data folder of `kelahiran up` (its urls.json).
NO_ENV = {"KELAHIRAN_SIMULATOR_URL": None, "KELAHIRAN_DATA_DIR": None}


def in_folder(data, *args: str, env: dict[str, str | None] | None = None):
    return runner.invoke(app, ["simulator", "faults", *args, "--token", TOKEN],
                         env={**NO_ENV, **(env if env is not None else {"KELAHIRAN_DATA_DIR": str(data)})})


def test_the_simulator_is_found_in_the_data_folder(url, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "urls.json").write_text(json.dumps({"bpjs": url, "dukcapil": dead}))
    res = in_folder(tmp_path, "add", "--sim", "bpjs", "--endpoint", "status", "--id", "from-urls", "--json")
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in json.loads(res.stdout)] == ["from-urls"]
    # --data-dir as well as KELAHIRAN_DATA_DIR; --url wins over the folder.
    res = in_folder(tmp_path, "list", "--sim", "bpjs", "--data-dir", str(tmp_path), env={})
    assert res.exit_code == 0 and "from-urls  status" in res.output, res.output
    assert "from-urls" in in_folder(tmp_path, "list", "--sim", "dukcapil", "--url", url).output
    res = in_folder(tmp_path, "list", "--sim", "dukcapil")
    assert one_line(res, 2).startswith(f"kelahiran simulator faults: nothing answers at {dead} (")
    assert in_folder(tmp_path, "reset", "--sim", "bpjs").output.strip() == "no faults"


def test_without_a_url_or_a_folder_that_names_it_one_line_says_what_to_do(tmp_path):
    assert one_line(in_folder(tmp_path, "list"), 2) == (
        "kelahiran simulator faults: no --url or --sim given: pass --sim dukcapil, bpjs or sms "
        "(a simulator of `kelahiran up`) or the simulator's --url")
    assert one_line(in_folder(tmp_path, "endpoints", "--sim", "sms"), 2) == (
        f"kelahiran simulator faults: no --url given and no sms URL in {tmp_path / 'urls.json'}: "
        "start the stack (`kelahiran up`) or pass --url")
    assert "--sim bpj is not a simulator" in one_line(in_folder(tmp_path, "list", "--sim", "bpj"), 2)
