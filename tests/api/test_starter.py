"""The starter's pass (api/starter.py) against a real SQLite read model and a stand-in Temporal client:
what it settles, within its lease, for each way a start call can end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from prometheus_client import REGISTRY
from structlog.testing import capture_logs
from temporalio.exceptions import WorkflowAlreadyStartedError

from api import starter
from api.intake import accept_birth
from api.starter import WorkflowStarter
from domain.notification import BirthNotification
from infra.settings import Settings
from store import pending
from store.cipher import StateCipher, spec_for_tests
from store.group_writer import GroupWriter
from store.models import PendingStart
from tests.support import payloads
from tests.support.readmodel import engine_for

CIPHER = StateCipher.from_spec(spec_for_tests())
SETTINGS = Settings(environment="test", temporal_ui_url=None)
P = PendingStart.__table__


async def _accept(engine, starter: WorkflowStarter | None = None, record: str | None = None) -> str:
    """A birth accepted the way the API accepts it: the bundle and its pending start (handed to
    `starter` when given, as the API's own starter gets it)."""
    body = payloads.manual()
    if record:
        body["record_id"] = record
    got = await accept_birth(notification=BirthNotification.model_validate(body), hospital_id="RSUD-A",
                             settings=SETTINGS, engine=engine, writer=GroupWriter(engine), cipher=CIPHER,
                             starter=starter)
    assert not got.duplicate
    return got.bundle_id


class FakeTemporal:
    """start_workflow as Temporal might answer it: started, already there, or no answer at all."""

    def __init__(self, already: set[str], silent: set[str], broken: set[str] | None = None) -> None:
        self.already, self.silent, self.broken, self.calls = already, silent, broken or set(), []

    async def start_workflow(self, _type, _input, *, id: str, **_kw) -> None:  # noqa: A002
        self.calls.append(id)
        if id in self.broken:
            raise ConnectionError("Temporal unreachable")
        if id in self.silent:
            await asyncio.sleep(3600)
        if id in self.already:
            raise WorkflowAlreadyStartedError(id, "Kelahiran")


def _outcomes() -> dict[str, float]:
    return {o: REGISTRY.get_sample_value("kelahiran_workflow_start_attempts_total", {"outcome": o}) or 0.0
            for o in (starter.STARTED, starter.ALREADY, starter.FAILED)}


async def test_a_pass_settles_every_start_before_its_lease_runs_out(tmp_path):
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        fresh, known, silent = [await _accept(engine) for _ in range(3)]
        temporal = FakeTemporal(already={known}, silent={silent})
        lease = timedelta(seconds=4)
        loop = WorkflowStarter(engine, CIPHER, task_queue="q", client=lambda: temporal, lease=lease)
        before = _outcomes()
        began = datetime.now(UTC)
        with capture_logs() as logs:
            assert await loop.drain_once() is False
        took = datetime.now(UTC) - began
        assert sorted(temporal.calls) == sorted([fresh, known, silent])
        # The silent call was given up at 80% of the lease, so the pass settled while it held.
        assert starter.START_SHARE * lease <= took < lease
        with engine.connect() as conn:
            rows = conn.execute(sa.select(P)).all()
        assert [r.bundle_id for r in rows] == [silent]  # the started and the already started are gone
        kept = rows[0]
        assert (kept.attempts, kept.last_error) == (1, "TimeoutError")
        assert (kept.lease_owner, kept.lease_until) == (None, None)
        assert kept.next_try_at > began
        after = _outcomes()
        assert {o: after[o] - before[o] for o in after} == {"started": 1, "already_started": 1, "failed": 1}
        lines = {e["bundle_id"]: e for e in logs if e["event"] == "workflow start"}
        assert {b: e["outcome"] for b, e in lines.items()} == {
            fresh: "started", known: "already_started", silent: "failed"}
        assert lines[silent]["error_type"] == "TimeoutError" and lines[silent]["attempt"] == 1
        assert pending.backlog(engine=engine).count == 1


async def test_a_pass_whose_lease_was_taken_leaves_the_rows_to_their_new_owner(tmp_path):
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        bid = await _accept(engine)
        taken = {}

        class Slow(FakeTemporal):
            async def start_workflow(self, *args, **kw) -> None:
                # Meanwhile another process claims the row (as if our lease had run out).
                taken["token"], _ = pending.claim(engine=engine, now=datetime.now(UTC) + timedelta(minutes=5),
                                                  limit=10, lease=timedelta(minutes=1))
                await super().start_workflow(*args, **kw)

        loop = WorkflowStarter(engine, CIPHER, task_queue="q", client=lambda: Slow(set(), set()))
        with capture_logs() as logs:
            await loop.drain_once()
        with engine.connect() as conn:
            (row,) = conn.execute(sa.select(P)).all()
        # Not ours to delete any more: the new owner starts it again (and finds it started).
        assert (row.bundle_id, row.lease_owner, row.attempts) == (bid, taken["token"], 0)
        assert any(e["event"] == "pending starts settled after their lease ran out" and e["rows"] == 1
                   for e in logs)


def _rows(engine) -> dict[str, sa.Row]:
    with engine.connect() as conn:
        return {r.bundle_id: r for r in conn.execute(sa.select(P))}


async def test_an_intake_hands_its_row_over_leased_and_no_other_process_claims_it(tmp_path):
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        temporal = FakeTemporal(already=set(), silent=set())
        loop = WorkflowStarter(engine, CIPHER, task_queue="q", client=lambda: temporal)
        bid = await _accept(engine, loop)
        row = _rows(engine)[bid]
        assert row.lease_owner is not None and row.lease_until > datetime.now(UTC)
        # Another API process's claim skips it: the row is this process's to start.
        _, others = pending.claim(engine=engine, now=datetime.now(UTC), limit=10, lease=timedelta(seconds=30))
        assert others == []
        assert await loop.start_handed() == 1
        assert temporal.calls == [bid] and _rows(engine) == {}
        assert await loop.start_handed() == 0  # handed once, started once


async def test_a_failed_handed_start_is_released_to_the_claims_with_its_backoff(tmp_path):
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        loop = WorkflowStarter(engine, CIPHER, task_queue="q", client=lambda: temporal)
        good = await _accept(engine, loop, record="REC-GOOD")
        bad = await _accept(engine, loop, record="REC-BAD")
        temporal = FakeTemporal(already=set(), silent=set(), broken={bad})
        assert await loop.start_handed() == 2
        (row,) = _rows(engine).values()
        assert (row.bundle_id, row.attempts, row.last_error) == (bad, 1, "ConnectionError")
        assert (row.lease_owner, row.lease_until) == (None, None)
        # After its backoff any process's claim takes it again.
        _, due = pending.claim(engine=engine, now=row.next_try_at.replace(tzinfo=UTC), limit=10,
                               lease=timedelta(seconds=30))
        assert [d.bundle_id for d in due] == [bad] and good in temporal.calls


async def test_a_handed_row_near_the_end_of_its_lease_is_left_to_the_claims(tmp_path):
    """Handed while Temporal was not connected: when the lease has too little left to start and
    settle, this process drops it from memory and a claim (any process's) starts it."""
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        temporal = FakeTemporal(already=set(), silent=set())
        connected: list = []
        lease = timedelta(seconds=1)
        loop = WorkflowStarter(engine, CIPHER, task_queue="q", lease=lease,
                               client=lambda: connected[0] if connected else None)
        bid = await _accept(engine, loop)
        assert await loop.start_handed() == 0  # not connected: it waits in memory, leased
        await asyncio.sleep(starter.START_SHARE * lease.total_seconds() + 0.05)
        connected.append(temporal)
        assert await loop.start_handed() == 0 and temporal.calls == []  # too late to start it here
        await asyncio.sleep(lease.total_seconds() * (1 - starter.START_SHARE))
        assert await loop.drain_once() is False  # the claim took it and started it
        assert temporal.calls == [bid] and _rows(engine) == {}


async def test_stopping_gives_up_the_leases_of_handed_rows_not_started(tmp_path):
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        loop = WorkflowStarter(engine, CIPHER, task_queue="q", client=lambda: None)  # never connected
        bid = await _accept(engine, loop)
        assert _rows(engine)[bid].lease_owner is not None
        with capture_logs() as logs:
            await loop.stop()
        assert (_rows(engine)[bid].lease_owner, _rows(engine)[bid].lease_until) == (None, None)
        assert any(e["event"] == "pending starts released for other processes" and e["rows"] == 1
                   for e in logs)
        _, due = pending.claim(engine=engine, now=datetime.now(UTC), limit=10, lease=timedelta(seconds=30))
        assert [d.bundle_id for d in due] == [bid]  # another process's claim takes it at once
