"""Health, readiness and counters for crash tests."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from simulators.bpjs.db import is_seeded
from simulators.bpjs.deps import SessionDep, require_admin
from simulators.bpjs.models import Member
from simulators.bpjs.schemas import Statistik

router = APIRouter(tags=["ops"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready")
def ready(session: SessionDep) -> JSONResponse:
    """The database answers and the population is loaded."""
    try:
        ok = is_seeded(session)
    except SQLAlchemyError:
        ok = False
    return JSONResponse({"ready": ok}, status_code=200 if ok else 503)


@router.get("/v1/statistik", dependencies=[Depends(require_admin)])
def statistik(session: SessionDep) -> Statistik:
    """Newborn enrolments by status and by segment."""
    def counts(column) -> dict[str, int]:
        rows = session.exec(
            select(column, func.count()).where(Member.newborn == True).group_by(column)  # noqa: E712
        ).all()
        return {key: n for key, n in rows}

    by_status = counts(Member.status)
    return Statistik(newborn_total=sum(by_status.values()), newborn_by_status=by_status,
                     newborn_by_segment=counts(Member.segment))
