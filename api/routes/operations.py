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
from domain.contracts.inputs import DuplicateDecisionInput
from domain.notification import Father, KkNumber, Mother
from domain.strict import StrictBool, StrictInt

router = APIRouter(prefix="/v1/births/{bundle_id}", tags=["operations"], responses={
    **AUTH_RESPONSES, 404: {"model": ErrorOut, "description": "No such bundle (or not yours to see)"},
    409: {"model": ErrorOut, "description": "The bundle's state does not allow it; the message says why"}})
BundleId = Annotated[uuid.UUID, Path(description="The bundle id")]
Why = Annotated[str, Field(min_length=3, max_length=500, description="Why: kept in the audit log")]


class RetryIn(BaseModel):
    model_config = {"extra": "forbid"}
    service: Service
    birth_order: StrictInt | None = Field(default=None, ge=1, le=9, description="omit for routing and kk")
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
    accept: StrictBool = Field(description="true: the KK now shows the parents married; false: mother only")
    reason: Why


class DuplicateIn(BaseModel):
    model_config = {"extra": "forbid"}
    duplicate: StrictBool = Field(description="true: the birth was already reported (the bundle closes as "
                                        "`closed_duplicate`, linked to it); false: it goes on")
    reason: Why


class ParentsIn(BaseModel):
    model_config = {"extra": "forbid"}
    mother: Mother | None = None
    father: Father | None = None
    kk_number: KkNumber | None = None
    reason: Why


async def _act(bundle_id: uuid.UUID, who, session, client, update: str, arg: BaseModel, *, action: str,
               reason: str, details: dict | None = None) -> ActionResult:
    """The one shape of every action: the bundle must be the caller's to see, then an audited update."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    res = await actions.audited_update(client, session, who, row.id, update, arg, action=action,
                                       reason=reason, details=details)
    return ActionResult(bundle_id=row.id, message=res.message)


@router.post("/retry", response_model=ActionResult)
async def retry_service(bundle_id: BundleId, body: RetryIn, who: Operators, session: SessionDep,
                        client: TemporalDep) -> ActionResult:
    """Retry a service that needs attention now (or check a pending BPJS payment now)."""
    arg = RetryServiceInput(service=body.service, birth_order=body.birth_order)
    details = {"service": body.service.value, "birth_order": body.birth_order}
    return await _act(bundle_id, who, session, client, "retry_service", arg, action="bundle.retry",
                      reason=body.reason, details=details)


@router.post("/decision", response_model=ActionResult)
async def record_decision(bundle_id: BundleId, body: DecisionIn, who: Supervisors, session: SessionDep,
                          client: TemporalDep) -> ActionResult:
    """Record the Kepala Dinas's decision allowing a late (LT) akta registration (supervisors)."""
    arg = KadisDecisionInput(decision_number=body.decision_number, actor=who.subject)
    return await _act(bundle_id, who, session, client, "record_kadis_decision", arg, action="bundle.decision",
                      reason=body.reason, details={"decision_number": body.decision_number})


@router.post("/close", response_model=ActionResult)
async def close_bundle(bundle_id: BundleId, body: CloseIn, who: Supervisors, session: SessionDep,
                       client: TemporalDep) -> ActionResult:
    """Close a bundle with a reason; unresolved services end cancelled (`closed_with_issues`)."""
    arg = CloseBundleInput(reason=body.reason, actor=who.subject)
    return await _act(bundle_id, who, session, client, "close_bundle", arg, action="bundle.close",
                      reason=body.reason)


@router.post("/forward", response_model=ActionResult)
async def forward_bundle(bundle_id: BundleId, body: ForwardIn, who: Operators, session: SessionDep,
                         client: TemporalDep) -> ActionResult:
    """Hand a bundle whose family no connected office serves to that office (status `forwarded`)."""
    arg = ForwardInput(office=body.office, reference=body.reference, reason=body.reason, actor=who.subject)
    return await _act(bundle_id, who, session, client, "forward_bundle", arg, action="bundle.forward",
                      reason=body.reason, details={"office": body.office, "reference": body.reference})


@router.post("/sptjm", response_model=ActionResult)
async def decide_sptjm(bundle_id: BundleId, body: SptjmIn, who: Supervisors, session: SessionDep,
                       client: TemporalDep) -> ActionResult:
    """Confirm or reject an SPTJM the KK does not support (supervisors)."""
    arg = SptjmDecisionInput(accept=body.accept, reason=body.reason, actor=who.subject)
    return await _act(bundle_id, who, session, client, "decide_sptjm", arg, action="bundle.sptjm",
                      reason=body.reason, details={"accept": body.accept})


@router.post("/duplicate", response_model=ActionResult)
async def decide_duplicate(bundle_id: BundleId, body: DuplicateIn, who: Supervisors, session: SessionDep,
                           client: TemporalDep) -> ActionResult:
    """Decide on a bundle held as a suspected duplicate (`DUPLIKAT_DICURIGAI`) (supervisors).

    The earlier bundle it matched is `suspected_duplicate_of` in the operators' view of it."""
    arg = DuplicateDecisionInput(duplicate=body.duplicate, reason=body.reason, actor=who.subject)
    return await _act(bundle_id, who, session, client, "decide_duplicate", arg, action="bundle.duplicate",
                      reason=body.reason, details={"duplicate": body.duplicate})


@router.post("/parents", response_model=ActionResult)
async def correct_parents(bundle_id: BundleId, body: ParentsIn, who: Operators, session: SessionDep,
                          client: TemporalDep) -> ActionResult:
    """Correct a parent's data (or the KK number) before any akta is issued.

    A KK number corrected after routing, while no NIK is issued, routes the bundle again: it may move
    to another office's list, or need attention as `DOMISILI_LUAR`. A corrected mother's NIK that
    makes a child one another live bundle already holds is refused (409, `DUPLIKAT_DICURIGAI`)."""
    arg = CorrectParentsInput(mother=body.mother, father=body.father, kk_number=body.kk_number,
                              reason=body.reason, actor=who.subject)
    details = {"fields": sorted(k for k in ("mother", "father", "kk_number") if getattr(body, k))}
    # A corrected mother's NIK moves the bundle in the duplicate check inside the update, before the
    # workflow changes anything (workflows/corrections.py), so the two cannot end up apart.
    return await _act(bundle_id, who, session, client, "correct_parents", arg, action="bundle.parents",
                      reason=body.reason, details=details)
