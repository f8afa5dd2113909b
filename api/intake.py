"""Accepting a birth: dedupe in the read model and keep it with its pending start, in one transaction.

The workflow is started from that outbox (`api/starter.py`), not in the hospital's request: the
202 means the birth is durably kept, whatever Temporal's load or state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import structlog
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.bundle_state import bundle_id_for, new_input
from domain.notification import BirthNotification
from infra.settings import Settings
from store import bundles, crud
from store.cipher import StateCipher

log = structlog.get_logger("kelahiran.intake")
WIB = timedelta(hours=7)


def today_wib() -> date:
    """Dates of birth are local dates; the hospitals are in WIB (UTC+7)."""
    return (datetime.now(UTC) + WIB).date()


class ConflictingRecord(Exception):
    """The record id was already used for different content."""


@dataclass(frozen=True)
class Accepted:
    bundle_id: str
    status: str
    duplicate: bool


async def accept_birth(*, notification: BirthNotification, hospital_id: str, settings: Settings,
                       engine: Engine, cipher: StateCipher, kick: Callable[[], None]) -> Accepted:
    """Keep the birth (or find it again), then `kick` the starter (a duplicate may still be pending)."""
    bundle_id = bundle_id_for(hospital_id, notification.record_id)
    inp = new_input(bundle_id=bundle_id, hospital_id=hospital_id, notification=notification,
                    received_at=datetime.now(UTC), tuning=settings.tuning())
    chash, state = inp.content_hash, inp.state

    def insert() -> tuple[bool, str | None, str]:
        with Session(engine) as session:
            if bundles.insert_received(session=session, state=state, cipher=cipher,
                                       start_input_json=inp.model_dump_json()):
                return True, chash, state.status.value
            row = crud.get_bundle(session=session, bundle_id=bundle_id)
            return False, row.content_hash if row else None, row.status if row else "in_progress"

    began = time.perf_counter()
    inserted, stored_hash, status = await run_in_threadpool(insert)  # the driver blocks
    if not inserted and stored_hash != chash:
        raise ConflictingRecord(bundle_id)
    kick()
    if inserted:
        log.info("birth accepted", bundle_id=bundle_id, hospital_id=hospital_id,
                 children=len(notification.children), db_ms=round(1000 * (time.perf_counter() - began), 1))
    return Accepted(bundle_id=bundle_id, status=status, duplicate=not inserted)
