"""A logged-in console browser session over plain HTTP (cookie + CSRF), for the console's API tests."""

from __future__ import annotations

import asyncio
import html
import re
import time
from dataclasses import dataclass

import httpx

from api.auth import sessions
from api.auth.deps import COOKIE
from tests.support import creds
from tests.support.stack import Stack

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
KEPT_ERROR = re.compile(r'<p class="form-error" role="alert" id="[\w-]+">([^<]*)</p>')
FLASH = re.compile(r'<p class="flash flash-(\w+)" role="status" id="flash">([^<]*)</p>')


@dataclass
class Console:
    http: httpx.AsyncClient
    csrf: str
    username: str

    async def get(self, path: str, **kw) -> httpx.Response:
        return await self.http.get(path, **kw)

    async def post(self, path: str, data: dict | None = None, *, csrf: bool = True) -> httpx.Response:
        form = {**(data or {}), **({"csrf_token": self.csrf} if csrf else {})}
        return await self.http.post(path, data=form)

    async def act(self, bundle_id: str, action: str, data: dict | None = None) -> tuple[str, str]:
        """POST an action, follow the redirect to the bundle page, return the flash (kind, text)."""
        r = await self.post(f"/console/bundles/{bundle_id}/{action}", data)
        assert r.status_code == 303, (r.status_code, r.text[:500])
        page = await self.get(r.headers["location"])
        found = FLASH.search(page.text)
        assert found, page.text[:2000]
        return found.group(1), html.unescape(found.group(2))

    async def kept(self, bundle_id: str, action: str, data: dict) -> tuple[int, str, str]:
        """POST a form the page keeps on refusal: (status, the error beside the form, the page)."""
        r = await self.post(f"/console/bundles/{bundle_id}/{action}", data)
        found = KEPT_ERROR.search(r.text)
        return r.status_code, html.unescape(found.group(1)) if found else "", r.text

    async def close(self) -> None:
        await self.http.aclose()


async def login(stack: Stack, role: str, office: str | None = None, *, username: str | None = None,
                lang: str | None = None) -> Console:
    """Log in through the console's own form, as a browser would."""
    username = username or f"console-{role}-{office or 'all'}"
    user = creds.ensure_operator(stack.settings, role, office, username)
    http = httpx.AsyncClient(base_url=stack.api_url, timeout=30)
    if lang:
        http.cookies.set("kelahiran_lang", lang)
    form = await http.get("/console/login")
    token = CSRF_FIELD.search(form.text).group(1)
    r = await http.post("/console/login", data={"username": user, "password": creds.PASSWORD,
                                                "csrf_token": token, "next": "/console"})
    assert r.status_code == 303, r.text[:500]
    return Console(http=http, csrf=sessions.csrf_for(http.cookies[COOKIE]), username=user)


async def wait_page(console: Console, bundle_id: str, needle: str, timeout: float = 45) -> str:
    """Reload the bundle page until `needle` appears in it."""
    deadline = time.monotonic() + timeout
    while True:
        page = (await console.get(f"/console/bundles/{bundle_id}")).text
        if needle in page:
            return page
        if time.monotonic() > deadline:
            raise AssertionError(f"{needle!r} not on the page of {bundle_id}")
        await asyncio.sleep(0.2)
