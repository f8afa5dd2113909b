"""The BPJS Kesehatan simulator: bridging-protocol membership endpoints, a bank, admin controls."""

from __future__ import annotations

import logging
import re
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlmodel import Session

from simulators.bpjs.bridging import Consumer
from simulators.bpjs.db import init_db, is_seeded
from simulators.bpjs.deps import EnvelopeError, SimState, envelope_error_response
from simulators.bpjs.routes import bank, kepesertaan, ops, peserta
from simulators.bpjs.seed import seed_population
from simulators.bpjs.settings import BpjsSimSettings
from simulators.common.admin import admin_router
from simulators.common.db import make_engine

log = logging.getLogger(__name__)
_NIK_LIKE = re.compile(r"\d{16}")


class _ScrubNik(logging.Filter):
    """The eligibility URL carries a NIK (real protocol); never let an access log print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _NIK_LIKE.sub("[NIK]", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def _scrub_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _ScrubNik) for f in access.filters):
        access.addFilter(_ScrubNik())


def create_app(settings: BpjsSimSettings | None = None) -> FastAPI:
    settings = settings or BpjsSimSettings()
    consumer = Consumer(settings.cons_id, settings.secret, settings.user_key)
    state = SimState(settings=settings, engine=make_engine(settings.database_url),
                     consumer=consumer)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        init_db(state.engine)
        with Session(state.engine) as session:
            if not is_seeded(session):
                n = seed_population(session=session, settings=settings,
                                    today=state.clock.today())
                log.info("bpjs simulator seeded %d members", n)
        yield
        state.engine.dispose()

    app = FastAPI(
        title="BPJS Kesehatan simulator",
        lifespan=lifespan,
        # Route names are unique in this app and read well as client method names.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.sim = state
    app.add_exception_handler(EnvelopeError, envelope_error_response)
    for module in (kepesertaan, peserta, bank, ops):
        app.include_router(module.router)
    app.include_router(admin_router(token=settings.admin_token, faults=state.faults,
                                    clock=state.clock))
    _scrub_access_log()
    return app
