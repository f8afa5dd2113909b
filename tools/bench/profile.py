"""`kelahiran bench --profile DIR`: py-spy on every Python process of the stack during our phases.

Each process gets `<name>.txt` (collapsed stacks, flamegraph.pl/speedscope input) and `<name>.top.txt`
(the functions that hold the most samples, inclusive and self). py-spy comes with the `bench` extra.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tools.bench.report import role

PYTHON_ROLES = ("worker", "api", "callbacks", "dukcapil-sim", "bpjs-sim", "sms-sim", "floor-worker")


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def top(collapsed: str, n: int = 40) -> str:
    """The `n` frames with the most samples, inclusive (anywhere on the stack) and self (on top)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        k = int(count)
        total += k
        frames = stack.split(";")
        for f in set(frames):
            inclusive[f] += k
        own[frames[-1]] += k
    if not total:
        return "no samples\n"
    out = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        out.append(f"\n{title}:")
        out += [f"{100 * k / total:6.1f}%  {f}" for f, k in counter.most_common(n)]
    return "\n".join(out) + "\n"


class Profiler:
    """Records the Python processes among `pids` from enter to exit (no-op without py-spy)."""

    def __init__(self, pids: dict[str, int], out: Path, *, rate: int = 100, gil: bool = False) -> None:
        self._pids = {k: v for k, v in pids.items() if role(k) in PYTHON_ROLES}  # replicas too
        self._out, self._rate = out, rate
        self._gil = ["--gil"] if gil else []  # only samples holding the GIL: Python's own CPU
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> Profiler:
        exe = py_spy()
        if exe is None:
            raise RuntimeError("--profile needs py-spy (pip install 'kelahiran[bench]')")
        self._out.mkdir(parents=True, exist_ok=True)
        for name, pid in self._pids.items():
            self._procs[name] = subprocess.Popen(  # noqa: S603 - py-spy from our venv, our own pids
                [exe, "record", "--pid", str(pid), "--rate", str(self._rate), "--format", "raw",
                 "--nonblocking", *self._gil, "--output", str(self._out / f"{name}.txt")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=(self._out / f"{name}.py-spy.log").open("wb"))
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs.values():
            proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for name, proc in self._procs.items():
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raw = self._out / f"{name}.txt"
            if raw.exists():
                (self._out / f"{name}.top.txt").write_text(top(raw.read_text()))
