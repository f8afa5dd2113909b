"""CPU seconds and peak RSS of named processes (and their descendants) over one phase."""

from __future__ import annotations

import threading
from contextlib import suppress

import psutil


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        with suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def _rss(procs: list[psutil.Process]) -> int:
    total = 0
    for p in procs:
        with suppress(psutil.Error):
            total += p.memory_info().rss
    return total


class ProcessSampler:
    """Samples RSS every `interval` seconds in a thread; CPU is the difference from start to stop."""

    def __init__(self, pids: dict[str, int], interval: float = 0.25) -> None:
        self._pids = pids
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)
        self._cpu0: dict[str, float] = {}
        self._peak: dict[str, int] = dict.fromkeys(pids, 0)

    def __enter__(self) -> ProcessSampler:
        self._cpu0 = {name: _cpu(_tree(pid)) for name, pid in self._pids.items()}
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.result = {
            name: {"cpu_seconds": round(_cpu(_tree(pid)) - self._cpu0[name], 3),
                   "peak_rss_mib": round(self._peak[name] / 2**20, 1)}
            for name, pid in self._pids.items()
        }

    def _sample(self) -> None:
        for name, pid in self._pids.items():
            self._peak[name] = max(self._peak[name], _rss(_tree(pid)))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()


def totals(per_process: dict[str, dict[str, float]]) -> dict[str, float]:
    """Whole-stack CPU seconds and the sum of the peaks (an upper bound of the stack's peak RSS)."""
    return {"cpu_seconds": round(sum(p["cpu_seconds"] for p in per_process.values()), 3),
            "peak_rss_mib": round(sum(p["peak_rss_mib"] for p in per_process.values()), 1)}
