"""Annotated dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session
from temporalio.client import Client

from infra.settings import Settings
from store.cipher import StateCipher


# `async def`, though nothing here awaits: FastAPI runs a plain `def` dependency in its thread
# pool, and each such hop waited for the GIL and the event loop (intake p99, bench 20/s burst).
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


async def get_cipher(request: Request) -> StateCipher:
    return request.app.state.cipher


async def get_temporal(request: Request) -> Client:
    client = request.app.state.temporal.client
    if client is None:
        raise HTTPException(status_code=503, detail="workflow engine not reachable yet; retry shortly",
                            headers={"Retry-After": "5"})
    return client


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
CipherDep = Annotated[StateCipher, Depends(get_cipher)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
