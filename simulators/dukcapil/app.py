"""The Dukcapil simulator's FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from simulators.common.admin import admin_router
from simulators.common.clock import SimClock
from simulators.common.db import make_engine
from simulators.common.faults import FaultBook
from simulators.dukcapil import (
    routes_documents,
    routes_followup,
    routes_issue,
    routes_lookup,
    routes_sample,
    routes_verify,
)
from simulators.dukcapil.db import init_db, is_ready
from simulators.dukcapil.documents import DocumentBook
from simulators.dukcapil.oauth import BEARER_REFUSALS, TokenBook, install, require_bearer
from simulators.dukcapil.rules import Refusal
from simulators.dukcapil.service import FaultInjected, Registry
from simulators.dukcapil.settings import DukcapilSimSettings


def _operation_id(route: APIRoute) -> str:
    return route.name


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Refusal)
    async def refusal(_: Request, exc: Refusal) -> JSONResponse:
        return JSONResponse({"kode": exc.kode, "pesan": exc.pesan}, status_code=exc.status)

    @app.exception_handler(FaultInjected)
    async def fault(_: Request, exc: FaultInjected) -> JSONResponse:
        body = {"kode": "GANGGUAN_SIMULASI", "pesan": f"Gangguan simulasi pada {exc.endpoint}"}
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the submitted values back; they may hold a NIK or KK number.
        detail = [{"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": e.get("msg")}
                  for e in exc.errors()]
        return JSONResponse({"detail": detail}, status_code=422)


def create_app(settings: DukcapilSimSettings | None = None) -> FastAPI:
    """Build the simulator; the database is created and seeded when the app starts."""
    settings = settings or DukcapilSimSettings()
    engine = make_engine(settings.database_url)
    clock, faults = SimClock(), FaultBook()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(init_db, engine, seed=settings.seed, families=settings.families)
        yield
        engine.dispose()

    app = FastAPI(title="Dukcapil simulator", version="1", lifespan=lifespan,
                  generate_unique_id_function=_operation_id)
    app.state.settings = settings
    app.state.registry = Registry(engine, clock, faults)
    app.state.documents = DocumentBook(settings.signing_secret, settings.public_url)
    _add_error_handlers(app)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready", tags=["health"], responses={503: {"description": "Not ready"}})
    def ready() -> JSONResponse:
        """Readiness: the database answers and holds the seeded population."""
        ok = is_ready(engine)
        return JSONResponse({"status": "ready" if ok else "not_ready"},
                            status_code=200 if ok else 503)

    install(app, TokenBook(settings.client_id, settings.client_secret,
                           ttl_seconds=settings.token_ttl_seconds))
    # Checked before the fault book, so an unauthenticated call never uses up a fault rule.
    for module in (routes_lookup, routes_issue, routes_followup, routes_documents):
        app.include_router(module.router, dependencies=[Depends(require_bearer)],
                           responses=BEARER_REFUSALS)
    app.include_router(routes_sample.router)  # a tester's aid over synthetic data: no token
    app.include_router(routes_verify.router)  # public: what the documents' QR codes open
    app.include_router(admin_router(token=settings.admin_token, faults=faults, clock=clock))
    return app
