"""API contract: status codes, field paths, filters, and births kept while the engine refuses them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import httpx
import pytest
from sqlmodel import Session, select
from temporalio.client import Client

from api.app import create_app
from infra import codec
from infra.settings import Settings
from store.cipher import spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.models import PendingStart
from tests.support import creds, payloads
from tests.support.servers import serve_app

pytestmark = pytest.mark.integration
HOSPITAL = "RSUD-API-TEST"


async def test_post_returns_202_location_and_status_url(stack):
    H = stack.hospital(HOSPITAL)
    r = await stack.http.post(f"{stack.api_url}/v1/births", json=payloads.manual(), headers=H)
    assert r.status_code == 202
    body = r.json()
    assert r.headers["location"] == body["status_url"]
    assert body["status_url"].endswith(f"/v1/births/{body['bundle_id']}")
    assert body["duplicate"] is False
    got = await stack.http.get(body["status_url"], headers=H)
    assert got.status_code == 200 and got.json()["record_id"]
    assert got.json()["consent"]["given_by"] == "mother"  # recorded with the notification
    assert (await stack.http.get(body["status_url"])).status_code == 401


async def test_consent_is_required(stack):
    body = payloads.manual()
    del body["consent"]
    r = await stack.post(body)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "consent"]


async def test_hospital_key_is_required_and_checked(stack):
    r = await stack.http.post(f"{stack.api_url}/v1/births", json=payloads.manual())
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    for bad in ("../etc", "khk_0123456789abcdef_" + "A" * 43, stack.hospital(HOSPITAL)["X-API-Key"] + "x"):
        r = await stack.http.post(f"{stack.api_url}/v1/births", json=payloads.manual(),
                                  headers={"X-API-Key": bad})
        assert r.status_code == 401, bad


async def test_malformed_json_and_unknown_ids(stack):
    H = stack.hospital(HOSPITAL)
    r = await stack.http.post(f"{stack.api_url}/v1/births", content=b"{not json", headers={
        **H, "Content-Type": "application/json"})
    assert r.status_code == 422
    assert (await stack.http.get(f"{stack.api_url}/v1/births/{uuid.uuid4()}", headers=H)).status_code == 404
    assert (await stack.http.get(f"{stack.api_url}/v1/births/not-a-uuid", headers=H)).status_code == 422


async def test_list_filters_by_hospital_status_and_service(stack):
    hospital = f"RSUD-F-{uuid.uuid4().hex[:6]}"
    fam = await stack.family(kab_kota="3671")
    bid = await stack.accepted(payloads.from_family(fam), hospital=hospital)
    await stack.wait(bid, lambda b: b["status"] == "needs_attention")
    ok = await stack.accepted(payloads.from_family(await stack.family(kab_kota="3673", segmen="PBI",
                                                                      marital="KAWIN_TERCATAT")),
                              hospital=hospital)
    await stack.wait(ok)
    base = f"{stack.api_url}/v1/births"
    sup = await stack.staff("supervisor")

    async def get(params: dict, headers: dict = sup):
        return await stack.http.get(base, params=params, headers=headers)

    page = (await get({"hospital_id": hospital})).json()
    assert page["total"] == 2
    page = (await get({"hospital_id": hospital, "status": "needs_attention"})).json()
    assert [i["bundle_id"] for i in page["items"]] == [bid]
    assert page["items"][0]["reasons"] == ["DOMISILI_LUAR"]
    page = (await get({"hospital_id": hospital, "service": "bpjs", "service_status": "completed"})).json()
    assert [i["bundle_id"] for i in page["items"]] == [ok]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page = (await get({"hospital_id": hospital, "born_from": yesterday, "born_to": yesterday,
                       "limit": 1})).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert (await get({"limit": 0})).status_code == 422
    assert (await get({"status": "bogus"})).status_code == 422
    # A hospital lists only its own bundles, whatever it asks for.
    own = (await get({"hospital_id": "RSUD-SERANG"}, stack.hospital(hospital))).json()
    assert own["total"] == 2 and {i["hospital_id"] for i in own["items"]} == {hospital}


async def test_openapi_documents_the_intake(stack):
    spec = (await stack.http.get(f"{stack.api_url}/openapi.json")).json()
    post = spec["paths"]["/v1/births"]["post"]
    assert {"202", "409", "422"} <= set(post["responses"])
    assert "503" not in post["responses"]  # accepted means kept, whatever Temporal's state
    assert post["operationId"] == "births-post_birth"


def _pending(url: str) -> list[PendingStart]:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return list(s.exec(select(PendingStart)).all())
    finally:
        engine.dispose()


async def _eventually(check, timeout: float = 15.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not (got := check()):
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.1)
    return got


async def test_a_start_the_engine_refuses_is_kept_and_retried(temporal_env, tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    # A namespace that does not exist: the connection works, every start is refused.
    client = await Client.connect(temporal_env.client.service_client.config.target_host,
                                  namespace="no-such-namespace", data_converter=codec.test_converter())
    settings = Settings(environment="test", database_url=url, temporal_ui_url=None,
                        readmodel_keys=spec_for_tests())
    H = creds.hospital_headers(settings, HOSPITAL)
    body = payloads.manual()
    with serve_app(create_app(settings, temporal_client=client)) as api:
        async with httpx.AsyncClient() as http:
            r = await http.post(f"{api}/v1/births", json=body, headers=H)
            assert r.status_code == 202
            bundle_id = r.json()["bundle_id"]
            tried = await _eventually(lambda: [p for p in _pending(url) if p.attempts >= 1])
            got = await http.get(f"{api}/v1/births/{bundle_id}", headers=H)
            # Acting on it before its workflow exists: a clear "not yet", not a missing bundle.
            named = await http.post(f"{api}/v1/births/{bundle_id}/children/1/name",
                                    json={"name": "Bayi Menunggu"}, headers=H)
    assert got.status_code == 200 and got.json()["status"] == "in_progress"
    assert named.status_code == 409 and "not started yet" in named.json()["detail"]
    assert named.headers["retry-after"] == "2"
    assert [p.bundle_id for p in tried] == [bundle_id] and tried[0].last_error
    assert body["mother"]["nik"] not in tried[0].input_json  # encrypted like the bundle's state
    assert tried[0].next_try_at > tried[0].created_at  # backing off, not spinning


async def test_accepted_while_temporal_is_unreachable_and_started_by_the_next_api(temporal_env, tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    down = Settings(environment="test", database_url=url, temporal_address="127.0.0.1:9",
                    temporal_ui_url=None)
    H = creds.hospital_headers(down, HOSPITAL)
    with serve_app(create_app(down)) as api:
        async with httpx.AsyncClient() as http:
            ready = await http.get(f"{api}/ready")
            post = await http.post(f"{api}/v1/births", json=payloads.manual(), headers=H)
    # Ready all the same: the births are accepted and kept (see tests/api/routes/test_health.py).
    assert ready.status_code == 200 and ready.json()["checks"]["temporal"] == "connecting"
    assert ready.json()["intake_backlog"] == {"pending_starts": 0, "oldest_s": None}
    assert post.status_code == 202
    bundle_id = post.json()["bundle_id"]
    assert [p.bundle_id for p in _pending(url)] == [bundle_id]  # kept, though that API stopped
    # Another API process on the same database, with Temporal there: it starts what was left.
    up = Settings(environment="test", database_url=url, temporal_ui_url=None,
                  task_queue=f"pending-{uuid.uuid4().hex[:8]}")
    with serve_app(create_app(up, temporal_client=temporal_env.client)):
        await _eventually(lambda: not _pending(url))
    desc = await temporal_env.client.get_workflow_handle(bundle_id).describe()
    assert desc.id == bundle_id and desc.task_queue == up.task_queue
