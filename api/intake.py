"""Accepting a birth: dedupe in the read model and keep it with its pending start, in one transaction.

The workflow is started from that outbox (`api/starter.py`), not in the hospital's request: the
202 means the birth is durably kept, whatever Temporal's load or state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import structlog
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from domain import bundle_state as bs
from domain.bundle_state import bundle_id_for, new_input
from domain.contracts import BundleState, Note, Reason, Service, ServiceState, ServiceStatus, TimelineEvent
from domain.notification import BirthNotification
from infra.settings import Settings
from store import bundles, crud, identity, pending, submissions
from store.callback_events import prepare_change
from store.cipher import StateCipher
from store.group_writer import GroupWriter

log = structlog.get_logger("kelahiran.intake")
WIB = timedelta(hours=7)


def today_wib() -> date:
    """Dates of birth are local dates; the hospitals are in WIB (UTC+7)."""
    return (datetime.now(UTC) + WIB).date()


class ConflictingRecord(Exception):
    """The record id was already used for different content."""


# What the hospital reads about a held bundle: the code and this, never the earlier bundle.
HELD_DETAIL = "held before anything is issued: it may be a birth already reported; a supervisor decides"


def hold_as_duplicate(state: BundleState, match: identity.Match) -> None:
    """Hold a new bundle before routing (so before any NIK is requested) for a supervisor."""
    at = state.received_at
    state.suspected_duplicate_of = match.bundle_id
    state.routing = ServiceState(status=ServiceStatus.NEEDS_ATTENTION, reason=Reason.DUPLIKAT_DICURIGAI.value,
                                 detail=HELD_DETAIL, note=Note.HELD_DUPLICATE, updated_at=at)
    state.timeline.append(TimelineEvent(at=at, kind=ServiceStatus.NEEDS_ATTENTION.value,
                                        service=Service.ROUTING, reason=Reason.DUPLIKAT_DICURIGAI.value,
                                        message=HELD_DETAIL, note=Note.HELD_DUPLICATE))
    state.status = bs.derive_status(state, closed=False)


def _event_of(session: Session, state: BundleState) -> dict | None:
    """The hospital's event for a bundle that starts held (others start as the 202 said)."""
    return prepare_change(session=session, header=bs.header_of(state), services={
        (o, svc.value): (st.status.value, st.reason) for o, svc, st in bs.all_services(state)})


@dataclass(frozen=True)
class Accepted:
    bundle_id: str
    status: str
    duplicate: bool


class Starter(Protocol):
    """What the intake needs of its process's starter (api/starter.py)."""

    def intake_lease(self) -> pending.Lease: ...
    def hand(self, row: pending.Claimed, lease: pending.Lease) -> None: ...
    def kick(self) -> None: ...


async def accept_birth(*, notification: BirthNotification, hospital_id: str, settings: Settings,
                       engine: Engine, writer: GroupWriter, cipher: StateCipher,
                       starter: Starter | None) -> Accepted:
    """Keep the birth and hand its start to `starter`, or find it again and `kick` the starter (its
    start may still be pending). Without a starter the pending start waits, unleased, for a claim."""
    lease = starter.intake_lease() if starter is not None else None
    bundle_id = bundle_id_for(hospital_id, notification.record_id)
    inp = new_input(bundle_id=bundle_id, hospital_id=hospital_id, notification=notification,
                    received_at=datetime.now(UTC), tuning=settings.tuning())
    chash, state = inp.content_hash, inp.state
    birth = identity.Birth(mother_nik=notification.mother.nik, birth_date=notification.birth_date,
                           birth_orders=tuple(c.birth_order for c in notification.children))

    def stored() -> tuple[str | None, str] | None:
        with Session(engine) as session:
            return crud.hash_and_status(session=session, bundle_id=bundle_id)

    def prepare() -> tuple[bundles.Received, dict]:
        # Serialised and encrypted before the write job: on SQLite the job holds the one write lock
        # that the worker's writes also need.
        return (bundles.prepare_received(state, cipher, inp.model_dump_json(), lease),
                submissions.prepare(cipher=cipher, bundle_id=bundle_id,
                                    submitted=submissions.of_notification(notification)))

    def stored_or_prepare() -> tuple[tuple[str | None, str] | None, tuple[bundles.Received, dict] | None]:
        """One trip to a thread: what is stored under this id, else the new bundle's rows."""
        found = stored()
        return found, (prepare() if found is None else None)

    def insert(session: Session) -> tuple[str | None, str] | None:
        """In the writer's transaction: None once inserted, else what is stored under this id."""
        if (found := crud.hash_and_status(session=session, bundle_id=bundle_id)) is not None:
            return found  # the same record, posted twice at once
        prepared, sent = ready or prepare()
        # The check, this bundle's identity rows and the bundle itself: one transaction.
        match = identity.claim(session=session, cipher=cipher, bundle_id=bundle_id, birth=birth,
                               window_days=settings.duplicate_window_days)
        if match is not None:  # rare: the held state (the workflow's input too) prepared again
            hold_as_duplicate(state, match)  # `state` is inp.state: the input changes with it
            prepared = bundles.prepare_received(state, cipher, inp.model_dump_json(), lease)
            log.info("birth held as a suspected duplicate", bundle_id=bundle_id,
                     earlier_bundle_id=match.bundle_id, same_child=match.same_child)
        submissions.keep(session=session, row=sent)  # what was sent about the family, for the clerks
        bundles.add_received(session=session, prepared=prepared,
                             change=_event_of(session, state) if match else None)
        kept.append(prepared)
        return None

    began = time.perf_counter()
    found, ready = None, None
    kept: list[bundles.Received] = []  # the rows as committed (the job may have re-prepared them)
    if writer.serial:
        # SQLite: the same record again is answered from a read, without queueing for the write
        # lock, and a new one is prepared before its turn. PostgreSQL: the job does both, in its
        # own transaction and thread (one trip instead of two, three round trips fewer).
        found, ready = await run_in_threadpool(stored_or_prepare)
    if found is None:
        try:
            found = await writer.run(insert)
        except IntegrityError:  # inserted meanwhile by another API process: read it
            found = await run_in_threadpool(stored)
            if found is None:
                raise
    inserted = found is None
    stored_hash, status = found if found else (chash, state.status.value)
    if not inserted and stored_hash != chash:
        raise ConflictingRecord(bundle_id)
    if starter is not None and inserted and lease is not None and kept[-1].pending is not None:
        row = kept[-1].pending
        starter.hand(pending.Claimed(bundle_id=bundle_id, input_json=row["input_json"], attempts=0), lease)
    elif starter is not None:
        starter.kick()
    if inserted:
        log.info("birth accepted", bundle_id=bundle_id, hospital_id=hospital_id,
                 children=len(notification.children), db_ms=round(1000 * (time.perf_counter() - began), 1))
    return Accepted(bundle_id=bundle_id, status=status, duplicate=not inserted)
