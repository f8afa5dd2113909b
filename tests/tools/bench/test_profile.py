from tools.bench.profile import Profiler, top


def test_top_counts_inclusive_and_self_samples():
    collapsed = "main;work;sql 6\nmain;work 3\nmain;idle 1\n"
    out = top(collapsed, n=3)
    assert out.startswith("10 samples")
    inclusive, own = out.split("self:")
    assert "100.0%  main" in inclusive and "90.0%  work" in inclusive
    assert own.strip().splitlines()[0].endswith("sql")
    assert top("") == "no samples\n"


def test_only_python_processes_are_profiled(tmp_path):
    p = Profiler({"temporal": 1, "worker": 2, "api": 3}, tmp_path)
    assert set(p._pids) == {"worker", "api"}
