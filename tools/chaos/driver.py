"""What the chaos stages do to the stack from outside: post births as hospitals, inject simulator
faults, read the simulators' issuing counters and the bundles' outcomes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta

import httpx

from adapters.dukcapil.auth import ClientCredentials
from infra.settings import DEV_DUKCAPIL_CLIENT_ID, DEV_DUKCAPIL_CLIENT_SECRET
from tools.bench.births import draw_families
from tools.notifications import child, notification_from_sample, spelled

ADMIN = {"X-Admin-Token": "dev-admin-token"}  # the simulators' development token (`up` sets no other)
ENDED = {"completed", "needs_attention", "rejected", "cancelled", "failed"}
# A hospital retries what did not reach us, as the API's answer asks: 429 (Retry-After) and 503.
RETRIED = {429, 502, 503, 504}


class Driver:
    """The hospitals' side of the stack, plus the testers' admin APIs of the simulators."""

    def __init__(self, urls: dict, keys: list[str]) -> None:
        self.urls, self.keys = urls, keys
        # No keep-alive: an idle connection to a server that was just killed fails the next request.
        self.http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_keepalive_connections=0))
        self.owner: dict[str, str] = {}  # bundle id -> the key that posted it (reads use it too)
        # `up` runs with the development credentials: ChaosUp strips the caller's KELAHIRAN_* settings.
        self._auth = ClientCredentials.for_server(urls["dukcapil"], DEV_DUKCAPIL_CLIENT_ID,
                                                  DEV_DUKCAPIL_CLIENT_SECRET)
        self._families: list[dict] = []
        self._born = 0

    async def aclose(self) -> None:
        await self.http.aclose()

    async def stock(self, count: int) -> None:
        """Draw `count` families up front (each birth needs a family of its own)."""
        self._families = await draw_families(self.http, self.urls["dukcapil"], count)
        if len(self._families) < count:
            raise RuntimeError(f"the population has only {len(self._families)} fitting families, not {count}")

    def births(self, n: int) -> list[dict]:
        """`n` new births, each from a family of its own; every fifth of a first child is twins."""
        out = []
        for _ in range(n):
            fam, i = self._families.pop(), self._born
            self._born += 1
            kids = [child(1, sex="female" if i % 2 else "male", name=f"Bayi Chaos {spelled(i)}")]
            # Twins only as a first delivery: a PPU family's 3rd and 4th child would wait for a payment.
            if i % 5 == 4 and fam.get("jumlah_anak", 9) == 0:
                kids.append(child(2, sex="female", name=f"Bayi Chaos {spelled(i)} Kembar"))
            out.append(notification_from_sample(fam, birth_date=date.today() - timedelta(days=1),
                                                children=kids))
        return out

    async def post(self, body: dict, key: str | None = None, *, patience: float = 600) -> str | None:
        """POST as a hospital that retries until accepted; the bundle id, None if never accepted."""
        key = key or self.keys[hash(body["record_id"]) % len(self.keys)]
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            try:
                r = await self.http.post(f"{self.urls['api']}/v1/births", json=body,
                                         headers={"X-API-Key": key})
            except httpx.TransportError:  # the API itself is down (a power loss): try again
                await asyncio.sleep(1)
                continue
            if r.status_code == 202:
                bundle = r.json()["bundle_id"]
                self.owner[bundle] = key
                return bundle
            if r.status_code not in RETRIED:
                raise RuntimeError(f"POST /v1/births answered {r.status_code}: {r.text[:300]}")
            await asyncio.sleep(min(10.0, float(r.headers.get("retry-after", "1"))))
        return None

    async def post_all(self, bodies: list[dict], *, parallel: int = 16) -> list[str | None]:
        sem = asyncio.Semaphore(parallel)

        async def one(body: dict) -> str | None:
            async with sem:
                return await self.post(body)

        return list(await asyncio.gather(*(one(b) for b in bodies)))

    async def bundle(self, bundle_id: str) -> dict | None:
        """The bundle as the posting hospital reads it; None while the API does not answer."""
        try:
            r = await self.http.get(f"{self.urls['api']}/v1/births/{bundle_id}",
                                    headers={"X-API-Key": self.owner[bundle_id]})
        except httpx.TransportError:
            return None
        return r.json() if r.status_code == 200 else None

    async def bundles(self, ids: list[str]) -> dict[str, dict | None]:
        sem = asyncio.Semaphore(8)

        async def one(b: str) -> dict | None:
            async with sem:
                return await self.bundle(b)

        return dict(zip(ids, await asyncio.gather(*(one(b) for b in ids)), strict=True))

    async def wait_ended(self, ids: list[str], timeout: float,
                         alive: Callable[[], None] = lambda: None) -> dict[str, dict | None]:
        """Poll until every bundle has ended (or `timeout`); their last states. `alive` raises if
        the stack is gone (nothing would end then)."""
        deadline = time.monotonic() + timeout
        last: dict[str, dict | None] = {}
        left = list(ids)
        while left:
            alive()
            last.update(await self.bundles(left))
            left = [b for b in left if (last[b] or {}).get("status") not in ENDED]
            if not left or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        return last

    async def counts(self) -> dict[str, int]:
        """The simulators' issuing counters: what was really issued, whatever our read model says."""
        r = await self.http.get(f"{self.urls['dukcapil']}/v1/statistik", auth=self._auth)
        r.raise_for_status()
        duk = r.json()
        r = await self.http.get(f"{self.urls['bpjs']}/v1/statistik", headers=ADMIN)
        r.raise_for_status()
        return {**{k: duk[k] for k in ("nik_bayi", "akta", "kia", "kk_terbit_ulang")},
                "bpjs_newborn": r.json()["newborn_total"]}

    async def issued_niks(self, n: int, before: dict[str, int], timeout: float = 120) -> None:
        """Until `n` child NIKs were issued since `before`: bundles are mid-way."""
        deadline = time.monotonic() + timeout
        while (await self.counts())["nik_bayi"] - before["nik_bayi"] < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{n} NIKs were not issued within {timeout:.0f} s")
            await asyncio.sleep(0.3)

    async def fault(self, system: str, rule: dict) -> str:
        r = await self.http.post(f"{self.urls[system]}/admin/faults", headers=ADMIN, json=rule)
        r.raise_for_status()
        return r.json()["id"]

    async def clear_faults(self) -> None:
        for system in ("dukcapil", "bpjs"):
            (await self.http.delete(f"{self.urls[system]}/admin/faults", headers=ADMIN)).raise_for_status()
