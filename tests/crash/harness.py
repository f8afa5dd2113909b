"""The crash tests' stack and checks.

Both simulators and the API are served in this process (real HTTP); the worker is a subprocess the
test can kill. The audit proves exactly-once issuing from the simulators' own databases.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from temporalio.client import Client

from infra.codec import TEST_KEY, TEST_KEY_ID
from infra.settings import Settings
from store.cipher import TEST_KEY_ID as RM_TEST_KEY_ID
from store.cipher import spec_for_tests
from tests.crash.processes import Processes, WorkerProc
from tests.support import payloads
from tests.support.stack import ADMIN, TERMINAL, Stack
from tools.embedded import serve_app
from tools.notifications import spelled

HOSPITAL = "RSUD-CRASH"
# Families that complete without a payment: PBI, or PPU with room under the three covered children.
DRAWS = [(kab, seg) for kab in ("3673", "3604", "3672", "3201") for seg in ("PBI", "PPU")]


class Phases:
    """Seconds per phase, printed (pytest shows them on failure, or with -s)."""

    def __init__(self) -> None:
        self.t0 = self.last = time.monotonic()

    def __call__(self, what: str) -> None:
        now = time.monotonic()
        print(f"[{now - self.t0:6.1f}s] +{now - self.last:5.1f}s {what}")
        self.last = now


@dataclass
class Chaos:
    stack: Stack
    procs: Processes
    tmp: Path

    def worker(self) -> WorkerProc:
        worker = WorkerProc(self.stack.settings, self.tmp / "worker.log")
        self.procs.add(worker)
        return worker

    def _admin(self, system: str) -> str:
        return f"{self.stack.dukcapil_url if system == 'dukcapil' else self.stack.bpjs_url}/admin/faults"

    async def fault(self, system: str, rule: dict) -> str:
        """Add a fault rule to a simulator ('dukcapil' or 'bpjs'); its id."""
        r = await self.stack.http.post(self._admin(system), headers=ADMIN, json=rule)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def remove_fault(self, system: str, rule_id: str) -> None:
        r = await self.stack.http.post(f"{self._admin(system)}/remove", headers=ADMIN,
                                       json={"ids": [rule_id]})
        assert r.status_code == 200, r.text

    async def clear_faults(self) -> None:
        for system in ("dukcapil", "bpjs"):
            r = await self.stack.http.delete(self._admin(system), headers=ADMIN)
            assert r.status_code == 204, r.text

    async def faults(self, system: str) -> list[dict]:
        return (await self.stack.http.get(self._admin(system), headers=ADMIN)).json()


@contextlib.asynccontextmanager
async def chaos_stack(tmp: Path, client: Client, procs: Processes | None = None,
                      **overrides) -> AsyncIterator[Chaos]:
    """Simulators and API in-process against `client`'s Temporal; workers are started by the test.
    Every process in `procs` (and every worker) is stopped on exit, its log tail printed on failure."""
    from api.app import create_app
    from simulators.bpjs.app import create_app as create_bpjs
    from simulators.bpjs.settings import BpjsSimSettings
    from simulators.dukcapil.app import create_app as create_dukcapil
    from simulators.dukcapil.settings import DukcapilSimSettings
    from simulators.sms.app import create_app as create_sms
    from simulators.sms.settings import SmsSimSettings
    from store.migrate import upgrade_to_head

    procs = procs if procs is not None else Processes()
    with contextlib.ExitStack() as servers:
        dukcapil_url = servers.enter_context(serve_app(create_dukcapil(
            DukcapilSimSettings(database_url=f"sqlite:///{tmp}/dukcapil.db"))))
        bpjs_url = servers.enter_context(serve_app(create_bpjs(
            BpjsSimSettings(database_url=f"sqlite:///{tmp}/bpjs.db"))))
        sms_url = servers.enter_context(serve_app(create_sms(
            SmsSimSettings(database_url=f"sqlite:///{tmp}/sms.db"))))
        values = dict(
            environment="test", database_url=f"sqlite:///{tmp}/kelahiran.db",
            temporal_address=client.service_client.config.target_host,
            task_queue=f"crash-{uuid.uuid4()}", dukcapil_url=dukcapil_url, bpjs_url=bpjs_url, sms_url=sms_url,
            bpjs_poll_seconds=1, retry_initial_seconds=0.2, retry_max_seconds=1,
            activity_timeout_seconds=4, http_timeout_seconds=10, temporal_ui_url=None,
            worker_metrics_port=0, worker_health_port=0,
            # The same test-only payload key as the session's Temporal client (see tools.embedded).
            payload_keys=f"{TEST_KEY_ID}:{TEST_KEY}", payload_key_id=TEST_KEY_ID,
            readmodel_keys=spec_for_tests(), readmodel_key_id=RM_TEST_KEY_ID)
        settings = Settings(**{**values, **overrides})
        upgrade_to_head(settings.database_url)
        api_url = servers.enter_context(serve_app(create_app(settings), health_path="/ready"))
        # No keep-alive: the servers drop idle connections (5 s) while the test waits, and reusing
        # one just as it closes fails the test with a ReadError that says nothing about the system.
        http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_keepalive_connections=0))
        stack = Stack(api_url=api_url, dukcapil_url=dukcapil_url, bpjs_url=bpjs_url, settings=settings,
                      client=client, http=http)
        chaos = Chaos(stack=stack, procs=procs, tmp=tmp)
        try:
            yield chaos
        except BaseException:
            print(procs.tails())
            raise
        finally:
            procs.stop_all()
            await stack.http.aclose()


async def families(stack: Stack, n: int) -> list[dict]:
    """`n` distinct families, taken in turn from every connected office, that need no payment."""
    pools = []
    for kab, seg in DRAWS:
        r = await stack.http.get(f"{stack.dukcapil_url}/v1/sampel/keluarga", params={
            "kab_kota": kab, "segmen": seg, "marital": "KAWIN_TERCATAT", "belum_ada_kelahiran": True,
            "limit": 50})
        assert r.status_code == 200, r.text
        pools.append([f for f in r.json() if seg == "PBI" or f["jumlah_anak"] <= 1])
    found: dict[str, dict] = {}
    for fam in (f for row in itertools.zip_longest(*pools) for f in row if f):
        found.setdefault(fam["no_kk"], fam)
    assert len(found) >= n, f"only {len(found)} families fit"
    return list(found.values())[:n]


def births(fams: list[dict], *, twins_every: int = 3) -> list[dict]:
    """One delivery per family; every `twins_every`-th is twins."""
    born = date.today() - timedelta(days=2)
    bodies = []
    for i, fam in enumerate(fams):
        kids = [payloads.child(1, sex="female" if i % 2 else "male", name=f"Bayi Uji {spelled(i)}")]
        if i % twins_every == twins_every - 1:
            kids.append(payloads.child(2, sex="female", name=f"Bayi Uji {spelled(i)} Kembar"))
        bodies.append(payloads.from_family(fam, birth_date=born, children=kids))
    return bodies


async def post_all(stack: Stack, bodies: list[dict], *, allow_503: bool = False) -> list[str | None]:
    """POST every body (as the hospital, 8 at a time); a bundle id each, None for an accepted 503."""
    sem = asyncio.Semaphore(8)

    async def one(body: dict) -> str | None:
        async with sem:
            r = await stack.post(body, HOSPITAL)
        if r.status_code == 503 and allow_503:
            return None
        assert r.status_code == 202, r.text
        return r.json()["bundle_id"]

    return list(await asyncio.gather(*(one(b) for b in bodies)))


async def repost(stack: Stack, bodies: list[dict], ids: list[str], *, allow_503: bool = False) -> int:
    """The hospital retries every POST: each answer is the same bundle (or a 503); returns the 202s."""
    again = await post_all(stack, bodies, allow_503=allow_503)
    assert all(got in (want, None) for got, want in zip(again, ids, strict=True)), "a retry made a new bundle"
    return sum(got is not None for got in again)


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 90) -> None:
    """Poll `check` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"not reached in {timeout}s: {what}"
        await asyncio.sleep(0.3)


async def until_issued(stack: Stack, before: dict[str, int], niks: int) -> None:
    """Wait until the simulators issued `niks` NIKs since `before`: the worker is mid-way."""
    async def issued() -> bool:
        return (await counts(stack))["nik_bayi"] - before["nik_bayi"] >= niks

    await until(issued, f"{niks} NIKs issued")


async def statuses(stack: Stack) -> dict[str, str]:
    """Every crash-test bundle's status, in one light request (the API is in this process)."""
    r = await stack.http.get(f"{stack.api_url}/v1/births", params={"limit": 200},
                             headers=stack.hospital(HOSPITAL))
    assert r.status_code == 200, r.text
    return {item["bundle_id"]: item["status"] for item in r.json()["items"]}


async def in_flight(stack: Stack, ids: list[str]) -> int:
    now = await statuses(stack)
    return sum(now[b] not in TERMINAL for b in ids)


async def wait_all(stack: Stack, ids: list[str], timeout: float) -> list[dict]:
    """Wait until every bundle is terminal; their full state as the API returns it."""
    deadline = time.monotonic() + timeout
    while left := [b for b, st in (await statuses(stack)).items() if b in ids and st not in TERMINAL]:
        if time.monotonic() > deadline:
            b = await stack.get(left[0])
            services = {c["birth_order"]: {k: v["status"] for k, v in c["services"].items()}
                        for c in b["children"]}
            raise AssertionError(f"{len(left)} bundles not finished after {timeout}s, e.g. {left[0]} "
                                 f"kk={b['kk']['status']} children={services}")
        await asyncio.sleep(1)
    return list(await asyncio.gather(*(stack.get(b) for b in ids)))


async def counts(stack: Stack) -> dict[str, int]:
    """The simulators' issuing counters, side by side."""
    duk = await stack.dukcapil_stats()
    r = await stack.http.get(f"{stack.bpjs_url}/v1/statistik", headers=ADMIN)
    assert r.status_code == 200, r.text
    bpjs = r.json()
    return {**{k: duk[k] for k in ("nik_bayi", "akta", "kia", "kk_terbit_ulang", "lahir_mati")},
            "bpjs_newborn": bpjs["newborn_total"],
            "bpjs_aktif": bpjs["newborn_by_status"].get("AKTIF", 0)}


async def audit_exactly_once(stack: Stack, bundles: list[dict], before: dict[str, int]) -> None:
    """Every bundle completed; one NIK, akta, KK entry, KIA and BPJS card per child, one KK reissue
    per bundle: in the simulators' databases, not just in our read model."""
    assert Counter(b["status"] for b in bundles) == {"completed": len(bundles)}
    children = [(b, c) for b in bundles for c in b["children"]]
    niks = [c["services"]["nik"]["document_number"] for _, c in children]
    cards = [c["services"]["bpjs"]["document_number"] for _, c in children]
    aktas = [c["services"]["akta"]["document_number"] for _, c in children]
    for docs in (niks, cards, aktas):
        assert len(set(docs)) == len(children) and None not in docs
    after = await counts(stack)
    delta = {k: after[k] - before[k] for k in after}
    n = len(children)
    assert delta == {"nik_bayi": n, "akta": n, "kia": n, "kk_terbit_ulang": len(bundles), "lahir_mati": 0,
                     "bpjs_newborn": n, "bpjs_aktif": n}, delta
    for b in bundles:
        kk = await stack.kk_detail(b["kk"]["document_number"])
        assert kk["jumlah_terbit_ulang"] == 1
        listed = Counter(m["nik"] for m in kk["anggota"])
        for c in b["children"]:
            assert listed[c["services"]["nik"]["document_number"]] == 1


async def one_bundle_per_record(stack: Stack, ids: list[str]) -> None:
    """One read-model row and one workflow per posted record, however often it was posted."""
    page = (await stack.http.get(f"{stack.api_url}/v1/births", params={"limit": 200},
                                 headers=stack.hospital(HOSPITAL))).json()
    assert page["total"] == len(ids) == len(set(ids))
    assert {item["bundle_id"] for item in page["items"]} == set(ids)
    listed = [wf.id async for wf in stack.client.list_workflows(f'TaskQueue = "{stack.settings.task_queue}"')]
    assert sorted(listed) == sorted(ids)
