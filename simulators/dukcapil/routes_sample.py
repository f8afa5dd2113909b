"""Sampling for testers: families with chosen traits and all a birth notification needs.

A tester's aid with no counterpart at a real Dukcapil, so it asks for no token: it only ever
shows the simulator's synthetic population. Every other /v1 endpoint needs a bearer token.
"""

from __future__ import annotations

from random import Random
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlmodel import Session, select

from simulators.common import regions
from simulators.dukcapil.deps import SessionDep
from simulators.dukcapil.models import Kelahiran, Keluarga, Penduduk
from simulators.dukcapil.schemas_inspect import Domisili, Orang, SampelKeluarga

router = APIRouter(prefix="/v1/sampel", tags=["sampel"])


def _orang(p: Penduduk) -> Orang:
    return Orang(nik=p.nik, nama=p.name, tanggal_lahir=p.birth_date)


def _sample(session: Session, fam: Keluarga, witnesses: list[Penduduk],
            rng: Random) -> SampelKeluarga:
    mother = session.get(Penduduk, fam.wife_nik)
    father = session.get(Penduduk, fam.husband_nik) if fam.husband_nik else None
    pool = [w for w in witnesses if w.kk_number != fam.kk_number]
    return SampelKeluarga(
        no_kk=fam.kk_number,
        domisili=Domisili(
            kode_provinsi=fam.kab_kota[:2], kode_kab_kota=fam.kab_kota,
            nama_kab_kota=regions.kab_kota_name(fam.kab_kota) or "",
            kode_kecamatan=fam.kecamatan,
            nama_kecamatan=regions.kecamatan_name(fam.kecamatan) or "",
            kode_kelurahan=fam.kelurahan,
            nama_kelurahan=regions.village_name(fam.kelurahan) or "", alamat=fam.address),
        ibu=_orang(mother), ayah=_orang(father) if father else None,
        no_buku_nikah=fam.marriage_number, status_perkawinan=fam.marital,
        segmen_bpjs=fam.bpjs_segment, kelas_bpjs=fam.bpjs_class, upah_ppu=fam.ppu_wage,
        jumlah_anak=fam.children_count, nik_lama=fam.legacy_nik,
        saksi=[_orang(w) for w in rng.sample(pool, 2)],
    )


@router.get("/keluarga")
def sample_families(
    session: SessionDep,
    kab_kota: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    kecamatan: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    segmen: Literal["PBI", "PPU", "PBPU", "NONE", "NONAKTIF"] | None = None,
    marital: Literal["KAWIN_TERCATAT", "KAWIN_BELUM_TERCATAT", "TIDAK_KAWIN"] | None = None,
    legacy_nik: bool | None = None,
    min_anak: Annotated[int | None, Query(ge=0, le=20)] = None,
    anak: Annotated[int | None, Query(ge=0, le=20)] = None,
    belum_ada_kelahiran: Annotated[bool, Query(
        description="Only families without a birth registered in this simulator yet")] = False,
    limit: Annotated[int, Query(ge=1, le=50)] = 1,
    seed: int = 0,
) -> list[SampelKeluarga]:
    """Families matching the traits, chosen deterministically by `seed`; [] when none match.

    A tester endpoint over synthetic data: open, unlike the rest of /v1 (no bearer token needed).
    """
    query = select(Keluarga)
    if kab_kota:
        query = query.where(Keluarga.kab_kota == kab_kota)
    if kecamatan:
        query = query.where(Keluarga.kecamatan == kecamatan)
    if segmen:
        query = query.where(Keluarga.bpjs_segment == segmen)
    if marital:
        query = query.where(Keluarga.marital == marital)
    if legacy_nik is not None:
        query = query.where(Keluarga.legacy_nik == legacy_nik)
    if min_anak is not None:
        query = query.where(Keluarga.children_count >= min_anak)
    if anak is not None:
        query = query.where(Keluarga.children_count == anak)
    if belum_ada_kelahiran:
        query = query.where(Keluarga.kk_number.not_in(select(Kelahiran.kk_number)))
    matches = session.exec(query.order_by(Keluarga.kk_number)).all()
    rng = Random(seed)  # noqa: S311 - test data selection, not security
    chosen = rng.sample(list(matches), min(limit, len(matches)))
    adults = session.exec(select(Penduduk).where(
        Penduduk.seeded, Penduduk.relationship != "ANAK").order_by(Penduduk.nik)).all()
    return [_sample(session, fam, list(adults), rng) for fam in chosen]
