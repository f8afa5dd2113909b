"""A hospital's webhook: register, change, rotate its secret, remove; keyword-only helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select

from adapters.webhooks import signing
from store.callback_models import DEAD, NONE, PENDING, HospitalEvent, HospitalWebhook
from store.cipher import StateCipher, StateKeyError

SECRET, PREVIOUS = "hospital_webhook.secret", "hospital_webhook.previous_secret"  # associated data


@dataclass(frozen=True)
class Saved:
    webhook: HospitalWebhook
    secret: str | None  # set when a new secret was made: shown to the hospital once


def _now() -> datetime:
    return datetime.now(UTC)


def get(*, session: Session, hospital_id: str) -> HospitalWebhook | None:
    return session.get(HospitalWebhook, hospital_id)


def put(*, session: Session, cipher: StateCipher, hospital_id: str, url: str) -> Saved:
    """Register the webhook (with a new secret) or change its URL (the secret stays)."""
    now, row = _now(), session.get(HospitalWebhook, hospital_id)
    secret = None
    if row is None:
        secret = signing.new_secret()
        row = HospitalWebhook(hospital_id=hospital_id, url=url,
                              secret=cipher.encrypt(SECRET, hospital_id, secret),
                              created_at=now, updated_at=now, secret_rotated_at=now)
    row.url, row.updated_at, row.failures, row.blocked_until = url, now, 0, None
    session.add(row)
    session.commit()
    session.refresh(row)
    return Saved(row, secret)


def rotate(*, session: Session, cipher: StateCipher, hospital_id: str, grace: timedelta) -> Saved | None:
    """A new secret; during `grace` deliveries are signed with the old one as well."""
    row = session.get(HospitalWebhook, hospital_id)
    if row is None:
        return None
    now, secret = _now(), signing.new_secret()
    old = cipher.decrypt(SECRET, hospital_id, row.secret)
    row.previous_secret = cipher.encrypt(PREVIOUS, hospital_id, old) if grace else None
    row.previous_secret_expires_at = now + grace if grace else None
    row.secret = cipher.encrypt(SECRET, hospital_id, secret)
    row.secret_rotated_at = row.updated_at = now
    session.add(row)
    session.commit()
    session.refresh(row)
    return Saved(row, secret)


def delete(*, session: Session, hospital_id: str) -> bool:
    """Remove the webhook; events not yet delivered stay available by polling."""
    row = session.get(HospitalWebhook, hospital_id)
    if row is None:
        return False
    table = HospitalEvent.__table__
    session.exec(table.update().where(table.c.hospital_id == hospital_id, table.c.delivery == PENDING)
                 .values(delivery=NONE, lease_until=None, lease_owner=None))
    session.delete(row)
    session.commit()
    return True


def signing_secrets(*, cipher: StateCipher, row, now: datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous during its grace."""
    out = [cipher.decrypt(SECRET, row.hospital_id, row.secret)]
    if row.previous_secret and row.previous_secret_expires_at and row.previous_secret_expires_at > now:
        out.append(cipher.decrypt(PREVIOUS, row.hospital_id, row.previous_secret))
    return out


def backlog(*, session: Session, hospital_id: str) -> dict[str, int]:
    """How many of the hospital's events wait for delivery and how many were given up (dead)."""
    rows = session.exec(select(HospitalEvent.delivery, func.count()).where(
        HospitalEvent.hospital_id == hospital_id, col(HospitalEvent.delivery).in_((PENDING, DEAD)))
        .group_by(HospitalEvent.delivery)).all()
    counts = dict(rows)
    return {"pending": counts.get(PENDING, 0), "dead": counts.get(DEAD, 0)}


def reencrypt_secrets(*, session: Session, cipher: StateCipher,
                      dry_run: bool) -> tuple[int, int, list[tuple[str, str]]]:
    """Rewrite secrets not under the current read-model key: (rewritten, already current, failed)."""
    rewritten, current, failed = 0, 0, []
    for row in session.exec(select(HospitalWebhook)).all():
        try:
            fresh = {attr: cipher.encrypt(aad, row.hospital_id, cipher.decrypt(aad, row.hospital_id, stored))
                     for attr, aad in (("secret", SECRET), ("previous_secret", PREVIOUS))
                     if (stored := getattr(row, attr)) and not cipher.is_current(stored)}
        except StateKeyError as exc:
            failed.append((f"{HospitalWebhook.__tablename__} {row.hospital_id}", str(exc)))
            continue
        if not fresh:
            current += 1
            continue
        rewritten += 1
        if not dry_run:
            for attr, value in fresh.items():
                setattr(row, attr, value)
            session.add(row)
    session.commit()
    return rewritten, current, failed
