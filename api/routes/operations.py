"""Operator actions on a bundle: each a validated workflow update, audited with who, when and why."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api import actions
from api.auth.deps import AUTH_RESPONSES, Operators, Supervisors
from api.bundle_access import visible_bundle
from api.deps import SessionDep, TemporalDep
from api.schemas import ActionResult, ErrorOut
from domain.contracts import CloseBundleInput, KadisDecisionInput, RetryServiceInput, Service

router = APIRouter(prefix="/v1/births/{bundle_id}", tags=["operations"], responses={
    **AUTH_RESPONSES, 404: {"model": ErrorOut, "description": "No such bundle (or not yours to see)"},
    409: {"model": ErrorOut, "description": "The bundle's state does not allow it; the message says why"}})
BundleId = Annotated[uuid.UUID, Path(description="The bundle id")]
Why = Annotated[str, Field(min_length=3, max_length=500, description="Why: kept in the audit log")]


class RetryIn(BaseModel):
    model_config = {"extra": "forbid"}
    service: Service
    birth_order: int | None = Field(default=None, ge=1, le=9, description="omit for routing and kk")
    reason: Why


class DecisionIn(BaseModel):
    model_config = {"extra": "forbid"}
    decision_number: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9./ -]+$")
    reason: Why


class CloseIn(BaseModel):
    model_config = {"extra": "forbid"}
    reason: Why


@router.post("/retry", response_model=ActionResult)
async def retry_service(bundle_id: BundleId, body: RetryIn, who: Operators, session: SessionDep,
                        client: TemporalDep) -> ActionResult:
    """Retry a service that needs attention now (or check a pending BPJS payment now)."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(
        client, session, who, row.id, "retry_service",
        RetryServiceInput(service=body.service, birth_order=body.birth_order),
        action="bundle.retry", reason=body.reason,
        details={"service": body.service.value, "birth_order": body.birth_order})
    return ActionResult(bundle_id=row.id, message=res.message)


@router.post("/decision", response_model=ActionResult)
async def record_decision(bundle_id: BundleId, body: DecisionIn, who: Supervisors, session: SessionDep,
                          client: TemporalDep) -> ActionResult:
    """Record the Kepala Dinas's decision allowing a late (LT) akta registration (supervisors)."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(
        client, session, who, row.id, "record_kadis_decision",
        KadisDecisionInput(decision_number=body.decision_number, actor=who.subject),
        action="bundle.decision", reason=body.reason, details={"decision_number": body.decision_number})
    return ActionResult(bundle_id=row.id, message=res.message)


@router.post("/close", response_model=ActionResult)
async def close_bundle(bundle_id: BundleId, body: CloseIn, who: Supervisors, session: SessionDep,
                       client: TemporalDep) -> ActionResult:
    """Close a bundle with a reason; unresolved services end cancelled (`closed_with_issues`)."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(client, session, who, row.id, "close_bundle",
                                       CloseBundleInput(reason=body.reason, actor=who.subject),
                                       action="bundle.close", reason=body.reason)
    return ActionResult(bundle_id=row.id, message=res.message)
