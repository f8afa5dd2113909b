"""The whole system in one test session: Temporal dev server, both simulators, API and worker.

Everything talks over real HTTP on 127.0.0.1 and to the real Temporal dev server.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from temporalio.client import Client

from api.settings import Settings

TERMINAL = {"completed", "closed_with_issues", "stillbirth_recorded"}
ADMIN = {"X-Admin-Token": "dev-admin-token"}
_seeds = itertools.count(1000)


@dataclass
class Stack:
    api_url: str
    dukcapil_url: str
    bpjs_url: str
    settings: Settings
    client: Client
    # Idle connections expire before uvicorn's 5 s keep-alive closes them under us.
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(
        timeout=30, limits=httpx.Limits(keepalive_expiry=2)))

    async def post(self, body: dict, hospital: str = "RSUD-SERANG") -> httpx.Response:
        return await self.http.post(f"{self.api_url}/v1/births", json=body,
                                    headers={"X-Hospital-Id": hospital})

    async def accepted(self, body: dict, hospital: str = "RSUD-SERANG") -> str:
        r = await self.post(body, hospital)
        assert r.status_code == 202, r.text
        return r.json()["bundle_id"]

    async def get(self, bundle_id: str) -> dict:
        r = await self.http.get(f"{self.api_url}/v1/births/{bundle_id}")
        assert r.status_code == 200, r.text
        return r.json()

    async def wait(self, bundle_id: str, until: Callable[[dict], bool] | None = None,
                   timeout: float = 45) -> dict:
        """Poll the API until the predicate (default: a terminal status) holds."""
        until = until or (lambda b: b["status"] in TERMINAL)
        deadline = time.monotonic() + timeout
        last: dict = {}
        while time.monotonic() < deadline:
            r = await self.http.get(f"{self.api_url}/v1/births/{bundle_id}")
            if r.status_code == 200:
                last = r.json()
                if until(last):
                    return last
            await asyncio.sleep(0.1)
        raise AssertionError(f"bundle {bundle_id} did not reach the expected state; last: {last}")

    async def family(self, **traits: Any) -> dict:
        """Draw one family with the given traits from the Dukcapil population (a new one each call)."""
        params = {"limit": 1, "seed": next(_seeds), "belum_ada_kelahiran": True, **traits}
        r = await self.http.get(f"{self.dukcapil_url}/v1/sampel/keluarga", params=params)
        assert r.status_code == 200, r.text
        items = r.json()
        items = items["items"] if isinstance(items, dict) else items
        assert items, f"no family with traits {traits}"
        return items[0]

    async def kk_detail(self, kk_number: str) -> dict:
        r = await self.http.post(f"{self.dukcapil_url}/v1/kk/detail", json={"no_kk": kk_number})
        assert r.status_code == 200, r.text
        return r.json()

    async def dukcapil_stats(self) -> dict:
        r = await self.http.get(f"{self.dukcapil_url}/v1/statistik")
        assert r.status_code == 200, r.text
        return r.json()

    async def bpjs_fault(self, endpoint: str, status: int, remaining: int | None) -> None:
        r = await self.http.post(f"{self.bpjs_url}/admin/faults", headers=ADMIN,
                                 json={"endpoint": endpoint, "status_code": status, "remaining": remaining})
        assert r.status_code == 201, r.text

    async def bpjs_faults(self) -> list:
        return (await self.http.get(f"{self.bpjs_url}/admin/faults", headers=ADMIN)).json()

    async def pay(self, virtual_account: str, amount: int) -> httpx.Response:
        return await self.http.post(f"{self.bpjs_url}/bank/pembayaran",
                                    json={"virtualAccount": virtual_account, "jumlah": amount})

    async def update(self, bundle_id: str, name: str, arg: Any) -> Any:
        from api import actions

        return await actions.send_update(self.client, bundle_id, name, arg)


def svc(bundle: dict, service: str, order: int = 1) -> dict:
    """One service's state from a bundle as the API returns it."""
    if service in ("kk", "routing"):
        return bundle[service]
    child = next(c for c in bundle["children"] if c["birth_order"] == order)
    return child["services"][service]
