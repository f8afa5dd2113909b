"""The BPJS bridging protocol, client side: sign each request, open each response.

Written independently of the simulator's half on purpose: the contract tests prove the two agree.
Signature: base64(HMAC-SHA256(secret, cons_id + "&" + timestamp)). Response: base64 of
AES-256-CBC/PKCS7 with key SHA-256(cons_id + secret + timestamp), IV = key[:16], over LZ-string
`compressToEncodedURIComponent` JSON.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_URI_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$"
_URI_SAFE_INDEX = {ch: i for i, ch in enumerate(_URI_SAFE)}


class EnvelopeError(ValueError):
    """The encrypted response could not be opened (wrong key, truncated, not LZ-string)."""


def signature(cons_id: str, secret: str, timestamp: str) -> str:
    """The X-signature value for one timestamp."""
    mac = hmac.new(secret.encode(), f"{cons_id}&{timestamp}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def sign_headers(*, cons_id: str, secret: str, user_key: str, timestamp: str) -> dict[str, str]:
    """The four bridging headers for a request made at `timestamp` (UTC epoch seconds)."""
    return {
        "X-cons-id": cons_id,
        "X-timestamp": timestamp,
        "X-signature": signature(cons_id, secret, timestamp),
        "user_key": user_key,
    }


def decrypt(ciphertext_b64: str, *, cons_id: str, secret: str, timestamp: str) -> str:
    """AES-256-CBC decrypt with the key derived from the request's own timestamp."""
    key = hashlib.sha256(f"{cons_id}{secret}{timestamp}".encode()).digest()
    try:
        raw = base64.b64decode(ciphertext_b64, validate=True)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        padded = decryptor.update(raw) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        return plain.decode("ascii")
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        raise EnvelopeError("response could not be decrypted") from exc


def open_response(ciphertext_b64: str, *, cons_id: str, secret: str, timestamp: str) -> str:
    """Decrypt then decompress: the plaintext JSON text of an envelope's `response`."""
    compressed = decrypt(ciphertext_b64, cons_id=cons_id, secret=secret, timestamp=timestamp)
    text = decompress_from_encoded_uri_component(compressed)
    if text is None:
        raise EnvelopeError("response is not LZ-string data")
    return text


def decompress_from_encoded_uri_component(data: str) -> str | None:
    """Port of JavaScript `LZString.decompressFromEncodedURIComponent`; None when invalid."""
    if data == "":
        return None
    data = data.replace(" ", "+")  # the reference tolerates '+' turned into ' ' by URL decoding
    try:
        values = [_URI_SAFE_INDEX[ch] for ch in data]
    except KeyError:
        return None
    return _decompress(values, 32)


def _decompress(values: list[int], reset_value: int) -> str | None:
    length = len(values)
    state = {"val": values[0], "position": reset_value, "index": 1}

    def read(nbits: int) -> int:
        bits, power = 0, 1
        for _ in range(nbits):
            resb = state["val"] & state["position"]
            state["position"] >>= 1
            if state["position"] == 0:
                state["position"] = reset_value
                # Reading past the end yields 0 in JavaScript (charAt -> ""), so mimic it.
                i = state["index"]
                state["val"] = values[i] if i < length else 0
                state["index"] = i + 1
            if resb:
                bits |= power
            power <<= 1
        return bits

    dictionary: list[str] = ["", "", ""]  # codes 0-2 are control codes
    enlarge_in, num_bits = 4, 3
    first = read(2)
    if first == 2:
        return ""
    if first not in (0, 1):
        return None
    c = chr(read(8 if first == 0 else 16))
    dictionary.append(c)
    w = c
    result = [c]
    while True:
        if state["index"] > length:
            return ""
        code = read(num_bits)
        if code in (0, 1):
            dictionary.append(chr(read(8 if code == 0 else 16)))
            code = len(dictionary) - 1
            enlarge_in -= 1
        elif code == 2:
            return _from_utf16_units("".join(result))
        if enlarge_in == 0:
            enlarge_in, num_bits = 2**num_bits, num_bits + 1
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = w + w[0]
        else:
            return None
        result.append(entry)
        dictionary.append(w + entry[0])
        enlarge_in -= 1
        w = entry
        if enlarge_in == 0:
            enlarge_in, num_bits = 2**num_bits, num_bits + 1


def _from_utf16_units(units: str) -> str:
    # Each element is one UTF-16 code unit; rejoin surrogate pairs into real characters.
    raw = b"".join(ord(u).to_bytes(2, "little") for u in units)
    return raw.decode("utf-16-le", "surrogatepass")
