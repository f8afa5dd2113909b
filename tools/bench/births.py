"""Births for the real stack: families drawn up front, posted like hospitals, polled to completion."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from datetime import date, timedelta

import httpx
from sqlmodel import Session, col, select

from store.db import make_engine
from store.models import Bundle
from tools.bench.load import Outcome
from tools.notifications import child, notification_from_sample, spelled

# Families whose bundle completes without a payment or a person: connected offices, PBI/PPU, fewer
# than three children (a 4th PPU child waits for a payment); the proof the KK supports.
OFFICES = ("3673", "3604", "3672", "3201")
SEGMENTS = ("PBI", "PPU")
CHILDREN = (0, 1, 2)
MAX_RETRY_AFTER = 10.0


async def draw_families(http: httpx.AsyncClient, dukcapil: str, count: int) -> list[dict]:
    """`count` distinct families (fewer if the population runs out)."""
    seen: dict[str, dict] = {}
    combos = [(k, s, a) for k in OFFICES for s in SEGMENTS for a in CHILDREN]
    seed = 0
    while len(seen) < count and seed < 200:
        params = [{"kab_kota": k, "segmen": s, "anak": a, "belum_ada_kelahiran": "true", "limit": 50,
                   "seed": seed} for k, s, a in combos]
        # A few at a time: 24 at once left the simulator's memory 100 MiB higher for the whole run.
        pages = []
        for i in range(0, len(params), 4):
            pages += await asyncio.gather(*(http.get(f"{dukcapil}/v1/sampel/keluarga", params=p)
                                            for p in params[i:i + 4]))
        before = len(seen)
        for page in pages:
            page.raise_for_status()
            for fam in page.json():
                seen.setdefault(fam["no_kk"], fam)
        if len(seen) == before and seed > 3:
            break
        seed += 1
    return list(seen.values())[:count]


class CompletionWatcher:
    """Watches the read model for the bundles in flight: one query per `interval` for all of them.

    Polling the API for each bundle made the benchmark's own GETs a load on the API it measures
    (hundreds per second in a burst, each decrypting a state), and that load showed up as intake
    latency. The bench reads what the API would answer, from the same rows, without the API.
    """

    def __init__(self, database_url: str, *, interval: float = 0.1) -> None:
        self._url, self._interval = database_url, interval
        self._waiting: dict[str, asyncio.Future[str]] = {}
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> CompletionWatcher:
        self._engine = make_engine(self._url)  # its reads never wait for the stack's writers
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_exc) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._engine.dispose()

    def wait(self, bundle_id: str) -> asyncio.Future[str]:
        """Resolves with the bundle's status once it is no longer in progress."""
        fut = self._waiting.get(bundle_id)
        if fut is None or fut.done():
            fut = self._waiting[bundle_id] = asyncio.get_running_loop().create_future()
        return fut

    def _ended(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        with Session(self._engine) as s:
            for i in range(0, len(ids), 500):
                out.update(s.exec(select(Bundle.id, Bundle.status).where(
                    col(Bundle.id).in_(ids[i:i + 500]), Bundle.status != "in_progress")).all())
        return out

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            ids = [b for b, f in self._waiting.items() if not f.done()]
            if not ids:
                continue
            for bundle_id, status in (await asyncio.to_thread(self._ended, ids)).items():
                fut = self._waiting.pop(bundle_id)
                if not fut.done():
                    fut.set_result(status)


class BirthPoster:
    """Posts one birth per call and waits until its bundle has completed.

    With a `watcher` (the read model's database at hand) completion is seen in the read model and
    `read_model_times` times it from when the completed state was written; the API is then asked
    once, to check it shows the same. Without, the API is polled every 0.1 s: the poll that sees it
    counts.
    """

    def __init__(self, http: httpx.AsyncClient, api: str | list[str], families: list[dict], *,
                 keys: list[str], watcher: CompletionWatcher | None = None,
                 polls: httpx.AsyncClient | None = None) -> None:
        if not keys:
            raise ValueError("the benchmark needs at least one hospital API key")
        # Several APIs (the production shape) take the births in turn, as a round-robin balancer would.
        self._apis = itertools.cycle([api] if isinstance(api, str) else list(api))
        self._http, self._families = http, families
        self._polls = polls or http  # GETs may queue in a pool of their own; the POSTs must not
        self._keys, self._watcher = keys, watcher

    def remaining(self) -> int:
        return len(self._families)

    async def __call__(self, i: int, out: Outcome, t0: float) -> None:
        if not self._families:
            out.error = "no family left in the population"
            return
        body = notification_from_sample(self._families.pop(), birth_date=date.today() - timedelta(days=1),
                                        children=[child(1, name=f"Bayi Bench {spelled(i)}")])
        headers = {"X-API-Key": self._keys[i % len(self._keys)]}  # spread over the hospitals' rate limits
        api = next(self._apis)  # its status is asked of the API that took it
        first = time.monotonic()
        out.sent_wall, out.sent_at = time.time(), first - t0
        while True:
            sent = time.monotonic()
            r = await self._http.post(f"{api}/v1/births", json=body, headers=headers)
            if r.status_code != 429:
                break
            out.throttled += 1  # honoured, not an error
            await asyncio.sleep(min(MAX_RETRY_AFTER, float(r.headers.get("Retry-After", "1"))))
        if r.status_code != 202:
            out.error = f"HTTP {r.status_code} on POST: {r.text[:120]}"
            return
        out.intake = time.monotonic() - sent
        out.bundle_id = r.json()["bundle_id"]
        if self._watcher is not None:
            await self._watcher.wait(out.bundle_id)
        while True:
            if self._watcher is None:
                await asyncio.sleep(0.1)
            g = await self._polls.get(f"{api}/v1/births/{out.bundle_id}", headers=headers)
            if g.status_code == 429:
                await asyncio.sleep(min(MAX_RETRY_AFTER, float(g.headers.get("Retry-After", "1"))))
                continue
            g.raise_for_status()
            status = g.json()["status"]
            if status == "completed":
                now = time.monotonic()
                out.complete, out.done_at = now - first, now - t0
                return
            if status != "in_progress":
                out.error = f"bundle ended {status}"
                return
            if self._watcher is not None:
                out.error = f"the read model says the bundle ended, the API says {status}"
                return


def read_model_times(database_url: str, outcomes: list[Outcome]) -> int:
    """Time completions from the read model: when the completed state was written (`updated_at`).

    That is when a hospital could first see it, however often it polls; the poll's own time stays
    as an upper bound. Returns how many were timed. Reads only; the bench's own bundles only.
    """
    done = {o.bundle_id: o for o in outcomes if o.complete is not None and o.sent_wall is not None}
    if not done:
        return 0
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            rows = s.exec(select(Bundle.id, Bundle.updated_at).where(
                col(Bundle.id).in_(list(done)), Bundle.status == "completed")).all()
    finally:
        engine.dispose()
    for bundle_id, written in rows:
        o = done[bundle_id]
        took = written.timestamp() - o.sent_wall
        if 0 < took < o.complete:
            o.done_at = o.sent_at + took
            o.complete = took
    return len(rows)
