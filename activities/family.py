"""The family's notice: a download link and a one-time PIN, by SMS, once the bundle completed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from activities.errors import classified
from adapters.sms.port import Sms, SmsPort
from domain import sms_texts as texts
from domain.contracts import FamilyNoticeInput, FamilyNoticeSent
from domain.contracts import names as act
from store import family_access as access
from store.cipher import StateCipher

log = structlog.get_logger("kelahiran.family")


class FamilyNoticeActivities:
    def __init__(self, engine: Engine, cipher: StateCipher, sms: SmsPort, *, link_base: str,
                 policy: access.Policy) -> None:
        self._engine, self._cipher, self._sms = engine, cipher, sms
        self._link_base, self._policy = link_base.rstrip("/"), policy

    def _prepare(self, inp: FamilyNoticeInput) -> access.Notice | None:
        with Session(self._engine) as session:
            return access.prepare_notice(session=session, bundle_id=inp.bundle_id, phone=inp.phone,
                                         cipher=self._cipher, policy=self._policy, now=datetime.now(UTC))

    def _mark(self, bundle_id: str, message_id: str) -> None:
        with Session(self._engine) as session:
            access.mark_sent(session=session, bundle_id=bundle_id, message_id=message_id,
                             now=datetime.now(UTC))

    @activity.defn(name=act.NOTIFY_FAMILY)
    async def notify_family(self, inp: FamilyNoticeInput) -> FamilyNoticeSent:
        """Send the link and PIN once; a retry after the SMS was accepted sends nothing more."""
        notice = await asyncio.to_thread(self._prepare, inp)
        if notice is None:
            return FamilyNoticeSent(sent=False)
        text = texts.notice(f"{self._link_base}/unduh/{notice.token}", notice.pin, self._policy.link_days,
                            deceased=inp.deceased)
        with classified("sms"):
            got = await self._sms.send(Sms(phone=inp.phone, text=text, reference=notice.reference))
        await asyncio.to_thread(self._mark, inp.bundle_id, got.message_id)
        log.info("family notice sent", bundle_id=inp.bundle_id, segments=got.segments)
        return FamilyNoticeSent(sent=True, message_id=got.message_id)

    def all(self) -> list:
        return [self.notify_family]
