"""The admin router every simulator mounts: faults and the simulated clock, behind a token."""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from simulators.common.clock import SimClock
from simulators.common.fault_hook import HOOK_ATTRIBUTE
from simulators.common.faults import Fault, FaultBook, FaultView


class ClockSetting(BaseModel):
    offset_seconds: float


class FaultIds(BaseModel):
    # A body, not a path parameter: the simulators keep every identifier out of their URLs.
    ids: list[str] = Field(min_length=1)


def fault_endpoints(request: Request) -> list[str]:
    """The endpoint names this simulator's routes consult the fault book under."""
    names: set[str] = set()
    routes, dependants = list(request.app.routes), []
    while routes:
        route = routes.pop()
        if isinstance(route, APIRoute):
            dependants.append(route.dependant)
        # Included routers stay nested in recent FastAPI (`original_router`), mounts have `routes`.
        nested = getattr(getattr(route, "original_router", None), "routes", None)
        routes.extend(nested or getattr(route, "routes", None) or [])
    while dependants:
        dependant = dependants.pop()
        if name := getattr(dependant.call, HOOK_ATTRIBUTE, None):
            names.add(name)
        dependants.extend(dependant.dependencies)
    return sorted(names)


def _check_endpoints(request: Request, faults: list[Fault]) -> None:
    known = fault_endpoints(request)
    unknown = sorted({f.endpoint for f in faults} - {*known, "*"})
    if known and unknown:
        raise HTTPException(422, f"unknown endpoint(s) {', '.join(unknown)}; known: {', '.join(known)}")


def admin_router(*, token: str, faults: FaultBook, clock: SimClock) -> APIRouter:
    async def require_token(x_admin_token: Annotated[str | None, Header()] = None) -> None:
        if x_admin_token is None or not hmac.compare_digest(x_admin_token, token):
            raise HTTPException(status_code=401, detail="admin token required")

    router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_token)],
                       responses={401: {"description": "Missing or wrong X-Admin-Token"}})

    @router.get("/faults")
    def list_faults() -> list[FaultView]:
        """The fault rules in force, with their remaining counts and hit counters."""
        return faults.list()

    @router.post("/faults", status_code=201, responses={409: {"description": "Fault id in use"}})
    def add_fault(fault: Fault, request: Request) -> FaultView:
        """Add a fault rule (latency, error rate, timeout, outage window or forced refusal)."""
        _check_endpoints(request, [fault])
        try:
            return faults.add(fault, now=clock.now())
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from exc

    @router.put("/faults", responses={409: {"description": "Duplicate fault ids"}})
    def replace_faults(rules: list[Fault], request: Request) -> list[FaultView]:
        """Replace the whole fault set at once."""
        _check_endpoints(request, rules)
        try:
            return faults.replace(rules, now=clock.now())
        except ValueError as exc:
            raise HTTPException(409, str(exc)) from exc

    @router.delete("/faults", status_code=204)
    def reset_faults() -> None:
        """Remove every fault rule and forget attempt numbers."""
        faults.reset()

    @router.get("/faults/endpoints")
    def list_fault_endpoints(request: Request) -> list[str]:
        """The endpoint names fault rules can target (besides '*')."""
        return fault_endpoints(request)

    @router.post("/faults/remove", responses={404: {"description": "No such fault (none removed)"}})
    def remove_faults(selection: FaultIds) -> list[FaultView]:
        """Remove fault rules by id; answers the rules left."""
        try:
            faults.remove(selection.ids)
        except KeyError as exc:
            raise HTTPException(404, f"no fault {exc.args[0]!r}") from exc
        return faults.list()

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
