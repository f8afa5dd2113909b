"""Hospital keys for tools that post births (scenario runner, benchmark): straight on the database of
a stack they run themselves, or through the admin API of a stack someone else runs."""

from __future__ import annotations

import functools

import httpx
from sqlmodel import Session

from api.auth import accounts, keys
from store.db import make_engine


@functools.cache
def _engine(url: str):
    return make_engine(url)


def local_hospital_key(database_url: str, hospital_id: str, *, label: str = "tooling") -> str:
    """A fresh key for `hospital_id` (registered if new) in this database."""
    with Session(_engine(database_url)) as s:
        if s.get(accounts.Hospital, hospital_id) is None:
            try:
                accounts.create_hospital(session=s, hospital_id=hospital_id,
                                         name=f"Rumah Sakit {hospital_id}")
            except accounts.AccountError:
                pass  # registered meanwhile by a concurrent caller
        return keys.issue_key(session=s, hospital_id=hospital_id, label=label).key


class RemoteKeys:
    """Keys from a running stack's admin API, using an admin account's credentials."""

    def __init__(self, http: httpx.AsyncClient, api_url: str, username: str, password: str) -> None:
        self.http, self.api, self.username, self.password = http, api_url, username, password
        self._token: str | None = None

    async def _headers(self) -> dict[str, str]:
        if self._token is None:
            r = await self.http.post(f"{self.api}/v1/auth/login",
                                     json={"username": self.username, "password": self.password})
            if r.status_code != 200:
                raise PermissionError(f"admin login as {self.username!r} refused ({r.status_code})")
            self._token = r.json()["token"]
            self.http.cookies.clear()  # keep hospital calls free of the admin's cookie
        return {"Authorization": f"Bearer {self._token}"}

    async def key(self, hospital_id: str, *, label: str = "tooling") -> str:
        h = await self._headers()
        r = await self.http.post(f"{self.api}/v1/admin/hospitals", headers=h,
                                 json={"id": hospital_id, "name": f"Rumah Sakit {hospital_id}"})
        if r.status_code not in (201, 409):
            r.raise_for_status()
        r = await self.http.post(f"{self.api}/v1/admin/hospitals/{hospital_id}/keys", headers=h,
                                 json={"label": label})
        r.raise_for_status()
        return r.json()["key"]
