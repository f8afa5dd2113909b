"""The read-model writer: one thread, queued snapshots committed together, newest wins."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlmodel import Session

from activities.readmodel import SnapshotWriter
from api.readmodel import crud
from api.readmodel.cipher import StateCipher, spec_for_tests
from api.readmodel.db import make_engine
from api.readmodel.migrate import upgrade_to_head
from domain.bundle_state import bundle_id_for, content_hash, initial_state
from domain.contracts import KelahiranInput
from domain.notification import BirthNotification
from tests.support import payloads

CIPHER = StateCipher.from_spec(spec_for_tests())


def _state(hospital: str):
    n = BirthNotification.model_validate(payloads.manual())
    return initial_state(KelahiranInput(bundle_id=bundle_id_for(hospital, n.record_id), hospital_id=hospital,
                                        content_hash=content_hash(n), received_at=datetime.now(UTC),
                                        notification=n))


async def test_queued_snapshots_are_all_written_and_answered(tmp_path):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    states = [_state(f"RS-{i}") for i in range(30)]
    with Session(engine) as s:
        for st in states:
            crud.insert_received(session=s, state=st, cipher=CIPHER)
    writer = SnapshotWriter(engine, CIPHER, max_batch=8)
    snaps = []
    for st in states:
        for v in (1, 2):
            snap = st.model_copy(deep=True)
            snap.version = v
            snaps.append(snap)
    stale = states[0].model_copy(deep=True)  # version 0: older than what is stored by then
    results = await asyncio.gather(*(asyncio.wrap_future(writer.submit(s)) for s in [*snaps, stale]))
    assert results == [True] * len(snaps) + [False]
    with Session(engine) as s:
        assert {crud.get_bundle(session=s, bundle_id=st.bundle_id).version for st in states} == {2}
    engine.dispose()


async def test_a_failing_batch_falls_back_to_one_by_one(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    good = _state("RS-OK")
    with Session(engine) as s:
        crud.insert_received(session=s, state=good, cipher=CIPHER)
    good.version = 1

    def broken(**_):
        raise RuntimeError("batch refused")

    monkeypatch.setattr(crud, "apply_snapshots", broken)
    writer = SnapshotWriter(engine, CIPHER)
    first, second = writer.submit(good), writer.submit(good)  # the second: same version, refused
    assert await asyncio.wrap_future(first) in (True, False)
    assert sorted([first.result(), await asyncio.wrap_future(second)]) == [False, True]
    engine.dispose()
