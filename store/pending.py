"""The intake outbox's database side (`pending_start`): claim due rows, settle what was started, backlog.

Every API process drains the same table (`api/starter.py`), so a row is claimed before its workflow
is started: the claim sets `lease_owner` (a token of that one pass) and `lease_until`, and commits.
No transaction is held while Temporal is called. The pass then settles with the same token, and only
rows still leased to it change: a started row is deleted, a failed one gets its attempt, its backoff
and its lease cleared. A process killed (or stalled) mid-pass keeps nothing: its leases run out and
another process claims the rows again.

On PostgreSQL the claim is one `UPDATE ... WHERE bundle_id IN (SELECT ... FOR UPDATE SKIP LOCKED)
RETURNING`: two claims at once skip each other's rows, and a row leased by a claim that committed in
between is re-checked against its new lease and left alone. SQLite has one writer: the due rows are
read first and then leased by an UPDATE that repeats the lease condition, so a row another process
leased in between is not taken (as `store/outbox.py` does for the hospital callbacks).

Leases compare timestamps from the processes' clocks (like the callbacks' outbox): across machines
they must agree to well within a lease.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.models import PendingStart

P = PendingStart.__table__


@dataclass(frozen=True)
class Claimed:
    bundle_id: str
    input_json: str  # encrypted (store/cipher.py, table `pending_start`, row id the bundle id)
    attempts: int  # failed starts so far


@dataclass(frozen=True)
class Lease:
    """A lease an intake puts on the row it inserts, for its own process's starter (api/starter.py)."""

    owner: str
    until: datetime


@dataclass(frozen=True)
class Failed:
    bundle_id: str
    error: str  # an error type, never a message (it may carry personal data)
    retry_at: datetime


@dataclass(frozen=True)
class Settled:
    deleted: int  # started rows removed
    recorded: int  # failures recorded
    # Rows of this pass another process had claimed by then (our lease had run out): left to it.
    lost: int


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest_s: float | None


def new_token() -> str:
    """One claim's owner: the process id (to tell whose lease a row holds) and a random part."""
    return f"{os.getpid()}-{uuid.uuid4().hex}"


def _claimable(now: datetime):
    return sa.and_(P.c.next_try_at <= now, sa.or_(P.c.lease_until.is_(None), P.c.lease_until < now))


def claim(*, engine: Engine, now: datetime, limit: int, lease: timedelta) -> tuple[str, list[Claimed]]:
    """Lease up to `limit` due rows (the oldest first) until `now + lease`; the token and the rows."""
    token = new_token()
    oldest = sa.select(P.c.bundle_id).where(_claimable(now)).order_by(P.c.created_at).limit(limit)
    lease_it = {"lease_owner": token, "lease_until": now + lease}
    columns = (P.c.bundle_id, P.c.input_json, P.c.attempts)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            # Read, end the read, then lease exactly those rows that are still free: the UPDATE over
            # the subquery would hold SQLite's one write lock for the whole search.
            ids = list(conn.execute(oldest).scalars())
            conn.rollback()
            if not ids:
                return token, []
            stmt = P.update().where(P.c.bundle_id.in_(ids), _claimable(now))
        else:
            stmt = P.update().where(P.c.bundle_id.in_(oldest.with_for_update(skip_locked=True)),
                                    _claimable(now))
        stmt = stmt.values(**lease_it)
        if engine.dialect.update_returning:
            rows = conn.execute(stmt.returning(*columns)).all()
            conn.commit()
        else:  # a SQLite older than 3.35
            conn.execute(stmt)
            conn.commit()
            rows = conn.execute(sa.select(*columns).where(P.c.lease_owner == token)).all()
            conn.rollback()
    return token, [Claimed(bundle_id=r.bundle_id, input_json=r.input_json, attempts=r.attempts) for r in rows]


def settle(*, engine: Engine, token: str, started: Collection[str], failed: Sequence[Failed]) -> Settled:
    """Delete the started rows and record the failed attempts, only where `token`'s lease still holds.

    The lease's time is not checked here: a row still carrying our token was not claimed by anyone
    else (a claim replaces the owner), so settling it late is still right."""
    ours = P.c.lease_owner == token
    with engine.begin() as conn:
        deleted = recorded = 0
        if started:
            deleted = conn.execute(P.delete().where(P.c.bundle_id.in_(list(started)), ours)).rowcount
        for f in failed:
            recorded += conn.execute(
                P.update().where(P.c.bundle_id == f.bundle_id, ours).values(
                    attempts=P.c.attempts + 1, next_try_at=f.retry_at, last_error=f.error[:80],
                    lease_owner=None, lease_until=None)).rowcount
    return Settled(deleted=deleted, recorded=recorded, lost=len(started) + len(failed) - deleted - recorded)


def release(*, engine: Engine, token: str) -> int:
    """Give up `token`'s leases (a process stopping): other processes may claim the rows at once."""
    with engine.begin() as conn:
        return conn.execute(P.update().where(P.c.lease_owner == token)
                            .values(lease_owner=None, lease_until=None)).rowcount


def backlog(*, engine: Engine, now: datetime | None = None) -> Backlog:
    """How many accepted births wait for their start, and for how long the oldest has waited."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        count, oldest = conn.execute(sa.select(sa.func.count(), sa.func.min(P.c.created_at))).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(count=count, oldest_s=(now - oldest).total_seconds() if oldest else None)
