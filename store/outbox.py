"""The outbox's database side: claim due events, record what delivery did, page events for polling.

Claiming is safe with several dispatchers: on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps two claims
apart and a lease keeps the claimed rows away from others until it runs out (a dispatcher that dies
mid-delivery loses its lease and the event is sent again: at least once). SQLite serialises writers,
so the same single UPDATE is atomic there. Only the oldest undelivered event of each bundle is
claimable, so a bundle's events are delivered in order.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adapters.webhooks.delivery import Outcome
from store import webhooks
from store.auth_models import Hospital
from store.callback_models import DEAD, DELIVERED, PENDING, HospitalEvent, HospitalWebhook
from store.cipher import StateCipher, StateKeyError

E, W = HospitalEvent.__table__, HospitalWebhook.__table__
log = structlog.get_logger("kelahiran.callbacks")


@dataclass(frozen=True)
class Backoff:
    initial: float
    maximum: float
    max_age: timedelta

    def delay(self, failures: int) -> timedelta:
        """Exponential, capped, with jitter (half to all of it) so retries do not come in waves."""
        full = min(self.maximum, self.initial * 2 ** max(0, failures - 1))
        return timedelta(seconds=random.uniform(full / 2, full))  # noqa: S311 - jitter, not security


@dataclass(frozen=True)
class Claimed:
    seq: int
    id: str
    type: str
    hospital_id: str
    bundle_id: str
    occurred_at: datetime
    attempts: int
    body: str
    url: str
    secrets: list[str]
    failures: int  # the webhook's consecutive failed rounds


def claim(engine: Engine, cipher: StateCipher, *, now: datetime, limit: int,
          lease: timedelta) -> tuple[str, list[Claimed]]:
    """Lease up to `limit` due events, each the oldest undelivered one of its bundle."""
    token = str(uuid.uuid4())
    earlier = E.alias("earlier")
    hospital = Hospital.__table__
    heads = (
        sa.select(E.c.seq)
        .join(W, W.c.hospital_id == E.c.hospital_id)
        .join(hospital, hospital.c.id == E.c.hospital_id)
        .where(E.c.delivery == PENDING, E.c.next_attempt_at <= now,
               sa.or_(E.c.lease_until.is_(None), E.c.lease_until < now),
               sa.or_(W.c.blocked_until.is_(None), W.c.blocked_until <= now),
               hospital.c.disabled_at.is_(None),
               ~sa.exists().where(earlier.c.bundle_id == E.c.bundle_id, earlier.c.delivery == PENDING,
                                  earlier.c.seq < E.c.seq))
        .order_by(E.c.seq).limit(limit)
        .with_for_update(of=E, skip_locked=True)  # PostgreSQL; SQLite has a single writer anyway
    )
    with Session(engine) as session:
        if engine.dialect.name == "sqlite":
            # Find the heads with a read, then lease exactly those (under the read model's write
            # lock): an UPDATE over this subquery held SQLite's one write lock for as long as the
            # search ran, and the intake and the read-model writes waited behind it.
            seqs = [r[0] for r in session.exec(heads)]
            session.rollback()  # end the read: a write on a stale WAL snapshot is refused at once
            if not seqs:
                return token, []
            claimed = session.exec(
                E.update().where(E.c.seq.in_(seqs), E.c.delivery == PENDING,
                                 sa.or_(E.c.lease_until.is_(None), E.c.lease_until < now))
                .values(lease_until=now + lease, lease_owner=token)).rowcount
            session.commit()
        else:
            due = session.exec(sa.select(E.c.seq).where(E.c.delivery == PENDING, E.c.next_attempt_at <= now)
                               .limit(1)).first()
            if due is None:
                return token, []
            claimed = session.exec(E.update().where(E.c.seq.in_(heads))
                                   .values(lease_until=now + lease, lease_owner=token)).rowcount
            session.commit()
        if not claimed:
            return token, []
        rows = session.exec(
            sa.select(E.c.seq, E.c.id, E.c.type, E.c.hospital_id, E.c.bundle_id, E.c.occurred_at,
                      E.c.attempts, E.c.body, W.c.url, W.c.failures,
                      W.c.secret, W.c.previous_secret, W.c.previous_secret_expires_at)
            .join(W, W.c.hospital_id == E.c.hospital_id)
            .where(E.c.lease_owner == token).order_by(E.c.seq)).all()
    out = []
    for r in rows:
        try:
            keys = webhooks.signing_secrets(cipher=cipher, row=r, now=now)
        except StateKeyError:
            # Not sent; its lease runs out and it is tried again once the keys are fixed.
            log.error("webhook secret does not decrypt (KELAHIRAN_READMODEL_KEYS)", hospital_id=r.hospital_id)
            continue
        out.append(Claimed(seq=r.seq, id=r.id, type=r.type, hospital_id=r.hospital_id, bundle_id=r.bundle_id,
                           occurred_at=r.occurred_at, attempts=r.attempts, body=r.body, url=r.url,
                           secrets=keys, failures=r.failures))
    return token, out


def record(engine: Engine, token: str, results: list[tuple[Claimed, Outcome]], *, now: datetime,
           backoff: Backoff) -> list[Claimed]:
    """Store each attempt's outcome (only where our lease still holds); returns the dead-lettered."""
    dead, by_hospital = [], defaultdict(list)
    with Session(engine) as session:
        for c, outcome in results:
            values: dict = {"attempts": E.c.attempts + 1, "lease_until": None, "lease_owner": None}
            if outcome.ok:
                values |= {"delivery": DELIVERED, "delivered_at": now, "last_error": None}
            elif now - c.occurred_at >= backoff.max_age:
                values |= {"delivery": DEAD, "last_error": outcome.error}
                dead.append(c)
            else:
                values |= {"next_attempt_at": now + backoff.delay(c.attempts + 1),
                           "last_error": outcome.error}
            session.exec(E.update().where(E.c.seq == c.seq, E.c.lease_owner == token).values(**values))
            by_hospital[c.hospital_id].append((c, outcome))
        for hospital_id, tried in by_hospital.items():
            session.exec(W.update().where(W.c.hospital_id == hospital_id).values(**_webhook_values(
                tried, now=now, backoff=backoff)))
        session.commit()
    return dead


def _webhook_values(tried: list[tuple[Claimed, Outcome]], *, now: datetime, backoff: Backoff) -> dict:
    """One answer is enough to know the endpoint is up; a round of failures backs the whole hospital off."""
    if any(outcome.ok for _, outcome in tried):
        return {"failures": 0, "blocked_until": None, "last_delivered_at": now}
    failures = tried[0][0].failures + 1
    return {"failures": failures, "blocked_until": now + backoff.delay(failures),
            "last_error": tried[0][1].error}


def prune(engine: Engine, *, before: datetime, batch: int = 5000) -> int:
    """Delete events older than `before` that are no longer to be delivered."""
    total = 0
    with Session(engine) as session:
        while True:
            old = sa.select(E.c.seq).where(E.c.occurred_at < before, E.c.delivery != PENDING).limit(batch)
            # One batch per transaction (and per hold of the write lock): the intake waits for one at most.
            n = session.exec(E.delete().where(E.c.seq.in_(old))).rowcount
            session.commit()
            total += n
            if n < batch:
                return total


def _visible_horizon(session: Session):
    """PostgreSQL: only events of transactions older than every running one (see HospitalEvent.txid)."""
    if session.get_bind().dialect.name != "postgresql":
        return sa.true()
    xmin = sa.func.pg_snapshot_xmin(sa.func.pg_current_snapshot())
    return E.c.txid < sa.cast(sa.cast(xmin, sa.Text), sa.BigInteger)


class UnknownEvent(LookupError):
    pass


def page(*, session: Session, hospital_id: str, after: str | None, bundle_id: str | None,
         limit: int) -> list:
    """The hospital's events after the event `after` (from the oldest kept when None), in order."""
    conds = [E.c.hospital_id == hospital_id, _visible_horizon(session)]
    if after is not None:
        cursor = session.exec(sa.select(E.c.txid, E.c.seq).where(
            E.c.id == after, E.c.hospital_id == hospital_id)).first()
        if cursor is None:
            raise UnknownEvent(after)
        conds.append(sa.or_(E.c.txid > cursor.txid, sa.and_(E.c.txid == cursor.txid, E.c.seq > cursor.seq)))
    if bundle_id is not None:
        conds.append(E.c.bundle_id == bundle_id)
    return list(session.exec(
        sa.select(E.c.id, E.c.body, E.c.delivery, E.c.attempts, E.c.delivered_at, E.c.last_error)
        .where(*conds).order_by(E.c.txid, E.c.seq).limit(limit)).all())
