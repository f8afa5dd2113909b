"""The time-skipping test server for the path tests (stand-in activities): one per session.

Each test still runs its own worker on its own task queue (tests/support/bundles.py), so tests share
only the server and its clock, which moves forward for good: births are dated from the server's
"today", never from the machine's.
"""

from __future__ import annotations

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from infra.codec import test_converter
from infra.temporal_bin import temporal_test_server


async def _start() -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(temporal_test_server()), data_converter=test_converter())


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def time_skipping_env():
    env = await _start()
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(loop_scope="session")
async def own_time_skipping_env():
    """A test server for one test: for a test whose child workflow outlives its parent.

    The Java test server then never releases its time-skipping lock, and every later skip on it
    hangs until the RPC times out (temporalio/sdk-java#2392, sdk-typescript#1101): the death
    follow-up is started with ParentClosePolicy.ABANDON and finishes after the bundle.
    """
    env = await _start()
    yield env
    await env.shutdown()
