"""Starting follow-ups after issue from a bundle's stored state (its workflow may be closed)."""

from __future__ import annotations

import hashlib
from datetime import date

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from domain.contracts import (
    CORRECTION_WORKFLOW_TYPE,
    DEATH_WORKFLOW_TYPE,
    BundleState,
    FollowUpInput,
    FollowUpKind,
    Service,
    ServiceStatus,
)
from infra.settings import Settings


class NotIssuedYet(Exception):
    """The documents a follow-up changes do not exist yet."""


def _base(state: BundleState, order: int, kind: FollowUpKind, wid: str, settings: Settings) -> FollowUpInput:
    child = next((c for c in state.children if c.birth_order == order and c.outcome == "live"), None)
    if child is None:
        raise NotIssuedYet(f"no live-born child with birth_order {order}")
    akta = child.services[Service.AKTA]
    if akta.status is not ServiceStatus.COMPLETED or not state.kk.document_number:
        raise NotIssuedYet("the akta kelahiran and the KK must be issued first")
    bpjs = child.services[Service.BPJS]
    return FollowUpInput(kind=kind, workflow_id=wid, bundle_id=state.bundle_id, birth_order=order,
                         office=state.office_code or "", kk_number=state.kk.document_number,
                         child_nik=child.services[Service.NIK].document_number or "",
                         akta_number=akta.document_number or "", card_number=bpjs.document_number,
                         tuning=settings.tuning())


async def start_death(client: Client, settings: Settings, state: BundleState, order: int, *,
                      date_of_death: date, place_of_death: str) -> str:
    wid = f"{state.bundle_id}-kematian-{order}"
    inp = _base(state, order, FollowUpKind.DEATH, wid, settings).model_copy(
        update={"date_of_death": date_of_death, "place_of_death": place_of_death})
    await client.start_workflow(DEATH_WORKFLOW_TYPE, inp, id=wid, task_queue=settings.task_queue,
                                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    return wid


async def start_correction(client: Client, settings: Settings, state: BundleState, order: int, *,
                           child_name: str, reason: str) -> str:
    # The same correction sent twice is the same follow-up; a different one is a new one.
    digest = hashlib.sha256(f"{child_name}\x1f{reason}".encode()).hexdigest()[:10]
    wid = f"{state.bundle_id}-koreksi-{order}-{digest}"
    inp = _base(state, order, FollowUpKind.CORRECTION, wid, settings).model_copy(
        update={"child_name": child_name, "reason": reason})
    await client.start_workflow(CORRECTION_WORKFLOW_TYPE, inp, id=wid, task_queue=settings.task_queue,
                                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING)
    return wid
