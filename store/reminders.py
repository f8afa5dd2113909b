"""The reminder rows: one per (bundle, service, child, kind), marked when the SMS gateway accepted it.

The workflow decides when a family is reminded; this table is the record of what reached the
gateway (retention deletes it with the bundle's personal data).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from store.crud import queue_reminder
from store.models import Reminder


def record_delivery(*, session: Session, bundle_id: str, service: str, birth_order: int, kind: str,
                    due: date, now: datetime) -> None:
    """The row for this reminder (created if a first attempt died before it), marked delivered."""
    queue_reminder(session=session, reminder=Reminder(bundle_id=bundle_id, service=service,
                                                      birth_order=birth_order, kind=kind, due=due,
                                                      created_at=now))
    session.exec(sa.update(Reminder).where(
        Reminder.bundle_id == bundle_id, Reminder.service == service, Reminder.birth_order == birth_order,
        Reminder.kind == kind, Reminder.delivered_at.is_(None)).values(delivered_at=now))
    session.commit()


def reference(*, bundle_id: str, service: str, birth_order: int, kind: str) -> str:
    """The gateway's reference for one reminder: the same on every attempt, so it is sent once."""
    return f"{bundle_id}.pengingat.{service}.{birth_order}.{kind}"
