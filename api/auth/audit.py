"""The audit log: who did or saw what, when and why. Rows are only ever added."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from api.auth.roles import Principal
from store.auth_models import AuditEvent


def record(*, session: Session, who: Principal, action: str, bundle_id: str | None = None,
           reason: str | None = None, outcome: str = "ok", details: dict[str, Any] | None = None,
           commit: bool = True) -> AuditEvent:
    """Add one event. `details` may hold personal data (retention clears it), never secrets."""
    row = AuditEvent(at=datetime.now(UTC), actor=who.subject, actor_role=who.role.value, action=action,
                     bundle_id=bundle_id, reason=reason, outcome=outcome,
                     details_json=json.dumps(details, default=str, sort_keys=True) if details else None)
    session.add(row)
    if commit:
        session.commit()
    return row


def query(*, session: Session, actor: str | None = None, action: str | None = None,
          bundle_id: str | None = None, since: datetime | None = None, until: datetime | None = None,
          after_id: int = 0, limit: int = 100) -> list[AuditEvent]:
    """Events in the order they were written, from `after_id` on (keyset paging for exports)."""
    q = select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id).limit(limit)
    if actor:
        q = q.where(AuditEvent.actor == actor)
    if action:
        q = q.where(AuditEvent.action == action)
    if bundle_id:
        q = q.where(AuditEvent.bundle_id == bundle_id)
    if since:
        q = q.where(AuditEvent.at >= since)
    if until:
        q = q.where(AuditEvent.at < until)
    return list(session.exec(q))
