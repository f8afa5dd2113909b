"""The chaos stages: each posts its own births, breaks one thing, lets the stack heal, and audits."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from tools.chaos.checks import Secrets, audit, drift
from tools.chaos.driver import ENDED, Driver
from tools.chaos.plan import Plan
from tools.chaos.report import StageResult
from tools.chaos.stack import ChaosUp

# Slow enough that bundles are mid-way when something is killed (as tests/crash does).
LATENCY = {"kind": "uniform", "min_ms": 200, "max_ms": 600}


@dataclass
class Ctx:
    up: ChaosUp
    driver: Driver
    plan: Plan
    say: Callable[[str], None]
    secrets: dict[str, Secrets] = field(default_factory=dict)  # stage -> what it posted and got


async def settle(ctx: Ctx, stage: str, bodies: list[dict], ids: list[str | None], before: dict[str, int],
                 started: float, notes: list[str]) -> StageResult:
    """Wait for the stage's bundles to end, then audit them against the simulators' counters."""
    d = ctx.driver
    accepted = [b for b in dict.fromkeys(ids) if b]
    # One body sent many times (the identical stage) or one body per id.
    sent = bodies * len(ids) if len(bodies) == 1 else bodies
    children = {b: len(body["children"]) for b, body in zip(ids, sent, strict=True) if b}
    states = await d.wait_ended(accepted, ctx.plan.drain_seconds, alive=ctx.up.alive)
    delta = {k: v - before[k] for k, v in (await d.counts()).items()}
    posted = len({body["record_id"] for body in bodies})
    a = audit(states, children, delta, extra_bundles=max(0, len(accepted) - posted))
    if len(accepted) < posted:
        notes.append(f"{posted - len(accepted)} birth(s) never accepted")
    drifted, said = await asyncio.to_thread(drift, ctx.up.data)
    if drifted:
        notes.append(f"readmodel drift: {said}")
    secrets = ctx.secrets.setdefault(stage, Secrets())
    for body in bodies:
        secrets.add_body(body)
    for state in states.values():
        secrets.add_state(state)
    return StageResult(stage=stage, posted=posted, accepted=len(accepted), completed=a.completed,
                       duplicates=a.duplicates, missing=a.missing, drift=drifted,
                       seconds=time.monotonic() - started, notes=notes + a.notes)


async def in_flight(d: Driver, ids: list[str | None]) -> int:
    states = await d.bundles([b for b in ids if b])
    return sum((s or {}).get("status") not in ENDED for s in states.values())


@contextlib.asynccontextmanager
async def slowed(d: Driver) -> AsyncIterator[None]:
    for system in ("dukcapil", "bpjs"):
        await d.fault(system, {"endpoint": "*", "latency": LATENCY, "label": "chaos: bundles mid-way"})
    try:
        yield
    finally:
        await d.clear_faults()


@contextlib.asynccontextmanager
async def mid_flight(d: Driver, bodies: list[dict], before: dict[str, int]
                     ) -> AsyncIterator[tuple[list[str | None], int]]:
    """Births posted with the simulators slowed, held until a tenth have their NIK: the stage's
    fault then lands on bundles mid-way. Yields their ids (a list the stage may add to) and how many
    are in flight."""
    async with slowed(d):
        ids = await d.post_all(bodies)
        await d.issued_niks(max(1, len(bodies) // 10), before)
        yield ids, await in_flight(d, ids)


async def identical(ctx: Ctx) -> list[StageResult]:
    """The same record POSTed N times at once, as a hospital's retrying client might."""
    out = []
    for n in ctx.plan.identical:
        started, d = time.monotonic(), ctx.driver
        body, before = d.births(1)[0], await d.counts()
        ids = await asyncio.gather(*(d.post(body, d.keys[0]) for _ in range(n)))
        note = f"{n} concurrent POSTs of one record: {len(set(ids))} bundle id(s) answered"
        out.append(await settle(ctx, f"identical x{n}", [body], list(ids), before, started, [note]))
    return out


async def kill(ctx: Ctx, role: str, *, late: int) -> list[StageResult]:
    """SIGKILL one of `up`'s children with births in flight; `up` restarts it."""
    started, d = time.monotonic(), ctx.driver
    bodies, later = d.births(ctx.plan.in_flight), d.births(late)
    before = await d.counts()
    async with mid_flight(d, bodies, before) as (ids, flying):
        mark = ctx.up.said()
        os.kill(ctx.up.pid(role), signal.SIGKILL)
        killed = time.monotonic()
        ids += await d.post_all(later)  # while it is down: the API keeps them and starts them later
        await asyncio.to_thread(ctx.up.wait_for, f"{role} is ready again", 300, after=mark)
    note = (f"{role} SIGKILLed with {flying} in flight"
            + (f", {late} posted while it was down" if late else "")
            + f"; back {time.monotonic() - killed:.0f} s later (restarted by `up`)")
    return [await settle(ctx, f"{role} SIGKILL", bodies + later, ids, before, started, [note])]


async def freeze(ctx: Ctx) -> list[StageResult]:
    """SIGSTOP Temporal (a hung server: connections stay open, nothing answers), then SIGCONT."""
    started, d, plan = time.monotonic(), ctx.driver, ctx.plan
    bodies, later = d.births(plan.in_flight), d.births(plan.late)
    before = await d.counts()
    async with mid_flight(d, bodies, before) as (ids, flying):
        pid = ctx.up.pid("temporal")
        os.kill(pid, signal.SIGSTOP)
        try:
            posting = asyncio.ensure_future(d.post_all(later))
            await asyncio.sleep(plan.freeze_seconds)
        finally:
            os.kill(pid, signal.SIGCONT)
        ids += await posting
    note = (f"Temporal frozen (SIGSTOP) {plan.freeze_seconds:.0f} s with {flying} in flight, "
            f"{plan.late} posted meanwhile")
    return [await settle(ctx, "temporal SIGSTOP", bodies + later, ids, before, started, [note])]


async def outage(ctx: Ctx) -> list[StageResult]:
    """BPJS answers 503 to every call for a while (the simulators' fault API)."""
    started, d, seconds = time.monotonic(), ctx.driver, ctx.plan.outage_seconds
    bodies, before = d.births(ctx.plan.outage_births), await d.counts()
    await d.fault("bpjs", {"endpoint": "*", "outage": {"for_seconds": seconds, "status_code": 503},
                           "label": "chaos: BPJS down"})
    try:
        ids = await d.post_all(bodies)
        await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
        waiting = await in_flight(d, ids)
    finally:
        await d.clear_faults()
    note = f"BPJS down {seconds:.0f} s; {waiting} of {len(bodies)} bundles waiting for it when it came back"
    return [await settle(ctx, "BPJS outage", bodies, ids, before, started, [note])]


async def power_loss(ctx: Ctx) -> list[StageResult]:
    """Every process of `up` SIGKILLed at once; `up` started again on the same data folder."""
    started, d, plan = time.monotonic(), ctx.driver, ctx.plan
    bodies, later = d.births(plan.in_flight), d.births(plan.late)
    before = await d.counts()
    async with mid_flight(d, bodies, before) as (ids, flying):
        await asyncio.to_thread(ctx.up.power_loss)
        lost = time.monotonic()
        posting = asyncio.ensure_future(d.post_all(later))  # the hospitals retry until it answers
        await asyncio.to_thread(ctx.up.start)
        ids += await posting
    note = (f"power loss with {flying} in flight; `up` started again, ready {time.monotonic() - lost:.0f} s "
            f"later; {plan.late} posted meanwhile")
    return [await settle(ctx, "power loss", bodies + later, ids, before, started, [note])]


async def burst(ctx: Ctx) -> list[StageResult]:
    """Births at a fixed arrival rate, each POST on its own schedule (none waits for another)."""
    started, d, plan = time.monotonic(), ctx.driver, ctx.plan
    bodies = d.births(round(plan.burst_rate * plan.burst_seconds))
    before = await d.counts()

    async def at(i: int, body: dict) -> str | None:
        await asyncio.sleep(max(0.0, started + i / plan.burst_rate - time.monotonic()))
        return await d.post(body)

    ids = await asyncio.gather(*(at(i, b) for i, b in enumerate(bodies)))
    note = (f"{len(bodies)} births at {plan.burst_rate:g}/s for {plan.burst_seconds:g} s, "
            f"all accepted after {time.monotonic() - started:.1f} s")
    return [await settle(ctx, f"burst {plan.burst_rate:g}/s", bodies, list(ids), before, started, [note])]


RUN: dict[str, Callable[[Ctx], Awaitable[list[StageResult]]]] = {
    "identical": identical,
    "worker-kill": lambda ctx: kill(ctx, "worker", late=0),
    "temporal-kill": lambda ctx: kill(ctx, "temporal", late=ctx.plan.late),
    "temporal-freeze": freeze,
    "bpjs-outage": outage,
    "power-loss": power_loss,
    "burst": burst,
}
