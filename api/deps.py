"""Annotated dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlmodel import Session
from temporalio.client import Client

from api.readmodel.cipher import StateCipher
from api.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


def get_cipher(request: Request) -> StateCipher:
    return request.app.state.cipher


def get_temporal(request: Request) -> Client:
    client = request.app.state.temporal.client
    if client is None:
        raise HTTPException(status_code=503, detail="workflow engine not reachable yet; retry shortly",
                            headers={"Retry-After": "5"})
    return client


def get_hospital(
    x_hospital_id: Annotated[str, Header(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$",
                                         description="The posting hospital's id")],
) -> str:
    # Until per-hospital API keys exist, the hospital names itself; ids scope bundles, not access.
    return x_hospital_id


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
CipherDep = Annotated[StateCipher, Depends(get_cipher)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
HospitalDep = Annotated[str, Depends(get_hospital)]
