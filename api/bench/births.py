"""Births for the real stack: families drawn up front, posted like hospitals, polled to completion."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import httpx

from api.bench.load import Outcome
from api.cli.notifications import child, notification_from_sample

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
        pages = await asyncio.gather(*(http.get(f"{dukcapil}/v1/sampel/keluarga", params=p) for p in params))
        before = len(seen)
        for page in pages:
            page.raise_for_status()
            for fam in page.json():
                seen.setdefault(fam["no_kk"], fam)
        if len(seen) == before and seed > 3:
            break
        seed += 1
    return list(seen.values())[:count]


ClosedAt = Callable[[str], Awaitable[float]]


class BirthPoster:
    """Posts one birth per call and waits until the API shows its bundle completed.

    With `closed_at` (the bundle workflow's close time, epoch seconds, from Temporal) completion is
    timed exactly and the API is polled only every `poll` s to see it; without, the time the poll
    sees it counts, and polling is every 100 ms.
    """

    def __init__(self, http: httpx.AsyncClient, api: str, families: list[dict], *, keys: list[str],
                 closed_at: ClosedAt | None = None, poll: float | None = None) -> None:
        if not keys:
            raise ValueError("the benchmark needs at least one hospital API key")
        self._http, self._api, self._families = http, api, families
        self._keys, self._closed_at = keys, closed_at
        self._poll = poll if poll is not None else (0.5 if closed_at else 0.1)

    def remaining(self) -> int:
        return len(self._families)

    async def __call__(self, i: int, out: Outcome, t0: float) -> None:
        if not self._families:
            out.error = "no family left in the population"
            return
        body = notification_from_sample(self._families.pop(), birth_date=date.today() - timedelta(days=1),
                                        children=[child(1, name=f"Bayi Bench {i}")])
        headers = {"X-API-Key": self._keys[i % len(self._keys)]}  # spread over the hospitals' rate limits
        first, first_wall = time.monotonic(), time.time()
        while True:
            sent = time.monotonic()
            r = await self._http.post(f"{self._api}/v1/births", json=body, headers=headers)
            if r.status_code != 429:
                break
            out.throttled += 1  # honoured, not an error
            await asyncio.sleep(min(MAX_RETRY_AFTER, float(r.headers.get("Retry-After", "1"))))
        if r.status_code != 202:
            out.error = f"HTTP {r.status_code} on POST: {r.text[:120]}"
            return
        out.intake = time.monotonic() - sent
        out.bundle_id = r.json()["bundle_id"]
        while True:
            await asyncio.sleep(self._poll)
            g = await self._http.get(f"{self._api}/v1/births/{out.bundle_id}", headers=headers)
            if g.status_code == 429:
                await asyncio.sleep(min(MAX_RETRY_AFTER, float(g.headers.get("Retry-After", "1"))))
                continue
            g.raise_for_status()
            status = g.json()["status"]
            if status == "completed":
                took = time.monotonic() - first
                if self._closed_at is not None:
                    # The final read-model write lands before the workflow closes: an upper bound of
                    # when the hospital could first see it, without polling every bundle at 10 Hz.
                    took = min(took, await self._closed_at(out.bundle_id) - first_wall)
                out.complete, out.done_at = took, first - t0 + took
                return
            if status != "in_progress":
                out.error = f"bundle ended {status}"
                return
