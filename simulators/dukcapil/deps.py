"""FastAPI dependency aliases shared by the route modules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from simulators.dukcapil.schemas import Galat
from simulators.dukcapil.service import Registry


def get_registry(request: Request) -> Registry:
    return request.app.state.registry


def get_session(registry: Annotated[Registry, Depends(get_registry)]) -> Iterator[Session]:
    with Session(registry.engine) as session:
        yield session


def fault_point(endpoint: str):
    """A dependency consulting the fault book; it runs before the body is even validated."""

    def check(registry: Annotated[Registry, Depends(get_registry)]) -> None:
        registry.check_fault(endpoint)

    return Depends(check)


RegistryDep = Annotated[Registry, Depends(get_registry)]
SessionDep = Annotated[Session, Depends(get_session)]
IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=200)]

REFUSALS: dict[int | str, dict] = {
    404: {"model": Galat, "description": "Not found (office, KK, NIK)"},
    409: {"model": Galat, "description": "Idempotency-Key reused with a different body"},
    422: {"model": Galat, "description": "Business refusal, or a malformed request"},
}
