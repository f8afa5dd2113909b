"""Look-ups: offices, the national family look-up, and inspection views for tests and testers.

Personal identifiers travel only in POST bodies, never in a URL.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func
from sqlmodel import Session, select

from simulators.common import regions
from simulators.dukcapil.deps import REFUSALS, SessionDep, fault_point
from simulators.dukcapil.models import (
    Akta,
    AktaDiganti,
    AktaKematian,
    Kelahiran,
    Keluarga,
    Kia,
    KiaTerbitUlang,
    KkBarisLama,
    KkTerbit,
    LahirMati,
    Penduduk,
)
from simulators.dukcapil.offices import CONNECTED_OFFICES
from simulators.dukcapil.rules import MARRIED_ON_KK, not_found
from simulators.dukcapil.schemas import CariKeluarga, Kantor, KeluargaDomisili
from simulators.dukcapil.schemas_inspect import (
    AnggotaKk,
    DetailKk,
    DetailPenduduk,
    KiaInfo,
    KkLengkap,
    PendudukLengkap,
    Statistik,
)

router = APIRouter(prefix="/v1", tags=["data"], responses=REFUSALS)
_JK = {"male": "L", "female": "P"}


def _family(session: Session, kk_number: str) -> Keluarga:
    fam = session.get(Keluarga, kk_number)
    if fam is None:
        raise not_found("KK_TIDAK_DITEMUKAN", "Nomor KK tidak terdaftar")
    return fam


@router.get("/kantor")
def offices() -> list[Kantor]:
    """The Dukcapil offices this simulator serves."""
    return [Kantor(kode=k, nama=regions.kab_kota_name(k) or k) for k in CONNECTED_OFFICES]


@router.post("/keluarga/cari", dependencies=[fault_point("lookup")])
def lookup_family(body: CariKeluarga, session: SessionDep) -> KeluargaDomisili:
    """National look-up of a KK: its current domicile and whether it shows the parents married."""
    fam = _family(session, body.no_kk)
    prov = fam.kab_kota[:2]
    return KeluargaDomisili(
        no_kk=fam.kk_number, kode_provinsi=prov,
        nama_provinsi=regions.province_name(prov) or prov,
        kode_kab_kota=fam.kab_kota, nama_kab_kota=regions.kab_kota_name(fam.kab_kota) or "",
        kode_kecamatan=fam.kecamatan, nama_kecamatan=regions.kecamatan_name(fam.kecamatan) or "",
        kode_kelurahan=fam.kelurahan, nama_kelurahan=regions.village_name(fam.kelurahan) or "",
        status_perkawinan=fam.marital, orang_tua_kawin=fam.marital in MARRIED_ON_KK,
        kantor_terhubung=fam.kab_kota in CONNECTED_OFFICES,
    )


def _member(p: Penduduk, printed: KkBarisLama | None = None) -> AnggotaKk:
    # After an akta correction the KK prints the old row until the KK itself is updated.
    name, akta, father = ((printed.name, printed.akta_number, printed.father_name) if printed
                          else (p.name, p.akta_number, p.father_name))
    return AnggotaKk(
        nik=p.nik, nama=name, jenis_kelamin=_JK[p.sex], tempat_lahir=p.birth_place,
        tanggal_lahir=p.birth_date, agama=p.religion, pendidikan=p.education,
        status_kawin=p.marital_status, hubungan=p.relationship, kode_hubungan=p.relationship_code,
        kewarganegaraan=p.citizenship, nama_ayah=father, nama_ibu=p.mother_name,
        no_akta=akta,
    )


@router.post("/kk/detail")
def kk_detail(body: DetailKk, session: SessionDep) -> KkLengkap:
    """The KK as printed: members in order, issue date, signature id, number of reissues."""
    fam = _family(session, body.no_kk)
    people = session.exec(select(Penduduk).where(Penduduk.kk_number == fam.kk_number)).all()
    people = sorted(people, key=lambda p: (p.relationship_code or 9, p.birth_date, p.nik))
    printed = {row.nik: row for row in session.exec(
        select(KkBarisLama).where(KkBarisLama.kk_number == fam.kk_number)).all()}
    return KkLengkap(
        no_kk=fam.kk_number, kode_kab_kota=fam.kab_kota, kode_kecamatan=fam.kecamatan,
        kode_kelurahan=fam.kelurahan, alamat=fam.address, status_perkawinan=fam.marital,
        tanggal_terbit=fam.issued_on, id_tte=fam.signature_id,
        jumlah_terbit_ulang=fam.reissue_count,
        anggota=[_member(p, printed.get(p.nik)) for p in people],
    )


@router.post("/penduduk/detail")
def person_detail(body: DetailPenduduk, session: SessionDep) -> PendudukLengkap:
    """One person: akta number, KIA validity, akta kematian and superseded akta numbers."""
    p = session.get(Penduduk, body.nik)
    if p is None:
        raise not_found("NIK_TIDAK_DITEMUKAN", "NIK tidak terdaftar")
    kia = session.get(Kia, p.nik)
    death = session.exec(select(AktaKematian).where(AktaKematian.child_nik == p.nik)).first()
    superseded = session.exec(select(AktaDiganti).where(AktaDiganti.child_nik == p.nik)).all()
    return PendudukLengkap(
        nik=p.nik, nama=p.name, jenis_kelamin=_JK[p.sex], tempat_lahir=p.birth_place,
        tanggal_lahir=p.birth_date, no_kk=p.kk_number, no_kk_tujuan=p.kk_target,
        hubungan=p.relationship, nik_ibu=p.mother_nik, nik_ayah=p.father_nik,
        no_akta=p.akta_number,
        kia=KiaInfo(jenis=kia.card_type, berlaku_sampai=kia.valid_until,
                    tanggal_terbit=kia.issued_on) if kia else None,
        no_akta_kematian=death.number if death else None,
        no_akta_diganti=_chain(list(superseded)),
    )


def _chain(superseded: list[AktaDiganti]) -> list[str]:
    """Superseded numbers in the order they were replaced (each correction replaces the last)."""
    by_old = {d.old_number: d.new_number for d in superseded}
    first = next((o for o in by_old if o not in set(by_old.values())), None)
    chain: list[str] = []
    while first in by_old and len(chain) < len(by_old):
        chain.append(first)
        first = by_old[first]
    return chain


@router.get("/statistik")
def statistics(session: SessionDep) -> Statistik:
    """How many documents were issued since seeding (for crash and duplicate tests)."""
    def count(table, *where) -> int:
        return session.exec(select(func.count()).select_from(table).where(*where)).one()

    return Statistik(
        keluarga=count(Keluarga), penduduk=count(Penduduk), nik_bayi=count(Kelahiran),
        lahir_mati=count(LahirMati), akta=count(Akta), akta_terlambat=count(Akta, Akta.late),
        kia=count(Kia), kk_terbit_ulang=count(KkTerbit), akta_kematian=count(AktaKematian),
        akta_koreksi=count(AktaDiganti), kia_terbit_ulang=count(KiaTerbitUlang),
    )
