"""Wire models of the document endpoints: which document to fetch, and the KIA card's data."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from simulators.dukcapil.schemas import JenisKelamin, Masukan, Nik, NoKk

NoAkta = Annotated[str, StringConstraints(pattern=r"^\d{4}-L[UT]-\d{8}-\d{4}$")]
NoAktaKematian = Annotated[str, StringConstraints(pattern=r"^\d{4}-KM-\d{8}-\d{4}$")]


class DokumenAkta(Masukan):
    no_akta: NoAkta


class DokumenAktaKematian(Masukan):
    no_akta_kematian: NoAktaKematian


class DokumenKk(Masukan):
    no_kk: NoKk


class DokumenKia(Masukan):
    nik: Nik


class TempatPengambilan(BaseModel):
    kode: str
    nama: str
    alamat: str
    jam_layanan: str


class KartuKia(BaseModel):
    """What the physical KIA card shows, and where the family collects it."""

    nik: str
    nama: str
    jenis_kelamin: JenisKelamin
    tempat_lahir: str
    tanggal_lahir: date
    agama: str
    kewarganegaraan: str
    no_kk: str | None
    nama_kepala_keluarga: str | None
    alamat: str | None
    no_akta: str | None
    jenis: str
    berlaku_sampai: date
    tanggal_terbit: date
    status: str = "siap_diambil"
    tempat_pengambilan: TempatPengambilan
