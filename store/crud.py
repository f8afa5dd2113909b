"""Keyword-only read-model operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from domain.contracts import FollowUpState
from store import documents
from store.cipher import StateCipher
from store.models import Bundle, FollowUp, Reminder, ServiceStatusRow

NEEDS_ATTENTION = "needs_attention"


def get_bundle(*, session: Session, bundle_id: str) -> Bundle | None:
    return session.get(Bundle, bundle_id)


def hash_and_status(*, session: Session, bundle_id: str) -> tuple[str | None, str] | None:
    """(content hash, status) of a stored bundle: what an intake of the same record again needs,
    without loading (and decrypting nothing of) the whole row."""
    row = session.exec(select(Bundle.content_hash, Bundle.status).where(Bundle.id == bundle_id)).first()
    return (row[0], row[1]) if row else None


def get_by_record(*, session: Session, hospital_id: str, record_id: str) -> Bundle | None:
    return session.exec(
        select(Bundle).where(Bundle.hospital_id == hospital_id, Bundle.record_id == record_id)
    ).first()


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
    if flt.status == NEEDS_ATTENTION:
        # A completed bundle stays completed while a follow-up of it waits for a person: list it too.
        conds.append(sa.or_(col(Bundle.status) == flt.status, col(Bundle.id).in_(
            select(FollowUp.bundle_id).where(FollowUp.status == NEEDS_ATTENTION))))
    elif flt.status:
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


def follow_ups_needing_attention(*, session: Session, bundle_ids: list[str]) -> dict[str, list[FollowUp]]:
    """The follow-ups of these bundles that wait for a person, by bundle (plain columns only)."""
    found: dict[str, list[FollowUp]] = {}
    for start in range(0, len(bundle_ids), 500):  # stay under SQL parameter limits
        chunk = bundle_ids[start:start + 500]
        for row in session.exec(select(FollowUp).where(
                FollowUp.status == NEEDS_ATTENTION, col(FollowUp.bundle_id).in_(chunk))
                .order_by(col(FollowUp.updated_at))):
            found.setdefault(row.bundle_id, []).append(row)
    return found


def queue_reminder(*, session: Session, reminder: Reminder) -> bool:
    """Queue a reminder once per (bundle, service, child, kind); False when already queued."""
    session.add(reminder)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def apply_follow_up(*, session: Session, state: FollowUpState, cipher: StateCipher,
                    issued: list[documents.Issued] | None = None) -> bool:
    """Store a follow-up snapshot unless a newer one is there, and the documents it issued (once,
    whatever the version); True if the snapshot was written."""
    row = session.get(FollowUp, state.workflow_id)
    newer = row is None or row.version < state.version
    if newer:
        row = row or FollowUp(workflow_id=state.workflow_id, bundle_id=state.bundle_id, kind=state.kind.value,
                              birth_order=state.birth_order, status=state.status,
                              updated_at=datetime.now(UTC), state_json="{}")
        row.status, row.version, row.updated_at = state.status, state.version, datetime.now(UTC)
        row.reason = state.reason if state.status == "needs_attention" else None
        row.state_json = cipher.encrypt(FollowUp.__tablename__, state.workflow_id, state.model_dump_json())
        session.add(row)
    if not newer and not issued:
        return False
    try:
        documents.write(session=session, cipher=cipher, bundle_id=state.bundle_id, issued=issued or [])
        session.commit()
    except IntegrityError:
        session.rollback()  # written concurrently: the other writer's version stands
        return False
    return newer


def follow_ups_of(*, session: Session, bundle_id: str, cipher: StateCipher) -> list[FollowUpState]:
    rows = session.exec(select(FollowUp).where(FollowUp.bundle_id == bundle_id)
                        .order_by(col(FollowUp.updated_at))).all()
    table = FollowUp.__tablename__
    return [FollowUpState.model_validate_json(cipher.decrypt(table, r.workflow_id, r.state_json))
            for r in rows]
