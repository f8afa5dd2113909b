"""Liveness and readiness.

`/ready` fails only when this process cannot serve: its read-model database does not answer. Temporal
being away does not make it fail: a birth posted meanwhile is kept (202) and its workflow started
when Temporal is back (api/starter.py), so a load balancer must keep sending hospitals here. Temporal
and that start backlog are reported as checks that do not fail readiness; for alerting, the backlog
is also the gauge kelahiran_outbox_pending{outbox="pending_start"} (and its oldest age), exported by
one process only (infra/gauges.py), not by every API replica.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from store.pending import backlog

router = APIRouter(tags=["health"])
TEMPORAL_TIMEOUT = timedelta(seconds=1)


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


class IntakeBacklog(BaseModel):
    pending_starts: int = Field(description="accepted births whose workflow is not started yet")
    oldest_s: float | None = Field(description="how long the oldest has waited, in seconds")


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(description="database: ok/unavailable; temporal: ok/unavailable/"
                                               "connecting",
                                   examples=[{"database": "ok", "temporal": "unavailable"}])
    intake_backlog: IntakeBacklog | None = Field(default=None, description="absent without the database")


# The 503 is this same body (status not_ready), not a Problem: api/problems.document leaves it alone.
_NOT_READY = {"model": Readiness, "description": "The read-model database is not reachable",
              "x-own-body": True, "content": {"application/json": {"examples": {"not_ready": {
                  "summary": "The read-model database is not reachable", "value": {
                      "status": "not_ready", "checks": {"database": "unavailable", "temporal": "ok"}}}}}}}


@router.get("/ready", response_model=Readiness, responses={503: _NOT_READY})
async def ready(request: Request) -> JSONResponse:
    """Ready when the read-model database answers (503 otherwise).

    `checks.temporal` says whether the workflow engine answered a health check within 1 s (`ok`,
    `unavailable`, or `connecting` before the first connection); `intake_backlog` how many accepted
    births wait for their workflow's start and how long the oldest has waited. Neither fails
    readiness: births are accepted and kept while Temporal is away."""
    checks: dict[str, str] = {}
    waiting, temporal = await asyncio.gather(
        _backlog(request), _temporal(request.app.state.temporal.client))
    checks["database"] = "ok" if waiting is not None else "unavailable"
    checks["temporal"] = temporal
    ok = checks["database"] == "ok"
    body: dict = {"status": "ready" if ok else "not_ready", "checks": checks}
    if waiting is not None:
        oldest = None if waiting.oldest_s is None else round(waiting.oldest_s, 1)
        body["intake_backlog"] = {"pending_starts": waiting.count, "oldest_s": oldest}
    return JSONResponse(body, status_code=200 if ok else 503)


async def _backlog(request: Request):
    try:
        return await run_in_threadpool(backlog, engine=request.app.state.engine)
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        return None


async def _temporal(client) -> str:
    """Ask the frontend itself (gRPC health check), not whether a client object exists."""
    if client is None:
        return "connecting"
    try:  # the SDK's deadline, and ours around it: a broken connection may not honour the first
        asked = client.service_client.check_health(timeout=TEMPORAL_TIMEOUT)
        healthy = await asyncio.wait_for(asked, TEMPORAL_TIMEOUT.total_seconds() + 0.5)
    except Exception:  # noqa: BLE001 - unreachable, timed out, refused: all mean not answering
        return "unavailable"
    return "ok" if healthy else "unavailable"
