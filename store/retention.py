"""Retention: the personal data of bundles that ended long ago leaves the read model.

A bundle qualifies when its status is terminal, it ended (completed_at, else its last write) before
the cutoff, and none of its follow-ups is open or changed since the cutoff. Its row stays: listing
and statistics keep working, and a hospital re-posting the same record still finds the bundle
instead of starting a second workflow that would issue a second NIK. Its state keeps statuses, reason
codes, dates and each child's outcome and sex; it loses document numbers (NIK, KK, akta, KIA, BPJS
card), facts (virtual accounts...), free-text details, timeline messages and the closing reason.
Its follow-ups lose their document numbers, its reminders and the family's fields as the hospital
sent them (store/submissions.py) are deleted, and the audit log's details about it are cleared (the
log's triggers allow exactly that change).

Its rows in the duplicate check go too (store/identity.py: keyed digests of the mother's NIK with
the birth date and order, and the mother's own row once no other child refers to it). Keeping them
would serve one child, one NIK, but a match on a bundle nobody can show any more is one no
supervisor can judge, and by then the child is in Dukcapil's register, whose own rule refuses a
second NIK (`KELAHIRAN_SUDAH_TERDAFTAR`): data minimisation wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, func, select

from domain.contracts import (
    TERMINAL_STATUSES,
    BundleState,
    ChildState,
    FollowUpState,
    ServiceState,
    TimelineEvent,
)
from store import bundles, documents, identity, submissions
from store.cipher import StateCipher, StateKeyError
from store.family_models import FamilyAccess
from store.models import BirthIdentity, Bundle, FollowUp, Reminder

BATCH = 500
BUNDLE, FU = Bundle.__tablename__, FollowUp.__tablename__
AUDIT = sa.table("audit_event", sa.column("id"), sa.column("bundle_id"), sa.column("reason"),
                 sa.column("details_json"))


@dataclass
class RetentionReport:
    cutoff: datetime
    dry_run: bool
    bundles: int = 0  # anonymised (or, dry, would be)
    follow_ups: int = 0  # anonymised
    reminders: int = 0  # deleted
    identities: int = 0  # children's rows in the duplicate check, deleted
    audit_events: int | None = 0  # reasons and details cleared; None when there is no audit log table
    failed: list[str] = field(default_factory=list)  # bundle ids whose state did not decrypt


def _service(st: ServiceState) -> ServiceState:
    return ServiceState(status=st.status, reason=st.reason, attempts=st.attempts, updated_at=st.updated_at,
                        deadline=st.deadline, deadline_state=st.deadline_state)


def anonymised_state(state: BundleState) -> BundleState:
    """What may stay: statuses, reason codes, dates, each child's outcome and sex. Built field by
    field, so a field added to the state later is dropped until someone decides it may stay."""
    return BundleState(
        bundle_id=state.bundle_id, hospital_id=state.hospital_id, record_id=state.record_id,
        content_hash=state.content_hash, status=state.status, birth_date=state.birth_date,
        received_at=state.received_at, office_code=state.office_code,
        domicile_kecamatan=state.domicile_kecamatan, routing=_service(state.routing), kk=_service(state.kk),
        children=[ChildState(birth_order=c.birth_order, outcome=c.outcome, sex=c.sex,
                             name_provided=c.name_provided,
                             services={svc: _service(st) for svc, st in c.services.items()})
                  for c in state.children],
        # Without messages: free text naming actors, closing reasons, adapters' answers.
        timeline=[TimelineEvent(at=e.at, kind=e.kind, service=e.service, birth_order=e.birth_order,
                                reason=e.reason) for e in state.timeline],
        deadline_risk=state.deadline_risk, follow_ups=state.follow_ups, completed_at=state.completed_at,
        version=state.version)


def anonymised_follow_up(state: FollowUpState) -> FollowUpState:
    return FollowUpState(workflow_id=state.workflow_id, bundle_id=state.bundle_id, kind=state.kind,
                         birth_order=state.birth_order, status=state.status, step=state.step,
                         reason=state.reason, started_at=state.started_at, completed_at=state.completed_at,
                         version=state.version)


def _eligible(cutoff: datetime):
    busy_follow_up = sa.exists().where(
        col(FollowUp.bundle_id) == col(Bundle.id),
        sa.or_(col(FollowUp.status) != "completed", col(FollowUp.updated_at) >= cutoff))
    return sa.and_(col(Bundle.status).in_([s.value for s in TERMINAL_STATUSES]),
                   col(Bundle.anonymised_at).is_(None),
                   func.coalesce(col(Bundle.completed_at), col(Bundle.updated_at)) < cutoff,
                   ~busy_follow_up)


def _has_audit_log(conn: Connection) -> bool:
    return sa.inspect(conn).has_table("audit_event")


def _audit_scope(cutoff: datetime, *, dry_run: bool):
    """Audit events with details about bundles anonymised now or earlier (events recorded since)."""
    anonymised = select(Bundle.id).where(col(Bundle.anonymised_at).is_not(None))
    scope = AUDIT.c.bundle_id.in_(anonymised)
    if dry_run:
        scope = sa.or_(scope, AUDIT.c.bundle_id.in_(select(Bundle.id).where(_eligible(cutoff))))
    # Reasons are free text too (a closing or correction reason may name someone): both go.
    return sa.and_(sa.or_(AUDIT.c.details_json.is_not(None), AUDIT.c.reason.is_not(None)), scope)


def _count(session: Session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _dry_run(engine: Engine, cutoff: datetime) -> RetentionReport:
    report = RetentionReport(cutoff=cutoff, dry_run=True)
    due = select(Bundle.id).where(_eligible(cutoff))
    with Session(engine) as session:
        report.bundles = _count(session, Bundle, _eligible(cutoff))
        report.follow_ups = _count(session, FollowUp, col(FollowUp.bundle_id).in_(due))
        report.reminders = _count(session, Reminder, col(Reminder.bundle_id).in_(due))
        report.identities = _count(session, BirthIdentity, col(BirthIdentity.bundle_id).in_(due))
        conn = session.connection()
        report.audit_events = (conn.execute(select(func.count()).select_from(AUDIT).where(
            _audit_scope(cutoff, dry_run=True))).scalar_one() if _has_audit_log(conn) else None)
    return report


def _follow_up_kept(cipher: StateCipher, fu: FollowUp) -> FollowUpState:
    try:
        return anonymised_follow_up(FollowUpState.model_validate_json(
            cipher.decrypt(FU, fu.workflow_id, fu.state_json)))
    except StateKeyError:  # unreadable here: what its plain columns say is what stays
        return FollowUpState(workflow_id=fu.workflow_id, bundle_id=fu.bundle_id, kind=fu.kind,
                             birth_order=fu.birth_order, status=fu.status, version=fu.version)


def _anonymise_batch(session: Session, cipher: StateCipher, rows: list[Bundle], now: datetime,
                     report: RetentionReport) -> None:
    done = []
    for row in rows:
        try:
            state = bundles.load_state(session=session, row=row, cipher=cipher)
        except StateKeyError:
            report.failed.append(row.id)
            continue
        # Only the row as read: a write since then (e.g. a rebuild) leaves it for the next run.
        as_read = sa.and_(col(Bundle.version) == row.version,
                          col(Bundle.history_length) == row.history_length)
        kept = bundles.full_sync(anonymised_state(state), row.history_length)
        if bundles.write(session, kept, cipher, where=as_read):
            session.exec(sa.update(Bundle).where(col(Bundle.id) == row.id).values(anonymised_at=now))
            done.append(row.id)
    if not done:
        return
    report.bundles += len(done)
    for fu in session.exec(select(FollowUp).where(col(FollowUp.bundle_id).in_(done))).all():
        fu.state_json = cipher.encrypt(FU, fu.workflow_id, _follow_up_kept(cipher, fu).model_dump_json())
        session.add(fu)
        report.follow_ups += 1
    report.reminders += session.exec(sa.delete(Reminder).where(col(Reminder.bundle_id).in_(done))).rowcount
    # The family's download link and the phone it went to (the link expired long before).
    session.exec(sa.delete(FamilyAccess).where(col(FamilyAccess.bundle_id).in_(done)))
    documents.forget(session=session, bundle_ids=done)  # akta numbers and printed names
    submissions.forget(session=session, bundle_ids=done)  # parents' names and NIKs, KK, phone as sent
    report.identities += identity.forget(session=session, bundle_ids=done)  # see the module's docstring


def apply_retention(engine: Engine, cipher: StateCipher, *, cutoff: datetime, dry_run: bool = False,
                    now: datetime | None = None) -> RetentionReport:
    """Anonymise every qualifying bundle (in batches, each its own transaction); dry-run only counts."""
    if dry_run:
        return _dry_run(engine, cutoff)
    now = now or datetime.now(UTC)
    report = RetentionReport(cutoff=cutoff, dry_run=False)
    last = ""
    while True:
        with Session(engine) as session:
            rows = list(session.exec(select(Bundle).where(_eligible(cutoff), col(Bundle.id) > last)
                                     .order_by(col(Bundle.id)).limit(BATCH)).all())
            if not rows:
                break
            last = rows[-1].id
            _anonymise_batch(session, cipher, rows, now, report)
            session.commit()
    with Session(engine) as session:
        conn = session.connection()
        if _has_audit_log(conn):
            report.audit_events = conn.execute(sa.update(AUDIT).where(_audit_scope(cutoff, dry_run=False))
                                               .values(details_json=None, reason=None)).rowcount
            session.commit()
        else:
            report.audit_events = None
    return report
