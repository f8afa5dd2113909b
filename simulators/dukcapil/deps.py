"""FastAPI dependency aliases shared by the route modules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from simulators.common.fault_hook import after_action, before_action, hook_point, identifiers, json_or_none
from simulators.common.faults import Call
from simulators.dukcapil.rules import Refusal
from simulators.dukcapil.schemas import Galat
from simulators.dukcapil.service import FaultInjected, Registry

_FAMILY_FIELDS = ("no_kk", "nik_ibu", "nik_ayah", "nik_anak", "nik")  # not the witnesses


# `async def`: FastAPI runs a plain `def` dependency in its thread pool, a hop per request for
# what is an attribute read.
async def get_registry(request: Request) -> Registry:
    return request.app.state.registry


def get_session(registry: Annotated[Registry, Depends(get_registry)]) -> Iterator[Session]:
    with Session(registry.engine) as session:
        yield session


async def _call(request: Request, endpoint: str) -> Call:
    body = json_or_none(await request.body())
    found = identifiers(body, _FAMILY_FIELDS)
    # Issuing calls are keyed by Idempotency-Key; the look-up has none, so its KK number keys it.
    key = request.headers.get("Idempotency-Key") or next(iter(identifiers(body, ["no_kk"])), "")
    return Call(endpoint=endpoint, key=key, identifiers=frozenset(found))


def fault_point(endpoint: str):
    """A dependency consulting the fault book; it runs before the body is even validated."""

    async def check(request: Request, registry: Annotated[Registry, Depends(get_registry)]
                    ) -> AsyncIterator[None]:
        decision = registry.faults.decide(await _call(request, endpoint),
                                          seed=request.app.state.settings.seed,
                                          now=registry.clock.now())
        fail = partial(FaultInjected, endpoint)
        await before_action(decision, fail)
        if decision.rejection is not None:
            rej = decision.rejection
            raise Refusal(rej.kode, rej.text(), rej.status_code)
        async with after_action(decision, fail):
            yield

    # "function": the code after `yield` runs before the answer is sent, so it can hold it back.
    return Depends(hook_point(check, endpoint), scope="function")


RegistryDep = Annotated[Registry, Depends(get_registry)]
SessionDep = Annotated[Session, Depends(get_session)]
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=200)]

REFUSALS: dict[int | str, dict] = {
    404: {"model": Galat, "description": "Not found (office, KK, NIK)"},
    409: {"model": Galat, "description": "Idempotency-Key reused with a different body"},
    422: {"model": Galat, "description": "Business refusal, or a malformed request"},
}
