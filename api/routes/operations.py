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
from domain.contracts import (
    CloseBundleInput,
    CorrectParentsInput,
    ForwardInput,
    KadisDecisionInput,
    RetryServiceInput,
    Service,
    SptjmDecisionInput,
)
from domain.notification import Father, KkNumber, Mother

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


class ForwardIn(BaseModel):
    model_config = {"extra": "forbid"}
    office: str = Field(min_length=3, max_length=100, description="the receiving Dukcapil office")
    reference: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9./ -]+$")
    reason: Why


class SptjmIn(BaseModel):
    model_config = {"extra": "forbid"}
    accept: bool = Field(description="true: the KK now shows the parents married; false: mother only")
    reason: Why


class ParentsIn(BaseModel):
    model_config = {"extra": "forbid"}
    mother: Mother | None = None
    father: Father | None = None
    kk_number: KkNumber | None = None
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


@router.post("/forward", response_model=ActionResult)
async def forward_bundle(bundle_id: BundleId, body: ForwardIn, who: Operators, session: SessionDep,
                         client: TemporalDep) -> ActionResult:
    """Hand a bundle whose family no connected office serves to that office (status `forwarded`)."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(
        client, session, who, row.id, "forward_bundle",
        ForwardInput(office=body.office, reference=body.reference, reason=body.reason, actor=who.subject),
        action="bundle.forward", reason=body.reason,
        details={"office": body.office, "reference": body.reference})
    return ActionResult(bundle_id=row.id, message=res.message)


@router.post("/sptjm", response_model=ActionResult)
async def decide_sptjm(bundle_id: BundleId, body: SptjmIn, who: Supervisors, session: SessionDep,
                       client: TemporalDep) -> ActionResult:
    """Confirm or reject an SPTJM the KK does not support (supervisors)."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(
        client, session, who, row.id, "decide_sptjm",
        SptjmDecisionInput(accept=body.accept, reason=body.reason, actor=who.subject),
        action="bundle.sptjm", reason=body.reason, details={"accept": body.accept})
    return ActionResult(bundle_id=row.id, message=res.message)


@router.post("/parents", response_model=ActionResult)
async def correct_parents(bundle_id: BundleId, body: ParentsIn, who: Operators, session: SessionDep,
                          client: TemporalDep) -> ActionResult:
    """Correct a parent's data (or the KK number) before any akta is issued."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(
        client, session, who, row.id, "correct_parents",
        CorrectParentsInput(mother=body.mother, father=body.father, kk_number=body.kk_number,
                            reason=body.reason, actor=who.subject),
        action="bundle.parents", reason=body.reason,
        details={"fields": sorted(k for k in ("mother", "father", "kk_number") if getattr(body, k))})
    return ActionResult(bundle_id=row.id, message=res.message)
