"""The BPJS bridging protocol, server side: check the signature, seal the response.

Independent of the adapter's half on purpose (a simulator never imports `adapters/`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from simulators.bpjs.lzstring import compress_to_encoded_uri_component


@dataclass(frozen=True)
class Consumer:
    cons_id: str
    secret: str
    user_key: str


class BridgingAuthError(Exception):
    """The request is not from a known consumer, or its signature or timestamp is wrong."""


def expected_signature(cons_id: str, secret: str, timestamp: str) -> str:
    mac = hmac.new(secret.encode(), (cons_id + "&" + timestamp).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def verify(
    headers: dict[str, str | None], consumer: Consumer, *, now: float, tolerance_seconds: int
) -> str:
    """Check the four bridging headers against `now` (wall clock); return the timestamp."""
    cons_id, timestamp = headers.get("x-cons-id"), headers.get("x-timestamp")
    sig, user_key = headers.get("x-signature"), headers.get("user_key")
    if not cons_id or not timestamp or not sig or not user_key:
        raise BridgingAuthError("Header X-cons-id, X-timestamp, X-signature dan user_key wajib")
    if not hmac.compare_digest(cons_id, consumer.cons_id):
        raise BridgingAuthError("Consumer ID tidak dikenal")
    if not hmac.compare_digest(user_key, consumer.user_key):
        raise BridgingAuthError("user_key tidak valid")
    if not timestamp.isdigit():
        raise BridgingAuthError("X-timestamp harus detik epoch UTC")
    # Freshness follows the real clock, never the simulated one: skew is a real-world failure.
    if abs(now - int(timestamp)) > tolerance_seconds:
        raise BridgingAuthError("X-timestamp kedaluwarsa")
    if not hmac.compare_digest(sig, expected_signature(cons_id, consumer.secret, timestamp)):
        raise BridgingAuthError("Signature tidak valid")
    return timestamp


def seal(payload: Any, consumer: Consumer, timestamp: str) -> str:
    """JSON -> LZ-string -> AES-256-CBC/PKCS7 -> base64, keyed by the request's timestamp."""
    text = json.dumps(payload, separators=(",", ":"))
    compressed = compress_to_encoded_uri_component(text).encode("ascii")
    key = hashlib.sha256((consumer.cons_id + consumer.secret + timestamp).encode()).digest()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def envelope(code: str, message: str, response: str | None = None) -> dict[str, Any]:
    """The VClaim-style wrapper around every bridged answer."""
    return {"metaData": {"code": code, "message": message}, "response": response}
