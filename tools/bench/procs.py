"""CPU seconds and peak memory of named processes (and their descendants) over one phase.

Memory as RSS and as PSS (proportional set size: shared pages split between the processes that map
them). The stack's Python processes share libpython and the same extension modules, so adding
their RSS counts those pages up to seven times; adding PSS counts them once.
"""

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


def _pss(procs: list[psutil.Process]) -> int:
    total = 0
    for p in procs:
        with suppress(psutil.Error, AttributeError):  # PSS: Linux only
            total += p.memory_full_info().pss
    return total


class ProcessSampler:
    """Samples RSS every `interval` seconds (PSS, dearer to read, every 8th time) in a thread; CPU is
    the difference from start to stop.

    It shares the load generator's process (and GIL): each sample must stay cheap. Finding a
    process's descendants scans all of /proc (~9 ms here), so the trees are found again only every
    5 s; they do not change while the stack runs.
    """

    def __init__(self, pids: dict[str, int], interval: float = 0.25) -> None:
        self._pids = pids
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)
        self._cpu0: dict[str, float] = {}
        self._peak: dict[str, int] = dict.fromkeys(pids, 0)
        self._peak_pss: dict[str, int] = dict.fromkeys(pids, 0)
        self._ticks = 0
        self._trees: dict[str, list[psutil.Process]] = {}

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
                   "peak_rss_mib": round(self._peak[name] / 2**20, 1),
                   "peak_pss_mib": round(self._peak_pss[name] / 2**20, 1)}
            for name, pid in self._pids.items()
        }

    def _sample(self) -> None:
        pss = self._ticks % 8 == 0
        if self._ticks % 20 == 0:
            self._trees = {name: _tree(pid) for name, pid in self._pids.items()}
        self._ticks += 1
        for name in self._pids:
            tree = self._trees[name]
            self._peak[name] = max(self._peak[name], _rss(tree))
            if pss:
                self._peak_pss[name] = max(self._peak_pss[name], _pss(tree))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()


def totals(per_process: dict[str, dict[str, float]]) -> dict[str, float]:
    """Whole-stack CPU seconds and the sums of the peaks (upper bounds of the stack's peak memory:
    RSS counting shared pages once per process, PSS once in all)."""
    return {"cpu_seconds": round(sum(p["cpu_seconds"] for p in per_process.values()), 3),
            "peak_rss_mib": round(sum(p["peak_rss_mib"] for p in per_process.values()), 1),
            "peak_pss_mib": round(sum(p.get("peak_pss_mib", 0) for p in per_process.values()), 1)}
