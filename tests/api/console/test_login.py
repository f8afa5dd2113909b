"""Console login and logout: the form, its CSRF value, one message for every refusal, the cookie."""

from __future__ import annotations

import httpx
import pytest

from api.auth.deps import COOKIE
from tests.api.console.support import CSRF_FIELD, login
from tests.support import creds

pytestmark = pytest.mark.integration
REFUSED = "Tidak dapat masuk"


async def _form(http: httpx.AsyncClient) -> str:
    r = await http.get("/console/login")
    assert r.status_code == 200 and 'name="password"' in r.text
    return CSRF_FIELD.search(r.text).group(1)


async def test_pages_without_a_session_redirect_to_the_login_form(stack):
    async with httpx.AsyncClient(base_url=stack.api_url) as http:
        r = await http.get("/console/worklist")
        assert r.status_code == 303 and r.headers["location"] == "/console/login?next=/console/worklist"
        page = await http.get(r.headers["location"])
        assert "Silakan masuk terlebih dahulu" in page.text
        # htmx asking for a fragment: the whole page goes to the login form, then back to the bundle
        bid = "00000000-0000-4000-8000-000000000000"
        r = await http.get(f"/console/bundles/{bid}/live", headers={"HX-Request": "true"})
        assert r.headers["hx-redirect"] == f"/console/login?next=/console/bundles/{bid}"
        # the JSON API keeps answering JSON 401s
        api = await http.get("/v1/births")
        assert api.status_code == 401 and api.json()["detail"].startswith("authentication required")


async def test_login_sets_the_session_cookie_and_shows_the_role(stack):
    console = await login(stack, "supervisor", username="console-login-sup")
    try:
        cookie = next(c for c in console.http.cookies.jar if c.name == COOKIE)
        assert cookie.path == "/" and cookie.has_nonstandard_attr("HttpOnly")
        home = await console.get("/console")
        assert home.status_code == 303 and home.headers["location"] == "/console/worklist"
        page = await console.get("/console/worklist")
        assert "console-login-sup · supervisor · semua kantor" in page.text
    finally:
        await console.close()


async def test_login_refusals_share_one_message_and_lockout_does_not_tell(stack):
    user = creds.ensure_operator(stack.settings, "operator", "3673", "console-lockout")
    async with httpx.AsyncClient(base_url=stack.api_url) as http:
        token = await _form(http)
        texts = []
        attempts = [("nobody-here", "x")] + [(user, "wrong")] * stack.settings.login_max_failures
        for username, password in [*attempts, (user, creds.PASSWORD)]:  # locked: the right one fails too
            r = await http.post("/console/login", data={"username": username, "password": password,
                                                        "csrf_token": token})
            assert r.status_code == 401 and COOKIE not in http.cookies
            texts.append(r.text.split('id="login-error">')[1].split("<")[0])
        assert len(set(texts)) == 1 and REFUSED in texts[0]


async def test_login_form_needs_its_csrf_value(stack):
    user = creds.ensure_operator(stack.settings, "operator", "3673", "console-csrf-login")
    async with httpx.AsyncClient(base_url=stack.api_url) as http:
        await _form(http)
        r = await http.post("/console/login", data={"username": user, "password": creds.PASSWORD,
                                                    "csrf_token": "forged"})
        assert r.status_code == 403 and "Formulir kedaluwarsa" in r.text and COOKIE not in http.cookies


async def test_next_stays_inside_the_console(stack):
    user = creds.ensure_operator(stack.settings, "auditor", None, "console-next")
    async with httpx.AsyncClient(base_url=stack.api_url) as http:
        for target, expected in (("/console/dashboard", "/console/dashboard"), ("https://evil.example/",
                                 "/console"), ("/console//evil.example", "/console")):
            token = await _form(http)  # each login uses up the form's value
            r = await http.post("/console/login", data={"username": user, "password": creds.PASSWORD,
                                                        "csrf_token": token, "next": target})
            assert r.status_code == 303 and r.headers["location"] == expected


async def test_logout_needs_csrf_then_ends_the_session(stack):
    console = await login(stack, "operator", "3673", username="console-logout")
    try:
        r = await console.post("/console/logout", csrf=False)
        assert r.status_code == 403 and "Formulir kedaluwarsa" in r.text
        assert (await console.get("/console/worklist")).status_code == 200
        r = await console.post("/console/logout")
        assert r.status_code == 303 and r.headers["location"] == "/console/login"
        assert COOKIE not in console.http.cookies
        assert "Anda sudah keluar" in (await console.get("/console/login")).text
        assert (await console.get("/console/worklist")).status_code == 303
    finally:
        await console.close()
