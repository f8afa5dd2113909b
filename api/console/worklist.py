"""The worklist: open bundles that wait for a person, earliest legal deadline first, and bundles
(completed or not) with a follow-up after issue that waits for one.

Read from the read model's listing columns, service rows and follow-up rows only (never the
encrypted states), so it costs three indexed queries however many bundles are open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.contracts import TERMINAL_STATUSES, Service, ServiceStatus, WorkflowTuning
from store.models import Bundle, FollowUp, ServiceStatusRow

WAITS_FOR_A_PERSON = (ServiceStatus.NEEDS_ATTENTION.value, ServiceStatus.WAITING_INPUT.value)
LIMIT = 300  # the top of the list is what matters; the page says how many more there are


@dataclass(frozen=True)
class Issue:
    code: str  # a reason code, or PAYMENT_LATE / PAYMENT_SOON / DEADLINE (the console's own)
    service: str  # a service, or fu_<kind> for a follow-up after issue
    birth_order: int
    deadline: date
    follow_up: str | None = None  # the follow-up's kind (death, correction)


@dataclass
class Item:
    bundle: Bundle
    issues: list[Issue] = field(default_factory=list)

    @property
    def deadline(self) -> date:
        return min(i.deadline for i in self.issues)


def deadline_of(service: str, born: date, tuning: WorkflowTuning) -> date:
    """The legal clock a service's wait runs against (everything before the akta runs on its clock)."""
    if service == Service.BPJS.value:
        return born + timedelta(days=tuning.bpjs_deadline_days)
    if service == Service.STILLBIRTH.value:
        return born + timedelta(days=tuning.stillbirth_deadline_days)
    return born + timedelta(days=tuning.akta_deadline_days)


def _payment_watch_from(today: date, tuning: WorkflowTuning) -> date:
    """Births on or before this day whose BPJS still waits for payment are near or past the window."""
    return today - timedelta(days=tuning.bpjs_deadline_days - tuning.bpjs_warn_days)


def open_items(*, session: Session, office_code: str | None, tuning: WorkflowTuning,
               today: date) -> tuple[list[Item], int]:
    """Items sorted by deadline (then arrival), at most LIMIT, and how many there are in all."""
    waiting = select(ServiceStatusRow.bundle_id).where(col(ServiceStatusRow.status).in_(WAITS_FOR_A_PERSON))
    unpaid = select(ServiceStatusRow.bundle_id).where(
        ServiceStatusRow.service == Service.BPJS.value,
        ServiceStatusRow.status == ServiceStatus.AWAITING_PAYMENT.value)
    conds = [col(Bundle.status).not_in([s.value for s in TERMINAL_STATUSES]),
             sa.or_(col(Bundle.id).in_(waiting), col(Bundle.deadline_risk).is_(True),
                    sa.and_(col(Bundle.birth_date) <= _payment_watch_from(today, tuning),
                            col(Bundle.id).in_(unpaid)))]
    if office_code:
        conds.append(col(Bundle.office_code) == office_code)
    bundles = session.exec(select(Bundle).where(*conds)).all()
    rows_by_bundle: dict[str, list[ServiceStatusRow]] = {}
    ids = [b.id for b in bundles]
    for start in range(0, len(ids), 500):  # stay under SQL parameter limits
        for row in session.exec(select(ServiceStatusRow).where(
                col(ServiceStatusRow.bundle_id).in_(ids[start:start + 500]))):
            rows_by_bundle.setdefault(row.bundle_id, []).append(row)
    items = []
    for b in bundles:
        item = Item(bundle=b, issues=_issues(b, rows_by_bundle.get(b.id, []), tuning, today))
        if item.issues:
            items.append(item)
    _add_follow_ups(session, office_code, today, items)
    items.sort(key=lambda i: (i.deadline, i.bundle.received_at))
    return items[:LIMIT], len(items)


def _add_follow_ups(session: Session, office_code: str | None, today: date, items: list[Item]) -> None:
    """Follow-ups waiting for a person, on their bundle's item (a completed bundle gets one): no legal
    clock runs on them, so they are due now."""
    q = (select(FollowUp, Bundle).join(Bundle, col(Bundle.id) == col(FollowUp.bundle_id))
         .where(FollowUp.status == ServiceStatus.NEEDS_ATTENTION.value))
    if office_code:
        q = q.where(col(Bundle.office_code) == office_code)
    by_id = {i.bundle.id: i for i in items}
    for fu, b in session.exec(q):
        item = by_id.get(b.id)
        if item is None:
            item = by_id[b.id] = Item(bundle=b)
            items.append(item)
        item.issues.append(Issue(code=fu.reason or "other", service=f"fu_{fu.kind}",
                                 birth_order=fu.birth_order, deadline=today, follow_up=fu.kind))


def _issues(b: Bundle, rows: list[ServiceStatusRow], tuning: WorkflowTuning, today: date) -> list[Issue]:
    found: dict[tuple[str, int], Issue] = {}
    for r in sorted(rows, key=lambda r: (r.birth_order == 0, r.birth_order, r.service != Service.AKTA.value)):
        if r.status == ServiceStatus.NEEDS_ATTENTION.value:
            code = r.reason or "other"
        elif r.status == ServiceStatus.WAITING_INPUT.value:
            code = r.reason or "NAMA_BELUM_ADA"
            # a missing name shows on the akta, KIA and KK rows: one issue per child is enough
            if any(k[0] == code for k in found) and r.service != Service.AKTA.value:
                continue
        elif r.status == ServiceStatus.AWAITING_PAYMENT.value and r.service == Service.BPJS.value:
            due = deadline_of(r.service, b.birth_date, tuning)
            if b.birth_date > _payment_watch_from(today, tuning):
                continue  # within the window: the family still has time
            code = "PAYMENT_LATE" if due < today else "PAYMENT_SOON"
        else:
            continue
        found.setdefault((code, r.birth_order), Issue(code=code, service=r.service, birth_order=r.birth_order,
                                                      deadline=deadline_of(r.service, b.birth_date, tuning)))
    if not found and b.deadline_risk:
        open_rows = [r for r in rows if r.status in {s.value for s in (
            ServiceStatus.PENDING, ServiceStatus.IN_PROGRESS, ServiceStatus.AWAITING_PAYMENT)}]
        service = open_rows[0].service if open_rows else Service.AKTA.value
        found[("DEADLINE", 0)] = Issue(code="DEADLINE", service=service, birth_order=0,
                                       deadline=min(deadline_of(r.service, b.birth_date, tuning)
                                                    for r in open_rows) if open_rows
                                       else deadline_of(service, b.birth_date, tuning))
    return sorted(found.values(), key=lambda i: (i.deadline, i.birth_order))
