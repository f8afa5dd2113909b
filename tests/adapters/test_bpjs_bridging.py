"""The adapter's half of the bridging protocol: signing and opening responses."""

from __future__ import annotations

import pytest

from adapters.bpjs.bridging import (
    decompress_from_encoded_uri_component,
    sign_headers,
    signature,
)

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
]


def test_signature_matches_the_protocol_test_vector():
    assert signature("1234", "s3cr3tKey", "1760594400") == (
        "TIiwDYqbDWNxx7/OTrvy358MCUDcefdSHl0J7/EDaOM="
    )


def test_sign_headers_carry_the_four_bridging_headers():
    headers = sign_headers(cons_id="1234", secret="s3cr3tKey", user_key="uk",
                           timestamp="1760594400")
    assert headers == {
        "X-cons-id": "1234",
        "X-timestamp": "1760594400",
        "X-signature": "TIiwDYqbDWNxx7/OTrvy358MCUDcefdSHl0J7/EDaOM=",
        "user_key": "uk",
    }


@pytest.mark.parametrize(("text", "compressed"), JS_VECTORS)
def test_decompress_reads_javascript_lz_string(text, compressed):
    assert decompress_from_encoded_uri_component(compressed) == text


def test_decompress_tolerates_url_decoded_plus_and_rejects_garbage():
    # JavaScript: compressToEncodedURIComponent("nama 0 ?>~") == "HYQwtiAEAMkPwD4B+Q"
    assert decompress_from_encoded_uri_component("HYQwtiAEAMkPwD4B+Q") == "nama 0 ?>~"
    assert decompress_from_encoded_uri_component("HYQwtiAEAMkPwD4B Q") == "nama 0 ?>~"
    assert decompress_from_encoded_uri_component("") is None
    assert decompress_from_encoded_uri_component("not*lz") is None
