"""Session-wide fixtures: one Temporal dev server, one set of simulators, one API and worker, and one
headless Chromium (tests/support/browser.py) for every browser test, the console's and the catalogue's."""

from __future__ import annotations

import pytest_asyncio

from tests.support.browser import browser  # noqa: F401 - the session's one Chromium
from tests.support.stack import Stack
from tools.embedded import embedded_stack, start_temporal


@pytest_asyncio.fixture(scope="session")
async def temporal_env():
    env = await start_temporal()
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def stack(temporal_env, tmp_path_factory):
    async with embedded_stack(tmp_path_factory.mktemp("stack"), temporal_env) as es:
        s = Stack(api_url=es.api_url, dukcapil_url=es.dukcapil_url, bpjs_url=es.bpjs_url,
                  settings=es.settings, client=es.client, sms_url=es.sms_url)
        yield s
        await s.http.aclose()
