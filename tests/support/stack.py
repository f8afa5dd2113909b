"""The whole system in one test session: Temporal dev server, both simulators, API and worker.

Everything talks over real HTTP on 127.0.0.1 and to the real Temporal dev server.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from adapters.dukcapil.auth import ClientCredentials
from domain.contracts import TERMINAL_STATUSES
from infra.settings import Settings
from tests.support import creds

TERMINAL = {s.value for s in TERMINAL_STATUSES}
ADMIN = {"X-Admin-Token": "dev-admin-token"}
_seeds = itertools.count(1000)


@dataclass
class Stack:
    api_url: str
    dukcapil_url: str
    bpjs_url: str
    settings: Settings
    client: Client
    sms_url: str = ""  # the SMS gateway simulator: what reached the families' phones
    # Idle connections expire before uvicorn's 5 s keep-alive closes them under us.
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(
        timeout=30, limits=httpx.Limits(keepalive_expiry=2)))
    owner: dict[str, str] = field(default_factory=dict)  # bundle id -> hospital that posted it
    drawn: set[str] = field(default_factory=set)  # KK numbers of the families tests drew

    def hospital(self, hospital: str = "RSUD-SERANG") -> dict[str, str]:
        """Headers authenticating as this hospital (created, with a key, on first use)."""
        return creds.hospital_headers(self.settings, hospital)

    async def staff(self, role: str, office: str | None = None) -> dict[str, str]:
        """Headers of a logged-in operator with this role (and office; None = every office)."""
        return await creds.staff_headers(self.http, self.api_url, self.settings, role, office)

    async def post(self, body: dict, hospital: str = "RSUD-SERANG") -> httpx.Response:
        """POST as a well-behaved hospital: a 429 is waited out (Retry-After), not returned."""
        for _ in range(30):
            r = await self.http.post(f"{self.api_url}/v1/births", json=body, headers=self.hospital(hospital))
            if r.status_code == 202:  # later reads use this hospital's key: no login, no audit entry
                self.owner[r.json()["bundle_id"]] = hospital
            if r.status_code != 429:
                return r
            await asyncio.sleep(float(r.headers["retry-after"]))
        return r

    async def accepted(self, body: dict, hospital: str = "RSUD-SERANG") -> str:
        """POST, and return the bundle id once its workflow exists (the API starts it just after)."""
        r = await self.post(body, hospital)
        assert r.status_code == 202, r.text
        bundle_id = r.json()["bundle_id"]
        self.owner[bundle_id] = hospital
        await self.started(bundle_id)
        return bundle_id

    async def started(self, bundle_id: str, timeout: float = 30.0) -> None:
        """Until Temporal has the bundle's workflow (the API's starter drains its pending starts)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                await self.client.get_workflow_handle(bundle_id).describe()
                return
            except RPCError as exc:
                if exc.status is not RPCStatusCode.NOT_FOUND or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.05)

    async def reader(self, bundle_id: str) -> dict[str, str]:
        """The posting hospital's key when known (not audited), else a supervisor's session."""
        if bundle_id in self.owner:
            return self.hospital(self.owner[bundle_id])
        return await self.staff("supervisor")

    async def get(self, bundle_id: str) -> dict:
        r = await self.http.get(f"{self.api_url}/v1/births/{bundle_id}", headers=await self.reader(bundle_id))
        assert r.status_code == 200, r.text
        return r.json()

    async def wait(self, bundle_id: str, until: Callable[[dict], bool] | None = None,
                   timeout: float = 45) -> dict:
        """Poll the API until the predicate (default: a terminal status) holds."""
        until = until or (lambda b: b["status"] in TERMINAL)
        deadline = time.monotonic() + timeout
        last: dict = {}
        headers = await self.reader(bundle_id)
        while time.monotonic() < deadline:
            r = await self.http.get(f"{self.api_url}/v1/births/{bundle_id}", headers=headers)
            if r.status_code == 200:
                last = r.json()
                if until(last):
                    return last
            await asyncio.sleep(0.1)
        raise AssertionError(f"bundle {bundle_id} did not reach the expected state; last: {last}")

    async def family(self, **traits: Any) -> dict:
        """Draw a family with the given traits that no test of this session drew before.

        `belum_ada_kelahiran` alone is not enough: a family whose bundle registered no birth (stuck
        at routing or at the mother's NIK, a stillbirth, not yet that far) would be drawn again.
        """
        for _ in range(20):
            params = {"limit": 5, "seed": next(_seeds), "belum_ada_kelahiran": True, **traits}
            r = await self.http.get(f"{self.dukcapil_url}/v1/sampel/keluarga", params=params)
            assert r.status_code == 200, r.text
            items = r.json()
            items = items["items"] if isinstance(items, dict) else items
            assert items, f"no family with traits {traits}"
            fresh = [f for f in items if f["no_kk"] not in self.drawn]
            if fresh:
                self.drawn.add(fresh[0]["no_kk"])
                return fresh[0]
        raise AssertionError(f"every family with traits {traits} was drawn by an earlier test")

    @functools.cached_property
    def dukcapil_auth(self) -> ClientCredentials:
        """The worker's OAuth2 client at the Dukcapil simulator (its /v1 needs a bearer token)."""
        return ClientCredentials.for_server(self.dukcapil_url, self.settings.dukcapil_client_id,
                                            self.settings.dukcapil_client_secret)

    async def dukcapil(self, path: str, body: dict | None = None) -> dict:
        """One of the Dukcapil simulator's /v1 endpoints: POST `body`, or GET without one."""
        method = "GET" if body is None else "POST"
        r = await self.http.request(method, f"{self.dukcapil_url}{path}", json=body, auth=self.dukcapil_auth)
        assert r.status_code == 200, r.text
        return r.json()

    async def kk_detail(self, kk_number: str) -> dict:
        return await self.dukcapil("/v1/kk/detail", {"no_kk": kk_number})

    async def dukcapil_stats(self) -> dict:
        return await self.dukcapil("/v1/statistik")

    async def bpjs_fault(self, endpoint: str, status: int, remaining: int | None,
                         rule_id: str | None = None) -> None:
        body = {"endpoint": endpoint, "status_code": status, "remaining": remaining}
        if rule_id is not None:
            body["id"] = rule_id
        r = await self.http.post(f"{self.bpjs_url}/admin/faults", headers=ADMIN, json=body)
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
