"""Bundle events: what a hospital is told when one of its bundles changes state.

Events are thin on purpose: ids, statuses and reason codes, no document numbers and no NIKs. The
read model keeps those encrypted at rest; the hospital reads them with its key at
`GET /v1/births/{bundle_id}`, so a leaked webhook log or a wrong URL discloses no personal data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session

from domain.contracts import TERMINAL_STATUSES, BundleHeader, BundleStatus, Service
from store.callback_models import NONE, PENDING, HospitalEvent, HospitalWebhook

EventType = Literal["bundle.status_changed", "bundle.service_changed", "bundle.completed", "bundle.closed"]
# What the hospital knew before the first event: the 202 said in_progress, every service pending.
BASELINE_STATUS, BASELINE_SERVICE = BundleStatus.IN_PROGRESS.value, "pending"


class ServiceStatusOut(BaseModel):
    birth_order: int = Field(description="the child's birth order; 0 for bundle-level services (routing, kk)")
    service: str
    status: str
    reason: str | None = None


class ServiceChange(ServiceStatusOut):
    previous_status: str


class CallbackEvent(BaseModel):
    """One event, as POSTed to the webhook and as returned by polling."""

    id: str = Field(description="event id (UUID): deliveries may repeat, deduplicate on it")
    type: EventType
    occurred_at: datetime
    hospital_id: str
    bundle_id: str
    record_id: str = Field(description="the hospital's own record id for this delivery")
    version: int = Field(description="the bundle state's version: higher is newer")
    status: str
    previous_status: str
    services: list[ServiceStatusOut] = Field(description="every service's status after the change")
    changes: list[ServiceChange] = Field(description="the services whose status or reason changed")


_RANK = {svc.value: i for i, svc in enumerate(Service)}


def _services(statuses: dict[tuple[int, str], tuple[str, str | None]]) -> list[ServiceStatusOut]:
    """Bundle-level services first, then each child's, in the workflow's order."""
    return [ServiceStatusOut(birth_order=order, service=service, status=status, reason=reason)
            for (order, service), (status, reason) in sorted(
                statuses.items(), key=lambda kv: (kv[0][0], _RANK[kv[0][1]]))]


def _changes(services: list[ServiceStatusOut], before: dict) -> list[ServiceChange]:
    out = []
    for s in services:
        was_status, was_reason = before.get((s.birth_order, s.service), (BASELINE_SERVICE, None))
        if (was_status, was_reason) != (s.status, s.reason):
            out.append(ServiceChange(**s.model_dump(), previous_status=was_status))
    return out


def _type(status: str, previous: str) -> EventType:
    if status == previous:
        return "bundle.service_changed"
    if status == BundleStatus.COMPLETED:
        return "bundle.completed"
    return "bundle.closed" if status in TERMINAL_STATUSES else "bundle.status_changed"


def _statements():
    """Built once: this runs in every read-model sync, where building SQL cost more than running it."""
    table, hook = HospitalEvent.__table__, HospitalWebhook.__table__
    last = (sa.select(table.c.body).where(table.c.bundle_id == sa.bindparam("p_bundle"))
            .order_by(table.c.seq.desc()).limit(1))
    registered = sa.exists().where(hook.c.hospital_id == sa.bindparam("p_hospital"))
    values = {name: sa.bindparam(f"p_{name}") for name in ("id", "type", "occurred_at", "body")}
    insert = table.insert().values(
        **values, hospital_id=sa.bindparam("p_hospital"), bundle_id=sa.bindparam("p_bundle"),
        delivery=sa.case((registered, PENDING), else_=NONE), attempts=0,
        next_attempt_at=sa.bindparam("p_occurred_at"), txid=0)
    pg_txid = sa.cast(sa.cast(sa.func.pg_current_xact_id(), sa.Text), sa.BigInteger)
    return last, insert, insert.values(txid=pg_txid)


_LAST, _INSERT, _INSERT_PG = _statements()


def prepare_change(*, session: Session, header: BundleHeader,
                   services: dict[tuple[int, str], tuple[str, str | None]]) -> dict | None:
    """The hospital's event for a write about to be made, if the status or a service's status or
    reason differs from the bundle's last event (None otherwise). Reads only: the caller inserts it
    (insert_change) in the write's transaction. `services`: every service's (status, reason) by
    (birth order, service) after the write."""
    last = session.connection().execute(_LAST, {"p_bundle": header.bundle_id}).scalar()
    return change_after(header=header, services=services, last=last)


def last_events(*, session: Session, bundle_ids: list[str]) -> dict[str, str]:
    """Each bundle's last event body (for change_after), for a batch of writes in one query."""
    table = HospitalEvent.__table__
    latest = (sa.select(sa.func.max(table.c.seq)).where(table.c.bundle_id.in_(bundle_ids))
              .group_by(table.c.bundle_id))
    return dict(session.connection().execute(
        sa.select(table.c.bundle_id, table.c.body).where(table.c.seq.in_(latest))).all())


def change_after(*, header: BundleHeader, services: dict[tuple[int, str], tuple[str, str | None]],
                 last: str | None) -> dict | None:
    """As prepare_change, given the bundle's last event body (None if it has none)."""
    state = header
    before_status, before = BASELINE_STATUS, {}
    if last is not None:
        prev = CallbackEvent.model_validate_json(last)
        before_status = prev.status
        before = {(s.birth_order, s.service): (s.status, s.reason) for s in prev.services}
    services = _services(services)
    changes = _changes(services, before)
    status = state.status.value
    if status == before_status and not changes:
        return None
    now = datetime.now(UTC)
    event = CallbackEvent(
        id=str(uuid.uuid4()), type=_type(status, before_status), occurred_at=now,
        hospital_id=state.hospital_id, bundle_id=state.bundle_id, record_id=state.record_id,
        version=state.version, status=status, previous_status=before_status, services=services,
        changes=changes)
    return {"p_id": event.id, "p_type": event.type, "p_occurred_at": now, "p_body": event.model_dump_json(),
            "p_hospital": state.hospital_id, "p_bundle": state.bundle_id}


def insert_change(*, session: Session, change: dict) -> None:
    """Add a prepared event in the caller's transaction (after the bundle row is written)."""
    conn = session.connection()
    conn.execute(_INSERT_PG if conn.dialect.name == "postgresql" else _INSERT, change)
