"""Reminders to families, delivered by SMS through the gateway and recorded in the read model.

A reminder's gateway reference is derived from (bundle, service, child, kind), and its text only
from the activity's input, so a retry after a lost answer gets the first acceptance back: one SMS.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from activities.errors import classified
from adapters.errors import BusinessRejection
from adapters.sms.port import Sms, SmsPort
from domain import sms_texts as texts
from domain.contracts import ReminderDelivered, ReminderInput
from domain.contracts import names as act
from store import reminders

log = structlog.get_logger("kelahiran.reminders")


class ReminderActivities:
    def __init__(self, engine: Engine, sms: SmsPort) -> None:
        self._engine, self._sms = engine, sms

    def _record(self, inp: ReminderInput) -> None:
        with Session(self._engine) as session:
            reminders.record_delivery(session=session, bundle_id=inp.bundle_id, service=inp.service.value,
                                      birth_order=inp.birth_order, kind=inp.kind, due=inp.due,
                                      now=datetime.now(UTC))

    @activity.defn(name=act.DELIVER_REMINDER)
    async def deliver_reminder(self, inp: ReminderInput) -> ReminderDelivered:
        """Send one reminder by SMS (once per bundle, service, child and kind) and record it."""
        text = texts.reminder(inp.kind, inp.service.value, inp.due, birth_order=inp.birth_order,
                              several=inp.several, virtual_account=inp.virtual_account,
                              amount_due=inp.amount_due)
        ref = reminders.reference(bundle_id=inp.bundle_id, service=inp.service.value,
                                  birth_order=inp.birth_order, kind=inp.kind)
        with classified("sms"):
            if not inp.phone:
                raise BusinessRejection("NOMOR_PELAPOR_TIDAK_ADA", "no reporter phone to send to")
            got = await self._sms.send(Sms(phone=inp.phone, text=text, reference=ref))
        await asyncio.to_thread(self._record, inp)
        log.info("reminder sent", bundle_id=inp.bundle_id, service=inp.service.value, kind=inp.kind,
                 segments=got.segments)
        return ReminderDelivered(message_id=got.message_id, segments=got.segments)

    def all(self) -> list:
        return [self.deliver_reminder]
