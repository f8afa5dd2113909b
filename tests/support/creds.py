"""Test credentials: hospitals with API keys and logged-in operators, created on first use."""

from __future__ import annotations

import functools

import httpx
from sqlmodel import Session

from api.auth import accounts, keys
from api.auth.roles import Role
from infra.settings import Settings
from store.db import make_engine

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only
_keys: dict[tuple[str, str], str] = {}
_tokens: dict[tuple[str, str, str | None], dict[str, str]] = {}


@functools.cache
def _engine(url: str):
    return make_engine(url)


def hospital_key(settings: Settings, hospital: str) -> str:
    """A valid key for `hospital` in this database (the hospital is registered if new)."""
    cache = (settings.database_url, hospital)
    if cache not in _keys:
        with Session(_engine(settings.database_url)) as s:
            if s.get(accounts.Hospital, hospital) is None:
                accounts.create_hospital(session=s, hospital_id=hospital, name=f"Rumah Sakit {hospital}")
            _keys[cache] = keys.issue_key(session=s, hospital_id=hospital, label="tests").key
    return _keys[cache]


def hospital_headers(settings: Settings, hospital: str) -> dict[str, str]:
    return {"X-API-Key": hospital_key(settings, hospital)}


def ensure_operator(settings: Settings, role: str, office: str | None = None,
                    username: str | None = None) -> str:
    username = username or f"{role}-{office or 'all'}"
    with Session(_engine(settings.database_url)) as s:
        if s.get(accounts.Operator, username) is None:
            accounts.create_operator(session=s, username=username, full_name=f"Test {role}", role=Role(role),
                                     password=PASSWORD, office_code=office)
    return username


async def staff_headers(http: httpx.AsyncClient, api_url: str, settings: Settings, role: str,
                        office: str | None = None) -> dict[str, str]:
    """Bearer headers of a logged-in operator with this role (cached per database)."""
    cache = (settings.database_url, role, office)
    if cache not in _tokens:
        username = ensure_operator(settings, role, office)
        async with httpx.AsyncClient(timeout=30) as login:  # keeps the cookie out of the shared client
            r = await login.post(f"{api_url}/v1/auth/login",
                                 json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        _tokens[cache] = {"Authorization": f"Bearer {r.json()['token']}"}
    return _tokens[cache]
