"""CPU priority for `kelahiran up`'s background processes: the hospitals' intake is served first.

On a small machine a burst of births needs more CPU than there is (the bench's 20/s burst: about
three cores' worth on two). Everything after the 202 (Temporal, the worker, the simulators, the
callback dispatcher) can wait its turn; the API's answer to the hospital should not.

Linux schedules each session as one group ("autogroup", on in Debian's kernels) and every child of
`up` runs in a session of its own (so Ctrl-C reaches only the supervisor). A thread's nice value
then only ranks it inside its own process; between processes, each group's own nice value counts
(`/proc/<pid>/autogroup`). Renicing a process is no use there (measured: the 20/s burst's intake
p99 stayed at 135-169 ms with every background thread at nice 10); lowering the background
processes' *autogroup* to nice 10 brought it to 75-88 ms. So a background child lowers its
session's group; where the kernel has no autogroups it lowers its own nice value instead (its
threads inherit it). Lowering one's own priority needs no privilege.

A background process that holds a lock the API waits for must not be slowed down with it: the
worker's read-model writer (`activities/readmodel_process.py`) starts a session, and so a group, of
its own at normal priority. Where the kernel has no autogroups it inherits the worker's nice value.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

_AUTOGROUP_SWITCH = Path("/proc/sys/kernel/sched_autogroup_enabled")


def autogroups_enabled() -> bool:
    try:
        return _AUTOGROUP_SWITCH.read_text().strip() == "1"
    except OSError:  # not Linux, or a kernel built without autogroups
        return False


# `kelahiran up --background-nice`; 0 leaves every process at normal priority. 19, not 10: at 10 the
# five background groups still took ~a quarter of the CPU from the API and the writer process while
# the API waited for the write lock (bench, 20/s burst: intake p99 49-58 ms at 10, 21-25 ms at 19,
# with the same bundles completed per second; saturation throughput unchanged). Without autogroups
# the worker's read-model writer inherits the worker's nice value, and at 19 it would hold that lock
# with 1.5 % of a normal process's CPU weight: 10 there, as before.
BACKGROUND_NICE = 19 if autogroups_enabled() else 10


def lowerer(nice: int) -> Callable[[], None] | None:
    """What a child runs after its `setsid` and before `exec` to take `nice`, or None for none.

    Decided here, in the parent: the child (between fork and exec) only makes one system call."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return None
    if autogroups_enabled():
        text = str(nice).encode()

        def lower_group() -> None:
            # os.open/os.write, not open(): no buffered-IO lock in a forked child.
            fd = os.open("/proc/self/autogroup", os.O_WRONLY)
            try:
                os.write(fd, text)
            finally:
                os.close(fd)

        return lower_group
    return lambda: os.setpriority(os.PRIO_PROCESS, 0, nice)


def group_nice(autogroup_text: str) -> int | None:
    """The nice value in a `/proc/<pid>/autogroup` line, or None for the root group.

    The kernel prints "/autogroup-254 nice 10" for a session's group and nothing at all for a
    process in the root group (init's session; CI runners start the tests there)."""
    _, sep, nice = autogroup_text.partition(" nice ")
    return int(nice) if sep else None


def priority_of(pid: int) -> int:
    """The nice value that ranks `pid` against other processes: its group's, else its own."""
    if autogroups_enabled():
        nice = group_nice(Path(f"/proc/{pid}/autogroup").read_text())
        if nice is not None:
            return nice
        # The root group is not a group of its own: its processes compete by their own nice value.
    return os.getpriority(os.PRIO_PROCESS, pid)
