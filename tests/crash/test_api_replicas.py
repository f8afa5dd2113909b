"""Two API processes on one PostgreSQL schema: every accepted birth is started once, none is lost
when one of them is SIGKILLed in the middle of starting its claimed births.

Both are real `python -m cli api` processes against the session's Temporal dev server, with no
worker on their task queue (the workflows are only started, never run). API A reaches Temporal
through a relay the test controls: before A is killed the relay passes A's requests on but drops
every answer, so A dies holding leases on births whose start Temporal may well have received (the
"start went through, delete was lost" case). Each API logs one "workflow start" line per start
call, with its outcome; the test reads both logs.

What the test tolerates, and why: a birth A held when it was killed is started again by B once A's
lease ran out (never before), and B may find it already started (A's request got through). That is
the one retry a kill allows; it is visible as B's only line for that birth, outcome
`already_started`. A's own call for it never returned, so A logged nothing for it. Every other
birth has exactly one start call across both processes, outcome `started`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import signal
import uuid
from collections import Counter, defaultdict
from datetime import datetime

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client, WorkflowExecutionStatus

from infra.codec import TEST_KEY, TEST_KEY_ID
from infra.settings import Settings
from store.cipher import TEST_KEY_ID as RM_TEST_KEY_ID
from store.cipher import spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.models import PendingStart
from tests.crash import harness
from tests.crash.processes import ApiProc, Processes
from tests.support import creds, payloads
from tests.support.postgres import throwaway_schema

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.timeout(240)]

HOSPITAL = "RSUD-REPLICA"
LEASE_S = 8  # long enough for a pass on a busy machine, short enough to wait out
BEFORE, WHILE_HELD, AFTER = 12, 10, 8  # births posted: over both APIs; to A, about to die; to B alone
P = PendingStart.__table__


class Relay:
    """A TCP relay to `upstream` that can drop every answer while still passing requests on."""

    def __init__(self, upstream: str) -> None:
        self._host, port = upstream.rsplit(":", 1)
        self._port = int(port)
        self.dropping = False
        self._tasks: set[asyncio.Task] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.add(asyncio.current_task())
        try:
            up_reader, up_writer = await asyncio.open_connection(self._host, self._port)
            await asyncio.gather(self._pump(reader, up_writer, answers=False),
                                 self._pump(up_reader, writer, answers=True), return_exceptions=True)
        finally:
            self._tasks.discard(asyncio.current_task())

    async def _pump(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, *, answers: bool) -> None:
        try:
            while data := await src.read(65536):
                if not (answers and self.dropping):
                    dst.write(data)
                    await dst.drain()
        finally:
            dst.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _starts(api: ApiProc) -> list[dict]:
    """The "workflow start" lines of an API's log (one per start call), oldest first."""
    lines = []
    for line in api.log.read_text(errors="replace").splitlines():
        if line.startswith("{") and (entry := json.loads(line)).get("event") == "workflow start":
            lines.append(entry | {"api": api.name})
    return lines


async def _post(http: httpx.AsyncClient, api: ApiProc, headers: dict[str, str]) -> str:
    r = await http.post(f"{api.url}/v1/births", json=payloads.manual(), headers=headers)
    assert r.status_code == 202, r.text
    return r.json()["bundle_id"]


async def _post_many(http, targets: list[ApiProc], headers) -> list[str]:
    sem = asyncio.Semaphore(6)

    async def one(api: ApiProc) -> str:
        async with sem:
            return await _post(http, api, headers)

    return list(await asyncio.gather(*(one(api) for api in targets)))


async def _workflows(client: Client, queue: str) -> list[str]:
    return [wf.id async for wf in client.list_workflows(f'TaskQueue = "{queue}"')]


async def test_two_apis_start_each_birth_once_and_lose_none_when_one_is_killed(temporal_env, tmp_path):
    phase = harness.Phases()
    client = temporal_env.client
    target = client.service_client.config.target_host
    queue = f"replicas-{uuid.uuid4().hex[:8]}"  # no worker polls it
    procs = Processes()
    relay = Relay(target)
    with throwaway_schema() as url:
        upgrade_to_head(url)
        engine = make_engine(url)
        settings = Settings(environment="test", database_url=url, temporal_address=target, task_queue=queue,
                            temporal_ui_url=None, payload_keys=f"{TEST_KEY_ID}:{TEST_KEY}",
                            payload_key_id=TEST_KEY_ID, readmodel_keys=spec_for_tests(),
                            readmodel_key_id=RM_TEST_KEY_ID)
        headers = creds.hospital_headers(settings, HOSPITAL)
        lease = {"KELAHIRAN_INTAKE_START_LEASE_SECONDS": str(LEASE_S)}
        a = procs.add(ApiProc("api-a", settings, tmp_path / "api-a.log", temporal_address=await relay.start(),
                              extra=lease))
        b = procs.add(ApiProc("api-b", settings, tmp_path / "api-b.log", extra=lease))

        def rows(where=sa.true()) -> dict[str, datetime | None]:
            with engine.connect() as conn:
                return dict(conn.execute(sa.select(P.c.bundle_id, P.c.lease_until).where(where)).all())

        ids: list[str] = []
        try:
            await asyncio.gather(a.started(), b.started())
            phase("two API processes ready on one PostgreSQL schema")
            no_keepalive = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(timeout=30, limits=no_keepalive) as http:
                # Both alive: births spread over both, each process kicked by its own intakes and
                # polling the other's.
                both = list(itertools.islice(itertools.cycle([a, b]), BEFORE))
                ids += await _post_many(http, both, headers)
                await harness.until(lambda: asyncio.to_thread(lambda: not rows()), "first births started", 30)
                phase(f"{BEFORE} births over both APIs started")

                # A's answers from Temporal stop; births posted to A are claimed (by A, kicked at
                # once, or by B's poll) and A's starts hang with their leases held.
                relay.dropping = True
                ids += await _post_many(http, [a] * WHILE_HELD, headers)
                held_by_a = P.c.lease_owner.like(f"{a.pid}-%")
                await harness.until(lambda: asyncio.to_thread(lambda: bool(rows(held_by_a))),
                                    "A holding leases", 10)
                await asyncio.sleep(1)  # A's start requests reach Temporal (the answers do not reach A)
                held = rows(held_by_a)
                assert a.signal(signal.SIGKILL) == -signal.SIGKILL
                phase(f"A SIGKILLed holding {len(held)} leased births")

                ids += await _post_many(http, [b] * AFTER, headers)  # B carries on alone
                await harness.until(lambda: asyncio.to_thread(lambda: not rows()), "pending starts drained",
                                    LEASE_S + 30)
                phase("pending_start drained by B")
                metrics = (await http.get(f"{b.url}/metrics")).text

            assert held, "A held no lease when it was killed: the test proved nothing"
            assert len(ids) == len(set(ids)) == BEFORE + WHILE_HELD + AFTER
            # Temporal: exactly one execution per accepted birth (visibility may lag a little).
            await harness.until(lambda: _has(client, queue, len(ids)), "every workflow visible", 30)
            assert sorted(await _workflows(client, queue)) == sorted(ids)
            for bid in ids:
                desc = await client.get_workflow_handle(bid).describe()
                assert (desc.status, desc.task_queue) == (WorkflowExecutionStatus.RUNNING, queue)
                runs = [wf async for wf in client.list_workflows(f'WorkflowId = "{bid}"')]
                assert len(runs) == 1, bid

            # The start calls, from both logs.
            calls: dict[str, list[dict]] = defaultdict(list)
            for entry in _starts(a) + _starts(b):
                calls[entry["bundle_id"]].append(entry)
            assert set(calls) == set(ids), "a birth was never started, or an unknown one was"
            for bid in ids:
                got = calls[bid]
                if bid not in held:
                    assert [(c["outcome"]) for c in got] == ["started"], (bid, got)
                    continue
                # Held by A at its death: A's call never returned; B started it once, after the lease.
                assert [(c["api"], c["outcome"] in ("started", "already_started")) for c in got] == [
                    ("api-b", True)], (bid, got)
                assert datetime.fromisoformat(got[0]["timestamp"]) >= held[bid], (bid, got, held[bid])
            retried = sum(c["outcome"] == "already_started" for got in calls.values() for c in got)
            by_api = Counter(c["api"] for got in calls.values() for c in got)
            phase(f"{len(ids)} births, one start call each ({dict(by_api)}); {len(held)} retried by B "
                  f"after A's death ({retried} found already started)")

            # B's /metrics counts the same calls as its log.
            counted = {s.labels["outcome"]: s.value for fam in text_string_to_metric_families(metrics)
                       if fam.name == "kelahiran_workflow_start_attempts" for s in fam.samples
                       if s.name.endswith("_total")}
            logged = Counter(c["outcome"] for c in _starts(b))
            assert counted == {k: float(v) for k, v in logged.items()}, (counted, logged)
        except BaseException:
            print(procs.tails())
            raise
        finally:
            procs.stop_all()
            await relay.close()
            engine.dispose()
            for bid in ids:  # no worker will ever run them
                with contextlib.suppress(Exception):
                    await client.get_workflow_handle(bid).terminate("test over")


async def _has(client: Client, queue: str, n: int) -> bool:
    return len(await _workflows(client, queue)) >= n
