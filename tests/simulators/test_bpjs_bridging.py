"""The simulator's half of the bridging protocol, checked against the protocol's own vectors
and against the adapter's independent half (the contract both must keep)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.bpjs import bridging as client_side
from simulators.bpjs.bridging import (
    BridgingAuthError,
    Consumer,
    expected_signature,
    seal,
    verify,
)
from simulators.bpjs.lzstring import compress_to_encoded_uri_component

VECTOR = ("1234", "s3cr3tKey", "1760594400", "TIiwDYqbDWNxx7/OTrvy358MCUDcefdSHl0J7/EDaOM=")

# Produced by the reference JavaScript lz-string 1.5.0 `compressToEncodedURIComponent`.
JS_VECTORS = [
    ("", "Q"),
    ("a", "IZA"),
    ("Hello, world", "BIUwNmD2A0AEDukBOYAmQ"),
    ("hello hello hello hello", "BYUwNmD2AEoTcq3FIA"),
    ('{"noKartu":"0001234567890","status":"AKTIF","kelas":"3"}',
     "N4Igdg9g0ghgTgFwK4gFwgAxYIwCYDMALAKwBsA7ABwCcGIANCAM4IzJNogCCUAKgJIAxBiADWAUwA2MDunwgAvkA"),
    ("Ñandú 🎉 ü€", "IsQwdgJgXwBIPBuEj9mAfwNQRA"),
    ("x" * 1000, "B418ZXTt-DFOS1b0c17Pd-wYUcSaWeRZVdTbXTEA"),
    ("abcabcabcabcabcabcabcabcabcabcabcabc", "IYIwxqHpPXUNmIA"),
    ("nama 0 ?>~", "HYQwtiAEAMkPwD4B+Q"),
]

CONSUMER = Consumer(cons_id="1234", secret="s3cr3tKey", user_key="uk")


def test_signature_matches_the_protocol_test_vector():
    cons_id, secret, ts, expected = VECTOR
    assert expected_signature(cons_id, secret, ts) == expected


def test_verify_accepts_the_test_vector_headers_and_returns_the_timestamp():
    cons_id, _, ts, sig = VECTOR
    headers = {"x-cons-id": cons_id, "x-timestamp": ts, "x-signature": sig, "user_key": "uk"}
    assert verify(headers, CONSUMER, now=int(ts) + 10, tolerance_seconds=300) == ts


@pytest.mark.parametrize(
    ("change", "now_delta"),
    [
        ({"x-signature": "AAAA"}, 0),
        ({"x-cons-id": "9999"}, 0),
        ({"user_key": "other"}, 0),
        ({"x-timestamp": "abc"}, 0),
        ({"x-signature": None}, 0),
        ({}, 301),
        ({}, -301),
    ],
)
def test_verify_refuses_bad_headers_and_stale_timestamps(change, now_delta):
    cons_id, _, ts, sig = VECTOR
    headers = {"x-cons-id": cons_id, "x-timestamp": ts, "x-signature": sig, "user_key": "uk"}
    headers.update(change)
    with pytest.raises(BridgingAuthError):
        verify(headers, CONSUMER, now=int(ts) + now_delta, tolerance_seconds=300)


@pytest.mark.parametrize(("text", "compressed"), JS_VECTORS)
def test_compress_matches_javascript_lz_string(text, compressed):
    assert compress_to_encoded_uri_component(text) == compressed


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_lz_string_round_trip_across_the_two_implementations(text):
    compressed = compress_to_encoded_uri_component(text)
    assert client_side.decompress_from_encoded_uri_component(compressed) == text


def test_sealed_envelope_opens_with_the_adapter_using_the_same_timestamp():
    payload = {"noKartu": "0001234567890", "status": "AKTIF", "nama": "Bayi Ny. Siti Ñ 🎉"}
    sealed = seal(payload, CONSUMER, "1760594400")
    text = client_side.open_response(sealed, cons_id="1234", secret="s3cr3tKey",
                                     timestamp="1760594400")
    assert json.loads(text) == payload
    with pytest.raises(client_side.EnvelopeError):
        client_side.open_response(sealed, cons_id="1234", secret="s3cr3tKey",
                                  timestamp="1760594401")
