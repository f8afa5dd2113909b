"""Wire models of the inspection and sampling endpoints (for tests and testers, not the workflow)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from simulators.dukcapil.schemas import JenisKelamin, Masukan, Nik, NoKk


class DetailKk(Masukan):
    no_kk: NoKk


class DetailPenduduk(Masukan):
    nik: Nik


class AnggotaKk(BaseModel):
    nik: str
    nama: str
    jenis_kelamin: JenisKelamin
    tempat_lahir: str
    tanggal_lahir: date
    agama: str
    pendidikan: str | None
    status_kawin: str | None
    hubungan: str | None
    kode_hubungan: int | None
    kewarganegaraan: str
    nama_ayah: str | None
    nama_ibu: str | None
    no_akta: str | None


class KkLengkap(BaseModel):
    no_kk: str
    kode_kab_kota: str
    kode_kecamatan: str
    kode_kelurahan: str
    alamat: str
    status_perkawinan: str
    tanggal_terbit: date
    id_tte: str
    jumlah_terbit_ulang: int
    anggota: list[AnggotaKk]


class KiaInfo(BaseModel):
    jenis: str
    berlaku_sampai: date
    tanggal_terbit: date


class PendudukLengkap(BaseModel):
    nik: str
    nama: str
    jenis_kelamin: JenisKelamin
    tempat_lahir: str
    tanggal_lahir: date
    no_kk: str | None
    no_kk_tujuan: str | None
    hubungan: str | None
    nik_ibu: str | None
    nik_ayah: str | None
    no_akta: str | None
    kia: KiaInfo | None
    no_akta_kematian: str | None = None
    no_akta_diganti: list[str] = Field(default_factory=list,
                                       description="Superseded akta numbers, oldest first")


class Statistik(BaseModel):
    keluarga: int
    penduduk: int
    nik_bayi: int
    lahir_mati: int
    akta: int
    akta_terlambat: int
    kia: int
    kk_terbit_ulang: int
    akta_kematian: int = 0
    akta_koreksi: int = 0
    kia_terbit_ulang: int = 0


class Orang(BaseModel):
    nik: str
    nama: str
    tanggal_lahir: date


class Domisili(BaseModel):
    kode_provinsi: str
    kode_kab_kota: str
    nama_kab_kota: str
    kode_kecamatan: str
    nama_kecamatan: str
    kode_kelurahan: str
    nama_kelurahan: str
    alamat: str


class SampelKeluarga(BaseModel):
    no_kk: str
    domisili: Domisili
    ibu: Orang
    ayah: Orang | None
    no_buku_nikah: str | None
    status_perkawinan: str
    segmen_bpjs: str
    kelas_bpjs: str
    upah_ppu: int | None
    jumlah_anak: int
    nik_lama: bool
    saksi: list[Orang]
