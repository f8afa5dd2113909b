"""The offices' electronic signatures (TTE): one Ed25519 key per office, derived from one secret.

Two signatures per document: the `tte` over its data, made before the PDF exists (the QR code
carries a short code of it), and the `seal` over the data and the finished PDF's SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(data: dict) -> str:
    """The one JSON text a document's data is signed as (sorted keys, no spaces, UTF-8)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


@cache
def office_key(secret: str, office: str) -> Ed25519PrivateKey:
    """The office's signing key: HKDF of the simulator's secret, per office code."""
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"dukcapil-sim-tte",
                info=f"office/{office}".encode()).derive(secret.encode())
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key(secret: str, office: str) -> Ed25519PublicKey:
    return office_key(secret, office).public_key()


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, first 16 hex digits in groups of four."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    hexa = hashlib.sha256(raw).hexdigest()[:16].upper()
    return " ".join(hexa[i:i + 4] for i in range(0, 16, 4))


def raw_public(key: Ed25519PublicKey) -> str:
    return b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def tte_message(doc_id: str, kind: str, number: str, office: str, data_digest: str) -> bytes:
    return f"dukcapil-tte/v1|{doc_id}|{kind}|{number}|{office}|{data_digest}".encode()


def seal_message(doc_id: str, data_digest: str, pdf_sha256: str) -> bytes:
    return f"dukcapil-segel/v1|{doc_id}|{data_digest}|{pdf_sha256}".encode()


def sign(secret: str, office: str, message: bytes) -> str:
    return b64(office_key(secret, office).sign(message))


def valid(secret: str, office: str, message: bytes, signature: str) -> bool:
    try:
        public_key(secret, office).verify(unb64(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def short_code(signature: str) -> str:
    """What the QR code's URL carries: 12 bytes of the signature's hash (16 characters)."""
    return b64(hashlib.sha256(signature.encode()).digest()[:12])


def same_code(presented: str | None, signature: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), short_code(signature).encode())
