"""Issue 19, findings 1 and 3: the lockout holds under parallel guesses and interleaved successes,
the per-address limit answers 429 before any hash, and at most K hashes run at once.

A real app (create_app) on a SQLite file, called in-process with httpx's ASGI transport: the
mechanisms are asserted (counts of rows, hashes and concurrent hashes), never speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.app import create_app
from api.auth import accounts, passwords
from api.auth.guard import client_address, parse_proxies
from api.auth.roles import Role
from infra.settings import Settings
from store.auth_models import AuditEvent, LoginAddress, LoginFailure, Operator
from store.db import make_engine
from store.migrate import upgrade_to_head

PW = "a long enough passphrase"
ADMIN_PW = "the admin's own passphrase"


@contextlib.asynccontextmanager
async def app_client(tmp_path, **overrides) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    url = f"sqlite:///{tmp_path}/k.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as s:
        accounts.create_operator(session=s, username="siti", full_name="Siti", role=Role.operator,
                                 password=PW, office_code="3673")
        accounts.create_operator(session=s, username="admin1", full_name="Admin", role=Role.admin,
                                 password=ADMIN_PW)
    settings = Settings(environment="test", database_url=url, temporal_address="127.0.0.1:1",
                        **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client, engine
    engine.dispose()


def _login(client: httpx.AsyncClient, username: str, password: str, **headers):
    return client.post("/v1/auth/login", json={"username": username, "password": password}, headers=headers)


class HashProbe:
    """Wraps the real Argon2id check: counts calls and the most that ran at the same time."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls = self.running = self.most = 0
        self.delay = delay
        self._lock = threading.Lock()
        self._real = passwords.verify_password

    def __call__(self, password_hash, password) -> bool:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.delay)  # holds the slot long enough for others to pile up
            return self._real(password_hash, password)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def probe(monkeypatch):
    def install(delay: float = 0.0) -> HashProbe:
        p = HashProbe(delay)
        monkeypatch.setattr(passwords, "verify_password", p)
        return p
    return install


def _failures(engine, username: str) -> int:
    with Session(engine) as s:
        return len(s.exec(select(LoginFailure).where(LoginFailure.username == username)).all())


def _audit(engine, action: str) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


async def test_twenty_parallel_guesses_lock_the_account_and_the_right_password_is_refused(tmp_path):
    async with app_client(tmp_path, login_address_limit=100) as (client, engine):
        answers = await asyncio.gather(*(_login(client, "siti", f"guess number {i}") for i in range(20)))
        assert [r.status_code for r in answers] == [401] * 20
        assert _failures(engine, "siti") == 20  # every guess counted (the ORM read-modify-write gave 1)
        assert (await _login(client, "siti", PW)).status_code == 401  # locked: the right one too
        with Session(engine) as s:
            assert s.get(Operator, "siti").locked_until > datetime.now(UTC) + timedelta(minutes=14)
        locks = _audit(engine, "auth.lock")
        assert [e.actor for e in locks] == ["siti"]  # one lock, audited once


async def test_a_success_between_bursts_does_not_clear_the_failures(tmp_path):
    async with app_client(tmp_path, login_address_limit=100) as (client, engine):
        for burst in range(2):
            answers = await asyncio.gather(*(_login(client, "siti", f"burst {burst} {i}") for i in range(2)))
            assert {r.status_code for r in answers} == {401}
            assert (await _login(client, "siti", PW)).status_code == 200  # 2, then 4 failures: not yet
        assert (await _login(client, "siti", "the fifth guess")).status_code == 401
        assert (await _login(client, "siti", PW)).status_code == 401  # 5 within the window: locked
        # An admin unlocks through the API; the failures are forgotten with the lock.
        token = (await _login(client, "admin1", ADMIN_PW)).json()["token"]
        r = await client.post("/v1/auth/operators/siti/unlock", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json() == {"username": "siti", "locked": False}
        assert _failures(engine, "siti") == 0
        assert (await _login(client, "siti", PW)).status_code == 200
        assert [e.details_json for e in _audit(engine, "admin.operator.unlock")] == ['{"username": "siti"}']


async def test_failures_older_than_the_window_do_not_count(tmp_path):
    async with app_client(tmp_path, login_address_limit=100) as (client, engine):
        for i in range(4):
            assert (await _login(client, "siti", f"old guess {i}")).status_code == 401
        with Session(engine) as s:  # those four were 16 minutes ago
            s.execute(sa.update(LoginFailure).values(at=datetime.now(UTC) - timedelta(minutes=16)))
            s.commit()
        assert (await _login(client, "siti", "a fresh guess")).status_code == 401
        assert (await _login(client, "siti", PW)).status_code == 200
        assert _failures(engine, "siti") == 1  # the old rows went when the new one came


async def test_the_address_limit_answers_429_before_any_hash(tmp_path, probe):
    async with app_client(tmp_path, login_address_limit=3) as (client, engine):
        hashes = probe()
        for i in range(3):
            assert (await _login(client, "nobody-here", f"guess {i}")).status_code == 401
        assert hashes.calls == 3
        answers = await asyncio.gather(*(_login(client, "siti", PW) for _ in range(10)))
        assert {r.status_code for r in answers} == {429}
        assert hashes.calls == 3  # not one more hash: the 429 came first
        first = answers[0]
        assert first.headers["content-type"] == "application/problem+json"
        assert 1 <= int(first.headers["Retry-After"]) <= 15 * 60
        # Another address is not affected.
        other = httpx.ASGITransport(app=client._transport.app, client=("10.9.9.9", 1))
        async with httpx.AsyncClient(transport=other, base_url="http://api") as elsewhere:
            assert (await _login(elsewhere, "siti", PW)).status_code == 200
        throttles = _audit(engine, "auth.login.throttled")
        assert len(throttles) == 1 and '"address": "10.1.2.3"' in throttles[0].details_json
        with Session(engine) as s:  # the guessed name is nowhere: not as an actor, not in details
            events = s.exec(select(AuditEvent)).all()
            assert all("nobody-here" not in f"{e.actor} {e.details_json}" for e in events)
            assert {e.actor for e in events if e.outcome == "refused"} == {"unknown"}


async def test_a_throttled_address_is_refused_from_memory_without_a_database_write(tmp_path):
    async with app_client(tmp_path, login_address_limit=2) as (client, engine):
        for i in range(3):
            await _login(client, "nobody-here", f"guess {i}")
        with Session(engine) as s:
            assert s.get(LoginAddress, "10.1.2.3").attempts == 3  # the attempt that was refused 429
        answers = await asyncio.gather(*(_login(client, "siti", PW) for _ in range(20)))
        assert {r.status_code for r in answers} == {429}
        assert all(1 <= int(r.headers["Retry-After"]) <= 15 * 60 for r in answers)
        with Session(engine) as s:  # the flood wrote nothing: not counted, not audited again
            assert s.get(LoginAddress, "10.1.2.3").attempts == 3
        assert len(_audit(engine, "auth.login.throttled")) == 1
        guard = client._transport.app.state.login_guard
        guard.throttled["10.1.2.3"] = datetime.now(UTC) - timedelta(seconds=1)  # its window ended
        assert (await _login(client, "siti", PW)).status_code == 429  # the database still counts it
        with Session(engine) as s:
            assert s.get(LoginAddress, "10.1.2.3").attempts == 4


async def test_successes_give_their_attempt_back(tmp_path):
    async with app_client(tmp_path, login_address_limit=2) as (client, engine):
        for _ in range(6):  # an office behind one address logging in all morning
            assert (await _login(client, "siti", PW)).status_code == 200
        with Session(engine) as s:
            assert s.get(LoginAddress, "10.1.2.3").attempts == 0


async def test_at_most_k_hashes_run_at_once(tmp_path, probe):
    async with app_client(tmp_path, login_address_limit=100, login_hash_concurrency=2) as (client, _):
        hashes = probe(delay=0.15)
        answers = await asyncio.gather(*(_login(client, f"user{i}", "whatever it is") for i in range(12)))
        assert {r.status_code for r in answers} == {401}
        assert hashes.calls == 12 and hashes.most == 2


def test_x_forwarded_for_only_from_trusted_proxies():
    proxies = parse_proxies("10.0.0.0/8, 192.168.1.5")
    assert client_address("203.0.113.7", "1.2.3.4", proxies) == "203.0.113.7"  # not a proxy: ignored
    assert client_address("10.0.0.2", "1.2.3.4", proxies) == "1.2.3.4"
    # The leftmost hops are the client's own words: the nearest untrusted hop counts.
    assert client_address("10.0.0.2", "6.6.6.6, 1.2.3.4, 192.168.1.5", proxies) == "1.2.3.4"
    assert client_address("10.0.0.2", "not-an-ip", proxies) == "10.0.0.2"
    assert client_address("10.0.0.2", None, proxies) == "10.0.0.2"
    assert client_address("10.0.0.2", "1.2.3.4", ()) == "10.0.0.2"  # no proxies configured


def test_cli_unlock(tmp_path, monkeypatch):
    from cli import app

    url = f"sqlite:///{tmp_path}/c.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as s:
        accounts.create_operator(session=s, username="budi", full_name="Budi", role=Role.operator,
                                 password=PW)
        s.add(LoginFailure(username="budi", at=datetime.now(UTC)))
        op = s.get(Operator, "budi")
        op.locked_until = datetime.now(UTC) + timedelta(minutes=10)
        s.add(op)
        s.commit()
    monkeypatch.setenv("KELAHIRAN_DATABASE_URL", url)
    result = CliRunner().invoke(app, ["accounts", "unlock", "budi"])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(app, ["accounts", "unlock", "nobody"]).exit_code == 1
    with Session(engine) as s:
        assert s.get(Operator, "budi").locked_until is None
        assert s.exec(select(LoginFailure)).all() == []
        assert [e.actor.startswith("cli:") for e in s.exec(select(AuditEvent))] == [True]
    engine.dispose()
