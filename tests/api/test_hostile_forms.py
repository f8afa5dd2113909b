"""Issue 19: the form routes that are not in the OpenAPI (console, family download pages), which
Schemathesis cannot reach, get the same hostile strings: every one is refused before its handler,
never a 500, never an echo of what was sent.

The routes are read from the app itself, so a new form route is covered the day it is added.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from api.app import create_app
from infra.settings import Settings
from tests.api.auth.test_access_matrix import _api_routes
from tests.api.test_strict_input import _raw, api  # noqa: F401 - the same in-process app

FORM = "application/x-www-form-urlencoded"
# As a browser would encode them: NUL, a C1 control, an escape, a lone surrogate's UTF-8 bytes
# (not UTF-8 at all), an invalid byte, and a NUL inside an otherwise plausible value.
HOSTILE = [
    ("nul", "reason=ok%00&csrf_token=t", 422),
    ("c1", "reason=x%C2%85y&csrf_token=t", 422),
    ("escape", "username=%1B%5B31m&csrf_token=t", 422),
    ("surrogate", "name=%ED%A0%80&csrf_token=t", 400),
    ("invalid_byte", "pin=%FF%FE&csrf_token=t", 400),
    ("nik_with_nul", "nik=3673051203950001%00&csrf_token=t", 422),
]


def _form_routes() -> list[str]:
    app = create_app(Settings(environment="test", database_url="sqlite://", temporal_address="127.0.0.1:1"))
    paths = {r.path for r in _api_routes(app.routes) if "POST" in r.methods and not r.include_in_schema}
    # Path parameters filled with harmless values of their usual shape.
    return sorted(re.sub(r"\{[^}]+\}", "1", p) for p in paths)


ROUTES = _form_routes()


def test_the_form_routes_are_found():
    assert len(ROUTES) >= 10
    assert {"/console/login", "/unduh/1", "/unduh/1/pin-baru"} <= set(ROUTES)
    assert any(p.startswith("/console/admin/") for p in ROUTES)


@pytest.mark.parametrize("path", ROUTES)
async def test_every_form_route_refuses_hostile_strings_before_its_handler(api, path):  # noqa: F811
    seen = {}
    for name, body, status in HOSTILE:
        r = await _raw(api, path, body, FORM)
        seen[name] = r.status_code
        assert r.status_code == status, f"{path} {name}: {r.status_code} {r.text[:200]}"
        assert "3673051203950001" not in r.text and quote("\x1b") not in r.text
    assert set(seen.values()) <= {400, 422}
