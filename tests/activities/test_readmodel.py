"""The read-model writer: one thread, queued snapshots committed together, newest wins."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from activities.readmodel import SnapshotWriter
from store import crud
from store.cipher import StateCipher, spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from tests.support.states import received_state

CIPHER = StateCipher.from_spec(spec_for_tests())


async def test_queued_snapshots_are_all_written_and_answered(tmp_path):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    states = [received_state(f"RS-{i}") for i in range(30)]
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
    good = received_state("RS-OK")
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
