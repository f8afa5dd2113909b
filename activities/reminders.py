"""Reminders to families, queued in the read model's outbox (delivered by a channel adapter)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from domain.contracts import ReminderInput
from domain.contracts import names as act
from store import crud
from store.models import Reminder

log = structlog.get_logger("kelahiran.reminders")


class ReminderActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _queue(self, inp: ReminderInput) -> bool:
        with Session(self._engine) as session:
            return crud.queue_reminder(session=session, reminder=Reminder(
                bundle_id=inp.bundle_id, service=inp.service.value, birth_order=inp.birth_order,
                kind=inp.kind, due=inp.due, created_at=datetime.now(UTC)))

    @activity.defn(name=act.SEND_REMINDER)
    async def send_reminder(self, inp: ReminderInput) -> bool:
        """Queue one reminder (at most once per bundle, service, child and kind)."""
        queued = await asyncio.to_thread(self._queue, inp)
        log.info("reminder queued" if queued else "reminder already queued", bundle_id=inp.bundle_id,
                 service=inp.service.value, kind=inp.kind, due=inp.due.isoformat())
        return queued

    def all(self) -> list:
        return [self.send_reminder]
