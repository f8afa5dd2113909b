import json

import pytest

from tools.bench.load import Outcome
from tools.bench.report import build_report, format_table, ratios, summarize_phase, throughput, write
from tools.bench.run import make_plan


def _outcomes(latency: float, n: int = 10, *, error: int = 0, lost: int = 0) -> list[Outcome]:
    outs = [Outcome(posted_at=i * 0.5, intake=0.01 * (i + 1), complete=latency, done_at=i * 0.5 + latency,
                    bundle_id=f"b{i}") for i in range(n)]
    outs += [Outcome(error="HTTP 500 on POST") for _ in range(error)]
    outs += [Outcome(intake=0.02, lost=True) for _ in range(lost)]
    return outs


PROCS = {"temporal": {"cpu_seconds": 2.0, "peak_rss_mib": 200.0, "peak_pss_mib": 150.0},
         "worker": {"cpu_seconds": 1.0, "peak_rss_mib": 100.0, "peak_pss_mib": 80.0}}


def test_phase_counts_errors_lost_and_throttles_apart():
    outs = _outcomes(1.0, error=2, lost=1)
    outs[0].throttled = 3
    p = summarize_phase("rate2", outs, duration=5.0, rate=2.0, processes=PROCS)
    assert (p["offered"], p["posted"], p["completed"], p["errors"], p["lost"]) == (13, 11, 10, 2, 1)
    assert p["throttled"] == 3 and p["error_samples"] == ["HTTP 500 on POST"]
    assert p["complete"]["p95"] == pytest.approx(1.0)
    assert p["intake"]["count"] == 11
    assert p["stack"] == {"cpu_seconds": 3.0, "peak_rss_mib": 300.0, "peak_pss_mib": 230.0}
    assert p["cpu_ms_per_bundle"] == pytest.approx(300.0)
    # Per process too (10 completed bundles), without touching the figures passed in.
    per = {k: v["cpu_ms_per_bundle"] for k, v in p["processes"].items()}
    assert per == {"temporal": 200.0, "worker": 100.0}
    assert "cpu_ms_per_bundle" not in PROCS["temporal"]
    table = format_table(build_report(config={}, machine={}, ours=[p], floor=None))
    assert [line.split()[-3] for line in table.splitlines() if line.startswith("ours rate2 ")][-3:] == [
        "200.0", "100.0", "300.0"]  # the ms/bundle column: temporal, worker, all


def test_throughput_is_completions_between_first_and_last():
    assert throughput([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(1.0)
    assert throughput([10.0, 12.0, 14.0]) == pytest.approx(0.5)
    assert throughput([3.0]) is None and throughput([]) is None


def test_ratios_match_phases_by_label():
    ours = [summarize_phase("rate2", _outcomes(2.0), duration=5.0, rate=2.0, processes=PROCS)]
    floor = [summarize_phase("rate2", _outcomes(0.5), duration=5.0, rate=2.0, processes=PROCS),
             summarize_phase("other", _outcomes(0.5), duration=5.0, rate=1.0)]
    r = ratios(ours, floor)
    assert set(r) == {"rate2"}
    assert r["rate2"]["complete_p50"] == pytest.approx(4.0)
    assert r["rate2"]["cpu_per_bundle"] == pytest.approx(1.0)
    assert r["rate2"]["throughput_ceiling"] == pytest.approx(1.0)  # nothing outside the engine


def test_the_ceiling_charges_what_the_floor_never_runs():
    # 10 bundles each side. The floor: 1.0 CPU-s of engine (100 ms/bundle). Ours: the same engine
    # cost plus simulators and an API at 20 + 5 ms/bundle: at best 100 / 125 of the floor's done/s.
    engine = {"temporal": {"cpu_seconds": 0.6, "peak_rss_mib": 1.0},
              "worker": {"cpu_seconds": 0.4, "peak_rss_mib": 1.0}}
    floor_procs = {"temporal": engine["temporal"], "floor-worker": engine["worker"]}
    ours_procs = {**engine, "dukcapil-sim": {"cpu_seconds": 0.2, "peak_rss_mib": 1.0},
                  "api": {"cpu_seconds": 0.05, "peak_rss_mib": 1.0}}
    ours = [summarize_phase("saturation", _outcomes(2.0), duration=5.0, inflight=8, processes=ours_procs)]
    floor = [summarize_phase("saturation", _outcomes(1.0), duration=5.0, inflight=8, processes=floor_procs)]
    r = ratios(ours, floor)["saturation"]
    assert r["throughput_ceiling"] == pytest.approx(0.8)
    table = format_table(build_report(config={}, machine={}, ours=ours, floor=floor))
    assert table.splitlines()[-3].split()[-1] == "0.80x"
    # Without per-process CPU (a --target run without --pids) there is no ceiling to tell.
    bare = [summarize_phase("saturation", _outcomes(1.0), duration=5.0, inflight=8)]
    assert ratios(bare, bare)["saturation"]["throughput_ceiling"] is None


def test_report_table_and_files(tmp_path):
    ours = [summarize_phase("rate2", _outcomes(2.0), duration=5.0, rate=2.0, processes=PROCS),
            summarize_phase("saturation", _outcomes(3.0, lost=1), duration=5.0, inflight=8, processes=PROCS)]
    floor = [summarize_phase("rate2", _outcomes(0.3), duration=5.0, rate=2.0, processes=PROCS),
             summarize_phase("saturation", _outcomes(1.0), duration=5.0, inflight=8, processes=PROCS)]
    report = build_report(config={}, machine={"cpus": 2}, ours=ours, floor=floor)
    assert report["lost"] == 1 and report["errors"] == 0
    assert report["ours"]["saturation_throughput"] == ours[1]["throughput"]
    assert report["ratios"]["saturation"]["throughput"] == pytest.approx(1.0)
    table = format_table(report)
    assert "ours / floor" in table and "floor saturation" in table and "lost bundles: 1" in table
    js, png = write(report, tmp_path)
    assert json.loads(js.read_text())["ratios"]["rate2"]["complete_p50"] == pytest.approx(2.0 / 0.3)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_without_floor():
    ours = [summarize_phase("rate1", _outcomes(1.0), duration=5.0, rate=1.0)]
    report = build_report(config={}, machine={}, ours=ours, floor=None)
    assert report["floor"] is None and report["ratios"] is None
    assert "ours rate1" in format_table(report)


def test_plan_phases():
    plan = make_plan(mode="rate", rate=5, rates=[1, 2], inflight=8, duration=10, drain=30, floor=True)
    assert plan.phases == [("rate1", 1, None), ("rate2", 2, None), ("saturation", None, 8)]
    assert plan.limit(2, None) == 20
    only = make_plan(mode="inflight", rate=5, rates=None, inflight=4, duration=10, drain=30, floor=False)
    assert only.phases == [("inflight4", None, 4)]
