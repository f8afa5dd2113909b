"""The real benchmark end to end for a few seconds: every figure is there and the plot is written."""

import json

import pytest
from typer.testing import CliRunner

from cli import app

pytestmark = pytest.mark.integration


@pytest.mark.timeout(240)
def test_bench_runs_end_to_end_with_the_floor(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--rates", "1", "--inflight", "2", "--duration", "2",
                                      "--population", "300", "--drain", "60", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "bench.json").read_text())
    assert (tmp_path / "bench.png").stat().st_size > 1000
    assert report["errors"] == 0 and report["lost"] == 0
    for side in ("ours", "floor"):
        labels = [p["label"] for p in report[side]["phases"]]
        assert labels == ["rate1", "saturation"]
        assert report[side]["saturation_throughput"] > 0
        for p in report[side]["phases"]:
            assert p["completed"] == p["offered"] > 0
            for fig in ("intake", "complete"):
                assert all(p[fig][q] is not None for q in ("p50", "p95", "p99"))
            assert p["processes"] and all(v["peak_rss_mib"] > 0 for v in p["processes"].values())
    assert set(report["ours"]["phases"][0]["processes"]) >= {"temporal", "worker", "api", "dukcapil-sim",
                                                              "bpjs-sim"}
    assert set(report["floor"]["phases"][0]["processes"]) == {"temporal", "floor-worker"}
    for r in report["ratios"].values():
        assert r["complete_p95"] is not None and r["throughput"] is not None
    ours, floor = report["shape"]["ours"], report["shape"]["floor"]
    assert ours["activities"].keys() == floor["activities"].keys()
    assert ours["markers"].keys() == floor["markers"].keys()  # local activities, patches
    assert "ours / floor" in result.output
    # Each phase of ours is followed by the floor's, on the machine as it is at that moment.
    assert report["config"]["interleaved"] is True
    out = result.output
    assert out.index("  ours rate1:") < out.index("  floor rate1:") < out.index("  ours saturation:")
