"""The FastAPI application: hospital intake, bundle queries, health and metrics."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import structlog
from fastapi import FastAPI
from fastapi.routing import APIRoute
from temporalio.client import Client

from api import console, contract, docs_ui, family, observability, problems
from api.auth.keys import KeyCache
from api.auth.ratelimit import RateLimiter
from api.fhir import routes as fhir
from api.middleware import CodecCors, Protections
from api.routes import admin, audit, auth, births, codec, followups, health, hospital, operations, reveal
from api.starter import WorkflowStarter
from domain import person_names
from infra.settings import Settings
from infra.temporal_client import connect
from store.db import make_engine
from store.group_writer import GroupWriter

log = structlog.get_logger("kelahiran.api")


class TemporalHolder:
    """Connects in the background so the API starts (and reports not-ready) while Temporal is down."""

    def __init__(self, settings: Settings, client: Client | None = None) -> None:
        self.settings = settings
        self.client = client
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self.client is None:
            self._task = asyncio.create_task(self._connect_loop())

    async def _connect_loop(self) -> None:
        delay = 0.2
        while self.client is None:
            try:
                self.client = await connect(self.settings)
                log.info("connected to temporal", address=self.settings.temporal_address)
            except Exception as exc:  # noqa: BLE001 - keep trying; /ready says why
                log.warning("temporal not reachable yet", error_type=type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None, *, temporal_client: Client | None = None) -> FastAPI:
    """Build the app; tests pass explicit settings (and may pass a connected client)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        person_names.configure_titles(settings.name_titles())  # the intakes' child-name rule
        app.state.engine = make_engine(settings.database_url)
        app.state.writer = GroupWriter(app.state.engine, name="intake-writer")  # births kept in turn
        app.state.telemetry = await observability.start(settings, app.state.engine)  # metrics port, gauges
        app.state.cipher = settings.readmodel_cipher()  # the read model's stored states, at rest
        app.state.intake_limiter = RateLimiter(settings.intake_rate_per_second, settings.intake_burst)
        app.state.key_cache = KeyCache(settings.api_key_cache_seconds)
        app.state.payload_codec = settings.data_converter().payload_codec
        app.state.temporal = TemporalHolder(settings, temporal_client)
        app.state.temporal.start()
        app.state.starter = WorkflowStarter(app.state.engine, app.state.cipher,
                                            task_queue=settings.task_queue,
                                            client=lambda: app.state.temporal.client,
                                            lease=timedelta(seconds=settings.intake_start_lease_seconds))
        app.state.starter.start()
        app.state.family_ports = family.FamilyPorts.from_settings(settings)  # Dukcapil documents, SMS
        yield
        await app.state.starter.stop()
        await app.state.temporal.stop()
        await app.state.family_ports.aclose()
        await observability.stop(app.state.telemetry)
        app.state.engine.dispose()

    app = FastAPI(
        title="kelahiran",
        version="0.1.0",
        summary="One hospital birth record -> NIK, akta kelahiran, KK, KIA and BPJS membership.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url=None, redoc_url=None,  # ours, without a CDN: api/docs_ui.py
        responses=problems.RESPONSES,
    )
    problems.install(app)  # every JSON error as application/problem+json
    docs_ui.install(app)
    contract.install(app)  # webhooks in the OpenAPI, an example for every request body
    app.add_middleware(Protections)
    app.add_middleware(CodecCors, origins=settings.codec_origins())
    for module in (health, auth, births, followups, hospital, operations, reveal, audit, admin, codec):
        app.include_router(module.router)
    app.include_router(fhir.router)  # POST /v1/fhir: the same intake, as a FHIR R4 transaction Bundle
    console.install(app)  # the operators' console: HTML pages under /console
    family.install(app)  # the families' download pages under /unduh (link and PIN from the SMS)
    observability.install(app, settings)  # request metrics, /metrics unless internal, the access log
    return app
