"""Starting follow-ups after issue from a bundle's stored state (its workflow may be closed), and
asking one that waits on a business rejection to try again.

One follow-up of a child runs at a time: each kind has one workflow id per bundle and child
(domain.contracts.followups) started with a conflict policy that refuses, so of two corrections sent
at once one starts and the other is told a follow-up runs; another kind running for that child is
asked of Temporal first.
"""

from __future__ import annotations

import uuid

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.contracts import (
    CORRECTION_WORKFLOW_TYPE,
    DEATH_WORKFLOW_TYPE,
    BundleState,
    FollowUpInput,
    FollowUpKind,
    Service,
    ServiceStatus,
    UpdateAccepted,
)
from domain.contracts.followups import RetryFollowUpInput, follow_up_workflow_id
from infra.settings import Settings


class NotIssuedYet(Exception):
    """The documents a follow-up changes do not exist yet."""


class FollowUpRunning(Exception):
    """A follow-up of this child runs: a new one waits until it has finished."""


class RetryRefused(Exception):
    """No follow-up of this kind and child waits for a retry."""


def _base(state: BundleState, order: int, kind: FollowUpKind, fid: str, akta_number: str | None,
          settings: Settings) -> FollowUpInput:
    child = next((c for c in state.children if c.birth_order == order and c.outcome == "live"), None)
    if child is None:
        raise NotIssuedYet(f"no live-born child with birth_order {order}")
    akta = child.services[Service.AKTA]
    if akta.status is not ServiceStatus.COMPLETED or not state.kk.document_number:
        raise NotIssuedYet("the akta kelahiran and the KK must be issued first")
    bpjs = child.services[Service.BPJS]
    # The akta in force: after a correction it is no longer the number the bundle first issued.
    return FollowUpInput(kind=kind, workflow_id=fid, bundle_id=state.bundle_id, birth_order=order,
                         office=state.office_code or "", kk_number=state.kk.document_number,
                         child_nik=child.services[Service.NIK].document_number or "",
                         akta_number=akta_number or akta.document_number or "",
                         card_number=bpjs.document_number, tuning=settings.tuning())


async def _refuse_if_running(client: Client, bundle_id: str, order: int, starting: FollowUpKind) -> None:
    """Any follow-up of this child still running (the kind being started is refused by Temporal)."""
    for kind in FollowUpKind:
        wid = follow_up_workflow_id(bundle_id, kind, order)
        try:
            desc = await client.get_workflow_handle(wid).describe()
        except RPCError as exc:
            if exc.status is RPCStatusCode.NOT_FOUND:
                continue
            raise
        if desc.status is WorkflowExecutionStatus.RUNNING:
            if kind is starting is FollowUpKind.DEATH:
                raise FollowUpRunning("this child's death was already reported; its follow-up is running")
            raise FollowUpRunning(f"a {kind.value} follow-up of this child is running; "
                                  "send this again once it has finished")


async def _start(client: Client, settings: Settings, workflow_type: str, inp: FollowUpInput,
                 reuse: WorkflowIDReusePolicy) -> None:
    await _refuse_if_running(client, inp.bundle_id, inp.birth_order, inp.kind)
    wid = follow_up_workflow_id(inp.bundle_id, inp.kind, inp.birth_order)
    try:
        await client.start_workflow(workflow_type, inp, id=wid, task_queue=settings.task_queue,
                                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL, id_reuse_policy=reuse)
    except WorkflowAlreadyStartedError:
        if inp.kind is FollowUpKind.DEATH:
            raise FollowUpRunning("this child's death was already reported") from None
        raise FollowUpRunning(f"a {inp.kind.value} follow-up of this child is running; "
                              "send this again once it has finished") from None


async def start_death(client: Client, settings: Settings, state: BundleState, order: int, *,
                      date_of_death, place_of_death: str, akta_number: str | None = None) -> str:
    # A child dies once: the same id as the bundle's own death follow-up, never started twice.
    fid = follow_up_workflow_id(state.bundle_id, FollowUpKind.DEATH, order)
    inp = _base(state, order, FollowUpKind.DEATH, fid, akta_number, settings).model_copy(
        update={"date_of_death": date_of_death, "place_of_death": place_of_death})
    await _start(client, settings, DEATH_WORKFLOW_TYPE, inp, WorkflowIDReusePolicy.REJECT_DUPLICATE)
    return fid


async def start_correction(client: Client, settings: Settings, state: BundleState, order: int, *,
                           child_name: str, reason: str, akta_number: str | None) -> str:
    # Each correction is its own follow-up (its row, its idempotency keys at Dukcapil) under the
    # child's one correction workflow id: a second one after the first has finished is new.
    wid = follow_up_workflow_id(state.bundle_id, FollowUpKind.CORRECTION, order)
    fid = f"{wid}-{uuid.uuid4().hex[:8]}"
    inp = _base(state, order, FollowUpKind.CORRECTION, fid, akta_number, settings).model_copy(
        update={"child_name": child_name, "reason": reason})
    await _start(client, settings, CORRECTION_WORKFLOW_TYPE, inp, WorkflowIDReusePolicy.ALLOW_DUPLICATE)
    return fid


async def retry(client: Client, bundle_id: str, kind: FollowUpKind, order: int,
                inp: RetryFollowUpInput, *, workflow_id: str | None = None) -> UpdateAccepted:
    """Send the follow-up's `retry` update; its validator refuses unless it waits for one."""
    wid = workflow_id or follow_up_workflow_id(bundle_id, kind, order)
    try:
        return await client.get_workflow_handle(wid).execute_update(
            "retry", inp, result_type=UpdateAccepted)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        raise RetryRefused(getattr(cause, "message", None) or str(cause)) from None
    except RPCError as exc:
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise RetryRefused(f"this child has no {kind.value} follow-up waiting for a retry") from None
        raise
