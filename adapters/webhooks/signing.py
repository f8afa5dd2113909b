"""Webhook signatures per the Standard Webhooks specification (https://www.standardwebhooks.com/),
plus the signature this service sent before it, for a deprecation period.

Standard Webhooks: `webhook-id` (the event id, the same on every retry), `webhook-timestamp` (epoch
seconds of this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`,
where the key is the base64-decoded part of a `whsec_...` secret. Signing the id and the timestamp
with the body means a captured delivery cannot be replayed as another event or later than the
receiver's tolerance. During a secret rotation's grace period the header carries one signature per
valid secret, space-separated (the specification's form); a receiver accepts any that matches.

Before it (deprecated, still sent until `KELAHIRAN_CALLBACK_LEGACY_SIGNATURE_UNTIL`):
`X-Kelahiran-Signature: v1=<hex HMAC-SHA256(secret string, "{timestamp}.{body}")>`, comma-separated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

PREFIX = "whsec_"
LEGACY_PREFIX = "khs"  # secrets made before the switch: the whole string is the key
SCHEME = "v1"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh secret in the specification's format: `whsec_` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def key(secret: str) -> bytes:
    """The HMAC key of a secret: a `whsec_` secret's decoded bytes; an older `khs_` secret's own bytes
    (its Standard Webhooks form is therefore `whsec_` + base64 of the whole `khs_...` string)."""
    if secret.startswith(PREFIX):
        return base64.b64decode(secret[len(PREFIX):])
    return secret.encode()


def standard_secret(secret: str) -> str:
    """The `whsec_...` form a Standard Webhooks library takes for any of our secrets."""
    if secret.startswith(PREFIX):
        return secret
    return PREFIX + base64.b64encode(secret.encode()).decode("ascii")


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return f"{SCHEME},{base64.b64encode(mac).decode('ascii')}"


def standard_headers(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(standard_signature(s, msg_id, timestamp, body) for s in secrets_)}


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Deprecated: the signature of X-Kelahiran-Signature (the whole secret string is the key)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signature_header(secrets_: list[str], timestamp: int, body: bytes) -> str:
    return ",".join(signature(s, timestamp, body) for s in secrets_)


def verify(secret: str, timestamp: str, header: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Deprecated scheme, what a receiver did: a fresh timestamp and one matching signature."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - ts) > tolerance:
        return False
    expected = signature(secret, ts, body)
    return any(hmac.compare_digest(part.strip(), expected) for part in header.split(","))
