"""Events after issue: a baby born alive who died, a correction of issued data."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api import actions, followups
from api.auth import audit
from api.auth.deps import AUTH_RESPONSES, Actors
from api.auth.roles import Principal
from api.bundle_access import visible_bundle
from api.deps import CipherDep, SessionDep, SettingsDep, TemporalDep
from api.schemas import ErrorOut
from domain.contracts import TERMINAL_STATUSES, BundleState, ReportDeathInput
from domain.person_names import ChildName
from store import bundles

router = APIRouter(prefix="/v1/births/{bundle_id}/children/{birth_order}", tags=["follow-ups"],
                   responses=AUTH_RESPONSES)
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
    child_name: ChildName  # Permendagri 73/2022, as at intake
    reason: str = Field(min_length=3, max_length=500)


class FollowUpAccepted(BaseModel):
    bundle_id: str
    follow_up_id: str | None
    message: str


def _state(session, cipher, bundle_id: uuid.UUID, who: Principal) -> BundleState:
    row = visible_bundle(session, bundle_id, who)
    if row.anonymised_at is not None:
        raise HTTPException(409, "this bundle's personal data was removed under the retention policy; "
                                 "follow-ups go to Disdukcapil directly")
    return bundles.load_state(session=session, row=row, cipher=cipher)


def _audit(session, who: Principal, action: str, bundle_id: str, reason: str | None, wid: str | None,
           birth_order: int) -> None:
    audit.record(session=session, who=who, action=action, bundle_id=bundle_id, reason=reason,
                 details={"birth_order": birth_order, "follow_up_id": wid})


@router.post("/death", status_code=202, response_model=FollowUpAccepted, responses=ERRORS)
async def report_death(bundle_id: BundleId, birth_order: Order, body: DeathIn, who: Actors,
                       session: SessionDep, settings: SettingsDep, cipher: CipherDep,
                       client: TemporalDep) -> FollowUpAccepted:
    """A baby born alive died: the akta kelahiran stands; akta kematian, KK and BPJS follow."""
    state = await run_in_threadpool(_state, session, cipher, bundle_id, who)
    if state.status not in TERMINAL_STATUSES:
        try:
            res = await actions.send_update(client, state.bundle_id, "report_death", ReportDeathInput(
                birth_order=birth_order, date_of_death=body.date_of_death,
                place_of_death=body.place_of_death))
            await run_in_threadpool(_audit, session, who, "child.death", state.bundle_id, None, None,
                                    birth_order)
            return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=None, message=res.message)
        except actions.ActionRefused as exc:
            if "no further changes" not in str(exc):
                raise HTTPException(409, str(exc)) from None
            state = await run_in_threadpool(_state, session, cipher, bundle_id, who)  # it just finished
    if body.date_of_death < state.birth_date:
        raise HTTPException(409, "date_of_death is before the birth")
    try:
        wid = await followups.start_death(client, settings, state, birth_order,
                                          date_of_death=body.date_of_death,
                                          place_of_death=body.place_of_death)
    except followups.NotIssuedYet as exc:
        raise HTTPException(409, str(exc)) from None
    await run_in_threadpool(_audit, session, who, "child.death", state.bundle_id, None, wid, birth_order)
    return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=wid, message="death follow-up started")


@router.post("/correction", status_code=202, response_model=FollowUpAccepted, responses=ERRORS)
async def request_correction(bundle_id: BundleId, birth_order: Order, body: CorrectionIn,
                             who: Actors, session: SessionDep, settings: SettingsDep, cipher: CipherDep,
                             client: TemporalDep) -> FollowUpAccepted:
    """Correct the child's name after issue: akta reissued (old number superseded), KIA, KK, BPJS."""
    state = await run_in_threadpool(_state, session, cipher, bundle_id, who)
    if state.status.value != "completed":
        raise HTTPException(409, "corrections apply to completed bundles; before issue, send the data again")
    try:
        wid = await followups.start_correction(client, settings, state, birth_order,
                                               child_name=body.child_name, reason=body.reason)
    except followups.NotIssuedYet as exc:
        raise HTTPException(409, str(exc)) from None
    await run_in_threadpool(_audit, session, who, "child.correction", state.bundle_id, body.reason, wid,
                            birth_order)
    return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=wid, message="correction started")
