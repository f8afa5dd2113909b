"""Keyword-only read-model operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from domain.bundle_state import all_services, open_reasons
from domain.contracts import BundleState, FollowUpState
from store.callback_events import record_change
from store.cipher import StateCipher
from store.models import Bundle, FollowUp, PendingStart, Reminder, ServiceStatusRow


def _row_values(state: BundleState, cipher: StateCipher) -> dict:
    return {
        "hospital_id": state.hospital_id,
        "record_id": state.record_id,
        "content_hash": state.content_hash,
        "status": state.status.value,
        "birth_date": state.birth_date,
        "received_at": state.received_at,
        "updated_at": datetime.now(UTC),
        "completed_at": state.completed_at,
        "office_code": state.office_code,
        "domicile_kecamatan": state.domicile_kecamatan,
        "child_count": len(state.children),
        "reasons": ",".join(open_reasons(state)),
        "deadline_risk": state.deadline_risk,
        "version": state.version,
        "state_json": cipher.encrypt(Bundle.__tablename__, state.bundle_id, state.model_dump_json()),
    }


# Core statements, not ORM objects, on the paths every bundle takes (intake, each sync): the unit of
# work cost more than the SQL.
def _insert_services(session: Session, state: BundleState) -> None:
    rows = [{"bundle_id": state.bundle_id, "birth_order": order, "service": service.value,
             "status": st.status.value, "reason": st.reason, "updated_at": st.updated_at}
            for order, service, st in all_services(state)]
    if rows:
        session.exec(ServiceStatusRow.__table__.insert(), params=rows)


def _replace_services(session: Session, state: BundleState) -> None:
    table = ServiceStatusRow.__table__
    session.exec(table.delete().where(table.c.bundle_id == state.bundle_id))
    _insert_services(session, state)


def insert_received(*, session: Session, state: BundleState, cipher: StateCipher,
                    start_input_json: str | None = None) -> bool:
    """Insert a new bundle at intake, with its pending start (the workflow's input) in the same
    transaction; False when (hospital, record) or the id already exists."""
    values = _row_values(state, cipher)
    pending = None
    if start_input_json is not None:
        now = datetime.now(UTC)
        pending = {"bundle_id": state.bundle_id, "created_at": now, "next_try_at": now, "attempts": 0,
                   "input_json": cipher.encrypt(PendingStart.__tablename__, state.bundle_id,
                                                start_input_json)}
    try:
        session.exec(Bundle.__table__.insert().values(id=state.bundle_id, **values))
        _insert_services(session, state)
        if pending is not None:
            session.exec(PendingStart.__table__.insert().values(**pending))
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def get_bundle(*, session: Session, bundle_id: str) -> Bundle | None:
    return session.get(Bundle, bundle_id)


def state_json_of(*, row: Bundle, cipher: StateCipher) -> str:
    """The bundle's stored state as JSON (decrypted); StateKeyError when it does not open."""
    return cipher.decrypt(Bundle.__tablename__, row.id, row.state_json)


def get_by_record(*, session: Session, hospital_id: str, record_id: str) -> Bundle | None:
    return session.exec(
        select(Bundle).where(Bundle.hospital_id == hospital_id, Bundle.record_id == record_id)
    ).first()


def _update_snapshot(session: Session, state: BundleState, values: dict) -> bool:
    """The usual case, as one step of a transaction: the row is there and older. Never commits."""
    table = Bundle.__table__  # a Core UPDATE: no ORM session synchronisation to evaluate
    updated = session.exec(
        table.update()
        .where(table.c.id == state.bundle_id, table.c.version < state.version,
               table.c.anonymised_at.is_(None))
        .values(**values)
    ).rowcount
    if updated:
        _replace_services(session, state)
        record_change(session=session, state=state)  # the hospital's event: same transaction
    return bool(updated)


def apply_snapshot(*, session: Session, state: BundleState, cipher: StateCipher) -> bool:
    """Write a workflow snapshot unless a newer one is already there (or retention anonymised the
    row); True if written."""
    values = _row_values(state, cipher)
    for _ in range(2):
        if _update_snapshot(session, state, values):
            session.commit()
            return True
        if session.get(Bundle, state.bundle_id) is not None:
            session.rollback()
            return False  # a newer (or the same) snapshot is already stored
        try:
            session.add(Bundle(id=state.bundle_id, **values))
            session.flush()
            _replace_services(session, state)
            record_change(session=session, state=state)
            session.commit()
            return True
        except IntegrityError:
            session.rollback()  # inserted concurrently by the API: go round and update it
    return False


def apply_snapshots(*, session: Session, states: list[BundleState], cipher: StateCipher) -> list[bool]:
    """Several snapshots in one transaction (one commit for all); each as apply_snapshot would.

    Those that were not simply newer than their row go through apply_snapshot afterwards, each in
    its own transaction. On an error nothing of the batch is kept: write them one by one instead.
    """
    values = [_row_values(st, cipher) for st in states]
    try:
        done = [_update_snapshot(session, st, v) for st, v in zip(states, values, strict=True)]
        session.commit()
    except Exception:
        session.rollback()
        raise
    return [ok or apply_snapshot(session=session, state=st, cipher=cipher)
            for ok, st in zip(done, states, strict=True)]


@dataclass(frozen=True)
class BundleFilter:
    status: str | None = None
    hospital_id: str | None = None
    service: str | None = None
    service_status: str | None = None
    born_from: date | None = None
    born_to: date | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    deadline_risk: bool | None = None
    office_code: str | None = None  # an operator's office: they list only its bundles
    kecamatan: str | None = None  # the family's domicile kecamatan (listing column)
    search: str | None = None  # exactly a bundle id or a hospital record id (never a NIK)


def list_bundles(*, session: Session, flt: BundleFilter, limit: int, offset: int) -> tuple[list[Bundle], int]:
    """A page of bundles, newest first, and the total matching the filter."""
    conds = []
    if flt.status:
        conds.append(col(Bundle.status) == flt.status)
    if flt.hospital_id:
        conds.append(col(Bundle.hospital_id) == flt.hospital_id)
    if flt.office_code:
        conds.append(col(Bundle.office_code) == flt.office_code)
    if flt.born_from:
        conds.append(col(Bundle.birth_date) >= flt.born_from)
    if flt.born_to:
        conds.append(col(Bundle.birth_date) <= flt.born_to)
    if flt.received_from:
        conds.append(col(Bundle.received_at) >= flt.received_from)
    if flt.received_to:
        conds.append(col(Bundle.received_at) <= flt.received_to)
    if flt.deadline_risk is not None:
        conds.append(col(Bundle.deadline_risk) == flt.deadline_risk)
    if flt.kecamatan:
        conds.append(col(Bundle.domicile_kecamatan) == flt.kecamatan)
    if flt.search:
        conds.append(sa.or_(col(Bundle.id) == flt.search, col(Bundle.record_id) == flt.search))
    if flt.service or flt.service_status:
        sub = select(ServiceStatusRow.bundle_id)
        if flt.service:
            sub = sub.where(ServiceStatusRow.service == flt.service)
        if flt.service_status:
            sub = sub.where(ServiceStatusRow.status == flt.service_status)
        conds.append(col(Bundle.id).in_(sub))
    total = session.exec(select(func.count()).select_from(Bundle).where(*conds)).one()
    rows = session.exec(
        select(Bundle).where(*conds)
        .order_by(col(Bundle.received_at).desc(), col(Bundle.id)).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def queue_reminder(*, session: Session, reminder: Reminder) -> bool:
    """Queue a reminder once per (bundle, service, child, kind); False when already queued."""
    session.add(reminder)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def apply_follow_up(*, session: Session, state: FollowUpState, cipher: StateCipher) -> bool:
    """Store a follow-up snapshot unless a newer one is there; True if written."""
    row = session.get(FollowUp, state.workflow_id)
    if row is not None and row.version >= state.version:
        return False
    row = row or FollowUp(workflow_id=state.workflow_id, bundle_id=state.bundle_id, kind=state.kind.value,
                          birth_order=state.birth_order, status=state.status,
                          updated_at=datetime.now(UTC), state_json="{}")
    row.status, row.version, row.updated_at = state.status, state.version, datetime.now(UTC)
    row.state_json = cipher.encrypt(FollowUp.__tablename__, state.workflow_id, state.model_dump_json())
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # written concurrently: the other writer's version stands
        return False
    return True


def follow_ups_of(*, session: Session, bundle_id: str, cipher: StateCipher) -> list[FollowUpState]:
    rows = session.exec(select(FollowUp).where(FollowUp.bundle_id == bundle_id)
                        .order_by(col(FollowUp.updated_at))).all()
    table = FollowUp.__tablename__
    return [FollowUpState.model_validate_json(cipher.decrypt(table, r.workflow_id, r.state_json))
            for r in rows]
