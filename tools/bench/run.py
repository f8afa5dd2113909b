"""One benchmark invocation: each phase against the stack, then the same phase against the floor."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import platform
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from temporalio.client import Client

from adapters.http import AiohttpTransport
from cli.stack import replica_names
from infra.workflow_runner import loaded_modules, without_bytecode
from tools.bench.births import BirthPoster, CompletionWatcher, draw_families, read_model_times
from tools.bench.floor import Completions, FloorStarter, FloorWorker, converter
from tools.bench.hospitals import issue_bench_keys
from tools.bench.load import Outcome, StartOne, run_phase
from tools.bench.procs import ProcessSampler
from tools.bench.profile import Profiler
from tools.bench.report import build_report, summarize_phase
from tools.bench.stack import Target, worker_settings_env

FLOOR_WORKFLOW_MODULE = "tools.bench.floor_workflow"
SATURATION_CAP = 40.0  # bundles/s an in-flight phase may start at most, to keep it bounded
Phase = tuple[str, float | None, int | None]  # (label, rate, inflight)


@dataclass
class Plan:
    """What to offer: (label, rate, inflight) phases of `duration` s, each drained for up to `drain` s."""

    phases: list[Phase]
    duration: float
    drain: float = 120.0
    floor: bool = True
    hospitals: int = 8
    profile: Path | None = None  # py-spy every Python process of the stack, into this folder
    shape: str = "embedded"  # the stack's: embedded (SQLite, one API and worker) or production
    floor_workers: int = 1  # floor worker processes on the floor's task queue (as many as our workers)
    extra: dict = field(default_factory=dict)

    def limit(self, rate: float | None, inflight: int | None) -> int:
        return int((rate or SATURATION_CAP) * self.duration)


def make_plan(*, mode: str, rate: float, rates: list[float] | None, inflight: int, duration: float,
              drain: float, floor: bool, hospitals: int = 8, repeat: int = 1) -> Plan:
    """Rate mode: each offered rate, then a saturation phase with `inflight` in flight (0 skips it).
    `repeat` > 1: the whole sequence that many times, its phases labelled `<phase>-<run>`."""
    if mode == "inflight":
        phases = [(f"inflight{inflight}", None, inflight)]
    else:
        phases = [(f"rate{r:g}", r, None) for r in (rates or [rate])]
        if inflight:
            phases.append(("saturation", None, inflight))
    if repeat > 1:  # in turns (rate5-1, saturation-1, rate5-2, ...): each phase's runs spread over time
        phases = [(f"{label}-{run}", r, n) for run in range(1, repeat + 1) for label, r, n in phases]
    return Plan(phases=phases, duration=duration, drain=drain, floor=floor, hospitals=hospitals)


def machine() -> dict:
    load1, load5, _ = os.getloadavg()
    return {"cpus": os.cpu_count(), "memory_mib": round(psutil.virtual_memory().total / 2**20),
            "python": platform.python_version(), "load_avg_1m": round(load1, 2),
            "load_avg_5m": round(load5, 2),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


async def history_shape(client: Client, workflow_id: str) -> dict:
    """Event counts of one finished workflow: total, activities by type, markers by kind, timers."""
    acts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    markers: Counter[str] = Counter()  # core_local_activity (a local activity), core_patch
    handle = client.get_workflow_handle(workflow_id)
    with contextlib.suppress(TimeoutError):  # work after completion (e.g. the family's SMS) counts
        await asyncio.wait_for(handle.result(), timeout=60)
    history = await handle.fetch_history()
    for e in history.events:
        if e.HasField("activity_task_scheduled_event_attributes"):
            acts[e.activity_task_scheduled_event_attributes.activity_type.name] += 1
        if e.HasField("marker_recorded_event_attributes"):
            markers[e.marker_recorded_event_attributes.marker_name] += 1
        kinds[e.WhichOneof("attributes") or "?"] += 1
    return {"events": len(history.events), "activities": dict(sorted(acts.items())),
            "markers": dict(sorted(markers.items())), "timers": kinds["timer_started_event_attributes"],
            "workflow_tasks": kinds["workflow_task_completed_event_attributes"],
            "event_types": {k.removesuffix("_event_attributes"): n for k, n in sorted(kinds.items())}}


@dataclass
class Side:
    """One side of the comparison (ours or the floor): how it starts a bundle, which processes it
    measures, and what its phases gave."""

    name: str
    start_one: StartOne
    pids: dict[str, int]
    remaining: Callable[[], int] | None = None  # ours: births left in the drawn population
    settle: Callable[[list[Outcome]], object] | None = None  # ours: exact completion times, read after
    phases: list[dict] = field(default_factory=list)
    sample_id: str | None = None  # one completed workflow, for its history's shape

    async def run(self, plan: Plan, phase: Phase, say=print) -> None:
        label, rate, inflight = phase
        limit = plan.limit(rate, inflight)
        if self.remaining is not None:
            limit = min(limit, self.remaining())
        with ProcessSampler(self.pids) as sampler:
            outcomes, _ = await run_phase(self.start_one, rate=rate, inflight=inflight,
                                          duration=plan.duration, drain=plan.drain, limit=limit)
        if self.settle is not None:
            self.settle(outcomes)
        result = summarize_phase(label, outcomes, duration=plan.duration, rate=rate, inflight=inflight,
                                 processes=sampler.result)
        say(f"  {self.name} {label}: {result['completed']}/{result['offered']} completed, "
            f"{result['errors']} errors, {result['lost']} lost")
        self.phases.append(result)
        self.sample_id = self.sample_id or next((o.bundle_id for o in outcomes if o.complete is not None),
                                                None)
        await asyncio.sleep(1.0)  # let the stack settle between phases


def _profiled(plan: Plan, pids: dict[str, int], side: str):
    if not plan.profile:
        return contextlib.nullcontext()
    return Profiler(pids, plan.profile / side, gil=plan.extra.get("profile_gil", False))


def stale_workflow_modules() -> list[str]:
    for name in ("workflows.kelahiran", FLOOR_WORKFLOW_MODULE):
        importlib.import_module(name)
    return without_bytecode(*loaded_modules("workflows", FLOOR_WORKFLOW_MODULE))


async def run_bench(plan: Plan, target: Target, *, workdir: Path, say=print) -> dict:
    """Run every phase against `target` and against the engine floor, in turns (or all of ours first
    when profiling); return the report."""
    info = machine()
    # The started stack runs this checkout's workflows, the floor worker its floor workflow.
    info["workflow_modules_without_bytecode"] = stale = stale_workflow_modules()
    if stale:
        say(f"warning: no current bytecode for {', '.join(stale)}: every workflow run compiles them "
            "from source, which the figures then include (run `python -m compileall -q workflows tools`, "
            "as scripts/bootstrap.sh does)")
    # The load generator must not become the bottleneck it measures: its connections are the
    # adapters' (aiohttp's pool under httpx, adapters/http.py), whose CPU per request does not grow
    # with the number in flight as httpcore's did (a poll(2) on every pooled connection per
    # request), and the polls have a pool of their own, out of the intake's way. Idle connections
    # expire before uvicorn's 5 s keep-alive closes them (else a request sent just then fails).
    def client_for(connections: int) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=30, trust_env=False, transport=AiohttpTransport(
            connections=connections, keepalive_expiry=2.0))

    client = None
    if target.temporal:
        client = await Client.connect(target.temporal, data_converter=converter(target.payload_keys))
    if plan.floor and client is None:
        raise ValueError("the engine floor needs the Temporal address of the target")
    # Ours and the floor take turns phase by phase, so each pair runs on the machine as it is then
    # (its speed drifted by 10-20 % within an hour here). Profiling keeps the sides apart instead:
    # one profile per side.
    interleave = plan.floor and not plan.profile
    async with client_for(48) as http, client_for(16) as polls, contextlib.AsyncExitStack() as stack:
        if not (target.hospital_keys or target.database_url):
            raise ValueError("the benchmark needs hospital API keys or the API's database to make them")
        keys = target.hospital_keys or issue_bench_keys(target.database_url, plan.hospitals)
        need = sum(plan.limit(r, n) for _, r, n in plan.phases)
        families = await draw_families(http, target.dukcapil, need)
        say(f"drew {len(families)} families for up to {need} births, posted as {len(keys)} hospitals")
        db = target.database_url
        watcher = await stack.enter_async_context(CompletionWatcher(db)) if db else None
        poster = BirthPoster(http, target.endpoints, families, keys=keys, watcher=watcher, polls=polls)
        ours = Side("ours", poster, target.pids, remaining=poster.remaining,
                    settle=(lambda outcomes: read_model_times(db, outcomes)) if db else None)
        floor = None
        if plan.floor:
            queue = f"bench-floor-{uuid.uuid4().hex[:8]}"
            completions = Completions()
            floor_pids = {k: v for k, v in target.pids.items() if k == "temporal"}
            for name in replica_names("floor-worker", plan.floor_workers):
                worker = FloorWorker(target.temporal, target.payload_keys, queue, workdir / f"{name}.log",
                                     settings_env=worker_settings_env(), completions=completions)
                stack.callback(worker.stop)
                floor_pids[name] = worker.pid
            floor = Side("floor", FloorStarter(client, queue, completions), floor_pids)

        with _profiled(plan, ours.pids, "ours"):
            for phase in plan.phases:
                await ours.run(plan, phase, say)
                if floor is not None and interleave:
                    await floor.run(plan, phase, say)
        if floor is not None and not interleave:
            say("running the engine floor")
            with _profiled(plan, floor.pids, "floor"):
                for phase in plan.phases:
                    await floor.run(plan, phase, say)

    shape = None
    if client is not None:
        shape = {"ours": await history_shape(client, ours.sample_id) if ours.sample_id else None}
        if floor is not None and floor.sample_id:
            shape["floor"] = await history_shape(client, floor.sample_id)
    info["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    config = {"phases": plan.phases, "duration_s": plan.duration, "drain_s": plan.drain,
              "hospitals": plan.hospitals, "floor": plan.floor, "interleaved": interleave,
              "stack_shape": plan.shape, "apis": target.endpoints, "floor_workers": plan.floor_workers,
              "processes": sorted(target.pids),
              "worker_settings": worker_settings_env(),
              **plan.extra}
    return build_report(config=config, machine=info, ours=ours.phases,
                        floor=floor.phases if floor is not None else None, shape=shape)
