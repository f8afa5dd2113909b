"""The SMS gateway simulator: `POST /v1/pesan` with an API key, and an inbox testers can read.

A message is identified by the client's `referensi`: sending it again answers the first
acceptance and delivers nothing twice, like a provider's client message id.
"""

# No `from __future__ import annotations`: the routes' dependencies are local to create_app, and
# FastAPI must see the annotations evaluated.
import hmac
import math
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from simulators.common.admin import admin_router
from simulators.common.clock import SimClock
from simulators.common.db import make_engine
from simulators.common.fault_hook import before_action, hook_point
from simulators.common.faults import Call, FaultBook
from simulators.sms.models import Pesan
from simulators.sms.schemas import Galat, PesanBaru, PesanDiterima, PesanTersimpan
from simulators.sms.settings import SmsSimSettings

GSM_SEGMENT, GSM_PART = 160, 153


class Refused(Exception):
    def __init__(self, status: int, kode: str, pesan: str) -> None:
        super().__init__(f"{kode}: {pesan}")
        self.status, self.kode, self.pesan = status, kode, pesan


def segments(body: str) -> int:
    return 1 if len(body) <= GSM_SEGMENT else math.ceil(len(body) / GSM_PART)


def create_app(settings: SmsSimSettings | None = None) -> FastAPI:
    settings = settings or SmsSimSettings()
    engine = make_engine(settings.database_url)
    faults, clock = FaultBook(), SimClock()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        SQLModel.metadata.create_all(engine, tables=[Pesan.__table__])
        yield
        engine.dispose()

    app = FastAPI(title="SMS gateway simulator", version="1", lifespan=lifespan,
                  generate_unique_id_function=lambda route: route.name)

    def session() -> Iterator[Session]:
        with Session(engine) as s:
            yield s

    async def api_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
        if x_api_key is None or not hmac.compare_digest(x_api_key.encode(), settings.api_key.encode()):
            raise Refused(401, "KUNCI_API_TIDAK_SAH", "Header X-Api-Key tidak ada atau salah")

    async def fault_point() -> None:
        call = Call(endpoint="kirim", key="", identifiers=frozenset())
        decision = faults.decide(call, seed=settings.seed, now=clock.now())
        await before_action(decision, lambda status: Refused(status, "GANGGUAN_SIMULASI", "Gangguan"))

    async def admin(x_admin_token: Annotated[str | None, Header()] = None) -> None:
        token = settings.admin_token.encode()
        if x_admin_token is None or not hmac.compare_digest(x_admin_token.encode(), token):
            raise HTTPException(401, "admin token required")

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(Galat(kode=exc.kode, pesan=exc.pesan).model_dump(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Never echo the submitted values: they hold phone numbers and PINs.
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors())
        return JSONResponse(Galat(kode="PERMINTAAN_TIDAK_VALID", pesan=where[:300]).model_dump(), 422)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    @app.get("/ready", tags=["health"], responses={503: {"description": "Not ready"}})
    def ready() -> JSONResponse:
        """Readiness: the database answers."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure is "not ready"
            return JSONResponse({"status": "not_ready"}, 503)
        return JSONResponse({"status": "ready"})

    v1 = APIRouter(prefix="/v1", tags=["sms"], dependencies=[Depends(api_key)], responses={
        401: {"model": Galat, "description": "Missing or wrong X-Api-Key"},
        422: {"model": Galat, "description": "Invalid number, sender or body; message too long"}})

    @v1.post("/pesan", dependencies=[Depends(hook_point(fault_point, "kirim"))])
    def send(body: PesanBaru, s: Annotated[Session, Depends(session)]) -> PesanDiterima:
        """Accept one SMS for delivery; the same `referensi` again answers the first acceptance."""
        if len(body.isi) > settings.max_length:
            raise Refused(422, "PESAN_TERLALU_PANJANG",
                          f"Isi pesan lebih dari {settings.max_length} karakter")
        seen = s.exec(select(Pesan).where(Pesan.referensi == body.referensi)).first()
        if seen is None:
            seen = Pesan(id=secrets.token_hex(8), referensi=body.referensi, tujuan=body.tujuan,
                         pengirim=body.pengirim, isi=body.isi, segmen=segments(body.isi),
                         diterima_pada=datetime.now(UTC))
            s.add(seen)
            try:
                s.commit()
            except IntegrityError:  # the same reference, sent twice at once
                s.rollback()
                seen = s.exec(select(Pesan).where(Pesan.referensi == body.referensi)).one()
        if (seen.tujuan, seen.isi) != (body.tujuan, body.isi):
            raise Refused(409, "REFERENSI_SUDAH_DIPAKAI", "Referensi ini sudah dipakai untuk pesan lain")
        return PesanDiterima(id=seen.id, referensi=seen.referensi, segmen=seen.segmen,
                             diterima_pada=seen.diterima_pada)

    app.include_router(v1)
    inbox = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(admin)],
                      responses={401: {"description": "Missing or wrong X-Admin-Token"}})

    @inbox.get("/pesan")
    def messages(s: Annotated[Session, Depends(session)],
                 tujuan: Annotated[str | None, Query(pattern=r"^\+?\d{8,16}$")] = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[PesanTersimpan]:
        """Stored messages, newest first (optionally to one number): what the handset received."""
        q = select(Pesan).order_by(Pesan.diterima_pada.desc(), Pesan.id).limit(limit)
        if tujuan:
            q = q.where(Pesan.tujuan == "+" + tujuan.lstrip("+"))
        return [PesanTersimpan.model_validate(p, from_attributes=True) for p in s.exec(q).all()]

    @inbox.delete("/pesan", status_code=204)
    def clear(s: Annotated[Session, Depends(session)]) -> None:
        """Forget every stored message."""
        s.exec(delete(Pesan))
        s.commit()

    app.include_router(inbox)
    app.include_router(admin_router(token=settings.admin_token, faults=faults, clock=clock))
    return app
