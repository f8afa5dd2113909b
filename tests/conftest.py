"""Session-wide fixtures: one Temporal dev server, one set of simulators, one API and worker."""

from __future__ import annotations

import uuid

import pytest
import pytest_asyncio
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.temporal_bin import temporal_cli
from tests.support.servers import serve_app


@pytest_asyncio.fixture(scope="session")
async def temporal_env():
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()),
        data_converter=pydantic_data_converter,
        ui=False,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def dukcapil_url(tmp_path_factory):
    from simulators.dukcapil.app import create_app
    from simulators.dukcapil.settings import DukcapilSimSettings

    db = tmp_path_factory.mktemp("dukcapil") / "dukcapil.db"
    with serve_app(create_app(DukcapilSimSettings(database_url=f"sqlite:///{db}"))) as url:
        yield url


@pytest.fixture(scope="session")
def bpjs_url(tmp_path_factory):
    from simulators.bpjs.app import create_app
    from simulators.bpjs.settings import BpjsSimSettings

    db = tmp_path_factory.mktemp("bpjs") / "bpjs.db"
    with serve_app(create_app(BpjsSimSettings(database_url=f"sqlite:///{db}"))) as url:
        yield url


@pytest_asyncio.fixture(scope="session")
async def stack(temporal_env, dukcapil_url, bpjs_url, tmp_path_factory):
    from api.app import create_app
    from api.readmodel.db import make_engine
    from api.readmodel.migrate import upgrade_to_head
    from api.settings import Settings
    from api.worker import build_worker, make_ports
    from tests.support.stack import Stack

    db = tmp_path_factory.mktemp("api") / "kelahiran.db"
    settings = Settings(
        environment="test", database_url=f"sqlite:///{db}",
        temporal_address=temporal_env.client.service_client.config.target_host,
        task_queue=f"kelahiran-test-{uuid.uuid4()}", dukcapil_url=dukcapil_url, bpjs_url=bpjs_url,
        bpjs_poll_seconds=1, retry_initial_seconds=0.2, retry_max_seconds=1, activity_timeout_seconds=10,
        temporal_ui_url=None, worker_metrics_port=0, worker_health_port=0,
    )
    upgrade_to_head(settings.database_url)
    dukcapil, bpjs = make_ports(settings)
    engine = make_engine(settings.database_url)
    worker = build_worker(temporal_env.client, settings, dukcapil=dukcapil, bpjs=bpjs, engine=engine)
    with serve_app(create_app(settings)) as api_url:
        async with worker:
            s = Stack(api_url=api_url, dukcapil_url=dukcapil_url, bpjs_url=bpjs_url, settings=settings,
                      client=temporal_env.client)
            yield s
            await s.http.aclose()
    await dukcapil.aclose()
    await bpjs.aclose()
    engine.dispose()
