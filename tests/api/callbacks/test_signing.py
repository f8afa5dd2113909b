"""Signatures: what we send is what a receiver following docs/callbacks.md accepts, and nothing else."""

from __future__ import annotations

import hashlib
import hmac
import time

from adapters.webhooks import signing

BODY = b'{"id":"6a1c","type":"bundle.completed","status":"completed"}'


def test_round_trip():
    secret, ts = signing.new_secret(), int(time.time())
    header = signing.signature_header([secret], ts, BODY)
    assert header.startswith("v1=") and len(header) == 3 + 64
    assert signing.verify(secret, str(ts), header, BODY)


def test_it_is_an_hmac_sha256_of_timestamp_dot_body_with_the_whole_secret():
    secret, ts = "khs_example", 1764300000
    expected = hmac.new(b"khs_example", b"1764300000." + BODY, hashlib.sha256).hexdigest()
    assert signing.signature(secret, ts, BODY) == f"v1={expected}"


def test_tampering_another_secret_or_a_stale_timestamp_fail():
    secret, ts = signing.new_secret(), int(time.time())
    header = signing.signature_header([secret], ts, BODY)
    assert not signing.verify(secret, str(ts), header, BODY.replace(b"completed", b"closed"))
    assert not signing.verify(signing.new_secret(), str(ts), header, BODY)
    assert not signing.verify(secret, str(ts + 1), header, BODY)  # the timestamp is signed too
    assert not signing.verify(secret, str(ts), header, BODY, now=ts + 301)  # replayed too late
    assert not signing.verify(secret, "yesterday", header, BODY)


def test_during_a_rotation_either_secret_verifies():
    old, new, ts = signing.new_secret(), signing.new_secret(), int(time.time())
    header = signing.signature_header([new, old], ts, BODY)
    assert header.count("v1=") == 2
    assert signing.verify(new, str(ts), header, BODY) and signing.verify(old, str(ts), header, BODY)


def test_secrets_are_random_and_long():
    a, b = signing.new_secret(), signing.new_secret()
    assert a != b and a.startswith("khs_") and len(a) == 4 + 43


def test_the_documented_check_accepts_our_deliveries():
    """The few lines of Python docs/callbacks.md gives hospitals, run against what we send."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "docs" / "callbacks.md").read_text()
    block = next(b for b in readme.split("```python\n")[1:] if "def is_authentic" in b).split("```")[0]
    scope: dict = {}
    exec(block, scope)  # noqa: S102 - our own documentation
    secret, ts = signing.new_secret(), int(time.time())
    headers = {"X-Kelahiran-Timestamp": str(ts),
               "X-Kelahiran-Signature": signing.signature_header([signing.new_secret(), secret], ts, BODY)}
    assert scope["is_authentic"](secret, headers, BODY)
    assert not scope["is_authentic"](secret, headers, BODY + b" ")
    assert not scope["is_authentic"](signing.new_secret(), headers, BODY)
    assert not scope["is_authentic"](secret, {**headers, "X-Kelahiran-Timestamp": str(ts - 3600)}, BODY)
