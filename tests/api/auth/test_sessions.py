"""Operator login: Argon2id hashes, lockout, sessions that expire, CSRF for browser sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from api.auth import accounts, sessions
from api.auth.passwords import WeakPassword
from api.auth.roles import Role
from store.auth_models import Operator, OperatorSession
from store.db import make_engine
from store.migrate import upgrade_to_head
from tests.support import creds

POLICY = sessions.Policy(idle=timedelta(minutes=30), absolute=timedelta(hours=8), max_failures=3,
                         lockout=timedelta(minutes=15))
PW = "a long enough passphrase"


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as s:
        accounts.create_operator(session=s, username="siti", full_name="Siti", role=Role.operator,
                                 password=PW, office_code="3673")
        yield s
    engine.dispose()


def test_passwords_are_argon2id_and_weak_ones_refused(db):
    assert db.get(Operator, "siti").password_hash.startswith("$argon2id$")
    with pytest.raises(WeakPassword):
        accounts.create_operator(session=db, username="budi", full_name="Budi", role=Role.auditor,
                                 password="short")
    with pytest.raises(WeakPassword):
        accounts.create_operator(session=db, username="budi", full_name="Budi", role=Role.auditor,
                                 password="budi-is-my-password")


def test_lockout_after_repeated_failures_even_for_the_right_password(db):
    for _ in range(3):
        with pytest.raises(sessions.LoginRefused):
            sessions.login(session=db, username="siti", password="wrong password!!", policy=POLICY)
    with pytest.raises(sessions.LoginRefused):
        sessions.login(session=db, username="siti", password=PW, policy=POLICY)
    op = db.get(Operator, "siti")
    op.locked_until = datetime.now(UTC) - timedelta(seconds=1)  # the lockout has passed
    db.add(op)
    db.commit()
    assert sessions.login(session=db, username="siti", password=PW, policy=POLICY).operator.role == "operator"
    with pytest.raises(sessions.LoginRefused):
        sessions.login(session=db, username="nobody", password=PW, policy=POLICY)


def test_sessions_expire_when_idle_at_the_absolute_limit_and_on_password_change(db):
    def fresh():
        done = sessions.login(session=db, username="siti", password=PW, policy=POLICY)
        return done.token, db.get(OperatorSession, sessions.token_hash(done.token))

    def who(token):
        return sessions.resolve(session=db, token=token, policy=POLICY, via_cookie=False)

    token, row = fresh()
    assert who(token).office_code == "3673"
    row.last_seen_at = datetime.now(UTC) - timedelta(minutes=31)
    db.add(row)
    db.commit()
    assert who(token) is None  # idle too long
    token, row = fresh()
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.add(row)
    db.commit()
    assert who(token) is None  # past the absolute limit
    token, _ = fresh()
    accounts.set_password(session=db, username="siti", password="another long passphrase")
    assert who(token) is None
    token = sessions.login(session=db, username="siti", password="another long passphrase",
                           policy=POLICY).token
    accounts.update_operator(session=db, username="siti", disabled=True)
    assert who(token) is None


@pytest.mark.integration
async def test_http_login_lockout_message_is_the_same_for_every_refusal(stack):
    user = creds.ensure_operator(stack.settings, "operator", username="lock-me")
    url = f"{stack.api_url}/v1/auth/login"
    answers = [await stack.http.post(url, json={"username": user, "password": "nope nope nope"})
               for _ in range(stack.settings.login_max_failures)]
    locked = await stack.http.post(url, json={"username": user, "password": creds.PASSWORD})
    unknown = await stack.http.post(url, json={"username": "no-such-user", "password": "x"})
    assert {a.status_code for a in answers} == {401}
    assert locked.status_code == unknown.status_code == 401
    assert locked.json() == unknown.json() == answers[0].json()


@pytest.mark.integration
async def test_browser_sessions_need_the_csrf_token_on_unsafe_requests(stack):
    import httpx

    creds.ensure_operator(stack.settings, "supervisor", username="csrf-sup")
    async with httpx.AsyncClient(base_url=stack.api_url) as browser:
        r = await browser.post("/v1/auth/login", json={"username": "csrf-sup", "password": creds.PASSWORD})
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        csrf = r.json()["csrf_token"]
        assert (await browser.get("/v1/auth/me")).status_code == 200  # reads need no token
        body = {"reason": "test close"}
        bid = "00000000-0000-4000-8000-000000000000"
        no_token = await browser.post(f"/v1/births/{bid}/close", json=body)
        assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
        wrong = await browser.post(f"/v1/births/{bid}/close", json=body, headers={"X-CSRF-Token": "0" * 64})
        assert wrong.status_code == 403
        right = await browser.post(f"/v1/births/{bid}/close", json=body, headers={"X-CSRF-Token": csrf})
        assert right.status_code == 404  # past authentication and CSRF: the bundle does not exist
