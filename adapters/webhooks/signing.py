"""Webhook signatures: `v1=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`.

The timestamp is signed with the body, so a captured delivery cannot be replayed later than the
receiver's tolerance. During a secret rotation's grace period the header carries one signature per
valid secret, comma-separated; a receiver accepts the delivery if any of them matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

PREFIX = "khs"
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret (256 random bits); the receiver uses the whole string as the HMAC key."""
    return f"{PREFIX}_{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signature_header(secrets_: list[str], timestamp: int, body: bytes) -> str:
    return ",".join(signature(s, timestamp, body) for s in secrets_)


def verify(secret: str, timestamp: str, header: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (see the README): a fresh timestamp and one matching signature."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - ts) > tolerance:
        return False
    expected = signature(secret, ts, body)
    return any(hmac.compare_digest(part.strip(), expected) for part in header.split(","))
