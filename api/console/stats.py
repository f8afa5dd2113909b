"""Dashboard figures from the read model's listing columns and service rows (no decryption)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from api.console.i18n import WIB
from api.console.worklist import open_items
from domain.contracts import Service, ServiceStatus, WorkflowTuning
from store.models import Bundle, ServiceStatusRow

TIMED_SERVICES = (Service.NIK, Service.AKTA, Service.KIA, Service.KK, Service.BPJS)
HOUR, DAY = 3600, 86400


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (a value that occurred, which is what an operator can look up)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class HospitalRow:
    hospital_id: str
    received: int = 0
    completed: int = 0
    within_day: int = 0
    open_issues: int = 0


@dataclass
class Dashboard:
    days: int
    per_day: list[tuple[date, int, int]]  # day (WIB), received, of which completed
    received: int
    within_hour: int
    within_day: int
    times: list[tuple[str, float | None, float | None, int]]  # service, median s, p95 s, count
    issues: list[tuple[str, int]]  # reason code, open bundles
    hospitals: list[HospitalRow] = field(default_factory=list)


def dashboard(*, session: Session, office_code: str | None, days: int, tuning: WorkflowTuning,
              now: datetime) -> Dashboard:
    today = now.astimezone(WIB).date()
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), WIB)
    conds = [col(Bundle.received_at) >= since]
    if office_code:
        conds.append(col(Bundle.office_code) == office_code)
    bundles = session.exec(select(Bundle.id, Bundle.hospital_id, Bundle.received_at, Bundle.completed_at)
                           .where(*conds)).all()
    received_at = {b.id: b.received_at for b in bundles}
    per_day: dict[date, list[int]] = {today - timedelta(days=i): [0, 0] for i in range(days)}
    hospitals: dict[str, HospitalRow] = {}
    within_hour = within_day = 0
    for b in bundles:
        day = b.received_at.astimezone(WIB).date()
        h = hospitals.setdefault(b.hospital_id, HospitalRow(b.hospital_id))
        h.received += 1
        if day in per_day:
            per_day[day][0] += 1
        if b.completed_at is None:
            continue
        took = (b.completed_at - b.received_at).total_seconds()
        h.completed += 1
        within_hour += took <= HOUR
        within_day += took <= DAY
        h.within_day += took <= DAY
        if day in per_day:
            per_day[day][1] += 1
    times = _service_times(session, received_at)
    items, _ = open_items(session=session, office_code=office_code, tuning=tuning, today=today)
    issues = Counter(code for item in items for code in {i.code for i in item.issues})
    for item in items:
        hospitals.setdefault(item.bundle.hospital_id, HospitalRow(item.bundle.hospital_id)).open_issues += 1
    return Dashboard(
        days=days, per_day=[(d, v[0], v[1]) for d, v in sorted(per_day.items())], received=len(bundles),
        within_hour=within_hour, within_day=within_day, times=times, issues=issues.most_common(),
        hospitals=sorted(hospitals.values(), key=lambda h: (-h.received, h.hospital_id)))


def _service_times(session: Session, received_at: dict[str, datetime]
                   ) -> list[tuple[str, float | None, float | None, int]]:
    """Per service, from the bundle's arrival to the service's completion (its row's last change)."""
    spans: dict[str, list[float]] = defaultdict(list)
    ids = list(received_at)
    for start in range(0, len(ids), 500):
        rows = session.exec(select(ServiceStatusRow.bundle_id, ServiceStatusRow.service,
                                   ServiceStatusRow.updated_at).where(
            col(ServiceStatusRow.bundle_id).in_(ids[start:start + 500]),
            ServiceStatusRow.status == ServiceStatus.COMPLETED.value,
            col(ServiceStatusRow.service).in_([s.value for s in TIMED_SERVICES])))
        for bundle_id, service, updated_at in rows:
            if updated_at is not None:
                spans[service].append(max(0.0, (updated_at - received_at[bundle_id]).total_seconds()))
    return [(s.value, percentile(spans[s.value], 50), percentile(spans[s.value], 95), len(spans[s.value]))
            for s in TIMED_SERVICES]
