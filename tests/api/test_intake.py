"""Accepting a birth (api/intake.py): kept with its pending start, once, on SQLite (its write lock
taken in turn) and on PostgreSQL (each intake in its own transaction)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api import intake
from domain.notification import BirthNotification
from infra.settings import Settings
from store.cipher import StateCipher, spec_for_tests
from store.group_writer import GroupWriter
from store.models import Bundle, PendingStart
from tests.support import payloads
from tests.support.readmodel import BACKENDS, engine_for, migrated_url

CIPHER = StateCipher.from_spec(spec_for_tests())
SETTINGS = Settings(environment="test", readmodel_keys=spec_for_tests())


@pytest.fixture
def engine(tmp_path):
    with engine_for(f"sqlite:///{tmp_path}/rm.db", migrate=True) as engine:
        yield engine


@pytest.fixture(params=BACKENDS)
def any_engine(request, tmp_path):
    with migrated_url(request.param, tmp_path) as url, engine_for(url) as engine:
        yield engine


async def accept(engine, notification: BirthNotification) -> intake.Accepted:
    return await intake.accept_birth(notification=notification, hospital_id="RS-A", settings=SETTINGS,
                                     engine=engine,
        writer=GroupWriter(engine), cipher=CIPHER, starter=None)


async def test_a_birth_is_kept_once_and_a_different_content_under_its_record_is_refused(any_engine):
    engine = any_engine
    note = BirthNotification.model_validate(payloads.manual())
    acc = await accept(engine, note)
    assert not acc.duplicate
    again = await accept(engine, note)  # the same record: found, not kept twice
    assert again.duplicate and again.bundle_id == acc.bundle_id
    earlier = payloads.manual(birth_date=note.birth_date - timedelta(days=1))
    other = BirthNotification.model_validate({**earlier, "record_id": note.record_id})
    with pytest.raises(intake.ConflictingRecord):
        await accept(engine, other)
    with Session(engine) as s:
        assert [b.id for b in s.exec(select(Bundle))] == [acc.bundle_id]
        assert [p.bundle_id for p in s.exec(select(PendingStart))] == [acc.bundle_id]


async def test_the_same_record_posted_twice_at_once_is_kept_once(any_engine):
    note = BirthNotification.model_validate(payloads.manual())
    first, second = await asyncio.gather(accept(any_engine, note), accept(any_engine, note))
    assert first.bundle_id == second.bundle_id
    assert sorted([first.duplicate, second.duplicate]) == [False, True]
    with Session(any_engine) as s:
        assert [b.id for b in s.exec(select(Bundle))] == [first.bundle_id]
        assert [p.bundle_id for p in s.exec(select(PendingStart))] == [first.bundle_id]


async def test_while_another_process_writes_it_waits_in_the_thread_pool(engine):
    """SQLite's busy timeout, not a lock of ours: the intake waits for another writer's
    transaction (here a raw connection, as another process would hold it) and then succeeds."""
    with Session(engine) as s:
        s.exec(select(Bundle)).all()
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        other = sqlite3.connect(engine.url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(10)
        other.execute("COMMIT")
        other.close()

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    try:
        task = asyncio.create_task(accept(engine, BirthNotification.model_validate(payloads.manual())))
        await asyncio.sleep(0.3)
        assert not task.done()  # waiting for the other writer, and the event loop is free meanwhile
        began = time.monotonic()
        release.set()
        acc = await asyncio.wait_for(task, 10)
        assert time.monotonic() - began < 5 and not acc.duplicate
    finally:
        release.set()
        t.join(5)
    with Session(engine) as s:
        assert s.get(Bundle, acc.bundle_id) is not None


async def test_the_same_child_under_another_record_is_held_before_anything_is_issued(engine):
    from store.bundles import load_state
    from store.callback_models import HospitalEvent

    note = BirthNotification.model_validate(payloads.manual())
    first = await accept(engine, note)
    again = BirthNotification.model_validate({**note.model_dump(mode="json"), "record_id": "SIMRS-BARU-1"})
    held = await accept(engine, again)
    assert held.bundle_id != first.bundle_id and held.status == "needs_attention" and not held.duplicate
    same = await accept(engine, again)  # the same record once more: the same held bundle, idempotent
    assert same.bundle_id == held.bundle_id and same.duplicate and same.status == "needs_attention"
    with Session(engine) as s:
        state = load_state(session=s, row=s.get(Bundle, held.bundle_id), cipher=CIPHER)
        started = s.get(PendingStart, held.bundle_id)
        events = s.exec(select(HospitalEvent).where(HospitalEvent.bundle_id == held.bundle_id)).all()
    assert state.routing.status == "needs_attention" and state.routing.reason == "DUPLIKAT_DICURIGAI"
    assert state.suspected_duplicate_of == first.bundle_id and first.bundle_id not in state.routing.detail
    assert all(c.services["nik"].status == "pending" for c in state.children)
    # The workflow starts held: its input is the held state (it asks for no NIK until a decision).
    assert started is not None and "DUPLIKAT_DICURIGAI" in CIPHER.decrypt(
        "pending_start", held.bundle_id, started.input_json)
    assert [e.type for e in events] == ["bundle.status_changed"] and "DUPLIKAT_DICURIGAI" in events[0].body
    assert first.bundle_id not in events[0].body
