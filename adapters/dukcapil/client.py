"""The httpx client for Dukcapil: our contracts in, wire format out, failures classified."""

from __future__ import annotations

from datetime import time
from functools import cache
from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from adapters.dukcapil import wire
from adapters.dukcapil.auth import ClientCredentials, TokenError
from adapters.errors import BusinessRejection, TransientError
from adapters.http import pooled_client
from domain.contracts import (
    AktaCorrected,
    AktaCorrectionInput,
    AktaInput,
    AktaIssued,
    DeathInput,
    DeathRecorded,
    FamilyInfo,
    KiaInput,
    KiaIssued,
    KkMemberInput,
    KkReissued,
    KkReissueInput,
    NikIssued,
    RegisterBirthInput,
    StillbirthInput,
    StillbirthRecorded,
)
from domain.documents import CollectionPoint, KiaCard

T = TypeVar("T")
_RETRYABLE_4XX = frozenset({408, 425, 429})
INVALID_REQUEST = "PERMINTAAN_TIDAK_VALID"


@cache
def _adapter(answer: type[T]) -> TypeAdapter[T]:
    return TypeAdapter(answer)


def _path(office: str, action: str) -> str:
    return f"/v1/kantor/{quote(office, safe='')}/{action}"


def _clock_time(value: str) -> str:
    try:
        return time.fromisoformat(value).strftime("%H:%M:%S")
    except ValueError:
        return value  # let the server say what is wrong with it


class DukcapilClient:
    """Implements DukcapilPort over one pooled AsyncClient. Never logs or echoes a NIK or KK.

    Authenticates as an OAuth2 client (client credentials); the bearer token is shared by all calls.
    """

    def __init__(self, base_url: str, *, client_id: str, client_secret: str, timeout: float = 10.0,
                 client: httpx.AsyncClient | None = None) -> None:
        self._auth = ClientCredentials.for_server(base_url, client_id, client_secret)
        self._owned = client is None
        self._http = client or pooled_client(base_url=base_url, timeout=timeout,
                                             headers={"Accept": "application/json"})

    async def aclose(self) -> None:
        if self._owned:
            await self._http.aclose()

    async def _call(self, method: str, path: str, answer: type[T], *,
                    body: BaseModel | None = None, key: str | None = None) -> T:
        resp = await self._send(method, path, body=body, key=key)
        try:
            return _adapter(answer).validate_json(resp.content)
        except ValidationError as exc:
            # A truncated or foreign answer (e.g. a proxy page): another attempt may get through.
            raise TransientError("Dukcapil answered with an unexpected body",
                                 status_code=resp.status_code) from exc

    async def _send(self, method: str, path: str, *, body: BaseModel | None = None,
                    key: str | None = None) -> httpx.Response:
        """One call, its failures classified; a 2xx response is returned as it is."""
        headers = {"Idempotency-Key": key} if key else None
        payload = body.model_dump(mode="json") if body is not None else None
        try:
            resp = await self._http.request(method, path, json=payload, headers=headers,
                                            auth=self._auth)
        except TokenError as exc:
            # Wrong credentials too: once they are fixed (and the worker restarted), retries succeed.
            raise TransientError(f"Dukcapil access token not obtained: {exc}",
                                 status_code=exc.status_code) from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"Dukcapil timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            # Connect errors, resets, protocol errors: the request may be retried as is.
            raise TransientError(f"Dukcapil unreachable: {type(exc).__name__}") from exc
        if resp.status_code == 401:
            raise TransientError("Dukcapil refused our access token even after a refresh",
                                 status_code=401)
        if resp.status_code >= 500 or resp.status_code in _RETRYABLE_4XX:
            raise TransientError(f"Dukcapil answered HTTP {resp.status_code}",
                                 status_code=resp.status_code)
        if resp.status_code >= 400:
            raise _rejection(resp)
        return resp

    async def offices(self) -> list[str]:
        got = await self._call("GET", "/v1/kantor", list[wire.Kantor])
        return [k.kode for k in got]

    async def lookup_family(self, kk_number: str) -> FamilyInfo:
        got = await self._call("POST", "/v1/keluarga/cari", wire.KeluargaDomisili,
                               body=wire.CariKeluarga(no_kk=kk_number))
        return FamilyInfo(kk_number=got.no_kk, kab_kota=got.kode_kab_kota,
                          kecamatan=got.kode_kecamatan, kelurahan=got.kode_kelurahan,
                          parents_married_on_kk=got.orang_tua_kawin,
                          office_connected=got.kantor_terhubung)

    async def register_birth(self, req: RegisterBirthInput) -> NikIssued:
        body = wire.KelahiranBaru(
            no_kk=req.kk_number, nik_ibu=req.mother_nik, nik_ayah=req.father_nik, nama=req.name,
            jenis_kelamin="L" if req.sex == "male" else "P", tanggal_lahir=req.birth_date,
            jam_lahir=_clock_time(req.birth_time), tempat_lahir_kab_kota=req.birth_place_kab_kota,
            nama_fasilitas=req.facility_name, kelahiran_ke=req.birth_order,
            jenis_kelahiran=req.multiplicity, berat_gram=req.weight_grams,
            panjang_cm=req.length_cm,
        )
        got = await self._call("POST", _path(req.office, "kelahiran"), wire.NikTerbit,
                               body=body, key=req.idempotency_key)
        return NikIssued(nik=got.nik)

    async def record_stillbirth(self, req: StillbirthInput) -> StillbirthRecorded:
        body = wire.LahirMatiBaru(
            no_kk=req.kk_number, nik_ibu=req.mother_nik, tanggal_lahir=req.birth_date,
            kelahiran_ke=req.birth_order, usia_kandungan_minggu=req.gestational_age_weeks,
            nama_fasilitas=req.facility_name,
        )
        got = await self._call("POST", _path(req.office, "lahir-mati"),
                               wire.LahirMatiTercatat, body=body, key=req.idempotency_key)
        return StillbirthRecorded(certificate_number=got.nomor_surat)

    async def issue_akta(self, req: AktaInput) -> AktaIssued:
        body = wire.AktaBaru(
            nik_anak=req.child_nik, nama_anak=req.child_name, no_kk=req.kk_number,
            nik_ibu=req.mother_nik, nik_ayah=req.father_nik,
            no_bukti_perkawinan=req.marriage_proof_number, sptjm_perkawinan=req.sptjm_marriage,
            nik_saksi=req.witness_niks, tempat_lahir_kab_kota=req.birth_place_kab_kota,
            nama_fasilitas=req.facility_name, penolong=req.attendant,
            no_keputusan_kadis=req.kadis_decision_number,
        )
        got = await self._call("POST", _path(req.office, "akta-kelahiran"),
                               wire.AktaTerbit, body=body, key=req.idempotency_key)
        return AktaIssued(register_number=got.no_akta, late=got.terlambat,
                          parents_wording=got.keterangan_orang_tua, issued_on=got.tanggal_terbit)

    async def issue_kia(self, req: KiaInput) -> KiaIssued:
        body = wire.KiaBaru(nik_anak=req.child_nik, nama_anak=req.child_name,
                            no_akta=req.akta_number)
        got = await self._call("POST", _path(req.office, "kia"), wire.KiaTerbit,
                               body=body, key=req.idempotency_key)
        return KiaIssued(nik=got.nik, card_type=got.jenis, valid_until=got.berlaku_sampai)

    async def reissue_kk(self, req: KkReissueInput) -> KkReissued:
        body = wire.KkTerbitUlangBaru(no_kk=req.kk_number, anak=[
            wire.AnakKk(nik=c.nik, nama=c.name, no_akta=c.akta_number) for c in req.children])
        got = await self._call("POST", _path(req.office, "kk/terbit-ulang"),
                               wire.KkTerbitUlang, body=body, key=req.idempotency_key)
        return KkReissued(kk_number=got.no_kk, issued_on=got.tanggal_terbit,
                          signature_id=got.id_tte)

    # --- follow-ups after issue ----------------------------------------------------------------

    async def record_death(self, req: DeathInput) -> DeathRecorded:
        body = wire.AktaKematianBaru(nik_anak=req.child_nik, no_kk=req.kk_number,
                                     tanggal_meninggal=req.date_of_death,
                                     tempat_meninggal=req.place_of_death)
        got = await self._call("POST", _path(req.office, "akta-kematian"),
                               wire.AktaKematianTerbit, body=body, key=req.idempotency_key)
        return DeathRecorded(certificate_number=got.no_akta_kematian, issued_on=got.tanggal_terbit)

    async def update_kk_member(self, req: KkMemberInput) -> KkReissued:
        body = wire.KkAnggotaUbah(no_kk=req.kk_number, nik=req.nik, action=req.action,
                                  nama=req.name, no_akta=req.akta_number)
        got = await self._call("POST", _path(req.office, "kk/anggota"), wire.KkAnggotaDiubah,
                               body=body, key=req.idempotency_key)
        return KkReissued(kk_number=got.no_kk, issued_on=got.tanggal_terbit,
                          signature_id=got.id_tte)

    async def correct_akta(self, req: AktaCorrectionInput) -> AktaCorrected:
        # An empty name means "keep the name": a correction of the father only.
        body = wire.AktaKoreksiBaru(nik_anak=req.child_nik, no_akta_lama=req.old_akta_number,
                                    nama_anak=req.child_name.strip() or None,
                                    nik_ayah=req.father_nik, alasan=req.reason)
        got = await self._call("POST", _path(req.office, "akta-kelahiran/koreksi"),
                               wire.AktaKoreksiTerbit, body=body, key=req.idempotency_key)
        return AktaCorrected(register_number=got.no_akta, superseded_number=got.no_akta_lama,
                             issued_on=got.tanggal_terbit)

    async def reissue_kia(self, req: KiaInput) -> KiaIssued:
        body = wire.KiaTerbitUlangBaru(nik_anak=req.child_nik,
                                       nama_anak=req.child_name.strip() or None,
                                       no_akta=req.akta_number)
        got = await self._call("POST", _path(req.office, "kia/terbit-ulang"), wire.KiaTerbit,
                               body=body, key=req.idempotency_key)
        return KiaIssued(nik=got.nik, card_type=got.jenis, valid_until=got.berlaku_sampai)

    # --- documents as the family holds them ---------------------------------------------------

    async def akta_pdf(self, register_number: str) -> bytes:
        return await self._pdf("akta-kelahiran", wire.DokumenAkta(no_akta=register_number))

    async def kematian_pdf(self, register_number: str) -> bytes:
        return await self._pdf("akta-kematian", wire.DokumenAktaKematian(no_akta_kematian=register_number))

    async def kk_pdf(self, kk_number: str) -> bytes:
        return await self._pdf("kk", wire.DokumenKk(no_kk=kk_number))

    async def kia_card(self, nik: str) -> KiaCard:
        got = await self._call("POST", "/v1/dokumen/kia", wire.KartuKia, body=wire.DokumenKia(nik=nik))
        place = got.tempat_pengambilan
        return KiaCard(
            nik=got.nik, name=got.nama, sex="male" if got.jenis_kelamin == "L" else "female",
            birth_place=got.tempat_lahir, birth_date=got.tanggal_lahir, religion=got.agama,
            citizenship=got.kewarganegaraan, kk_number=got.no_kk, head_of_family=got.nama_kepala_keluarga,
            address=got.alamat, akta_number=got.no_akta, card_type=got.jenis, valid_until=got.berlaku_sampai,
            issued_on=got.tanggal_terbit, collect_at=CollectionPoint(
                office=place.kode, name=place.nama, address=place.alamat, hours=place.jam_layanan))

    async def _pdf(self, kind: str, body: BaseModel) -> bytes:
        resp = await self._send("POST", f"/v1/dokumen/{kind}", body=body)
        if not resp.content.startswith(b"%PDF-"):
            raise TransientError("Dukcapil answered with something that is not a PDF",
                                 status_code=resp.status_code)
        return resp.content


def _rejection(resp: httpx.Response) -> BusinessRejection:
    """A 4xx: the server's reason code, or ours for a request FastAPI could not validate."""
    try:
        data = resp.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("kode"), str):
        refusal = wire.Galat.model_validate(data)
        return BusinessRejection(refusal.kode, refusal.pesan)
    if resp.status_code == 422 and isinstance(data, dict) and isinstance(data.get("detail"), list):
        # Our own malformed request: report where, never the submitted values.
        where = "; ".join(".".join(str(p) for p in e.get("loc", [])) + f": {e.get('msg', '')}"
                          for e in data["detail"] if isinstance(e, dict))
        return BusinessRejection(INVALID_REQUEST, where[:500])
    return BusinessRejection("PERMINTAAN_DITOLAK", f"Dukcapil answered HTTP {resp.status_code}")

