import asyncio

from tools.bench.load import Outcome, run_phase


async def test_rate_phase_is_bounded_and_counts_failures():
    async def start_one(i: int, out: Outcome, t0: float) -> None:
        out.intake = 0.001
        if i == 1:
            raise RuntimeError("boom")
        if i == 2:
            await asyncio.sleep(10)  # never completes within the drain: lost
        out.complete, out.done_at = 0.01, 0.01

    outs, _ = await run_phase(start_one, rate=20, duration=0.2, drain=0.3, limit=100)
    assert len(outs) == 4
    assert [o.error is not None for o in outs] == [False, True, False, False]
    assert [o.lost for o in outs] == [False, False, True, False]


async def test_inflight_phase_respects_the_limit():
    running, peak = 0, 0

    async def start_one(i: int, out: Outcome, t0: float) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        out.complete = 0.01

    outs, _ = await run_phase(start_one, inflight=3, duration=5, drain=1, limit=12)
    assert len(outs) == 12 and peak == 3
