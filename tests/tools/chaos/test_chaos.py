"""`kelahiran chaos` scaled down, end to end: every stage of issue 19's black-box figures passes."""

import pytest
from typer.testing import CliRunner

from cli import app

pytestmark = pytest.mark.integration

STAGES = ["identical x10", "identical x30", "worker SIGKILL", "temporal SIGKILL", "temporal SIGSTOP",
          "BPJS outage", "power loss", "burst 4/s"]


@pytest.mark.timeout(900)
def test_a_scaled_down_chaos_run_passes_every_stage(tmp_path):
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["chaos", "--scale", "0.1", "--freeze-seconds", "5", "--outage-seconds",
                                      "8", "--drain-seconds", "240", "--keep", str(data)])
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("\nstage "):]
    rows = {line.split("  ")[0]: line.split() for line in table.splitlines()[1:] if line and line[0] != "-"}
    for stage in STAGES:
        assert rows[stage][-1] == "pass", table
    posted, accepted, completed, duplicates, missing, drift, pii = rows["all"][1:8]
    assert posted == accepted == completed and int(completed) >= 2 + 5 + 6 + 6 + 4 + 6 + 8, table
    assert (duplicates, missing, drift, pii) == ("0", "0", "0", "0"), table
    # Every process was killed once, and the stack came back each time on the same data folder.
    said = (data / "up.out").read_text()
    assert said.count("Ctrl-C to stop") == 2
    for role in ("worker", "temporal"):
        assert f"{role} stopped unexpectedly" in said and f"{role} is ready again" in said
