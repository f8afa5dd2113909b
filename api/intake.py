"""Accepting a birth: dedupe in the read model, then start (or find) the bundle's workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import structlog
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from api.readmodel import crud
from api.readmodel.cipher import StateCipher
from api.settings import Settings
from domain.bundle_state import bundle_id_for, content_hash, initial_state
from domain.contracts import WORKFLOW_TYPE, KelahiranInput
from domain.notification import BirthNotification

log = structlog.get_logger("kelahiran.intake")
WIB = timedelta(hours=7)


def today_wib() -> date:
    """Dates of birth are local dates; the hospitals are in WIB (UTC+7)."""
    return (datetime.now(UTC) + WIB).date()


class ConflictingRecord(Exception):
    """The record id was already used for different content."""


class EngineUnavailable(Exception):
    """The workflow could not be started; nothing was kept."""


@dataclass(frozen=True)
class Accepted:
    bundle_id: str
    status: str
    duplicate: bool


async def accept_birth(*, notification: BirthNotification, hospital_id: str, settings: Settings,
                       engine: Engine, cipher: StateCipher, client: Client) -> Accepted:
    bundle_id = bundle_id_for(hospital_id, notification.record_id)
    chash = content_hash(notification)
    inp = KelahiranInput(bundle_id=bundle_id, hospital_id=hospital_id, content_hash=chash,
                         received_at=datetime.now(UTC), notification=notification,
                         tuning=settings.tuning())
    state = initial_state(inp)

    def insert() -> tuple[bool, str | None, str]:
        with Session(engine) as session:
            if crud.insert_received(session=session, state=state, cipher=cipher):
                return True, chash, state.status.value
            row = crud.get_bundle(session=session, bundle_id=bundle_id)
            return False, row.content_hash if row else None, row.status if row else "in_progress"

    inserted, stored_hash, status = await run_in_threadpool(insert)
    if not inserted and stored_hash != chash:
        raise ConflictingRecord(bundle_id)
    try:
        # Always (re)start: it is idempotent and covers a crash between the insert and the start.
        await client.start_workflow(
            WORKFLOW_TYPE, inp, id=bundle_id, task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            memo={"hospital_id": hospital_id},
        )
    except WorkflowAlreadyStartedError:
        pass  # finished already: the same bundle, nothing to start
    except Exception as exc:
        log.error("workflow start failed", bundle_id=bundle_id, error_type=type(exc).__name__)
        if inserted:
            await run_in_threadpool(_undo_insert, engine, bundle_id)
        raise EngineUnavailable(bundle_id) from exc
    if inserted:
        log.info("birth accepted", bundle_id=bundle_id, hospital_id=hospital_id,
                 children=len(notification.children))
    return Accepted(bundle_id=bundle_id, status=status, duplicate=not inserted)


def _undo_insert(engine: Engine, bundle_id: str) -> None:
    with Session(engine) as session:
        crud.delete_unstarted(session=session, bundle_id=bundle_id)
