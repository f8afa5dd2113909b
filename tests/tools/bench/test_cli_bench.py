import re

import pytest
import typer
from typer.testing import CliRunner

from cli import app
from tools.commands.bench import _loopback, _pairs


def test_pairs_and_loopback():
    assert _pairs("api=http://127.0.0.1:8000, temporal=127.0.0.1:7233") == {
        "api": "http://127.0.0.1:8000", "temporal": "127.0.0.1:7233"}
    assert _pairs(None) == {}
    with pytest.raises(typer.BadParameter):
        _pairs("api")
    assert _loopback("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    with pytest.raises(typer.BadParameter):
        _loopback("http://example.org:8000")


@pytest.mark.parametrize("args", [
    ["--mode", "burst"],
    ["--mode", "inflight", "--inflight", "0"],
    ["--rates", "1,0"],
    ["--target", "api=http://127.0.0.1:1"],  # no simulators
    ["--target", "api=http://127.0.0.1:1,dukcapil=http://127.0.0.1:2,bpjs=http://127.0.0.1:3"],  # no temporal
    ["--target", "api=http://10.0.0.1:1,dukcapil=http://127.0.0.1:2,bpjs=http://127.0.0.1:3", "--no-floor"],
    ["--shape", "cloud"],
    ["--shape", "production", "--no-floor",  # the shape is the started stack's, not a running one's
     "--target", "api=http://127.0.0.1:1,dukcapil=http://127.0.0.1:2,bpjs=http://127.0.0.1:3"],
    ["--shape", "production", "--stack-database-url", "sqlite:///bench.db"],  # several writers
])
def test_bad_options_are_refused_before_any_load(args, tmp_path):
    result = CliRunner().invoke(app, ["bench", "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output


def test_a_running_stack_needs_keys_or_its_database(tmp_path):
    target = "api=http://127.0.0.1:1,dukcapil=http://127.0.0.1:2,bpjs=http://127.0.0.1:3,temporal=127.0.0.1:4"
    result = CliRunner().invoke(app, ["bench", "--out", str(tmp_path), "--target", target],
                                env={"KELAHIRAN_DATABASE_URL": ""})
    assert result.exit_code == 2 and "--database-url" in result.output


def test_keep_stack_refuses_a_folder_in_use(tmp_path):
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "kelahiran.db").write_text("")
    result = CliRunner().invoke(app, ["bench", "--out", str(tmp_path), "--keep-stack",
                                      str(tmp_path / "stack")])
    assert result.exit_code == 2  # refused before anything starts


@pytest.mark.parametrize(("args", "says"), [
    (["--shape", "cloud"], "--shape is embedded or production"),
    (["--shape", "production", "--target",
      "api=http://127.0.0.1:1,dukcapil=http://127.0.0.1:2,bpjs=http://127.0.0.1:3,temporal=127.0.0.1:4"],
     "not to --target"),
    (["--shape", "production", "--stack-database-url", "sqlite:///bench.db"], "PostgreSQL, not SQLite"),
])
def test_the_shape_is_checked_before_anything_starts(args, says, tmp_path):
    result = CliRunner().invoke(app, ["bench", "--out", str(tmp_path), *args])
    said = re.sub(r"[\s│]+", " ", result.output)  # the error box wraps lines
    assert result.exit_code == 2 and says in said, result.output
