"""VClaim-style eligibility lookup by NIK (real protocol; our adapter does not call it)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from simulators.bpjs import service
from simulators.bpjs.deps import EnvelopeError, SessionDep, StateDep, bridged, refused, sealed
from simulators.bpjs.schemas import Kode, Peserta, PesertaResponse

router = APIRouter(tags=["peserta"])

# statusPeserta codes: "0" AKTIF is VClaim's; the others are assumed.
_STATUS_CODES = {
    "AKTIF": ("0", "AKTIF"),
    "DIDAFTARKAN": ("5", "BELUM AKTIF"),
    "MENUNGGU_PEMBAYARAN": ("6", "MENUNGGU PEMBAYARAN IURAN PERTAMA"),
    "NONAKTIF": ("9", "NON AKTIF KARENA TUNGGAKAN IURAN"),
}
_SEGMENTS = {"PBI": "PBI APBN", "PPU": "PEKERJA PENERIMA UPAH", "PBPU": "PEKERJA MANDIRI"}


@router.get("/Peserta/nik/{nik}/tglSEP/{tgl_sep}")
def eligibility(
    nik: str, tgl_sep: str, state: StateDep, session: SessionDep,
    timestamp: Annotated[str, bridged("eligibility")],
) -> JSONResponse:
    """Whether the person holding `nik` is covered on the service date."""
    try:
        date.fromisoformat(tgl_sep)
    except ValueError as exc:
        raise EnvelopeError(400, "Format tglSEP harus yyyy-MM-dd") from exc
    member = service.find_by_nik(session, nik)
    if member is None:
        return refused(state, timestamp, service.Refusal("PESERTA_TIDAK_DITEMUKAN",
                                                         "Data peserta tidak ditemukan"))
    code, text = _STATUS_CODES[member.status]
    peserta = Peserta(
        no_kartu=member.no_kartu, nik=member.nik, nama=member.name, sex=member.sex,
        tgl_lahir=member.birth_date, status_peserta=Kode(kode=code, keterangan=text),
        jenis_peserta=Kode(kode=member.segment, keterangan=_SEGMENTS[member.segment]),
        hak_kelas=Kode(kode=member.kelas, keterangan=f"KELAS {'I' * int(member.kelas)}"),
    )
    return sealed(state, timestamp, PesertaResponse(peserta=peserta))
