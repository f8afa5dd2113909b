"""Background children of `kelahiran up` run at a lower CPU priority than the API (cli/priority.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cli import priority
from cli.supervisor import ChildProcess, Supervisor

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux scheduling only")

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def sleeper(tmp_path, name: str, nice: int) -> ChildProcess:
    return ChildProcess(name, SLEEPER, dict(os.environ), tmp_path / f"{name}.log", nice=nice)


def test_a_background_child_ranks_below_a_normal_one_in_a_group_of_its_own(tmp_path):
    sup = Supervisor(grace=2)
    background, normal = sleeper(tmp_path, "background", 10), sleeper(tmp_path, "normal", 0)
    ours = priority.priority_of(os.getpid())
    try:
        sup.start(background, normal, timeout=30)
        assert priority.priority_of(background.proc.pid) == 10
        assert priority.priority_of(normal.proc.pid) == 0
        # Each is a session (so, with autogroups, a scheduling group) of its own; ours is untouched.
        assert os.getsid(background.proc.pid) == background.proc.pid != os.getsid(0)
        assert priority.priority_of(os.getpid()) == ours
    finally:
        sup.stop_all()


def test_without_autogroups_the_process_itself_is_reniced(tmp_path, monkeypatch):
    switch = tmp_path / "sched_autogroup_enabled"
    switch.write_text("0\n")
    monkeypatch.setattr(priority, "_AUTOGROUP_SWITCH", switch)
    assert not priority.autogroups_enabled()
    lower = priority.lowerer(7)
    assert lower is not None
    proc = subprocess.Popen(SLEEPER, start_new_session=True, preexec_fn=lower)  # noqa: S603
    try:
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) == 7
        assert priority.priority_of(proc.pid) == 7
    finally:
        proc.kill()
        proc.wait()


def test_an_unreadable_switch_means_no_autogroups(tmp_path, monkeypatch):
    monkeypatch.setattr(priority, "_AUTOGROUP_SWITCH", tmp_path / "missing")
    assert not priority.autogroups_enabled()


def test_the_root_group_has_no_nice_value_of_its_own():
    # The kernel prints nothing for a process in the root autogroup (init's session, where CI
    # runners start the tests); reading it used to raise IndexError there. priority_of then
    # falls back to the process's own nice value.
    assert priority.group_nice("") is None
    assert priority.group_nice("/autogroup-254 nice 10\n") == 10
    assert priority.group_nice("/autogroup-3 nice -5\n") == -5


def test_nice_zero_changes_nothing():
    assert priority.lowerer(0) is None
