"""A chaos run: start `kelahiran up`, run the stages in turn, then look for personal data everywhere."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from tools.chaos.checks import REGISTRIES, Secrets, find, scan_folder
from tools.chaos.driver import Driver
from tools.chaos.plan import Plan
from tools.chaos.report import StageResult
from tools.chaos.stack import ChaosUp
from tools.chaos.stages import RUN, Ctx

HOSPITALS = 8  # API keys the births are spread over (intake is rate-limited per hospital)


async def run_chaos(plan: Plan, data: Path, say: Callable[[str], None]) -> list[StageResult]:
    from tools.bench.hospitals import issue_bench_keys

    # The simulators' population: room for every birth's own family among those that fit.
    up = ChaosUp(data, population=max(3000, 6 * plan.births()))
    started = time.monotonic()
    say(f"starting `kelahiran up` in {data} (API on port {up.ports['api']})")
    await asyncio.to_thread(up.start)
    say(f"up in {time.monotonic() - started:.0f} s")
    driver = Driver(up.urls, await asyncio.to_thread(issue_bench_keys, up.urls["database_url"], HOSPITALS))
    try:
        await driver.stock(plan.births())
        ctx = Ctx(up=up, driver=driver, plan=plan, say=say)
        results: list[StageResult] = []
        for stage in plan.stages:
            say(f"stage {stage}...")
            for r in await RUN[stage](ctx):
                say(f"  {r.stage}: {r.completed}/{r.accepted} completed, {r.duplicates} duplicates, "
                    f"drift {r.drift}, {r.seconds:.0f} s" + "".join(f"\n    {n}" for n in r.notes))
                results.append(r)
        say("looking for the posted NIKs, KK numbers and names in logs, database files and histories...")
        say(await look_for_pii(ctx, results))
        return results
    finally:
        await driver.aclose()
        await asyncio.to_thread(up.stop)


async def look_for_pii(ctx: Ctx, results: list[StageResult]) -> str:
    """One scan of the data folder and every workflow history for everything every stage posted;
    each hit counted against the stage that posted it. Says what was scanned."""
    everything = Secrets()
    for s in ctx.secrets.values():
        everything.merge(s)
    files = [p for p in ctx.up.data.rglob("*") if p.is_file() and not p.name.startswith(REGISTRIES)]
    where = await asyncio.to_thread(scan_folder, ctx.up.data, everything)
    runs, in_histories = await histories(ctx.up.data, everything)
    where |= in_histories
    for r in results:
        mine = ctx.secrets[r.stage].all()
        found = {place: hits & mine for place, hits in where.items() if hits & mine}
        r.pii = len(set().union(*found.values())) if found else 0
        r.notes += [f"{len(hits)} posted identifier(s) in {place}" for place, hits in sorted(found.items())]
    size = sum(p.stat().st_size for p in files) / 2**20
    return (f"  {len(everything.numbers)} NIK/KK numbers and {len(everything.names)} names looked for in "
            f"{len(files)} files ({size:.0f} MiB) and {runs} workflow histories: "
            f"{len(set().union(*where.values())) if where else 0} found")


async def histories(data: Path, secrets: Secrets) -> tuple[int, dict[str, set]]:
    """Every workflow's history as Temporal stores it (payloads still encrypted): how many, and
    workflow -> hits."""
    from cli.local import local_defaults
    from infra.settings import Settings
    from infra.temporal_client import connect

    client = await connect(Settings(**local_defaults(data)))
    sem = asyncio.Semaphore(16)

    async def one(workflow_id: str, run_id: str | None) -> set:
        async with sem:
            history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        return find(b"".join(e.SerializeToString() for e in history.events), secrets)

    runs = [(wf.id, wf.run_id) async for wf in client.list_workflows()]
    found = await asyncio.gather(*(one(w, r) for w, r in runs))
    return len(runs), {f"history of {w}": hits for (w, _), hits in zip(runs, found, strict=True) if hits}
