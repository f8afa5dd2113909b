"""The worklist: open bundles that wait for a person, earliest legal deadline first.

Read from the read model's listing columns and service rows only (never the encrypted states), so
it costs two indexed queries however many bundles are open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.contracts import TERMINAL_STATUSES, Service, ServiceStatus, WorkflowTuning
from store.models import Bundle, ServiceStatusRow

WAITS_FOR_A_PERSON = (ServiceStatus.NEEDS_ATTENTION.value, ServiceStatus.WAITING_INPUT.value)
LIMIT = 300  # the top of the list is what matters; the page says how many more there are


@dataclass(frozen=True)
class Issue:
    code: str  # a reason code, or PAYMENT_LATE / PAYMENT_SOON / DEADLINE (the console's own)
    service: str
    birth_order: int
    deadline: date


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
    items.sort(key=lambda i: (i.deadline, i.bundle.received_at))
    return items[:LIMIT], len(items)


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
