"""/ready fails only without the read model's database; Temporal and the start backlog are reported
as checks that do not fail it, and Temporal is really asked (1 s), not assumed from a client object."""

from __future__ import annotations

import time

import httpx

from api.app import create_app
from api.routes.health import Readiness
from infra import codec
from infra.settings import Settings
from infra.temporal_bin import temporal_cli
from store.cipher import spec_for_tests
from store.migrate import upgrade_to_head
from tests.support import creds, payloads
from tests.support.servers import serve_app
from tools.embedded import free_port

HOSPITAL = "RSUD-READY"


def settings(tmp_path, **more) -> Settings:
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    return Settings(**{"environment": "test", "database_url": url, "temporal_ui_url": None,
                       "readmodel_keys": spec_for_tests(), **more})


async def test_ready_while_temporal_was_never_reached_reports_it_and_the_backlog(tmp_path):
    down = settings(tmp_path, temporal_address=f"127.0.0.1:{free_port()}")
    H = creds.hospital_headers(down, HOSPITAL)
    with serve_app(create_app(down)) as api:
        async with httpx.AsyncClient() as http:
            assert (await http.post(f"{api}/v1/births", json=payloads.manual(), headers=H)).status_code == 202
            ready = await http.get(f"{api}/ready")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "temporal": "connecting"}
    assert body["intake_backlog"]["pending_starts"] == 1 and body["intake_backlog"]["oldest_s"] >= 0


async def test_ready_asks_temporal_and_stays_200_when_it_stops_answering(tmp_path):
    from temporalio.testing import WorkflowEnvironment

    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(temporal_cli()),
                                                data_converter=codec.test_converter(), ui=False,
                                                dev_server_log_level="error")
    stopped = False
    try:
        up = settings(tmp_path, temporal_address=env.client.service_client.config.target_host)
        with serve_app(create_app(up, temporal_client=env.client)) as api:
            async with httpx.AsyncClient(timeout=10) as http:
                before = (await http.get(f"{api}/ready")).json()
                await env.shutdown()
                stopped = True
                began = time.monotonic()
                after = await http.get(f"{api}/ready")
                took = time.monotonic() - began
    finally:
        if not stopped:
            await env.shutdown()
    assert before["checks"] == {"database": "ok", "temporal": "ok"}
    assert after.status_code == 200, after.text  # births are still accepted and kept
    assert after.json()["checks"] == {"database": "ok", "temporal": "unavailable"}
    assert took < 3, f"/ready took {took:.1f} s with Temporal gone"


def test_not_ready_without_the_database(tmp_path):
    broken = Settings(environment="test", database_url=f"sqlite:///{tmp_path}/missing/api.db",
                      temporal_address=f"127.0.0.1:{free_port()}", temporal_ui_url=None,
                      readmodel_keys=spec_for_tests())
    with serve_app(create_app(broken)) as api:
        ready = httpx.get(f"{api}/ready", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["status"] == "not_ready" and ready.json()["checks"]["database"] == "unavailable"
    # The 503 is the readiness body the OpenAPI declares for it (not a Problem), with a fitting example.
    Readiness.model_validate(ready.json())
    declared = create_app(broken).openapi()["paths"]["/ready"]["get"]["responses"]["503"]["content"]
    assert list(declared) == ["application/json"]
    assert declared["application/json"]["schema"] == {"$ref": "#/components/schemas/Readiness"}
    Readiness.model_validate(declared["application/json"]["examples"]["not_ready"]["value"])
