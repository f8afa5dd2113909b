"""Shared state and dependencies: sessions, the bridging check, and sealed envelope answers."""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from simulators.bpjs.bridging import BridgingAuthError, Consumer, envelope, seal, verify
from simulators.bpjs.service import Refusal
from simulators.bpjs.settings import BpjsSimSettings
from simulators.common.clock import SimClock
from simulators.common.fault_hook import after_action, before_action, hook_point, identifiers, json_or_none
from simulators.common.faults import Call, FaultBook

M = TypeVar("M", bound=BaseModel)


@dataclass
class SimState:
    settings: BpjsSimSettings
    engine: Engine
    consumer: Consumer
    clock: SimClock = field(default_factory=SimClock)
    faults: FaultBook = field(default_factory=FaultBook)
    # Serialises writes (enrolment, payments) within this process; the unique NIK constraint
    # covers several processes sharing one PostgreSQL database.
    write_lock: threading.Lock = field(default_factory=threading.Lock)


class EnvelopeError(Exception):
    """Answered as an HTTP error whose body is still a bridging envelope (no response), or with
    `answer` when a dependency must end the call with a complete answer (a forced refusal)."""

    def __init__(self, status_code: int, message: str, answer: JSONResponse | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.answer = answer


def envelope_error_response(_request: Request, exc: EnvelopeError) -> JSONResponse:
    if exc.answer is not None:
        return exc.answer
    body = envelope(str(exc.status_code), exc.message)
    return JSONResponse(body, status_code=exc.status_code)


async def get_state(request: Request) -> SimState:  # no thread-pool hop for an attribute read
    return request.app.state.sim


StateDep = Annotated[SimState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with Session(state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _fault_failure(status: int) -> EnvelopeError:
    return EnvelopeError(status, f"Gangguan layanan (simulasi {status})")


async def _call(request: Request, endpoint: str) -> Call:
    body = json_or_none(await request.body())
    path_nik = {request.path_params["nik"]} if "nik" in request.path_params else set()
    found = identifiers(body, ("nikIbu", "nikBayi", "noKartu")) | path_nik
    # The protocol has no idempotency key: enrolment is keyed by the baby's NIK, status by the
    # card number, eligibility by the NIK in its path.
    key = identifiers(body, ("nikBayi",)) or identifiers(body, ("noKartu",)) or path_nik or {""}
    return Call(endpoint=endpoint, key=min(key), identifiers=frozenset(found))


def bridged(endpoint: str) -> Any:
    """Dependency for a signed endpoint: injected faults first (an outage precedes auth), then
    the signature; yields the request's timestamp, which keys the response encryption."""

    async def check(request: Request, state: StateDep) -> AsyncIterator[str]:
        decision = state.faults.decide(await _call(request, endpoint), seed=state.settings.seed,
                                       now=state.clock.now())
        await before_action(decision, _fault_failure)
        try:
            timestamp = verify(dict(request.headers), state.consumer, now=time.time(),
                               tolerance_seconds=state.settings.timestamp_tolerance_seconds)
        except BridgingAuthError as exc:
            raise EnvelopeError(401, str(exc)) from exc
        if decision.rejection is not None:
            refusal = Refusal(decision.rejection.kode, decision.rejection.text())
            raise EnvelopeError(200, refusal.message, answer=refused(state, timestamp, refusal))
        async with after_action(decision, _fault_failure):
            yield timestamp

    # "function": the code after `yield` runs before the answer is sent, so it can hold it back.
    return Depends(hook_point(check, endpoint), scope="function")


async def raw_body(request: Request) -> bytes:
    # Read by hand: clients send JSON labelled `Application/x-www-form-urlencoded`.
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def parse_body(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        # Field paths and rules only: the input values may be NIKs.
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_input=False)
        )
        raise EnvelopeError(400, f"Format request tidak valid: {problems}") from exc


def body_doc(request_model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a `{"request": ...}` body the route reads by hand (FastAPI cannot infer it)."""
    inner = request_model.model_json_schema(by_alias=True)  # flat models: no $refs to resolve
    schema = {"type": "object", "properties": {"request": inner}, "required": ["request"]}
    content = {"schema": schema}
    return {"requestBody": {"required": True, "content": {
        "application/json": content, "application/x-www-form-urlencoded": content}}}


def sealed(state: SimState, timestamp: str, payload: BaseModel) -> JSONResponse:
    data = payload.model_dump(mode="json", by_alias=True)
    return JSONResponse(envelope("200", "OK", seal(data, state.consumer, timestamp)))


def refused(state: SimState, timestamp: str, refusal: Refusal) -> JSONResponse:
    # VClaim answers refusals with HTTP 200 and metaData code 201.
    response = seal({"kode": refusal.kode}, state.consumer, timestamp)
    return JSONResponse(envelope("201", refusal.message, response))


def require_admin(state: StateDep, x_admin_token: Annotated[str | None, Header()] = None) -> None:
    token = state.settings.admin_token
    if x_admin_token is None or not hmac.compare_digest(x_admin_token, token):
        raise HTTPException(status_code=401, detail="admin token required")
