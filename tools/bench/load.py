"""Bounded load: a fixed rate or a fixed number in flight, for a fixed time, then a bounded drain."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass


@dataclass
class Outcome:
    """One bundle: seconds from the phase start, intake and completion latencies, what went wrong."""

    posted_at: float = 0.0
    sent_at: float | None = None  # the first POST, s from the phase start, and as wall-clock time
    sent_wall: float | None = None
    intake: float | None = None
    complete: float | None = None
    done_at: float | None = None
    throttled: int = 0  # 429s honoured before the 202: not errors
    error: str | None = None
    lost: bool = False
    bundle_id: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


StartOne = Callable[[int, Outcome, float], Awaitable[None]]


async def _guarded(start_one: StartOne, i: int, out: Outcome, t0: float, deadline: float) -> None:
    out.posted_at = time.monotonic() - t0
    try:
        await asyncio.wait_for(start_one(i, out, t0), timeout=max(0.1, deadline - time.monotonic()))
    except TimeoutError:
        if out.error is None:
            out.lost = True  # posted (or trying to) and never completed in time
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
        out.error = f"{type(exc).__name__}: {exc}"[:200]


async def run_phase(start_one: StartOne, *, rate: float | None = None, inflight: int | None = None,
                    duration: float, drain: float, limit: int) -> tuple[list[Outcome], float]:
    """Offer load for `duration` s (at most `limit` bundles), wait up to `drain` s more; (outcomes, t0)."""
    outcomes: list[Outcome] = []
    t0 = time.monotonic()
    deadline = t0 + duration + drain
    if rate:
        tasks = []
        for i in range(min(limit, int(rate * duration))):
            await asyncio.sleep(max(0.0, t0 + i / rate - time.monotonic()))
            out = Outcome()
            outcomes.append(out)
            tasks.append(asyncio.create_task(_guarded(start_one, i, out, t0, deadline)))
        await asyncio.gather(*tasks)
    else:
        counter = iter(range(limit))

        async def loop() -> None:
            while time.monotonic() - t0 < duration:
                i = next(counter, None)
                if i is None:
                    return
                out = Outcome()
                outcomes.append(out)
                await _guarded(start_one, i, out, t0, deadline)

        await asyncio.gather(*(loop() for _ in range(inflight or 1)))
    return outcomes, t0
