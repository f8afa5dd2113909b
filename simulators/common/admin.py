"""The admin router every simulator mounts: faults and the simulated clock, behind a token."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel

from simulators.common.clock import SimClock
from simulators.common.faults import Fault, FaultBook


class ClockSetting(BaseModel):
    offset_seconds: float


def admin_router(*, token: str, faults: FaultBook, clock: SimClock) -> APIRouter:
    def require_token(x_admin_token: Annotated[str | None, Header()] = None) -> None:
        if x_admin_token is None or not hmac.compare_digest(x_admin_token, token):
            raise HTTPException(status_code=401, detail="admin token required")

    router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_token)])

    @router.get("/faults")
    def list_faults() -> list[Fault]:
        """The faults currently in force."""
        return faults.list()

    @router.post("/faults", status_code=201)
    def add_fault(fault: Fault) -> Fault:
        """Make an endpoint fail with a status for the next N calls (or until reset)."""
        faults.add(fault)
        return fault

    @router.delete("/faults", status_code=204)
    def reset_faults() -> None:
        """Remove every fault."""
        faults.reset()

    @router.get("/clock")
    def get_clock() -> ClockSetting:
        """The simulated clock's offset from the wall clock."""
        return ClockSetting(offset_seconds=clock.offset.total_seconds())

    @router.put("/clock")
    def set_clock(setting: ClockSetting) -> ClockSetting:
        """Move the simulated clock (legal deadlines follow it; signatures do not)."""
        clock.set_offset(timedelta(seconds=setting.offset_seconds))
        return setting

    return router
