"""/codec/encode is audited like decode (no Temporal needed: the codec is the API's own)."""

from __future__ import annotations

import base64

import httpx
from sqlmodel import Session, select

from api.app import create_app
from infra.codec import TEST_KEY, TEST_KEY_ID
from infra.settings import Settings
from store.auth_models import AuditEvent
from store.db import make_engine
from store.migrate import upgrade_to_head
from tests.support import creds
from tests.support.servers import serve_app


async def test_encode_and_decode_are_both_audited_with_who_and_how_many(tmp_path):
    url = f"sqlite:///{tmp_path}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_address="127.0.0.1:9",
                        payload_keys=f"{TEST_KEY_ID}:{TEST_KEY}", payload_key_id=TEST_KEY_ID)
    plain = {"metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
             "data": base64.b64encode(b'{"reason": "Koreksi NIK ibu"}').decode()}
    with serve_app(create_app(settings)) as api:
        async with httpx.AsyncClient(base_url=api, timeout=30) as http:
            supervisor = await creds.staff_headers(http, api, settings, "supervisor")
            r = await http.post("/codec/encode", json={"payloads": [plain, plain]},
                                headers={**supervisor, "X-Namespace": "default"})
            assert r.status_code == 200, r.text
            encrypted = r.json()
            assert b"Koreksi" not in base64.b64decode(encrypted["payloads"][0]["data"])
            r = await http.post("/codec/decode", json=encrypted, headers=supervisor)
            assert r.status_code == 200 and r.json()["payloads"][0]["data"] == plain["data"]
            operator = await creds.staff_headers(http, api, settings, "operator")
            assert (await http.post("/codec/encode", json={"payloads": [plain]},
                                    headers=operator)).status_code == 403
    with Session(make_engine(url)) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action.in_(("codec.encode", "codec.decode")))
                        .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor) for e in events] == [("codec.encode", "supervisor-all"),
                                                     ("codec.decode", "supervisor-all")]
    assert '"payloads": 2' in events[0].details_json and '"namespace": "default"' in events[0].details_json
    assert "Koreksi" not in events[0].details_json  # counts, never the content
