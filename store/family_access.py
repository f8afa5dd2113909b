"""Download links and their one-time PINs: made, checked, locked. Secrets are kept only as hashes.

The link's token is random (160 bits), so a SHA-256 of it is enough to find the row, as for
hospital keys; a 6-digit PIN is not. A million PINs are tried in hours against any password hash, so
the PIN is kept as an HMAC under the read-model key (`StateCipher.mac`), which is not in the
database: a copy of the database alone cannot test a single guess. (Argon2id costs ~20 ms of CPU per
completed bundle and did not protect a 6-digit PIN; it remains for a stack without read-model keys,
and a stored Argon2id hash still verifies.) Guesses are counted over the link's whole life (a new
PIN does not reset the count): at most `max_attempts` wrong guesses, then the link is locked for good.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from store.cipher import StateCipher
from store.family_models import FamilyAccess

TABLE = FamilyAccess.__tablename__
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Only without read-model keys (never in production): OWASP's minimum Argon2id profile (19 MiB, 2 passes).
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


@dataclass(frozen=True)
class Policy:
    link_days: int = 7
    max_attempts: int = 5
    session_minutes: int = 30
    max_pins: int = 4  # the first PIN and three more on request
    resend_after: timedelta = timedelta(seconds=60)


@dataclass(frozen=True)
class Notice:
    token: str
    pin: str
    reference: str  # names the SMS at the gateway: a retried send delivers it once


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_pin() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def prepare_notice(*, session: Session, bundle_id: str, phone: str, cipher: StateCipher, policy: Policy,
                   now: datetime) -> Notice | None:
    """A new link and PIN for the bundle, or None when the notice was already sent.

    An attempt that stopped before the gateway accepted the SMS left nothing the family has: its
    link and PIN are replaced.
    """
    token, pin = secrets.token_urlsafe(20), new_pin()
    values = {"token_hash": digest(token), "pin_hash": _pin_hash(cipher, bundle_id, pin),
              "phone": cipher.encrypt(TABLE, bundle_id, phone),
              "expires_at": now + timedelta(days=policy.link_days),
              "failed_attempts": 0, "locked_at": None, "session_hash": None,
              "pins_sent": 1, "pin_sent_at": now}
    table = FamilyAccess.__table__
    seen = session.exec(sa.select(table.c.sent_at, table.c.notices)
                        .where(table.c.bundle_id == bundle_id)).first()
    if seen is not None and seen.sent_at is not None:
        session.rollback()
        return None
    notices = (seen.notices if seen is not None else 0) + 1
    if seen is None:
        session.exec(table.insert().values(bundle_id=bundle_id, created_at=now, notices=notices,
                                           **values))
    else:
        session.exec(table.update().where(table.c.bundle_id == bundle_id)
                     .values(notices=notices, **values))
    session.commit()
    return Notice(token=token, pin=pin, reference=f"{bundle_id}.pemberitahuan.{notices}")


def mark_sent(*, session: Session, bundle_id: str, message_id: str, now: datetime) -> None:
    session.exec(sa.update(FamilyAccess).where(FamilyAccess.bundle_id == bundle_id)
                 .values(sent_at=now, message_id=message_id[:40]))
    session.commit()


def find(*, session: Session, token: str) -> FamilyAccess | None:
    if not TOKEN_PATTERN.match(token):
        return None
    return session.exec(select(FamilyAccess).where(FamilyAccess.token_hash == digest(token))).first()


def status(row: FamilyAccess, now: datetime) -> Literal["expired", "locked", "open"]:
    if row.expires_at <= now:
        return "expired"
    return "locked" if row.locked_at is not None else "open"


@dataclass(frozen=True)
class PinResult:
    outcome: Literal["opened", "wrong", "locked", "no_pin"]
    remaining: int = 0
    session_token: str | None = None


def check_pin(*, session: Session, row: FamilyAccess, pin: str, cipher: StateCipher, policy: Policy,
              now: datetime) -> PinResult:
    """Count the guess first (atomically, so parallel guesses are counted too), then check it."""
    if row.pin_hash is None:
        return PinResult("no_pin")
    key = FamilyAccess.bundle_id == row.bundle_id
    session.exec(sa.update(FamilyAccess).where(key).values(failed_attempts=FamilyAccess.failed_attempts + 1))
    session.commit()
    session.refresh(row)
    if row.failed_attempts > policy.max_attempts:
        return _lock(session, row, now)
    if not _pin_ok(cipher, row.bundle_id, row.pin_hash, pin):
        if row.failed_attempts >= policy.max_attempts:
            return _lock(session, row, now)
        return PinResult("wrong", remaining=policy.max_attempts - row.failed_attempts)
    opened = secrets.token_urlsafe(32)
    row.failed_attempts -= 1  # a right PIN is not a failure
    row.pin_hash = None  # used: the next visit needs a new PIN
    row.session_hash = digest(opened)
    row.session_expires_at = min(now + timedelta(minutes=policy.session_minutes), row.expires_at)
    session.add(row)
    session.commit()
    return PinResult("opened", session_token=opened)


def _pin_hash(cipher: StateCipher, bundle_id: str, pin: str) -> str:
    return cipher.mac(TABLE, bundle_id, pin) or _hasher.hash(pin)


def _pin_ok(cipher: StateCipher, bundle_id: str, pin_hash: str, pin: str) -> bool:
    if not pin_hash.startswith("$argon2"):
        return cipher.mac_ok(TABLE, bundle_id, pin.strip(), pin_hash)
    try:
        return _hasher.verify(pin_hash, pin.strip())
    except (VerificationError, InvalidHashError):
        return False


def _lock(session: Session, row: FamilyAccess, now: datetime) -> PinResult:
    row.locked_at = row.locked_at or now
    row.pin_hash = row.session_hash = None
    session.add(row)
    session.commit()
    return PinResult("locked")


def session_ok(row: FamilyAccess, cookie: str | None, now: datetime) -> bool:
    return (cookie is not None and row.session_hash is not None and status(row, now) == "open"
            and row.session_expires_at is not None and row.session_expires_at > now
            and hmac.compare_digest(digest(cookie), row.session_hash))


def end_session(*, session: Session, row: FamilyAccess) -> None:
    row.session_hash = row.session_expires_at = None
    session.add(row)
    session.commit()


@dataclass(frozen=True)
class Resend:
    pin: str
    phone: str
    reference: str


def prepare_resend(*, session: Session, row: FamilyAccess, cipher: StateCipher, policy: Policy,
                   now: datetime) -> Resend | Literal["limit", "wait"]:
    """A new PIN to the same phone (the old one stops working), a few times per link, not too often."""
    if row.pins_sent >= policy.max_pins:
        return "limit"
    if row.pin_sent_at is not None and row.pin_sent_at + policy.resend_after > now:
        return "wait"
    pin = new_pin()
    row.pin_hash = _pin_hash(cipher, row.bundle_id, pin)
    row.pins_sent, row.pin_sent_at = row.pins_sent + 1, now
    session.add(row)
    session.commit()
    return Resend(pin=pin, phone=cipher.decrypt(TABLE, row.bundle_id, row.phone),
                  reference=f"{row.bundle_id}.pin.{row.pins_sent}")
