"""The supervisor behind `kelahiran up`, driven with small stand-in child processes."""

from __future__ import annotations

import os
import socket
import sys
import time

import pytest

from cli.supervisor import ChildFailed, ChildProcess, Supervisor, http_ok, port_in_use, tcp_open
from tests.support.servers import free_port

# A stand-in service: serves HTTP 200 on its port; on SIGTERM notes its name in a file and exits.
SERVICE = """
import http.server, signal, sys
name, port, stops = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def stop(*_):
    open(stops, "a").write(name + "\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print(name, "serving", flush=True)
http.server.HTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler).serve_forever()
"""


def service(tmp_path, name: str) -> ChildProcess:
    port = free_port()
    argv = [sys.executable, "-c", SERVICE, name, str(port), str(tmp_path / "stops")]
    return ChildProcess(name, argv, dict(os.environ), tmp_path / f"{name}.log",
                        [tcp_open("127.0.0.1", port), http_ok(f"http://127.0.0.1:{port}/")])


def script(tmp_path, name: str, code: str, ready=()) -> ChildProcess:
    return ChildProcess(name, [sys.executable, "-c", code], dict(os.environ), tmp_path / f"{name}.log",
                        list(ready))


def alive(child: ChildProcess) -> bool:
    return child.exit_code() is None


def test_starts_in_stages_and_stops_in_reverse_order(tmp_path):
    sup = Supervisor(grace=5)
    a, b, c = (service(tmp_path, n) for n in ("a", "b", "c"))
    try:
        sup.start(a, b, timeout=30)
        sup.start(c, timeout=30)
        assert all(map(alive, (a, b, c)))
        assert "a serving" in a.log_tail()
    finally:
        sup.stop_all()
    assert (tmp_path / "stops").read_text().split() == ["c", "b", "a"]
    assert not any(map(alive, (a, b, c)))


# Ready while a file exists; serves for a moment, then dies (each run appends a line to `runs`).
FLAKY = """
import pathlib, sys, time
runs, ready, lives = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), float(sys.argv[3])
with runs.open("a") as f:
    f.write("run\\n")
ready.touch()
print("serving", flush=True)
time.sleep(lives)
ready.unlink()
print("about to fail", flush=True)
raise SystemExit(3)
"""


def flaky(tmp_path, lives: float) -> ChildProcess:
    runs, ready = tmp_path / "runs", tmp_path / "ready"
    return ChildProcess("flaky", [sys.executable, "-c", FLAKY, str(runs), str(ready), str(lives)],
                        dict(os.environ), tmp_path / "flaky.log", [ready.exists])


def runs(tmp_path) -> int:
    return len((tmp_path / "runs").read_text().split())


def test_the_default_backoff_is_one_to_thirty_seconds():
    assert Supervisor().backoff == (1.0, 30.0)


def test_a_child_that_dies_after_it_was_ready_is_restarted_with_growing_backoff(tmp_path):
    said: list[str] = []
    sup = Supervisor(backoff=(0.2, 0.8), steady=60, poll=0.05, say=said.append)
    steady, dies = service(tmp_path, "steady"), flaky(tmp_path, lives=0.3)
    try:
        sup.start(steady, dies, timeout=30)
        deadline = time.monotonic() + 60
        sup.watch(until=lambda: runs(tmp_path) >= 5 or time.monotonic() > deadline)
        assert alive(steady)  # the others keep running meanwhile
    finally:
        sup.stop_all()
    delays = [m.split("restarting in ")[1].split(" s")[0] for m in said if "stopped unexpectedly" in m]
    assert delays[:4] == ["0.2", "0.4", "0.8", "0.8"], said  # doubling, capped
    assert all("flaky stopped unexpectedly (exited with code 3)" in m for m in said if "stopped" in m)
    assert any(m.startswith("flaky is ready again") for m in said), said
    assert "restarting flaky (restart 1)" in said
    assert "about to fail" in dies.log_tail()


def test_a_child_steady_for_a_while_starts_again_at_the_first_backoff(tmp_path):
    said: list[str] = []
    sup = Supervisor(backoff=(0.2, 5.0), steady=0.5, poll=0.05, say=said.append)
    dies = flaky(tmp_path, lives=1.0)  # outlives `steady` on each run
    deadline = time.monotonic() + 60
    try:
        sup.start(dies, timeout=30)
        sup.watch(until=lambda: runs(tmp_path) >= 3 or time.monotonic() > deadline)
    finally:
        sup.stop_all()
    delays = [m.split("restarting in ")[1].split(" s")[0] for m in said if "stopped unexpectedly" in m]
    assert delays[:2] == ["0.2", "0.2"], said


def test_a_child_that_dies_before_it_was_ready_stops_the_watch_with_its_log(tmp_path):
    sup = Supervisor()
    # Started without waiting for it (as `up` never does): it has not been ready when it dies.
    dies = script(tmp_path, "early", "print('no luck', flush=True); raise SystemExit(4)")
    sup.children.append(dies)
    dies.start()
    try:
        with pytest.raises(ChildFailed, match=r"early stopped before it was ready \(exited with code 4") as e:
            sup.watch()
        assert "no luck" in str(e.value) and e.value.child is dies
    finally:
        sup.stop_all()


def test_failing_while_starting_shows_only_this_runs_log(tmp_path):
    sup = Supervisor()
    boom = script(tmp_path, "boom", "raise SystemExit('second run broke')", ready=[lambda: False])
    boom.log_path.write_text("=== earlier run\nold noise\n")
    with pytest.raises(ChildFailed, match="boom failed while starting") as e:
        sup.start(boom, timeout=30)
    sup.stop_all()
    assert "second run broke" in str(e.value) and "old noise" not in str(e.value)


def test_not_ready_in_time_is_an_error_and_the_child_is_stopped(tmp_path):
    sup = Supervisor()
    slow = script(tmp_path, "slow", "import time; time.sleep(60)", ready=[lambda: False])
    with pytest.raises(ChildFailed, match="slow was not ready within 1 s"):
        sup.start(slow, timeout=1)
    sup.stop_all()
    assert not alive(slow)


def test_sigterm_ignored_means_sigkill_after_the_grace_period(tmp_path):
    sup = Supervisor(grace=0.5)
    marker = tmp_path / "ignoring"
    stubborn = script(tmp_path, "stubborn", "import pathlib, signal, sys, time; "
                      "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                      f"pathlib.Path({str(marker)!r}).touch(); time.sleep(60)", ready=[marker.exists])
    sup.start(stubborn, timeout=30)
    started = time.monotonic()
    sup.stop_all()
    assert time.monotonic() - started < 5
    assert stubborn.exit_code() == -9


def test_run_once_requires_exit_zero(tmp_path):
    sup = Supervisor()
    sup.run_once(script(tmp_path, "ok", "print('done')"), timeout=30)
    assert sup.children == []
    with pytest.raises(ChildFailed, match=r"migrate failed \(exited with code 2\)"):
        sup.run_once(script(tmp_path, "migrate", "raise SystemExit(2)"), timeout=30)
    sup.stop_all()


def test_port_in_use():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        assert port_in_use("127.0.0.1", taken)
    assert not port_in_use("127.0.0.1", free_port())
