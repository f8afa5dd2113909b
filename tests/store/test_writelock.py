"""The read model's write lock: threads and processes take turns on a SQLite file; elsewhere a no-op."""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from activities.readmodel import SnapshotWriter
from store import crud
from store.cipher import StateCipher, spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.writelock import write_lock
from tests.support.states import received_state

REPO = Path(__file__).resolve().parents[3]
CIPHER = StateCipher.from_spec(spec_for_tests())


def test_threads_of_one_process_take_turns(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/rm.db")
    counter, intervals = [0], []

    def work() -> None:
        for _ in range(20):
            with write_lock(engine):
                began = time.monotonic()
                seen = counter[0]
                time.sleep(0.001)  # a lost update without mutual exclusion
                counter[0] = seen + 1
                intervals.append((began, time.monotonic()))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter[0] == 80
    intervals.sort()
    assert all(end <= next_began for (_, end), (next_began, _) in zip(intervals, intervals[1:], strict=False))
    sidecar = Path(f"{tmp_path}/rm.db.writelock")
    assert stat.S_IMODE(sidecar.stat().st_mode) & 0o077 == 0  # created 0o600 (umask may only narrow)
    assert write_lock(sa.create_engine(f"sqlite:///{tmp_path}/rm.db")) is write_lock(engine)  # per path


_CHILD = """
import sys, time
import sqlalchemy as sa
from store.writelock import write_lock
lock = write_lock(sa.create_engine(sys.argv[1]))
print("waiting", time.monotonic(), flush=True)
with lock:
    print("acquired", time.monotonic(), flush=True)
"""


def test_another_process_waits_for_the_holder_and_wakes_on_release(tmp_path):
    url = f"sqlite:///{tmp_path}/rm.db"
    engine = sa.create_engine(url)
    hold = 1.0
    with write_lock(engine):
        child = subprocess.Popen([sys.executable, "-c", _CHILD, url], cwd=REPO, stdout=subprocess.PIPE,
                                 text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        try:
            word, waiting = child.stdout.readline().split()
            assert word == "waiting"
            time.sleep(hold)  # the child is in flock by now (CLOCK_MONOTONIC is system-wide)
            released = time.monotonic()
        except BaseException:
            child.kill()
            raise
    out, _ = child.communicate(timeout=30)
    word, acquired = out.split()
    assert word == "acquired" and child.returncode == 0
    acquired, waiting = float(acquired), float(waiting)
    assert acquired >= released  # it waited for the release ...
    assert acquired - waiting < hold + 0.5  # ... and went on right after, without sleep-polling


def test_no_op_for_postgresql_and_in_memory_sqlite():
    for url in ("postgresql+psycopg://kelahiran@127.0.0.1:1/kelahiran", "sqlite://", "sqlite:///:memory:"):
        lock = write_lock(sa.create_engine(url))  # never connects
        assert isinstance(lock, contextlib.nullcontext)
        with lock, write_lock(sa.create_engine(url)):  # nothing is held: nesting does not block
            pass


def test_snapshots_are_prepared_before_the_lock_and_written_under_it(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    states = [received_state(f"RS-{i}") for i in range(3)]
    with Session(engine) as s:
        for st in states:
            crud.insert_received(session=s, state=st, cipher=CIPHER)
    for st in states:
        st.version = 1
    events: list[str] = []
    row_values = crud._row_values
    monkeypatch.setattr(crud, "_row_values", lambda st, c: (events.append("prepare"), row_values(st, c))[1])

    @contextlib.contextmanager
    def lock():
        events.append("lock")
        yield
        events.append("unlock")

    with Session(engine) as s:
        assert crud.apply_snapshots(session=s, states=states, cipher=CIPHER, lock=lock()) == [True] * 3
    assert events == ["prepare"] * 3 + ["lock", "unlock"]
    engine.dispose()


def test_the_writer_waits_for_the_lock(tmp_path):
    url = f"sqlite:///{tmp_path}/rm.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    state = received_state("RS-LOCK")
    with Session(engine) as s:
        crud.insert_received(session=s, state=state, cipher=CIPHER)
    state.version = 1
    writer = SnapshotWriter(engine, CIPHER)
    with write_lock(engine):  # as the API's intake would, from another thread
        done = writer.submit(state)
        time.sleep(0.3)
        assert not done.done()
    assert done.result(timeout=10) is True
    engine.dispose()


def test_no_garbage_collection_while_the_lock_is_held_or_awaited(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/rm.db")
    lock = write_lock(engine)
    assert gc.isenabled()
    entered, release = threading.Event(), threading.Event()
    seen: list[bool] = []

    def holder() -> None:
        with lock:
            entered.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    entered.wait(5)
    seen.append(gc.isenabled())  # another thread holds it: off for the whole process
    def wait_then_take() -> None:
        with lock:
            pass

    waiter = threading.Thread(target=wait_then_take)
    waiter.start()  # waits for the holder, counted
    time.sleep(0.1)
    release.set()
    t.join(5)
    waiter.join(5)
    seen.append(gc.isenabled())  # both out: back on
    assert seen == [False, True]


def test_the_lock_leaves_a_disabled_collector_disabled(tmp_path):
    lock = write_lock(sa.create_engine(f"sqlite:///{tmp_path}/rm.db"))
    gc.disable()
    try:
        with lock:
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _held_elsewhere(db: Path) -> bool:
    """Whether some holder has the sidecar's flock (probed from a description of our own)."""
    fd = os.open(f"{db}.writelock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _engine_with_table(tmp_path: Path) -> tuple[sa.Engine, Path]:
    db = tmp_path / "rm.db"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER)")
    return engine, db


def test_a_write_takes_the_lock_by_itself_until_its_transaction_ends(tmp_path):
    engine, db = _engine_with_table(tmp_path)
    with Session(engine) as s:
        s.exec(sa.text("SELECT count(*) FROM t")).one()
        assert not _held_elsewhere(db)  # reads never take it
        s.exec(sa.text("INSERT INTO t VALUES (1)"))
        assert _held_elsewhere(db) and write_lock(engine).held_here()
        s.commit()
        assert not _held_elsewhere(db)
        s.exec(sa.text("UPDATE t SET a = 2"))
        assert _held_elsewhere(db)
        s.rollback()
        assert not _held_elsewhere(db)
    with engine.connect() as conn:  # Core, left without commit: the pool's rollback releases it
        conn.exec_driver_sql("DELETE FROM t")
        assert _held_elsewhere(db)
    assert not _held_elsewhere(db)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT a FROM t").scalars().all() == [1]
    engine.dispose()


def test_a_write_inside_an_explicit_hold_does_not_wait_for_itself(tmp_path):
    engine, db = _engine_with_table(tmp_path)
    lock = write_lock(engine)
    with lock:
        with Session(engine) as s:
            s.exec(sa.text("INSERT INTO t VALUES (1)"))
            s.commit()
        assert _held_elsewhere(db)  # still the explicit hold
    assert not _held_elsewhere(db) and not lock.held_here()
    engine.dispose()


def test_a_writer_that_never_names_the_lock_still_waits_for_its_holder(tmp_path):
    engine, _db = _engine_with_table(tmp_path)
    wrote = threading.Event()

    def plain_writer() -> None:
        with Session(engine) as s:
            s.exec(sa.text("INSERT INTO t VALUES (1)"))
            wrote.set()
            s.commit()

    with write_lock(engine):  # as the intake holds it
        t = threading.Thread(target=plain_writer)
        t.start()
        assert not wrote.wait(0.3)  # waiting in flock, not in SQLite's busy handler
    assert wrote.wait(10)
    t.join(10)
    engine.dispose()


def test_try_write_lock_takes_a_free_lock_and_never_waits_for_a_held_one(tmp_path):
    from store.writelock import try_write_lock

    engine = sa.create_engine(f"sqlite:///{tmp_path}/rm.db")
    with try_write_lock(engine) as free:
        assert free
        seen = []
        other = threading.Thread(target=lambda: seen.append(_try(engine)))
        other.start()
        other.join(5)
        assert seen == [False]  # another thread: at once, not after we let go
        with try_write_lock(engine) as again:
            assert again  # reentrant in this thread
    assert _try(engine) is True  # released
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(engine.url)], cwd=REPO,
                              stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout.readline().strip() == "holding"
        began = time.monotonic()
        assert _try(engine) is False  # another process holds it
        assert time.monotonic() - began < 0.5
    finally:
        holder.communicate("\n", timeout=30)
    assert _try(engine) is True
    assert _try(sa.create_engine("sqlite://")) is False  # no lock to take: the caller waits its own way


_HOLDER = """
import sys
import sqlalchemy as sa
from store.writelock import write_lock
with write_lock(sa.create_engine(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def _try(engine) -> bool:
    from store.writelock import try_write_lock

    with try_write_lock(engine) as free:
        return free
