"""The SMS gateway adapter against the simulator: numbers normalised, failures classified."""

from __future__ import annotations

import httpx
import pytest

from adapters.errors import BusinessRejection, TransientError
from adapters.sms.client import SmsGatewayClient
from adapters.sms.port import Sms, e164
from simulators.sms.app import create_app
from simulators.sms.settings import SmsSimSettings
from tests.support.servers import free_port, serve_app

KEY, ADMIN = "adapter-sms-key", "test-admin-token"


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory):
    db = tmp_path_factory.mktemp("sms-adapter") / "sms.db"
    settings = SmsSimSettings(database_url=f"sqlite:///{db}", api_key=KEY, admin_token=ADMIN)
    with serve_app(create_app(settings)) as url:
        yield url


@pytest.mark.parametrize("written", ["081234567890", "6281234567890", "+6281234567890", " 081234567890 "])
def test_indonesian_mobile_numbers_become_e164(written):
    assert e164(written) == "+6281234567890"


async def test_a_message_reaches_the_gateway_once_per_reference(gateway_url):
    client = SmsGatewayClient(gateway_url, api_key=KEY)
    try:
        first = await client.send(Sms(phone="081299990001", text="Halo keluarga", reference="a-1"))
        again = await client.send(Sms(phone="081299990001", text="Halo keluarga", reference="a-1"))
    finally:
        await client.aclose()
    assert first.message_id == again.message_id and first.segments == 1
    async with httpx.AsyncClient() as http:
        inbox = (await http.get(f"{gateway_url}/admin/pesan", params={"tujuan": "+6281299990001"},
                                headers={"X-Admin-Token": ADMIN})).json()
    assert [m["isi"] for m in inbox] == ["Halo keluarga"]


async def test_failures_are_classified(gateway_url):
    wrong_key = SmsGatewayClient(gateway_url, api_key="not-the-key")
    nobody = SmsGatewayClient(f"http://127.0.0.1:{free_port()}", api_key=KEY, timeout=2)
    client = SmsGatewayClient(gateway_url, api_key=KEY)
    try:
        with pytest.raises(TransientError):  # fixed configuration makes the retry succeed
            await wrong_key.send(Sms(phone="081299990002", text="x", reference="b-1"))
        with pytest.raises(TransientError):
            await nobody.send(Sms(phone="081299990002", text="x", reference="b-2"))
        with pytest.raises(BusinessRejection) as refused:
            await client.send(Sms(phone="081299990002", text="x" * 2000, reference="b-3"))
        assert refused.value.reason == "PESAN_TERLALU_PANJANG"
        await client.send(Sms(phone="081299990002", text="x", reference="b-4"))
        with pytest.raises(BusinessRejection) as reused:
            await client.send(Sms(phone="081299990002", text="another", reference="b-4"))
        assert reused.value.reason == "REFERENSI_SUDAH_DIPAKAI"
        rule = {"id": "down", "endpoint": "kirim", "status_code": 503, "remaining": 1}
        async with httpx.AsyncClient() as http:
            await http.post(f"{gateway_url}/admin/faults", json=rule, headers={"X-Admin-Token": ADMIN})
        with pytest.raises(TransientError):
            await client.send(Sms(phone="081299990002", text="x", reference="b-5"))
    finally:
        for c in (wrong_key, nobody, client):
            await c.aclose()
