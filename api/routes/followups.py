"""Events after issue: a baby born alive who died, a correction of issued data, and an operator's
retry of a follow-up that waits on a business rejection."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from api import actions, followups
from api.auth import audit
from api.auth.deps import AUTH_RESPONSES, Actors, Operators
from api.auth.roles import Principal
from api.bundle_access import visible_bundle
from api.deps import CipherDep, SessionDep, SettingsDep, TemporalDep
from api.schemas import ActionResult, ErrorOut
from domain.contracts import TERMINAL_STATUSES, BundleState, FollowUpKind, ReportDeathInput
from domain.contracts.followups import RetryFollowUpInput, latest_date_of_death
from domain.person_names import ChildName
from domain.strict import IsoDate
from store import bundles, crud, documents

router = APIRouter(prefix="/v1/births/{bundle_id}/children/{birth_order}", tags=["follow-ups"],
                   responses=AUTH_RESPONSES)
BundleId = Annotated[uuid.UUID, Path()]
Order = Annotated[int, Path(ge=1, le=9)]
ERRORS = {404: {"model": ErrorOut, "description": "No such bundle or child"},
          409: {"model": ErrorOut, "description": "The bundle's state does not allow it, or a follow-up "
                                                  "of this child is still running"}}


class DeathIn(BaseModel):
    model_config = {"extra": "forbid"}
    date_of_death: IsoDate = Field(description="ISO 8601; not after today in WIB (5 minutes' tolerance)")
    place_of_death: str = Field(min_length=2, max_length=100)


class CorrectionIn(BaseModel):
    model_config = {"extra": "forbid"}
    child_name: ChildName = Field(description="Permendagri 73/2022, as at intake; must differ from the "
                                              "name on the akta in force")
    reason: str = Field(min_length=3, max_length=500)


class FollowUpRetryIn(BaseModel):
    model_config = {"extra": "forbid"}
    reason: str = Field(min_length=3, max_length=500, description="Why: kept in the audit log")


class FollowUpAccepted(BaseModel):
    bundle_id: str
    follow_up_id: str | None
    message: str


def _invalid(field: str, msg: str) -> RequestValidationError:
    """A field-level 422 like the body model's own (errors[] names the field, never the value)."""
    return RequestValidationError([{"type": "value_error", "loc": ("body", field), "msg": msg}])


def _state(session, cipher, bundle_id: uuid.UUID, who: Principal) -> BundleState:
    row = visible_bundle(session, bundle_id, who)
    if row.anonymised_at is not None:
        raise HTTPException(409, "this bundle's personal data was removed under the retention policy; "
                                 "follow-ups go to Disdukcapil directly")
    return bundles.load_state(session=session, row=row, cipher=cipher)


def _current_akta(session, cipher, state: BundleState, order: int) -> documents.DocumentView | None:
    docs = documents.views(session=session, cipher=cipher, state=state,
                           follow_ups=crud.follow_ups_of(session=session, bundle_id=state.bundle_id,
                                                         cipher=cipher))
    return documents.current_akta(docs, order)


def _audit(session, who: Principal, action: str, bundle_id: str, reason: str | None, wid: str | None,
           birth_order: int, outcome: str = "ok") -> None:
    audit.record(session=session, who=who, action=action, bundle_id=bundle_id, reason=reason, outcome=outcome,
                 details={"birth_order": birth_order, "follow_up_id": wid})


@router.post("/death", status_code=202, response_model=FollowUpAccepted, responses=ERRORS)
async def report_death(bundle_id: BundleId, birth_order: Order, body: DeathIn, who: Actors,
                       session: SessionDep, settings: SettingsDep, cipher: CipherDep,
                       client: TemporalDep) -> FollowUpAccepted:
    """A baby born alive died: the akta kelahiran stands; akta kematian, KK and BPJS follow."""
    if body.date_of_death > latest_date_of_death(datetime.now(UTC)):
        raise _invalid("date_of_death", "date_of_death is in the future (WIB)")
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
    akta = await run_in_threadpool(_current_akta, session, cipher, state, birth_order)
    try:
        wid = await followups.start_death(client, settings, state, birth_order,
                                          date_of_death=body.date_of_death,
                                          place_of_death=body.place_of_death,
                                          akta_number=akta.number if akta else None)
    except (followups.NotIssuedYet, followups.FollowUpRunning) as exc:
        raise HTTPException(409, str(exc)) from None
    await run_in_threadpool(_audit, session, who, "child.death", state.bundle_id, None, wid, birth_order)
    return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=wid, message="death follow-up started")


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


@router.post("/correction", status_code=202, response_model=FollowUpAccepted, responses={
    **ERRORS, 422: {"description": "Invalid body, or `child_name` is already the name on the akta in force"}})
async def request_correction(bundle_id: BundleId, birth_order: Order, body: CorrectionIn,
                             who: Actors, session: SessionDep, settings: SettingsDep, cipher: CipherDep,
                             client: TemporalDep) -> FollowUpAccepted:
    """Correct the child's name after issue: akta reissued (old number superseded), KIA, KK, BPJS.

    One follow-up of a child at a time: while one runs, another is refused with 409."""
    state = await run_in_threadpool(_state, session, cipher, bundle_id, who)
    if state.status.value != "completed":
        raise HTTPException(409, "corrections apply to completed bundles; before issue, send the data again")
    akta = await run_in_threadpool(_current_akta, session, cipher, state, birth_order)
    if akta is not None and akta.name and _same_name(akta.name, body.child_name):
        raise _invalid("child_name", "child_name is already the name on the akta in force: "
                                     "a correction must change it")
    try:
        wid = await followups.start_correction(client, settings, state, birth_order,
                                               child_name=body.child_name, reason=body.reason,
                                               akta_number=akta.number if akta else None)
    except (followups.NotIssuedYet, followups.FollowUpRunning) as exc:
        raise HTTPException(409, str(exc)) from None
    await run_in_threadpool(_audit, session, who, "child.correction", state.bundle_id, body.reason, wid,
                            birth_order)
    return FollowUpAccepted(bundle_id=state.bundle_id, follow_up_id=wid, message="correction started")


def _waiting_ids(session, bundle_id: str, kind: FollowUpKind, order: int) -> list[str]:
    """Follow-ups of this kind and child waiting for a person, as the read model has them."""
    rows = crud.follow_ups_needing_attention(session=session, bundle_ids=[bundle_id]).get(bundle_id, [])
    return [r.workflow_id for r in rows if r.kind == kind.value and r.birth_order == order]


@router.post("/follow-ups/{kind}/retry", response_model=ActionResult, responses=ERRORS)
async def retry_follow_up(bundle_id: BundleId, birth_order: Order, kind: FollowUpKind, body: FollowUpRetryIn,
                          who: Operators, session: SessionDep, client: TemporalDep) -> ActionResult:
    """Try a follow-up's step again after a business rejection was resolved (operators, audited)."""
    row = await run_in_threadpool(visible_bundle, session, bundle_id, who)
    inp = RetryFollowUpInput(reason=body.reason, actor=f"{who.role.value}:{who.subject}")
    try:
        res = await followups.retry(client, row.id, kind, birth_order, inp)
    except followups.RetryRefused as first:
        # A follow-up started before one workflow id per child: its own id is its workflow's.
        for wid in await run_in_threadpool(_waiting_ids, session, row.id, kind, birth_order):
            try:
                res = await followups.retry(client, row.id, kind, birth_order, inp, workflow_id=wid)
                break
            except followups.RetryRefused:
                continue
        else:
            await run_in_threadpool(_audit, session, who, "follow_up.retry", row.id, body.reason, None,
                                    birth_order, "refused")
            raise HTTPException(409, str(first)) from None
    await run_in_threadpool(_audit, session, who, "follow_up.retry", row.id, body.reason, kind.value,
                            birth_order)
    return ActionResult(bundle_id=row.id, message=res.message)
