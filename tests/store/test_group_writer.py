"""The group writer: queued jobs share a commit on SQLite, a failing job is rolled back alone."""

from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from store.group_writer import GroupWriter
from tests.support.postgres import throwaway_schema
from tests.support.readmodel import engine_for

T = sa.table("gw_probe", sa.column("v"))


@pytest.fixture
def probe(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE gw_probe (v VARCHAR(20) PRIMARY KEY)")
    yield engine


def _insert(*values: str):
    def job(session: Session) -> int:
        for v in values:
            session.exec(T.insert().values(v=v))
        return len(values)
    return job


def _stored(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(T.c.v)).scalars())


async def test_a_failing_job_is_rolled_back_alone_and_gets_its_error(probe):
    writer = GroupWriter(probe)
    assert await writer.run(_insert("a")) == 1
    got = await asyncio.gather(writer.run(_insert("b", "c")), writer.run(_insert("d", "a")),
                               writer.run(_insert("e")), return_exceptions=True)
    assert got[0] == 2 and got[2] == 1
    assert isinstance(got[1], IntegrityError)  # "a" is there: its "d" is not kept either
    assert _stored(probe) == {"a", "b", "c", "e"}


@pytest.fixture
def sqlite_probe(tmp_path):
    with engine_for(f"sqlite:///{tmp_path}/gw.db") as engine:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE gw_probe (v VARCHAR(20) PRIMARY KEY)")
        yield engine


async def test_on_sqlite_jobs_queued_meanwhile_share_one_commit(sqlite_probe):
    probe = sqlite_probe
    commits = []
    sa.event.listen(probe, "commit", lambda _conn: commits.append(1))
    writer, running, gate = GroupWriter(probe, max_batch=8), threading.Event(), threading.Event()

    def held(session: Session) -> int:
        running.set()
        gate.wait(5)  # the writer's thread is busy here while five more jobs queue up
        return _insert("first")(session)

    first = writer.submit(held)
    assert running.wait(5)
    queued = [writer.submit(_insert(f"q{i}")) for i in range(5)]
    gate.set()
    assert first.result(5) == 1 and [f.result(5) for f in queued] == [1] * 5
    assert len(commits) == 2  # the held job alone, then the five together
    assert _stored(probe) == {"first", *(f"q{i}" for i in range(5))}


@pytest.mark.postgres
async def test_on_postgresql_each_job_commits_on_its_own():
    with throwaway_schema() as url, engine_for(url) as engine:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE gw_probe (v VARCHAR(20) PRIMARY KEY)")
        commits = []
        sa.event.listen(engine, "commit", lambda _conn: commits.append(1))
        writer = GroupWriter(engine)
        got = await asyncio.gather(*(writer.run(_insert(f"p{i}")) for i in range(4)))
        assert got == [1] * 4 and len(commits) == 4
        assert _stored(engine) == {f"p{i}" for i in range(4)}


def test_on_sqlite_a_savepoint_takes_the_write_lock_before_the_jobs_reads(sqlite_probe, tmp_path):
    # Else a job that reads, then writes, could find its snapshot stale at its first write
    # (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out).
    import sqlite3

    with Session(sqlite_probe) as session, session.begin_nested():
        session.exec(sa.select(T.c.v)).all()  # a job's first read: the savepoint is taken before it
        other = sqlite3.connect(tmp_path / "gw.db", timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
