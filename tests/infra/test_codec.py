"""Payload encryption: what Temporal stores holds no NIK, KK number or name."""

from __future__ import annotations

import base64

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from infra.codec import TEST_KEY, TEST_KEY_ID, CodecKeyError, EncryptionCodec, new_key_spec, parse_keys
from infra.settings import Settings
from tests.support import payloads
from tests.support.production import production


async def test_roundtrip_rotation_and_passthrough():
    old, new = parse_keys(new_key_spec("k1")), parse_keys(new_key_spec("k2"))
    before = EncryptionCodec(old, "k1")
    after = EncryptionCodec({**old, **new}, "k2")
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"nik": "3673055610250001"}')
    sealed_old = await before.encode([plain])
    assert b"3673055610250001" not in sealed_old[0].SerializeToString()
    assert (await after.decode(sealed_old)) == [plain]  # rotation: old payloads still open
    sealed_new = await after.encode([plain])
    assert sealed_new[0].metadata["encryption-key-id"] == b"k2"
    assert (await after.decode([plain])) == [plain]  # never encrypted: passes through
    with pytest.raises(CodecKeyError, match="k2"):
        await before.decode(sealed_new)


def test_bad_key_configuration_is_refused():
    with pytest.raises(CodecKeyError):
        parse_keys("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(CodecKeyError):
        EncryptionCodec(parse_keys(new_key_spec("a")), "b")


def test_production_refuses_missing_or_test_keys():
    with pytest.raises(ValueError, match="PAYLOAD_KEYS"):
        Settings(**production(payload_keys=None))
    with pytest.raises(ValueError, match="test-only"):
        Settings(**production(payload_keys=f"{TEST_KEY_ID}:{TEST_KEY}"))
    assert Settings(**production()).environment == "production"
    for secret in ("bpjs_secret", "dukcapil_client_secret", "sms_api_key"):
        with pytest.raises(ValueError, match="must be set in production"):
            Settings(**production(**{secret: None}))  # the development default


@pytest.mark.integration
async def test_exported_history_holds_no_personal_data(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, children=[payloads.child(name="Zahratunnisa Putri")])
    bid = await stack.accepted(body)
    b = await stack.wait(bid)
    # Read the history as anyone with access to Temporal would: without the key.
    raw = await Client.connect(stack.settings.temporal_address, data_converter=pydantic_data_converter)
    history = (await raw.get_workflow_handle(bid).fetch_history()).to_json()
    secrets = [body["mother"]["nik"], body["kk_number"], body["mother"]["name"], "Zahratunnisa",
               b["children"][0]["services"]["nik"]["document_number"]]
    found = [s for s in secrets if s in history]
    assert found == []
    assert "binary/encrypted" in history or base64.b64encode(b"binary/encrypted").decode() in history
