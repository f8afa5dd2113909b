"""Percentiles and latency summaries, without numpy."""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence

QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} is not within [0, 1]")
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summarize(values: Sequence[float]) -> dict[str, float | int | None]:
    """count, mean, p50/p95/p99 and max of latencies in seconds."""
    out: dict[str, float | int | None] = {"count": len(values)}
    out["mean"] = sum(values) / len(values) if values else None
    for name, q in QUANTILES.items():
        out[name] = percentile(values, q)
    out["max"] = max(values) if values else None
    return out


def ratio(ours: float | None, floor: float | None) -> float | None:
    """ours / floor, or None when either is missing or the floor is zero."""
    if ours is None or not floor:
        return None
    return ours / floor


REPEATED = re.compile(r"^(?P<phase>.+)-(?P<run>\d+)$")  # `--repeat`: the phase's label, a dash, its run


def medians_of_repeats(ratios: dict[str, dict[str, float | None]]) -> dict[str, dict]:
    """For each phase run more than once (`--repeat`), each ratio's median over its runs.

    One run's ratio moves with the machine's speed from one minute to the next (here by a fifth);
    the median of runs that took turns with the floor's moves less."""
    runs: dict[str, list[dict]] = defaultdict(list)
    for label, r in ratios.items():
        if m := REPEATED.match(label):
            runs[m["phase"]].append(r)

    def median(rs: list[dict], key: str) -> float | None:
        values = [r[key] for r in rs if r.get(key) is not None]
        return statistics.median(values) if values else None

    return {phase: {"runs": len(rs), **{k: median(rs, k) for k in rs[0]}}
            for phase, rs in runs.items() if len(rs) > 1}
