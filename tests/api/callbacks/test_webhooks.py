"""Signing secrets are stored encrypted (they must be usable to sign, so not hashed) and rotate."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from store import webhooks
from store.cipher import StateCipher, StateKeyError
from store.reencrypt import reencrypt
from tests.api.callbacks.conftest import hospital


def _key(kid: str) -> str:
    return f"{kid}:{base64.b64encode(kid.encode().ljust(32, b'.')).decode()}"


def _stored(engine, hospital_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT secret FROM hospital_webhook WHERE hospital_id = :h"),
                            {"h": hospital_id}).scalar_one()


def test_the_secret_is_encrypted_at_rest_and_bound_to_its_hospital(engine):
    cipher = StateCipher.from_spec(_key("k1"))
    a, b = hospital(engine), hospital(engine)
    with Session(engine) as s:
        secret = webhooks.put(session=s, cipher=cipher, hospital_id=a, url="https://a.example/hook").secret
        webhooks.put(session=s, cipher=cipher, hospital_id=b, url="https://b.example/hook")
    stored = _stored(engine, a)
    assert stored.startswith("enc1:k1:") and secret not in stored
    now = datetime.now(UTC)
    with Session(engine) as s:
        row = webhooks.get(session=s, hospital_id=a)
        assert webhooks.signing_secrets(cipher=cipher, row=row, now=now) == [secret]
        copied = webhooks.get(session=s, hospital_id=b)
        copied.secret = stored  # another hospital's ciphertext does not open here
        with pytest.raises(StateKeyError):
            webhooks.signing_secrets(cipher=cipher, row=copied, now=now)


def test_rotation_signs_with_both_until_the_grace_ends(engine):
    cipher = StateCipher.from_spec(_key("k1"))
    h = hospital(engine)
    with Session(engine) as s:
        old = webhooks.put(session=s, cipher=cipher, hospital_id=h, url="https://a.example/hook").secret
        new = webhooks.rotate(session=s, cipher=cipher, hospital_id=h, grace=timedelta(hours=1)).secret
        row = webhooks.get(session=s, hospital_id=h)
        now = datetime.now(UTC)
        assert webhooks.signing_secrets(cipher=cipher, row=row, now=now) == [new, old]
        assert webhooks.signing_secrets(cipher=cipher, row=row, now=now + timedelta(hours=2)) == [new]


def test_reencrypt_moves_secrets_to_the_current_key(engine):
    old = StateCipher.from_spec(_key("k1"))
    h = hospital(engine)
    with Session(engine) as s:
        secret = webhooks.put(session=s, cipher=old, hospital_id=h, url="https://a.example/hook").secret
        webhooks.rotate(session=s, cipher=old, hospital_id=h, grace=timedelta(hours=1))
    rotated = StateCipher.from_spec(f"{_key('k2')},{_key('k1')}", "k2")
    assert reencrypt(engine, rotated, dry_run=True).rewritten["hospital_webhook"] == 1
    assert _stored(engine, h).startswith("enc1:k1:")
    report = reencrypt(engine, rotated)
    assert (report.rewritten["hospital_webhook"], report.failed) == (1, [])
    assert _stored(engine, h).startswith("enc1:k2:")
    only_new = StateCipher.from_spec(_key("k2"))
    with Session(engine) as s:
        row = webhooks.get(session=s, hospital_id=h)
        assert webhooks.signing_secrets(cipher=only_new, row=row, now=datetime.now(UTC))[1] == secret
