"""A bundle in the read model: its first insert, each write of what changed, and reading it whole.

The header (the state without services and timeline) is one encrypted column of the bundle row;
each service is a row (its status and reason in plain columns for listing, the whole ServiceState
encrypted); each timeline event is a row keyed by (bundle, position). A write upserts only what
changed, so its cost does not grow with the bundle's age, and a write replayed after a worker died
overwrites what the dead one wrote. Core statements on these hot paths: the ORM's unit of work
cost more than the SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from domain import bundle_state as bs
from domain.contracts import (
    BundleHeader,
    BundleState,
    BundleSync,
    Service,
    ServiceChange,
    ServiceState,
    ServiceStatus,
    TimelineEvent,
)
from store import batch, documents
from store.callback_events import change_after, insert_change, last_events
from store.cipher import StateCipher
from store.models import Bundle, PendingStart, ServiceStatusRow, TimelineRow
from store.pending import Lease

B, S, T = Bundle.__table__, ServiceStatusRow.__table__, TimelineRow.__table__
_RANK = {svc: i for i, svc in enumerate(Service)}  # services in declaration order, as the workflow has them


def full_sync(state: BundleState, history_length: int = 0) -> BundleSync:
    """The whole state as one write (the intake's insert, a rebuild, retention)."""
    return BundleSync(header=bs.header_of(state), history_length=history_length,
                      services=[ServiceChange(birth_order=o, service=s, state=st)
                                for o, s, st in bs.all_services(state)],
                      first_seq=0, events=list(state.timeline), timeline_length=len(state.timeline))


def _bundle_values(sync: BundleSync, cipher: StateCipher, reasons: Iterable[str]) -> dict:
    h = sync.header
    return {"hospital_id": h.hospital_id, "record_id": h.record_id, "content_hash": h.content_hash,
            "status": h.status.value, "birth_date": h.birth_date, "received_at": h.received_at,
            "updated_at": datetime.now(UTC), "completed_at": h.completed_at, "office_code": h.office_code,
            "domicile_kecamatan": h.domicile_kecamatan, "child_count": len(h.children),
            "reasons": ",".join(sorted(set(reasons)))[:500], "deadline_risk": h.deadline_risk,
            "version": h.version, "history_length": sync.history_length,
            "state_json": cipher.encrypt(B.name, h.bundle_id, h.model_dump_json())}


def _service_rows(bundle_id: str, changes: list[ServiceChange], cipher: StateCipher) -> list[dict]:
    return [{"bundle_id": bundle_id, "birth_order": c.birth_order, "service": c.service.value,
             "status": c.state.status.value, "reason": c.state.reason, "updated_at": c.state.updated_at,
             "state_json": cipher.encrypt(S.name, f"{bundle_id}/{c.birth_order}/{c.service.value}",
                                          c.state.model_dump_json())} for c in changes]


def _event_rows(bundle_id: str, first_seq: int, events: list[TimelineEvent],
                cipher: StateCipher) -> list[dict]:
    return [{"bundle_id": bundle_id, "seq": seq, "at": e.at, "kind": e.kind,
             "service": e.service.value if e.service else None, "birth_order": e.birth_order,
             "reason": e.reason, "note": e.note.value if e.note else None,
             "message": cipher.encrypt(T.name, f"{bundle_id}/{seq}", _secret(e)) if e.message or e.params
             else ""}
            for seq, e in enumerate(events, start=first_seq)]


def _secret(e: TimelineEvent) -> str:
    """An event's free text as one JSON (one value to encrypt): its message and its note's parameters."""
    return json.dumps({"m": e.message, "p": e.params} if e.params else {"m": e.message})


def _event(bundle_id: str, r: sa.Row, cipher: StateCipher) -> TimelineEvent:
    secret = json.loads(cipher.decrypt(T.name, f"{bundle_id}/{r.seq}", r.message)) if r.message else {}
    return TimelineEvent(at=r.at, kind=r.kind, service=r.service, birth_order=r.birth_order, reason=r.reason,
                         message=secret.get("m", ""), note=r.note, params=secret.get("p", {}))


def _upsert(session: Session, table: sa.Table, rows: list[dict], keys: tuple[str, ...]) -> None:
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={
        c: stmt.excluded[c] for c in rows[0] if c not in keys})
    session.exec(stmt, params=rows)


def insert_rows(session: Session, sync: BundleSync, cipher: StateCipher) -> None:
    """The service and timeline rows of a whole state (full_sync), for a bundle that has none."""
    bid = sync.header.bundle_id
    _insert_rows(session, _service_rows(bid, sync.services, cipher), _event_rows(bid, 0, sync.events, cipher))


def _insert_rows(session: Session, services: list[dict], events: list[dict]) -> None:
    batch.insert(session.connection(), S, services)  # one statement each: see store/batch.py
    batch.insert(session.connection(), T, events)


@dataclass(frozen=True)
class Received:
    """A new bundle's rows, serialised and encrypted before its transaction begins: on SQLite the
    intake holds the one write lock only for the inserts themselves."""

    bundle: dict
    services: list[dict]
    events: list[dict]
    pending: dict | None


def prepare_received(state: BundleState, cipher: StateCipher, start_input_json: str | None = None,
                     lease: Lease | None = None) -> Received:
    """`lease`: the pending start is inserted already leased (to the intake's own starter)."""
    sync, bid = full_sync(state), state.bundle_id
    pending = None
    if start_input_json is not None:
        now = datetime.now(UTC)
        pending = {"bundle_id": bid, "created_at": now, "next_try_at": now, "attempts": 0,
                   "input_json": cipher.encrypt(PendingStart.__tablename__, bid, start_input_json),
                   "lease_owner": lease and lease.owner, "lease_until": lease and lease.until}
    return Received(bundle={"id": bid, **_bundle_values(sync, cipher, bs.open_reasons(state))},
                    services=_service_rows(bid, sync.services, cipher),
                    events=_event_rows(bid, 0, sync.events, cipher), pending=pending)


def insert_received(*, session: Session, state: BundleState | None = None, cipher: StateCipher | None = None,
                    start_input_json: str | None = None, change: dict | None = None,
                    prepared: Received | None = None) -> bool:
    """Insert a new bundle at intake, with its pending start (the workflow's input) and `change`
    (the hospital's event, from prepare_change: a bundle held at intake) in the same transaction;
    False when (hospital, record) or the id already exists. `prepared` (prepare_received) or the
    state and cipher to prepare it from."""
    if prepared is None:
        assert state is not None and cipher is not None
        prepared = prepare_received(state, cipher, start_input_json)
    try:
        add_received(session=session, prepared=prepared, change=change)
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def add_received(*, session: Session, prepared: Received, change: dict | None = None) -> None:
    """As insert_received, in the caller's transaction (the caller commits): IntegrityError when
    (hospital, record) or the id already exists."""
    session.exec(B.insert().values(**prepared.bundle))
    _insert_rows(session, prepared.services, prepared.events)
    if change is not None:
        insert_change(session=session, change=change)
    if prepared.pending is not None:
        session.exec(PendingStart.__table__.insert().values(**prepared.pending))


def newer_than_stored(sync: BundleSync) -> sa.ColumnElement[bool]:
    """The workflow's writes: (history length, version) above the stored one's. An equal pair is the
    same write again (a local activity retried after its commit): nothing to do."""
    h, v = sync.history_length, sync.header.version
    return sa.or_(B.c.history_length < h, sa.and_(B.c.history_length == h, B.c.version < v))


@dataclass
class _Prepared:
    sync: BundleSync
    bundle: dict
    services: list[dict]
    events: list[dict]
    change: dict | None
    documents: list[dict]  # the akta it reports issued (store/documents.py), with `with_documents`


def _prepare(session: Session, sync: BundleSync, cipher: StateCipher,
             with_documents: bool = False) -> _Prepared:
    """Everything a write needs, read and encrypted before it takes the write lock (on SQLite the
    lock is held from a transaction's first write to its commit: only statements run in between)."""
    return _prepare_many(session, [sync], cipher, with_documents)[0]


def _prepare_many(session: Session, syncs: list[BundleSync], cipher: StateCipher,
                  with_documents: bool = False) -> list[_Prepared]:
    """_prepare for a batch of writes, each about a different bundle: two reads for all of them."""
    ids = [s.header.bundle_id for s in syncs]
    stored: dict[str, dict[tuple[int, str], tuple[str, str | None]]] = {bid: {} for bid in ids}
    for r in session.exec(sa.select(S.c.bundle_id, S.c.birth_order, S.c.service, S.c.status, S.c.reason)
                          .where(S.c.bundle_id.in_(ids))):
        stored[r.bundle_id][(r.birth_order, r.service)] = (r.status, r.reason)
    last = last_events(session=session, bundle_ids=ids)
    out = []
    for sync in syncs:
        bid = sync.header.bundle_id
        statuses = stored[bid]
        for c in sync.services:
            statuses[(c.birth_order, c.service.value)] = (c.state.status.value, c.state.reason)
        reasons = [reason for status, reason in statuses.values()
                   if status == ServiceStatus.NEEDS_ATTENTION and reason]
        out.append(_Prepared(sync, _bundle_values(sync, cipher, reasons),
                             _service_rows(bid, sync.services, cipher),
                             _event_rows(bid, sync.first_seq, sync.events, cipher),
                             change_after(header=sync.header, services=statuses, last=last.get(bid)),
                             documents.bundle_rows(cipher=cipher, bundle_id=bid, changes=sync.services)
                             if with_documents else []))
    return out


def _write(session: Session, p: _Prepared, where: sa.ColumnElement[bool] | None) -> bool:
    bid = p.sync.header.bundle_id
    documents.insert_new(session.connection(), p.documents)  # whatever the order: issued is issued
    guard = newer_than_stored(p.sync) if where is None else where
    written = session.exec(B.update().where(B.c.id == bid, B.c.anonymised_at.is_(None), guard)
                           .values(**p.bundle)).rowcount
    if not written:
        return False  # a newer write is stored (or the row is anonymised, or gone)
    _upsert(session, S, p.services, ("bundle_id", "birth_order", "service"))
    _upsert(session, T, p.events, ("bundle_id", "seq"))
    # A dead worker's write may have gone further than the timeline that replaced it.
    session.exec(T.delete().where(T.c.bundle_id == bid, T.c.seq >= p.sync.timeline_length))
    if p.change is not None:
        insert_change(session=session, change=p.change)  # the hospital's event
    return True


def write(session: Session, sync: BundleSync, cipher: StateCipher,
          where: sa.ColumnElement[bool] | None = None) -> bool:
    """One write in the caller's transaction; False (and nothing written) when the guard refuses."""
    return _write(session, _prepare(session, sync, cipher), where)


def apply_sync(*, session: Session, sync: BundleSync, cipher: StateCipher,
               where: sa.ColumnElement[bool] | None = None, with_documents: bool = False) -> bool:
    """Write what changed, in one transaction, if the stored bundle is not newer (or `where` holds,
    for rebuilds and retention); True if written. The bundle row must exist (the intake made it)."""
    return apply_syncs(session=session, syncs=[sync], cipher=cipher, where=where,
                       with_documents=with_documents)[0]


def apply_syncs(*, session: Session, syncs: list[BundleSync], cipher: StateCipher,
                where: sa.ColumnElement[bool] | None = None, with_documents: bool = False) -> list[bool]:
    """Several writes in one transaction (one commit for all); on an error nothing is kept.
    `with_documents` (the workflow's syncs): the akta they report issued get their document rows in
    the same transaction, written once whichever sync reports it first."""
    try:
        # Everything read and encrypted before the first write; a bundle twice in one batch is
        # prepared after its earlier write, which the later one's event is compared with.
        if len({s.header.bundle_id for s in syncs}) == len(syncs):
            prepared = _prepare_many(session, syncs, cipher, with_documents)
            if where is None and session.get_bind().dialect.name in batch.DIALECTS:
                done = batch.write(session.connection(), prepared)
            else:
                done = [_write(session, p, where) for p in prepared]
        else:
            done = [_write(session, _prepare(session, sync, cipher, with_documents), where) for sync in syncs]
        session.commit()
    except Exception:
        session.rollback()
        raise
    return done


def load_state(*, session: Session, row: Bundle | sa.Row, cipher: StateCipher) -> BundleState:
    """The bundle's whole state from its rows (StateKeyError when they do not open)."""
    header = BundleHeader.model_validate_json(cipher.decrypt(B.name, row.id, row.state_json))
    services = {}
    for order, svc, stored in sorted(session.exec(
            sa.select(S.c.birth_order, S.c.service, S.c.state_json).where(S.c.bundle_id == row.id)),
            key=lambda r: (r[0], _RANK[Service(r[1])])):
        services[(order, Service(svc))] = ServiceState.model_validate_json(
            cipher.decrypt(S.name, f"{row.id}/{order}/{svc}", stored))
    timeline = [_event(row.id, r, cipher)
                for r in session.exec(sa.select(T).where(T.c.bundle_id == row.id).order_by(T.c.seq))]
    return bs.assemble(header, services, timeline)
