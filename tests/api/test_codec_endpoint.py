"""The Web UI's codec endpoint: decodes real history payloads for supervisors and auditors only."""

from __future__ import annotations

import base64

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from api.app import create_app
from infra.settings import Settings
from store.migrate import upgrade_to_head
from tests.support import payloads
from tests.support.servers import serve_app

pytestmark = pytest.mark.integration


async def _first_input(stack, bundle_id: str) -> dict:
    history = await stack.client.get_workflow_handle(bundle_id).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    return json_format.MessageToDict(started.input)


async def test_decode_shows_the_payload_to_supervisors_and_auditors_and_is_audited(stack):
    body = payloads.manual()
    bid = await stack.accepted(body, hospital="RSUD-CODEC")
    encrypted = await _first_input(stack, bid)
    assert body["mother"]["name"] not in str(encrypted)  # the history holds ciphertext
    url = f"{stack.api_url}/codec/decode"

    async def post(headers: dict, json: dict = encrypted) -> httpx.Response:
        return await stack.http.post(url, json=json, headers=headers)

    for role in ("supervisor", "auditor"):
        r = await post({**await stack.staff(role), "X-Namespace": "default"})
        assert r.status_code == 200, r.text
        decoded = json_format.ParseDict(r.json(), Payloads())
        assert body["mother"]["name"] in decoded.payloads[0].data.decode()
    assert (await post(await stack.staff("operator"))).status_code == 403
    assert (await post(stack.hospital("RSUD-CODEC"))).status_code == 403
    assert (await post({})).status_code == 401
    b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
    unknown_key = {"metadata": {"encoding": b64(b"binary/encrypted"), "encryption-key-id": b64(b"nope")},
                   "data": b64(bytes(40))}
    r = await post(await stack.staff("auditor"), {"payloads": [unknown_key]})
    assert r.status_code == 400 and "CodecKeyError" in r.json()["detail"]
    assert (await post(await stack.staff("auditor"), {"payloads": "nope"})).status_code in (400, 422)
    events = (await stack.http.get(f"{stack.api_url}/v1/audit", params={"action": "codec.decode"},
                                   headers=await stack.staff("auditor"))).json()["items"]
    assert {e["actor"] for e in events} >= {"supervisor-all", "auditor-all"}


async def test_cors_admits_only_the_web_ui_origin(tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_ui_url="http://127.0.0.1:8233",
                        temporal_address="127.0.0.1:9")
    with serve_app(create_app(settings)) as api:
        async with httpx.AsyncClient(base_url=api) as http:
            ok = await http.options("/codec/decode", headers={
                "Origin": "http://127.0.0.1:8233", "Access-Control-Request-Method": "POST"})
            evil = await http.options("/codec/decode", headers={
                "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
            births = await http.options("/v1/births", headers={
                "Origin": "http://127.0.0.1:8233", "Access-Control-Request-Method": "POST"})
    assert ok.headers["access-control-allow-origin"] == "http://127.0.0.1:8233"
    assert ok.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in evil.headers
    assert "access-control-allow-origin" not in births.headers  # CORS for the codec only
