"""Live updates: the event stream says when a bundle moved; the fragment is the page's changing part."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlmodel import Session, select

from store.auth_models import AuditEvent
from store.db import make_engine
from tests.api.console import cases
from tests.api.console.support import login

pytestmark = pytest.mark.integration


async def _next_version(lines) -> str:
    event = None
    async for line in lines:
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "version":
            return line[6:]
    raise AssertionError("stream ended")


async def test_stream_fires_when_the_bundle_moves_and_the_fragment_follows(stack):
    bid = await cases.nameless(stack)
    console = await login(stack, "operator", "3673", username="console-live-op")
    try:
        page = (await console.get(f"/console/bundles/{bid}")).text
        mark = re.search(r'events\?since=([0-9.]+)"', page).group(1)
        async with console.http.stream("GET", f"/console/bundles/{bid}/events",
                                       params={"since": mark}) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["cache-control"] == "no-store"
            lines = stream.aiter_lines()
            r = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/name",
                                      json={"name": "Nur Aini"}, headers=stack.hospital(cases.HOSPITAL))
            assert r.status_code == 200
            seen = mark
            async with asyncio.timeout(45):
                while True:  # a version per change, until the bundle is complete
                    seen = await _next_version(lines)
                    assert seen != mark
                    fragment = (await console.get(f"/console/bundles/{bid}/live")).text
                    if 'data-status="completed"' in fragment.split("</div>")[0]:
                        break
        assert "<html" not in fragment and 'data-service="akta"' in fragment
        assert 'data-mark="' in fragment
        with Session(make_engine(stack.settings.database_url)) as s:
            views = s.exec(select(AuditEvent).where(AuditEvent.bundle_id == bid,
                                                    AuditEvent.action == "bundle.view")).all()
        assert any(v.details_json and "console-live" in v.details_json for v in views)  # refreshes too
    finally:
        await console.close()


async def test_a_stale_page_hears_at_once_and_a_missing_bundle_is_404(stack):
    bid = await cases.completed(stack)
    console = await login(stack, "auditor", None, username="console-live-aud")
    try:
        async with console.http.stream("GET", f"/console/bundles/{bid}/events",
                                       params={"since": "0.0.0"}) as stream:
            async with asyncio.timeout(10):
                assert await _next_version(stream.aiter_lines()) != "0.0.0"
        missing = await console.get("/console/bundles/00000000-0000-4000-8000-000000000000/events")
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    finally:
        await console.close()
