"""Signed PDFs (akta kelahiran, akta kematian, KK) and the KIA card's data; identifiers in bodies only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlmodel import Session, select

from simulators.dukcapil.deps import REFUSALS, SessionDep
from simulators.dukcapil.documents import DocumentBook
from simulators.dukcapil.models import Keluarga, Kia, Penduduk
from simulators.dukcapil.offices import office
from simulators.dukcapil.rules import not_found
from simulators.dukcapil.schemas_documents import (
    DokumenAkta,
    DokumenAktaKematian,
    DokumenKia,
    DokumenKk,
    KartuKia,
    TempatPengambilan,
)

router = APIRouter(prefix="/v1/dokumen", tags=["dokumen"], responses=REFUSALS)
_PDF = {200: {"content": {"application/pdf": {}}, "description": "The signed PDF"},
        410: {"description": "Akta superseded by a correction (the new number is in `pesan`)"}}
_JK = {"male": "L", "female": "P"}


def _book(request: Request) -> DocumentBook:
    return request.app.state.documents


def _pdf(content: bytes, filename: str) -> Response:
    return Response(content, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@router.post("/akta-kelahiran", response_class=Response, responses=_PDF)
async def akta_pdf(body: DokumenAkta, request: Request, session: SessionDep) -> Response:
    """The kutipan akta kelahiran with this register number, as a signed PDF on A4."""
    doc = await run_in_threadpool(_book(request).akta, session, body.no_akta, str(request.base_url))
    return _pdf(doc.pdf, f"akta-kelahiran-{doc.number}.pdf")


@router.post("/akta-kematian", response_class=Response, responses=_PDF)
async def kematian_pdf(body: DokumenAktaKematian, request: Request, session: SessionDep) -> Response:
    """The kutipan akta kematian with this register number, as a signed PDF on A4."""
    doc = await run_in_threadpool(_book(request).kematian, session, body.no_akta_kematian,
                                  str(request.base_url))
    return _pdf(doc.pdf, f"akta-kematian-{doc.number}.pdf")


@router.post("/kk", response_class=Response, responses=_PDF)
async def kk_pdf(body: DokumenKk, request: Request, session: SessionDep) -> Response:
    """The KK as last (re)issued, as a signed PDF on A4 landscape."""
    doc = await run_in_threadpool(_book(request).kk, session, body.no_kk, str(request.base_url))
    return _pdf(doc.pdf, "kartu-keluarga.pdf")  # the KK number is personal data: not in a file name


@router.post("/kia")
def kia_card(body: DokumenKia, session: SessionDep) -> KartuKia:
    """What the child's KIA shows, and the office where the family collects the card."""
    kia = session.get(Kia, body.nik)
    child = session.get(Penduduk, body.nik)
    if kia is None or child is None:
        raise not_found("KIA_TIDAK_DITEMUKAN", "KIA untuk NIK ini belum terbit")
    fam = session.get(Keluarga, child.kk_number or child.kk_target or "")
    head = _head(session, fam) if fam else None
    o = office(kia.office)
    return KartuKia(
        nik=child.nik, nama=child.name, jenis_kelamin=_JK[child.sex], tempat_lahir=child.birth_place,
        tanggal_lahir=child.birth_date, agama=child.religion, kewarganegaraan=child.citizenship,
        no_kk=fam.kk_number if fam else None, nama_kepala_keluarga=head, alamat=fam.address if fam else None,
        no_akta=child.akta_number, jenis=kia.card_type, berlaku_sampai=kia.valid_until,
        tanggal_terbit=kia.issued_on,
        tempat_pengambilan=TempatPengambilan(kode=o.code, nama=o.agency, alamat=o.address,
                                             jam_layanan=o.hours),
    )


def _head(session: Session, fam: Keluarga) -> str | None:
    head = session.exec(select(Penduduk).where(Penduduk.kk_number == fam.kk_number,
                                               Penduduk.relationship_code == 1)).first()
    return head.name if head else None
