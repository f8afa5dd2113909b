"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from store.pending import backlog

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "A dependency is not reachable"}})
async def ready(request: Request) -> JSONResponse:
    """Ready when the read-model database answers and the workflow engine is connected.

    `intake_backlog` says how many accepted births wait for their workflow's start and how long the
    oldest has waited (informational: accepted births are kept either way)."""
    checks: dict[str, str] = {}
    waiting = None
    try:
        waiting = await run_in_threadpool(backlog, engine=request.app.state.engine)
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        checks["database"] = "unavailable"
    checks["temporal"] = "ok" if request.app.state.temporal.client is not None else "connecting"
    ok = all(v == "ok" for v in checks.values())
    body: dict = {"status": "ready" if ok else "not_ready", "checks": checks}
    if waiting is not None:
        oldest = None if waiting.oldest_s is None else round(waiting.oldest_s, 1)
        body["intake_backlog"] = {"pending_starts": waiting.count, "oldest_s": oldest}
    return JSONResponse(body, status_code=200 if ok else 503)
