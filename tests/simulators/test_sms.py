"""SMS gateway simulator: API key, validation, a resent reference delivered once, the testers' inbox."""

from __future__ import annotations

import httpx
import pytest

from simulators.sms.app import create_app
from simulators.sms.settings import SmsSimSettings
from tests.support.servers import serve_app

KEY, ADMIN = "test-sms-key", "test-admin-token"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    db = tmp_path_factory.mktemp("sms") / "sms.db"
    settings = SmsSimSettings(database_url=f"sqlite:///{db}", api_key=KEY, admin_token=ADMIN)
    with serve_app(create_app(settings)) as url:
        with httpx.Client(base_url=url, timeout=10) as http:
            yield http


def _send(http: httpx.Client, **body) -> httpx.Response:
    msg = {"tujuan": "+6281234567890", "isi": "Halo", "referensi": "ref-1"} | body
    return http.post("/v1/pesan", json=msg, headers={"X-Api-Key": KEY})


def _inbox(http: httpx.Client, number: str) -> list[dict]:
    got = http.get("/admin/pesan", params={"tujuan": number}, headers={"X-Admin-Token": ADMIN})
    assert got.status_code == 200, got.text
    return got.json()


def test_a_message_is_accepted_and_lands_in_the_inbox(gateway):
    got = _send(gateway, tujuan="+6281200000001", isi="Dukcapil: PIN 123456", referensi="t1")
    assert got.status_code == 200, got.text
    assert got.json()["status"] == "diterima" and got.json()["segmen"] == 1
    inbox = _inbox(gateway, "6281200000001")
    assert [(m["isi"], m["pengirim"]) for m in inbox] == [("Dukcapil: PIN 123456", "DUKCAPIL")]


def test_the_same_reference_is_delivered_once_and_cannot_carry_another_message(gateway):
    first = _send(gateway, tujuan="+6281200000002", referensi="t2")
    again = _send(gateway, tujuan="+6281200000002", referensi="t2")
    assert first.json()["id"] == again.json()["id"]
    assert len(_inbox(gateway, "+6281200000002")) == 1
    other = _send(gateway, tujuan="+6281200000002", isi="Lain", referensi="t2")
    assert other.status_code == 409 and other.json()["kode"] == "REFERENSI_SUDAH_DIPAKAI"


def test_refusals(gateway):
    assert gateway.post("/v1/pesan", json={}).status_code == 401
    assert _send(gateway).status_code == 200  # with the key
    assert gateway.post("/v1/pesan", json={"tujuan": "+6281234567890", "isi": "x", "referensi": "r"},
                        headers={"X-Api-Key": "wrong-key"}).status_code == 401
    bad = _send(gateway, tujuan="081234567890", referensi="t3")  # not E.164
    assert bad.status_code == 422 and "081234567890" not in bad.text  # never echoed
    long = _send(gateway, isi="x" * 1000, referensi="t4")
    assert long.status_code == 422 and long.json()["kode"] == "PESAN_TERLALU_PANJANG"
    assert _send(gateway, isi="y" * 400, referensi="t5").json()["segmen"] == 3
    assert gateway.get("/admin/pesan").status_code == 401


def test_an_injected_outage_refuses_sending(gateway):
    rule = {"id": "sms-down", "endpoint": "kirim", "status_code": 503, "remaining": 1}
    assert gateway.post("/admin/faults", json=rule, headers={"X-Admin-Token": ADMIN}).status_code == 201
    assert _send(gateway, referensi="t6").status_code == 503
    assert _send(gateway, referensi="t6").status_code == 200
