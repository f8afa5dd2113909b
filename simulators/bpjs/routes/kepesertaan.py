"""Signed membership endpoints: newborn enrolment, card status, end (death) and name update."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from simulators.bpjs import service
from simulators.bpjs.deps import (
    RawBody,
    SessionDep,
    StateDep,
    body_doc,
    bridged,
    parse_body,
    refused,
    sealed,
)
from simulators.bpjs.models import Family
from simulators.bpjs.schemas import (
    EndBody,
    EndRequest,
    NewbornBody,
    NewbornRequest,
    StatusBody,
    StatusRequest,
    UpdateBody,
    UpdateRequest,
)

router = APIRouter(prefix="/kepesertaan", tags=["kepesertaan"])


@router.post("/bayi", openapi_extra=body_doc(NewbornRequest))
def enrol_newborn(
    state: StateDep, session: SessionDep, timestamp: Annotated[str, bridged("enrol_newborn")],
    raw: RawBody,
) -> JSONResponse:
    """Enrol a newborn into the mother's membership; the same baby NIK gives the same card."""
    req = parse_body(NewbornBody, raw).request
    with state.write_lock:
        try:
            member = service.enrol_newborn(
                session=session, settings=state.settings, today=state.clock.today(), req=req
            )
            session.commit()
        except service.Refusal as refusal:
            session.rollback()
            return refused(state, timestamp, refusal)
        except IntegrityError:
            # Another process enrolled the same baby between our read and our insert.
            session.rollback()
            member = service.find_by_nik(session, req.nik_bayi)
            if member is None:
                raise
    family = session.get(Family, member.family_id)
    return sealed(state, timestamp, service.membership_view(member, family))


@router.post("/status", openapi_extra=body_doc(StatusRequest))
def membership_status(
    state: StateDep, session: SessionDep, timestamp: Annotated[str, bridged("status")],
    raw: RawBody,
) -> JSONResponse:
    """The membership behind a card number."""
    req = parse_body(StatusBody, raw).request
    try:
        member, family = service.find_card(session, req.no_kartu)
    except service.Refusal as refusal:
        return refused(state, timestamp, refusal)
    return sealed(state, timestamp, service.membership_view(member, family))


@router.post("/nonaktif", openapi_extra=body_doc(EndRequest))
def end_membership(
    state: StateDep, session: SessionDep, timestamp: Annotated[str, bridged("end_membership")],
    raw: RawBody,
) -> JSONResponse:
    """End a member's membership (alasan MENINGGAL): NONAKTIF, pending bills cancelled."""
    req = parse_body(EndBody, raw).request
    with state.write_lock:
        try:
            member, family = service.end_membership(session=session,
                                                    today=state.clock.today(), req=req)
            session.commit()
        except service.Refusal as refusal:
            session.rollback()
            return refused(state, timestamp, refusal)
        except IntegrityError:
            # Another process ended the same card between our read and our insert.
            session.rollback()
            member, family = service.find_card(session, req.no_kartu)
    return sealed(state, timestamp, service.membership_view(member, family))


@router.post("/ubah", openapi_extra=body_doc(UpdateRequest))
def update_member(
    state: StateDep, session: SessionDep, timestamp: Annotated[str, bridged("update_member")],
    raw: RawBody,
) -> JSONResponse:
    """Change a member's name (after a correction of the akta kelahiran)."""
    req = parse_body(UpdateBody, raw).request
    with state.write_lock:
        try:
            member, family = service.update_member(session=session, req=req)
            session.commit()
        except service.Refusal as refusal:
            session.rollback()
            return refused(state, timestamp, refusal)
    return sealed(state, timestamp, service.membership_view(member, family))
