"""The read-model writer: one thread, queued writes committed together, newest wins."""

from __future__ import annotations

import asyncio

from sqlmodel import Session

from activities.readmodel import SyncWriter
from store import bundles, crud
from store.cipher import StateCipher, spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from tests.support.states import received_state

CIPHER = StateCipher.from_spec(spec_for_tests())


async def test_queued_writes_are_all_stored_and_answered(tmp_path):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    states = [received_state(f"RS-{i}") for i in range(30)]
    with Session(engine) as s:
        for st in states:
            bundles.insert_received(session=s, state=st, cipher=CIPHER)
    writer = SyncWriter(engine, CIPHER, max_batch=8)
    syncs = []
    for st in states:
        for v in (1, 2):
            snap = st.model_copy(deep=True)
            snap.version = v
            syncs.append(bundles.full_sync(snap, 10))
    stale = bundles.full_sync(states[0], 10)  # version 0: older than what is stored by then
    results = await asyncio.gather(*(asyncio.wrap_future(writer.submit(s)) for s in [*syncs, stale]))
    assert results == [True] * len(syncs) + [False]
    with Session(engine) as s:
        assert {crud.get_bundle(session=s, bundle_id=st.bundle_id).version for st in states} == {2}
    engine.dispose()


async def test_a_failing_batch_falls_back_to_one_by_one(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    good = received_state("RS-OK")
    with Session(engine) as s:
        bundles.insert_received(session=s, state=good, cipher=CIPHER)
    good.version = 1
    calls = []

    def broken(**kw):
        calls.append(len(kw["syncs"]))
        if len(kw["syncs"]) > 1:
            raise RuntimeError("batch refused")
        return real(**kw)

    real = bundles.apply_syncs
    monkeypatch.setattr(bundles, "apply_syncs", broken)
    writer = SyncWriter(engine, CIPHER)
    older = good.model_copy(deep=True)
    older.version = 0
    first, second = writer.submit(bundles.full_sync(good, 5)), writer.submit(bundles.full_sync(older, 5))
    assert [await asyncio.wrap_future(first), await asyncio.wrap_future(second)] == [True, False]
    assert calls and all(n >= 1 for n in calls)
    engine.dispose()


async def test_a_write_given_up_meanwhile_is_dropped_and_the_writer_goes_on(tmp_path, monkeypatch):
    """An activity attempt that timed out cancels its future; answering it must not kill the thread
    every later sync waits on."""
    import threading

    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    a, b, c = (received_state(f"RS-{n}") for n in "ABC")
    with Session(engine) as s:
        for st in (a, b, c):
            bundles.insert_received(session=s, state=st, cipher=CIPHER)
    release, real = threading.Event(), bundles.apply_sync

    def slow(**kw):
        release.wait(10)
        return real(**kw)

    monkeypatch.setattr(bundles, "apply_sync", slow)
    writer = SyncWriter(engine, CIPHER, max_batch=1)
    for st in (a, b, c):
        st.version = 1
    first = writer.submit(bundles.full_sync(a, 3))  # the thread takes it and waits
    given_up = writer.submit(bundles.full_sync(b, 3))
    assert given_up.cancel()  # as asyncio.wrap_future does when the activity's attempt times out
    release.set()
    assert await asyncio.wrap_future(first) is True
    assert await asyncio.wait_for(asyncio.wrap_future(writer.submit(bundles.full_sync(c, 3))), 10) is True
    with Session(engine) as s:
        assert crud.get_bundle(session=s, bundle_id=b.bundle_id).version == 0  # dropped, not written
    engine.dispose()
