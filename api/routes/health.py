"""Liveness and readiness."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "A dependency is not reachable"}})
async def ready(request: Request) -> JSONResponse:
    """Ready when the read-model database answers and the workflow engine is connected."""
    checks: dict[str, str] = {}

    def ping() -> None:
        with request.app.state.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    try:
        await run_in_threadpool(ping)
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        checks["database"] = "unavailable"
    checks["temporal"] = "ok" if request.app.state.temporal.client is not None else "connecting"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks},
                        status_code=200 if ok else 503)
