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


async def _accept(engine) -> str:
    """A birth accepted the way the API accepts it: the bundle and its pending start."""
    got = await accept_birth(notification=BirthNotification.model_validate(payloads.manual()),
                             hospital_id="RSUD-A", settings=SETTINGS, engine=engine,
        writer=GroupWriter(engine), cipher=CIPHER,
                             kick=lambda: None)
    assert not got.duplicate
    return got.bundle_id


class FakeTemporal:
    """start_workflow as Temporal might answer it: started, already there, or no answer at all."""

    def __init__(self, already: set[str], silent: set[str]) -> None:
        self.already, self.silent, self.calls = already, silent, []

    async def start_workflow(self, _type, _input, *, id: str, **_kw) -> None:  # noqa: A002
        self.calls.append(id)
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
