"""Events after issue: a baby born alive who died, a correction of issued data."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api import actions, followups
from api.deps import HospitalDep, SessionDep, SettingsDep, TemporalDep
from api.readmodel import crud
from api.schemas import ErrorOut
from domain.contracts import TERMINAL_STATUSES, BundleState, ReportDeathInput
from domain.notification import PersonName

router = APIRouter(prefix="/v1/births/{bundle_id}/children/{birth_order}", tags=["follow-ups"])
BundleId = Annotated[uuid.UUID, Path()]
Order = Annotated[int, Path(ge=1, le=9)]
ERRORS = {404: {"model": ErrorOut, "description": "No such bundle or child"},
          409: {"model": ErrorOut, "description": "The bundle's state does not allow it"}}


class DeathIn(BaseModel):
    model_config = {"extra": "forbid"}
    date_of_death: date
    place_of_death: str = Field(min_length=2, max_length=100)


class CorrectionIn(BaseModel):
    model_config = {"extra": "forbid"}
    child_name: PersonName
    reason: str = Field(min_length=3, max_length=500)


class FollowUpAccepted(BaseModel):
    bundle_id: str
    follow_up_id: str | None
    message: str


def _state(session, bundle_id: uuid.UUID, hospital: str) -> BundleState:
    row = crud.get_bundle(session=session, bundle_id=str(bundle_id))
    if row is None or row.hospital_id != hospital:
        raise HTTPException(404, "bundle not found")
    return BundleState.model_validate_json(row.state_json)


@router.post("/death", status_code=202, response_model=FollowUpAccepted, responses=ERRORS)
async def report_death(bundle_id: BundleId, birth_order: Order, body: DeathIn, hospital: HospitalDep,
                       session: SessionDep, settings: SettingsDep, client: TemporalDep) -> FollowUpAccepted:
    """A baby born alive died: the akta kelahiran stands; akta kematian, KK and BPJS follow."""
    state = await run_in_threadpool(_state, session, bundle_id, hospital)
    if state.status not in TERMINAL_STATUSES:
        try:
            res = await actions.send_update(client, state.bundle_id, "report_death", ReportDeathInput(
                birth_order=birth_order, date_of_death=body.date_of_death,
                place_of_death=body.place_of_death))
            return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=None, message=res.message)
        except actions.ActionRefused as exc:
            if "no further changes" not in str(exc):
                raise HTTPException(409, str(exc)) from None
            state = await run_in_threadpool(_state, session, bundle_id, hospital)  # it just finished
    if body.date_of_death < state.birth_date:
        raise HTTPException(409, "date_of_death is before the birth")
    try:
        wid = await followups.start_death(client, settings, state, birth_order,
                                          date_of_death=body.date_of_death,
                                          place_of_death=body.place_of_death)
    except followups.NotIssuedYet as exc:
        raise HTTPException(409, str(exc)) from None
    return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=wid, message="death follow-up started")


@router.post("/correction", status_code=202, response_model=FollowUpAccepted, responses=ERRORS)
async def request_correction(bundle_id: BundleId, birth_order: Order, body: CorrectionIn,
                             hospital: HospitalDep, session: SessionDep, settings: SettingsDep,
                             client: TemporalDep) -> FollowUpAccepted:
    """Correct the child's name after issue: akta reissued (old number superseded), KIA, KK, BPJS."""
    state = await run_in_threadpool(_state, session, bundle_id, hospital)
    if state.status.value != "completed":
        raise HTTPException(409, "corrections apply to completed bundles; before issue, send the data again")
    try:
        wid = await followups.start_correction(client, settings, state, birth_order,
                                               child_name=body.child_name, reason=body.reason)
    except followups.NotIssuedYet as exc:
        raise HTTPException(409, str(exc)) from None
    return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=wid, message="correction started")
