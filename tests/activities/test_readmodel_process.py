"""The read-model writer as a child process: answers, restarts after a crash, drains on close."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal

import pytest
import pytest_asyncio
from sqlmodel import Session

from activities.readmodel_process import ProcessSnapshotWriter, WriterExited, _serve
from store import crud
from store.cipher import TEST_KEY_ID, StateCipher, spec_for_tests
from store.migrate import upgrade_to_head
from tests.support.readmodel import engine_for
from tests.support.states import received_state

CIPHER = StateCipher.from_spec(spec_for_tests())


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    return url


@pytest.fixture
def engine(url):
    with engine_for(url) as engine:
        yield engine


@pytest_asyncio.fixture
async def writer(url):
    writer = _writer(url)
    yield writer
    await writer.aclose()  # a second close (a test's own) does nothing


def _store(engine, states) -> None:
    with Session(engine) as s:
        for st in states:
            crud.insert_received(session=s, state=st, cipher=CIPHER)


def _writer(url: str) -> ProcessSnapshotWriter:
    return ProcessSnapshotWriter(url, keys=spec_for_tests(), key_id=TEST_KEY_ID)


def _versions(engine, states) -> set[int]:
    with Session(engine) as s:
        return {crud.get_bundle(session=s, bundle_id=st.bundle_id).version for st in states}


async def test_snapshots_are_written_by_the_child_newest_wins(engine, writer):
    states = [received_state(f"RS-{i}") for i in range(20)]
    _store(engine, states)
    snaps = []
    for v in (1, 2):
        for st in states:
            snap = st.model_copy(deep=True)
            snap.version = v
            snaps.append(snap)
    results = await asyncio.gather(*(writer.write(s) for s in snaps))
    assert results == [True] * len(snaps)
    assert await writer.write(states[0]) is False  # version 0: older than the stored one
    assert _versions(engine, states) == {2}
    with Session(engine) as s:  # encrypted with the key it was given, and opens with it
        row = crud.get_bundle(session=s, bundle_id=states[0].bundle_id)
        assert row.state_json.startswith(f"enc1:{TEST_KEY_ID}:")
        assert json.loads(crud.state_json_of(row=row, cipher=CIPHER))["version"] == 2


async def test_a_killed_child_fails_its_snapshots_and_the_next_write_starts_another(engine, writer):
    st = received_state("RS-KILL")
    _store(engine, [st])
    st.version = 1
    assert await writer.write(st) is True
    first = writer._proc
    assert first is not None
    os.kill(first.pid, signal.SIGSTOP)  # stopped: the next snapshot stays unanswered
    st.version = 2
    pending = asyncio.create_task(writer.write(st.model_copy(deep=True)))
    await asyncio.sleep(0.2)
    assert not pending.done()
    os.kill(first.pid, signal.SIGKILL)
    with pytest.raises(WriterExited):
        await asyncio.wait_for(pending, 10)
    st.version = 3
    assert await writer.write(st) is True  # a new child
    assert writer._proc is not None and writer._proc.pid != first.pid
    assert _versions(engine, [st]) == {3}


async def test_close_answers_every_snapshot_already_given(engine, writer):
    states = [received_state(f"RS-C{i}") for i in range(40)]
    _store(engine, states)
    for st in states:
        st.version = 1
    writes = [asyncio.create_task(writer.write(st)) for st in states]
    # Close once every line is in the child's pipe (the child may have answered some already).
    while writer._next < len(states) or len(writer._pending) + sum(w.done() for w in writes) < len(states):  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    await writer.aclose()
    assert [w.result() for w in writes] == [True] * len(states)
    assert _versions(engine, states) == {1}
    with pytest.raises(WriterExited):
        await writer.write(states[0])


def test_the_child_answers_a_bad_line_with_an_error_and_goes_on(url, engine):
    st = received_state("RS-BAD")
    _store(engine, [st])
    st.version = 1
    config = {"database_url": url, "keys": spec_for_tests(), "key_id": TEST_KEY_ID,
              "max_batch": 4, "log_level": "WARNING", "log_json": True}
    stdin = io.StringIO(f"{json.dumps(config)}\n7 {{\"not\": \"a state\"}}\n8 {st.model_dump_json()}\n")
    stdout = io.StringIO()
    _serve(stdin, stdout)
    first, *rest = stdout.getvalue().splitlines()
    lines = sorted(rest)
    assert first == "ready"
    assert lines[0].startswith("7 E ValidationError") and lines[1] == "8 1"
    assert "RS-BAD" not in lines[0]  # the error names fields, never the snapshot's values
    assert _versions(engine, [st]) == {1}


async def test_a_writer_whose_database_does_not_open_fails_to_start(tmp_path):
    (tmp_path / "file").write_text("")
    writer = _writer(f"sqlite:///{tmp_path}/file/rm.db")  # a directory that cannot be made
    with pytest.raises(WriterExited, match="did not start"):
        await writer.start()


def test_errors_are_described_without_the_values_that_caused_them():
    import sqlite3

    import sqlalchemy.exc
    from pydantic import ValidationError

    from activities.readmodel_process import describe
    from domain.contracts import BundleState

    with pytest.raises(ValidationError) as bad:
        BundleState.model_validate_json('{"bundle_id": "x", "record_id": "RM-SECRET-0001"}')
    text = describe(bad.value)
    assert text.startswith("ValidationError: ") and "invalid field(s)" in text
    assert "RM-SECRET-0001" not in text
    db = sqlalchemy.exc.IntegrityError("INSERT INTO bundle VALUES (?)", ("2026-01-02", "RM-SECRET-0001"),
                                       sqlite3.IntegrityError("UNIQUE constraint failed: bundle.id"))
    assert describe(db) == "IntegrityError: UNIQUE constraint failed: bundle.id"


async def test_a_write_given_up_on_leaves_nothing_behind(engine, writer):
    st = received_state("RS-GIVEUP")
    _store(engine, [st])
    await writer.start()
    os.kill(writer._proc.pid, signal.SIGSTOP)  # no answer comes
    st.version = 1
    with pytest.raises(TimeoutError):  # as an activity's start-to-close timeout would
        await asyncio.wait_for(writer.write(st), 0.3)
    assert writer._pending == {}
    os.kill(writer._proc.pid, signal.SIGCONT)
    st.version = 2
    assert await writer.write(st) is True  # the late answer to the first is dropped
    assert _versions(engine, [st]) == {2}


async def test_a_dead_child_is_restarted_without_waiting_for_a_write(writer):
    await writer.start()
    first = writer._proc.pid
    assert writer.healthy
    os.kill(first, signal.SIGKILL)
    for _ in range(100):  # the worker's /health reports it down ...
        if not writer.healthy:
            break
        await asyncio.sleep(0.02)
    assert not writer.healthy
    for _ in range(250):  # ... and up again, with a new child, no write needed
        if writer.healthy:
            break
        await asyncio.sleep(0.02)
    assert writer.healthy and writer._proc.pid != first
    await writer.aclose()
    assert not writer.healthy
