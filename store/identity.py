"""One child, one bundle: the intake's duplicate check, on keyed digests of the mother's NIK.

A child is identified by its mother's NIK, its birth date and its order in the delivery. What is
stored is an HMAC of those (keyed from the read-model keys, never a plain hash: the NIK space is
small enough to be enumerated), unique per child, and an HMAC of the mother's NIK alone. A new
bundle matches an earlier one when one of its children has the same digest, or when the same mother
had another delivery within the window (a late-reported twin, or the same birth under another date),
unless that earlier bundle was closed as a confirmed duplicate.

The check and the insert of the bundle's rows run in the intake's transaction, which begins by
writing the mother's row: on PostgreSQL that row lock makes two intakes of the same mother (on any
replica) check one after the other; on SQLite the first write takes the database's write lock.

The rows follow the mother's NIK when an operator corrects it (`rekey`, activities/identity.py), and
retention deletes them with the rest of the bundle's personal data (`forget`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from domain.contracts import BundleStatus
from store.cipher import StateCipher
from store.models import BirthIdentity, Bundle, MotherIdentity

BI, M, B = BirthIdentity.__table__, MotherIdentity.__table__, Bundle.__table__
PURPOSE = "kelahiran/identity/v1"
# Without read-model keys (development only: production refuses to run so) the digests are still
# HMACs, under a key anyone can read here; the rows say so (key_id "unkeyed").
_UNKEYED = {"unkeyed": hashlib.sha256(b"kelahiran/identity/unkeyed").digest()}


@dataclass(frozen=True)
class Match:
    """The earlier bundle a new one matches."""

    bundle_id: str
    same_child: bool  # mother, birth date and birth order equal; else another delivery in the window


@dataclass(frozen=True)
class Birth:
    """What identifies the children of one delivery (plain values: never stored)."""

    mother_nik: str
    birth_date: date
    birth_orders: tuple[int, ...]


def _keys(cipher: StateCipher) -> dict[str, bytes]:
    return cipher.derived_keys(PURPOSE) or _UNKEYED


def _digest(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def mother_digests(cipher: StateCipher, mother_nik: str) -> list[str]:
    """The mother's digest under every configured key (the current one first)."""
    return [_digest(k, "mother", mother_nik) for k in _keys(cipher).values()]


def child_digests(cipher: StateCipher, mother_nik: str, birth_date: date, order: int) -> list[str]:
    return [_digest(k, "child", mother_nik, birth_date.isoformat(), str(order))
            for k in _keys(cipher).values()]


def _insert(session: Session, table: sa.Table):
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(table)


def _lock_mother(session: Session, mother_key: str, now: datetime) -> None:
    stmt = _insert(session, M).values(mother_key=mother_key, last_seen_at=now)
    session.exec(stmt.on_conflict_do_update(index_elements=["mother_key"], set_={"last_seen_at": now}))


def _earlier(session: Session, *, bundle_id: str, mothers: list[str], birth: Birth, children: set[str],
             window_days: int) -> Match | None:
    """The best earlier match: the same child first, then the nearest delivery in the window."""
    rows = session.exec(
        sa.select(BI.c.key, BI.c.bundle_id, BI.c.birth_date, BI.c.created_at)
        .join(B, B.c.id == BI.c.bundle_id)
        .where(BI.c.mother_key.in_(mothers), BI.c.bundle_id != bundle_id,
               B.c.status != BundleStatus.CLOSED_DUPLICATE.value,
               BI.c.birth_date.between(birth.birth_date - timedelta(days=window_days),
                                      birth.birth_date + timedelta(days=window_days)))).all()
    found = [(r.key not in children, abs((r.birth_date - birth.birth_date).days), r.created_at, r.bundle_id,
              r.key in children) for r in rows if r.key in children or window_days > 0]
    if not found:
        return None
    best = min(found)
    return Match(bundle_id=best[3], same_child=best[4])


def claim(*, session: Session, cipher: StateCipher, bundle_id: str, birth: Birth,
          window_days: int) -> Match | None:
    """Check a new bundle against the earlier ones and record its children, in the caller's
    transaction (the caller commits). Returns the earlier bundle it matches, if any.

    A child whose digest an earlier bundle holds stays that bundle's; one held by a bundle closed as
    a confirmed duplicate (or by none any more) passes to this one."""
    now = datetime.now(UTC)
    kid = next(iter(_keys(cipher)))
    mothers = mother_digests(cipher, birth.mother_nik)
    _lock_mother(session, mothers[0], now)  # first: see the module's docstring
    per_child = {o: child_digests(cipher, birth.mother_nik, birth.birth_date, o) for o in birth.birth_orders}
    children = {d for ds in per_child.values() for d in ds}
    match = _earlier(session, bundle_id=bundle_id, mothers=mothers, birth=birth, children=children,
                     window_days=window_days)
    _claim_rows(session, [{"key": ds[0], "key_id": kid, "mother_key": mothers[0], "birth_order": o,
                           "birth_date": birth.birth_date, "bundle_id": bundle_id, "created_at": now}
                          for o, ds in per_child.items()], now)
    return match


def _claim_rows(session: Session, rows: list[dict], now: datetime) -> None:
    """Insert; a key held by a bundle closed as a confirmed duplicate (or by none) passes to the new one."""
    stmt = _insert(session, BI)
    holds = sa.exists().where(B.c.id == BI.c.bundle_id, B.c.status != BundleStatus.CLOSED_DUPLICATE.value)
    session.exec(stmt.on_conflict_do_update(
        index_elements=["key"], set_={"bundle_id": stmt.excluded.bundle_id, "created_at": now},
        where=~holds), params=rows)


def _drop_mothers(session: Session, mother_keys: set[str]) -> None:
    """Mothers' rows no child row refers to any more (a lock row only: the next intake writes it again;
    one deleted just as a concurrent intake refers to it again costs nothing but that re-write)."""
    if mother_keys:
        session.exec(sa.delete(M).where(M.c.mother_key.in_(sorted(mother_keys)),
                                        ~sa.exists().where(BI.c.mother_key == M.c.mother_key)))


class Collision(Exception):
    """A corrected mother's NIK makes a child of this bundle one that another live bundle holds."""

    def __init__(self, bundle_id: str) -> None:
        super().__init__(bundle_id)
        self.bundle_id = bundle_id


@dataclass(frozen=True)
class Rekeyed:
    nearby: Match | None  # another delivery of the new NIK's mother in the window (not refused)


def rekey(*, session: Session, cipher: StateCipher, bundle_id: str, birth: Birth, sent_nik: str | None,
          tolerated: str | None, window_days: int) -> Rekeyed | None:
    """The mother's NIK corrected to `birth.mother_nik`: the bundle's child rows are made again from it,
    in the caller's transaction (the caller commits). None when the NIK did not change (a name
    corrected). Raises Collision when another live bundle holds one of the new children, unless it is
    `tolerated` (the bundle this one is already held as a suspected duplicate of: a supervisor decides
    that anyway, and that bundle keeps the row)."""
    owned = [dict(r._mapping) for r in session.exec(sa.select(BI).where(BI.c.bundle_id == bundle_id)).all()]
    mothers = mother_digests(cipher, birth.mother_nik)
    # The NIK the rows were made from; a bundle holding none (held, or ruled out, against a bundle
    # that holds its children) still has the one the hospital sent.
    was = {r["mother_key"] for r in owned} or set(mother_digests(cipher, sent_nik) if sent_nik else ())
    if was & set(mothers):
        return None
    now = datetime.now(UTC)
    for key in sorted({mothers[0], *(r["mother_key"] for r in owned)}):  # one order: no deadlock
        _lock_mother(session, key, now)
    per_child = {o: child_digests(cipher, birth.mother_nik, birth.birth_date, o) for o in birth.birth_orders}
    children = {d for ds in per_child.values() for d in ds}
    held = session.exec(sa.select(BI.c.bundle_id).join(B, B.c.id == BI.c.bundle_id).where(
        BI.c.key.in_(children), BI.c.bundle_id != bundle_id,
        B.c.status != BundleStatus.CLOSED_DUPLICATE.value)).all()
    if blocking := sorted({r[0] for r in held} - {tolerated}):
        raise Collision(blocking[0])
    nearby = _earlier(session, bundle_id=bundle_id, mothers=mothers, birth=birth, children=children,
                      window_days=window_days)
    if nearby is not None and nearby.bundle_id == tolerated:
        nearby = None  # already held against it
    session.exec(sa.delete(BI).where(BI.c.bundle_id == bundle_id))
    kid = next(iter(_keys(cipher)))
    _claim_rows(session, [{"key": ds[0], "key_id": kid, "mother_key": mothers[0], "birth_order": o,
                           "birth_date": birth.birth_date, "bundle_id": bundle_id, "created_at": now}
                          for o, ds in per_child.items()], now)
    _drop_mothers(session, {r["mother_key"] for r in owned})
    return Rekeyed(nearby=nearby)


def forget(*, session: Session, bundle_ids: list[str]) -> int:
    """Retention: these bundles' child rows go, and their mothers' rows no other child refers to
    (the caller commits). Returns the child rows deleted."""
    of = BI.c.bundle_id.in_(bundle_ids)
    mothers = {r[0] for r in session.exec(sa.select(BI.c.mother_key).where(of)).all()}
    gone = session.exec(sa.delete(BI).where(of)).rowcount
    _drop_mothers(session, mothers)
    return gone


def holder(*, session: Session, cipher: StateCipher, birth: Birth) -> list[str]:
    """The bundles holding these children (tests, support): ids only."""
    keys = [d for o in birth.birth_orders
            for d in child_digests(cipher, birth.mother_nik, birth.birth_date, o)]
    return sorted({r[0] for r in session.exec(sa.select(BI.c.bundle_id).where(BI.c.key.in_(keys)))})
