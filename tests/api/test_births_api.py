"""API contract: status codes, field paths, filters, and nothing kept when the engine refuses."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from sqlmodel import Session, select
from temporalio.client import Client

from api import codec
from api.app import create_app
from api.readmodel.db import make_engine
from api.readmodel.migrate import upgrade_to_head
from api.readmodel.models import Bundle
from api.settings import Settings
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
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "consent"]


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
    assert {"202", "409", "422", "503"} <= set(post["responses"])
    assert post["operationId"] == "births-post_birth"


async def test_engine_refusing_the_start_keeps_nothing(temporal_env, tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    # A namespace that does not exist: the connection works, every start is refused.
    client = await Client.connect(temporal_env.client.service_client.config.target_host,
                                  namespace="no-such-namespace", data_converter=codec.test_converter())
    settings = Settings(environment="test", database_url=url, temporal_ui_url=None)
    H = creds.hospital_headers(settings, HOSPITAL)
    with serve_app(create_app(settings, temporal_client=client)) as api:
        async with httpx.AsyncClient() as http:
            r = await http.post(f"{api}/v1/births", json=payloads.manual(), headers=H)
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    engine = make_engine(url)
    with Session(engine) as s:
        assert s.exec(select(Bundle)).all() == []
    engine.dispose()


async def test_not_ready_while_temporal_unreachable(tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_address="127.0.0.1:9",
                        temporal_ui_url=None)
    H = creds.hospital_headers(settings, HOSPITAL)
    with serve_app(create_app(settings)) as api:
        async with httpx.AsyncClient() as http:
            ready = await http.get(f"{api}/ready")
            post = await http.post(f"{api}/v1/births", json=payloads.manual(), headers=H)
    assert ready.status_code == 503 and ready.json()["checks"]["temporal"] == "connecting"
    assert post.status_code == 503
