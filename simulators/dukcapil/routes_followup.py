"""Office-scoped follow-ups after issue (death, correction); every call needs an Idempotency-Key."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from simulators.dukcapil import followups
from simulators.dukcapil.deps import REFUSALS, IdempotencyKey, RegistryDep, fault_point
from simulators.dukcapil.routes_issue import Kode
from simulators.dukcapil.schemas import KiaTerbit
from simulators.dukcapil.schemas_followup import (
    AktaKematianBaru,
    AktaKematianTerbit,
    AktaKoreksiBaru,
    AktaKoreksiTerbit,
    KiaTerbitUlangBaru,
    KkAnggotaDiubah,
    KkAnggotaUbah,
)

router = APIRouter(prefix="/v1/kantor/{kode}", tags=["tindak lanjut"], responses=REFUSALS)


@router.post("/akta-kematian", status_code=201, response_model=AktaKematianTerbit,
             dependencies=[fault_point("akta_kematian")])
def record_death(kode: Kode, body: AktaKematianBaru, key: IdempotencyKey,
                 registry: RegistryDep) -> JSONResponse:
    """Issue the akta kematian of a child born alive (its akta kelahiran stands)."""
    status, payload = registry.issue(endpoint="akta_kematian", office=kode, key=key, body=body,
                                     action=followups.record_death)
    return JSONResponse(payload, status_code=status)


@router.post("/kk/anggota", status_code=200, response_model=KkAnggotaDiubah,
             dependencies=[fault_point("kk_member")])
def change_kk_member(kode: Kode, body: KkAnggotaUbah, key: IdempotencyKey,
                     registry: RegistryDep) -> JSONResponse:
    """Remove a deceased member from the KK, or update a member's row after a correction."""
    status, payload = registry.issue(endpoint="kk_member", office=kode, key=key, body=body,
                                     action=followups.change_kk_member, status=200)
    return JSONResponse(payload, status_code=status)


@router.post("/akta-kelahiran/koreksi", status_code=201, response_model=AktaKoreksiTerbit,
             dependencies=[fault_point("akta_koreksi")])
def correct_akta(kode: Kode, body: AktaKoreksiBaru, key: IdempotencyKey,
                 registry: RegistryDep) -> JSONResponse:
    """Reissue the akta kelahiran with corrected data under a new number (the old is superseded)."""
    status, payload = registry.issue(endpoint="akta_koreksi", office=kode, key=key, body=body,
                                     action=followups.correct_akta)
    return JSONResponse(payload, status_code=status)


@router.post("/kia/terbit-ulang", status_code=201, response_model=KiaTerbit,
             dependencies=[fault_point("kia_reissue")])
def reissue_kia(kode: Kode, body: KiaTerbitUlangBaru, key: IdempotencyKey,
                registry: RegistryDep) -> JSONResponse:
    """Reissue the KIA after a correction: same NIK, new issue date, the corrected name."""
    status, payload = registry.issue(endpoint="kia_reissue", office=kode, key=key, body=body,
                                     action=followups.reissue_kia)
    return JSONResponse(payload, status_code=status)
