import json

import pytest

from tools.bench.load import Outcome
from tools.bench.report import build_report, format_table, ratios, role, summarize_phase, throughput, write
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
    lines = table.splitlines()
    ratio_row = lines[next(i for i, line in enumerate(lines) if line.startswith("ours / floor")) + 1]
    assert ratio_row.split()[-1] == "0.80x"
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


def _proc(cpu: float, pss: float) -> dict:
    return {"cpu_seconds": cpu, "peak_rss_mib": pss + 10, "peak_pss_mib": pss}


# The production shape: two workers and two APIs; the simulators stand for systems that run elsewhere.
OURS_PROD = {"temporal": _proc(2.0, 300.0), "worker-1": _proc(1.0, 150.0), "worker-2": _proc(1.0, 150.0),
             "api-1": _proc(0.5, 100.0), "api-2": _proc(0.5, 100.0), "callbacks": _proc(0.2, 60.0),
             "dukcapil-sim": _proc(3.0, 200.0), "bpjs-sim": _proc(1.0, 90.0), "sms-sim": _proc(0.4, 60.0)}
FLOOR_PROD = {"temporal": _proc(1.5, 280.0), "floor-worker-1": _proc(0.25, 90.0),
              "floor-worker-2": _proc(0.25, 90.0)}


def test_replica_names_have_their_role():
    assert [role(n) for n in ("worker-2", "api-1", "floor-worker-2", "floor-worker", "dukcapil-sim",
                              "temporal")] == ["worker", "api", "floor-worker", "floor-worker",
                                               "dukcapil-sim", "temporal"]


def test_own_cpu_per_bundle_leaves_the_simulators_out_and_is_compared_with_the_floors():
    ours = summarize_phase("saturation", _outcomes(2.0), duration=5.0, inflight=8, processes=OURS_PROD)
    floor = summarize_phase("saturation", _outcomes(1.0), duration=5.0, inflight=8, processes=FLOOR_PROD)
    assert ours["own"] == {"processes": ["api-1", "api-2", "callbacks", "temporal", "worker-1", "worker-2"],
                           "cpu_seconds": 5.2, "cpu_ms_per_bundle": 520.0, "peak_pss_mib": 860.0}
    assert ours["cpu_ms_per_bundle"] == pytest.approx(960.0)  # the whole stack, simulators included
    assert floor["own"]["cpu_ms_per_bundle"] == pytest.approx(200.0)
    assert floor["own"]["processes"] == ["floor-worker-1", "floor-worker-2", "temporal"]
    r = ratios([ours], [floor])["saturation"]
    assert r["own_cpu_per_bundle"] == pytest.approx(2.6)
    # The ceiling counts both workers as engine, as the floor's two: the rest is APIs, callbacks and
    # simulators at 100 + 20 + 300 + 100 + 40 ms/bundle.
    assert r["throughput_ceiling"] == pytest.approx(200.0 / (200.0 + 560.0), abs=1e-3)
    # Nothing completed: no figure per bundle, and no ratio.
    none = summarize_phase("saturation", [Outcome(error="x")], duration=5.0, inflight=8, processes=OURS_PROD)
    assert none["own"]["cpu_ms_per_bundle"] is None
    assert ratios([none], [floor])["saturation"]["own_cpu_per_bundle"] is None


def test_own_memory_is_told_against_the_shapes_bound_in_the_json_and_the_table(tmp_path):
    ours = [summarize_phase("rate2", _outcomes(2.0), duration=5.0, rate=2.0, processes=OURS_PROD)]
    floor = [summarize_phase("rate2", _outcomes(1.0), duration=5.0, rate=2.0, processes=FLOOR_PROD)]
    embedded = build_report(config={}, machine={}, ours=ours, floor=floor)  # the default shape
    assert embedded["own_memory"] == {"shape": "embedded", "bound_mib": 1024,
                                      "phases": {"rate2": {"peak_pss_mib": 860.0, "within_bound": True}}}
    prod = build_report(config={"stack_shape": "production"}, machine={}, ours=ours, floor=floor)
    assert prod["own_memory"]["bound_mib"] == 1536
    js, _ = write(prod, tmp_path)
    saved = json.loads(js.read_text())
    assert saved["ratios"]["rate2"]["own_cpu_per_bundle"] == pytest.approx(520.0 / 200.0)
    assert saved["own_memory"]["phases"]["rate2"]["within_bound"] is True
    table = format_table(prod)
    assert "1536 MiB bound (production)" in table
    row = next(line for line in table.splitlines() if line.startswith("rate2 ") and "within" in line)
    assert row.split() == ["rate2", "520.0", "200.0", "2.60x", "860", "460", "within"]
    # Over the bound: told, not enforced.
    heavy = {**OURS_PROD, "temporal": _proc(2.0, 900.0)}
    over = build_report(config={}, machine={}, ours=[summarize_phase(
        "rate2", _outcomes(2.0), duration=5.0, rate=2.0, processes=heavy)], floor=None)
    assert over["own_memory"]["phases"]["rate2"] == {"peak_pss_mib": 1460.0, "within_bound": False}
    over_row = next(line for line in format_table(over).splitlines() if line.startswith("rate2 ") and
                    line.endswith("OVER"))
    assert over_row.split() == ["rate2", "520.0", "-", "-", "1460", "-", "OVER"]


def test_without_process_figures_there_is_no_own_section():
    report = build_report(config={}, machine={}, ours=[summarize_phase(
        "rate1", _outcomes(1.0), duration=5.0, rate=1.0)], floor=None)
    assert report["own_memory"]["phases"] == {}
    assert "own processes" not in format_table(report)


def test_repeated_phases_take_turns_and_report_their_median_ratios():
    plan = make_plan(mode="rate", rate=5, rates=None, inflight=8, duration=10, drain=30, floor=True, repeat=3)
    assert [label for label, _, _ in plan.phases] == ["rate5-1", "saturation-1", "rate5-2", "saturation-2",
                                                     "rate5-3", "saturation-3"]
    ours, floor = [], []
    for run, (ours_s, floor_s) in enumerate([(2.0, 1.0), (3.0, 1.0), (2.2, 1.0)], start=1):
        label = f"saturation-{run}"
        ours.append(summarize_phase(label, _outcomes(ours_s), duration=5.0, inflight=8,
                                    processes={"temporal": _proc(ours_s, 100.0)}))
        floor.append(summarize_phase(label, _outcomes(floor_s), duration=5.0, inflight=8,
                                     processes={"temporal": _proc(1.0, 100.0)}))
    report = build_report(config={}, machine={}, ours=ours, floor=floor)
    med = report["repeats"]["saturation"]
    assert med["runs"] == 3
    assert med["own_cpu_per_bundle"] == pytest.approx(2.2)  # of 2.0, 3.0 and 2.2
    assert med["complete_p95"] == pytest.approx(2.2)
    assert "saturation median" in format_table(report) and "over 3 runs" in format_table(report)
    single = build_report(config={}, machine={}, ours=ours[:1], floor=floor[:1])
    assert single["repeats"] == {}  # one run: nothing to take a median of
