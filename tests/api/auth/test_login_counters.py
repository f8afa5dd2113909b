"""Issue 19, finding 1: the login counters of store/auth_login.py on real SQLite and the real
PostgreSQL (whose `reserve_attempt` takes the `ON CONFLICT DO UPDATE` of its own dialect).

Each counter is one atomic statement: 20 threads failing or attempting at once are counted exactly,
each seeing a different count, and the lock starts once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from api.auth import accounts
from api.auth.roles import Role
from store import auth_login
from store.auth_models import LoginAddress, LoginFailure, Operator
from store.migrate import upgrade_to_head
from tests.support.postgres import throwaway_schema
from tests.support.readmodel import engine_for

WINDOW = timedelta(minutes=15)
PARALLEL = 20


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    sqlite = contextlib.nullcontext(f"sqlite:///{tmp_path}/login.db")
    with throwaway_schema() if request.param == "postgres" else sqlite as url:
        upgrade_to_head(url)
        with engine_for(url) as eng:
            with Session(eng) as s:
                accounts.create_operator(session=s, username="siti", full_name="Siti", role=Role.operator,
                                         password="a long enough passphrase", office_code="3673")
            yield eng


def _at_once(engine, work: Callable[[Session], object]) -> list:
    """`work` in PARALLEL threads, each with its own session, released together."""
    start = threading.Barrier(PARALLEL)

    def one(_: int):
        with Session(engine) as s:
            start.wait()
            return work(s)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(one, range(PARALLEL)))


def _fail(s: Session, username: str = "siti", now: datetime | None = None):
    return auth_login.record_failure(s, username, now=now or datetime.now(UTC), window=WINDOW,
                                     max_failures=5, lockout=timedelta(minutes=15))


def test_parallel_failures_are_counted_exactly_and_lock_once(engine):
    results = _at_once(engine, _fail)
    assert sorted(r.recent for r in results) == list(range(1, PARALLEL + 1))  # none shared a read
    assert [r.recent for r in results if r.newly_locked] == [5]  # the fifth locked, once
    assert all(r.locked_until is not None for r in results if r.recent >= 5)
    with Session(engine) as s:
        op = s.get(Operator, "siti")
        assert op.failed_logins == PARALLEL and op.locked_until > datetime.now(UTC) + timedelta(minutes=14)
        assert len(s.exec(select(LoginFailure)).all()) == PARALLEL


def test_an_unknown_account_writes_nothing_and_unlock_forgets(engine):
    with Session(engine) as s:
        assert _fail(s, "nobody-here") is None
        assert s.exec(select(LoginFailure)).all() == []
        for _ in range(5):
            last = _fail(s)
        assert last.newly_locked
        assert auth_login.unlock(s, "siti") and not auth_login.unlock(s, "nobody-here")
        assert s.get(Operator, "siti").locked_until is None
        assert auth_login.recent_failures(s, "siti", now=datetime.now(UTC), window=WINDOW) == 0


def test_failures_older_than_the_window_go(engine):
    now = datetime.now(UTC)
    with Session(engine) as s:
        for _ in range(4):
            _fail(s, now=now - timedelta(minutes=16))
        fresh = _fail(s, now=now)
        assert (fresh.recent, fresh.newly_locked) == (1, False)
        assert len(s.exec(select(LoginFailure)).all()) == 1


def test_parallel_attempts_from_one_address_are_counted_exactly(engine):
    now = datetime.now(UTC)
    results = _at_once(engine, lambda s: auth_login.reserve_attempt(s, "10.1.2.3", now=now, window=WINDOW))
    assert sorted(r.attempts for r in results) == list(range(1, PARALLEL + 1))
    assert {r.window_start for r in results} == {now}  # one window, opened by the first
    with Session(engine) as s:
        assert s.get(LoginAddress, "10.1.2.3").attempts == PARALLEL


def test_a_window_that_ran_out_starts_again_and_successes_give_back(engine):
    first = datetime.now(UTC) - timedelta(minutes=20)
    with Session(engine) as s:
        for _ in range(3):
            old = auth_login.reserve_attempt(s, "10.1.2.3", now=first, window=WINDOW)
        auth_login.reserve_attempt(s, "10.9.9.9", now=first, window=WINDOW)
        assert (old.attempts, old.window_start) == (3, first)
        now = datetime.now(UTC)
        new = auth_login.reserve_attempt(s, "10.1.2.3", now=now, window=WINDOW)
        assert (new.attempts, new.window_start) == (1, now)
        assert s.get(LoginAddress, "10.9.9.9") is None  # finished windows are dropped
        auth_login.give_back(s, "10.1.2.3", old)  # the old window's success: nothing to give back
        assert s.get(LoginAddress, "10.1.2.3").attempts == 1
        auth_login.give_back(s, "10.1.2.3", new)
        s.expire_all()
        assert s.get(LoginAddress, "10.1.2.3").attempts == 0
