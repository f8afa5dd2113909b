"""Login counters, each changed by one atomic statement so parallel guesses cannot share a read.

Two counters (docs/security.md, "Login"):
- per account: every failure of an existing account is a `login_failure` row, counted over a
  sliding window while the operator row is locked by `UPDATE ... RETURNING` (PostgreSQL's row lock,
  SQLite's write lock from BEGIN IMMEDIATE): concurrent failures of one account queue there, so each
  one counts all the failures committed before it. A success deletes nothing: only an admin's unlock
  (or the window sliding past) clears them.
- per client address: an attempt is reserved before any password is hashed, by one
  `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on a fixed window; a success gives its attempt
  back, so an office behind one NAT logging in all morning is not throttled, only failures are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from store.auth_models import LoginAddress, LoginFailure, Operator
from store.models import UtcDateTime

OP = Operator.__table__
FAIL = LoginFailure.__table__
ADDR = LoginAddress.__table__


@dataclass(frozen=True)
class Failure:
    recent: int  # failures of this account in the window, this one included
    locked_until: datetime | None
    newly_locked: bool  # this failure started a lock (audited and counted once)


def record_failure(session: Session, username: str, *, now: datetime, window: timedelta,
                   max_failures: int, lockout: timedelta) -> Failure | None:
    """Count a failed login of `username`; lock it when `max_failures` fell within `window`.

    None when there is no such operator (nothing is written). Commits."""
    locked = session.execute(
        sa.update(OP).where(OP.c.username == username)
        .values(failed_logins=OP.c.failed_logins + 1)
        .returning(OP.c.locked_until)).one_or_none()
    if locked is None:
        session.rollback()
        return None
    cutoff = now - window
    session.execute(sa.delete(FAIL).where(FAIL.c.username == username, FAIL.c.at <= cutoff))
    session.execute(sa.insert(FAIL).values(username=username, at=now))
    recent = session.execute(sa.select(sa.func.count()).select_from(FAIL)
                             .where(FAIL.c.username == username, FAIL.c.at > cutoff)).scalar_one()
    until, newly = locked.locked_until, False
    if recent >= max_failures and (until is None or until <= now):
        until, newly = now + lockout, True
        session.execute(sa.update(OP).where(OP.c.username == username).values(locked_until=until))
    session.commit()
    return Failure(recent=recent, locked_until=until, newly_locked=newly)


def unlock(session: Session, username: str) -> bool:
    """Lift a lock and forget the failures (admins only). False when there is no such operator."""
    done = session.execute(sa.update(OP).where(OP.c.username == username)
                           .values(locked_until=None, failed_logins=0)).rowcount
    session.execute(sa.delete(FAIL).where(FAIL.c.username == username))
    session.commit()
    return bool(done)


def recent_failures(session: Session, username: str, *, now: datetime, window: timedelta) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(FAIL)
                           .where(FAIL.c.username == username, FAIL.c.at > now - window)).scalar_one()


@dataclass(frozen=True)
class Reserved:
    attempts: int  # in this address's window, this one included
    window_start: datetime


def reserve_attempt(session: Session, address: str, *, now: datetime, window: timedelta) -> Reserved:
    """Count one login attempt from `address` in its current window (a new window once it ran out).

    Commits. SET expressions all read the row as it was, so the window test is the same in both."""
    cutoff = now - window
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ADDR)
    expired = ADDR.c.window_start <= cutoff
    stmt = insert.values(address=address, window_start=now, attempts=1).on_conflict_do_update(
        index_elements=[ADDR.c.address],
        set_={"attempts": sa.case((expired, 1), else_=ADDR.c.attempts + 1),
              "window_start": sa.case((expired, sa.literal(now, UtcDateTime())),
                                      else_=ADDR.c.window_start)},
    ).returning(ADDR.c.attempts, ADDR.c.window_start)
    attempts, start = session.execute(stmt).one()
    if attempts == 1:  # a new window here: drop other addresses' finished ones (keeps the table small)
        session.execute(sa.delete(ADDR).where(ADDR.c.window_start <= cutoff))
    session.commit()
    return Reserved(attempts=attempts, window_start=start)


def give_back(session: Session, address: str, reserved: Reserved) -> None:
    """A successful login does not count against its address (same window only)."""
    session.execute(sa.update(ADDR).where(ADDR.c.address == address,
                                          ADDR.c.window_start == reserved.window_start,
                                          ADDR.c.attempts > 0)
                    .values(attempts=ADDR.c.attempts - 1))
    session.commit()
