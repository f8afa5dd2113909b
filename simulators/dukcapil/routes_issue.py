"""Office-scoped issuing endpoints: every call needs an Idempotency-Key header."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from simulators.dukcapil import issuing
from simulators.dukcapil.deps import REFUSALS, IdempotencyKey, RegistryDep, fault_point
from simulators.dukcapil.schemas import (
    AktaBaru,
    AktaTerbit,
    KelahiranBaru,
    KiaBaru,
    KiaTerbit,
    KkTerbitUlang,
    KkTerbitUlangBaru,
    LahirMatiBaru,
    LahirMatiTercatat,
    NikTerbit,
)

router = APIRouter(prefix="/v1/kantor/{kode}", tags=["penerbitan"], responses=REFUSALS)
Kode = Annotated[str, Path(min_length=1, max_length=8, description="Kab/kota code of the office")]


@router.post("/kelahiran", status_code=201, response_model=NikTerbit,
             dependencies=[fault_point("register_birth")])
def register_birth(kode: Kode, body: KelahiranBaru, key: IdempotencyKey,
                   registry: RegistryDep) -> JSONResponse:
    """Register a live birth and issue the child's NIK."""
    status, payload = registry.issue(endpoint="register_birth", office=kode, key=key, body=body,
                                     action=issuing.register_birth)
    return JSONResponse(payload, status_code=status)


@router.post("/lahir-mati", status_code=201, response_model=LahirMatiTercatat,
             dependencies=[fault_point("stillbirth")])
def record_stillbirth(kode: Kode, body: LahirMatiBaru, key: IdempotencyKey,
                      registry: RegistryDep) -> JSONResponse:
    """Record a stillbirth: a surat keterangan lahir mati, nothing else."""
    status, payload = registry.issue(endpoint="stillbirth", office=kode, key=key, body=body,
                                     action=issuing.record_stillbirth)
    return JSONResponse(payload, status_code=status)


@router.post("/akta-kelahiran", status_code=201, response_model=AktaTerbit,
             dependencies=[fault_point("akta")])
def issue_akta(kode: Kode, body: AktaBaru, key: IdempotencyKey,
               registry: RegistryDep) -> JSONResponse:
    """Issue the akta kelahiran for a registered child."""
    status, payload = registry.issue(endpoint="akta", office=kode, key=key, body=body,
                                     action=issuing.issue_akta)
    return JSONResponse(payload, status_code=status)


@router.post("/kia", status_code=201, response_model=KiaTerbit,
             dependencies=[fault_point("kia")])
def issue_kia(kode: Kode, body: KiaBaru, key: IdempotencyKey,
              registry: RegistryDep) -> JSONResponse:
    """Issue the KIA (after the akta)."""
    status, payload = registry.issue(endpoint="kia", office=kode, key=key, body=body,
                                     action=issuing.issue_kia)
    return JSONResponse(payload, status_code=status)


@router.post("/kk/terbit-ulang", status_code=200, response_model=KkTerbitUlang,
             dependencies=[fault_point("kk_reissue")])
def reissue_kk(kode: Kode, body: KkTerbitUlangBaru, key: IdempotencyKey,
               registry: RegistryDep) -> JSONResponse:
    """Reissue the KK with the given children added (same number, new date and signature)."""
    status, payload = registry.issue(endpoint="kk_reissue", office=kode, key=key, body=body,
                                     action=issuing.reissue_kk, status=200)
    return JSONResponse(payload, status_code=status)
