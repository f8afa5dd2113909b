"""Wire models of the simulator's HTTP API (Indonesian field names, SIAK-flavoured)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Nik = Annotated[str, StringConstraints(pattern=r"^\d{16}$")]
NoKk = Annotated[str, StringConstraints(pattern=r"^\d{16}$")]
KodeKab = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]
Nama = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
JenisKelamin = Literal["L", "P"]
Keterangan = Literal["kedua_orang_tua", "perkawinan_belum_tercatat", "anak_seorang_ibu"]


class Masukan(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Galat(BaseModel):
    """Every refusal: a reason code and a human message (never containing a NIK or KK number)."""

    kode: str
    pesan: str


class Kantor(BaseModel):
    kode: str
    nama: str


class CariKeluarga(Masukan):
    no_kk: NoKk


class KeluargaDomisili(BaseModel):
    no_kk: str
    kode_provinsi: str
    nama_provinsi: str
    kode_kab_kota: str
    nama_kab_kota: str
    kode_kecamatan: str
    nama_kecamatan: str
    kode_kelurahan: str
    nama_kelurahan: str
    status_perkawinan: Literal["KAWIN_TERCATAT", "KAWIN_BELUM_TERCATAT", "TIDAK_KAWIN"]
    orang_tua_kawin: bool = Field(description="The KK shows the parents married (SPTJM allowed)")
    kantor_terhubung: bool


class KelahiranBaru(Masukan):
    no_kk: NoKk
    nik_ibu: Nik
    nik_ayah: Nik | None = None
    nama: Nama
    jenis_kelamin: JenisKelamin
    tanggal_lahir: date
    jam_lahir: Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}(:\d{2})?$")]
    tempat_lahir_kab_kota: KodeKab
    nama_fasilitas: Nama
    kelahiran_ke: int = Field(ge=1, le=9)
    jenis_kelahiran: int = Field(ge=1, le=9, description="1 tunggal, 2 kembar dua, ...")
    berat_gram: int = Field(ge=300, le=7000)
    panjang_cm: float = Field(ge=20, le=65)


class NikTerbit(BaseModel):
    nik: str
    nama: str
    tanggal_daftar: date


class LahirMatiBaru(Masukan):
    no_kk: NoKk
    nik_ibu: Nik
    tanggal_lahir: date
    kelahiran_ke: int = Field(ge=1, le=9)
    usia_kandungan_minggu: int = Field(ge=20, le=45)
    nama_fasilitas: Nama


class LahirMatiTercatat(BaseModel):
    nomor_surat: str
    tanggal_daftar: date


class AktaBaru(Masukan):
    nik_anak: Nik
    nama_anak: Nama
    no_kk: NoKk
    nik_ibu: Nik
    nik_ayah: Nik | None = None
    no_bukti_perkawinan: str | None = Field(default=None, min_length=3, max_length=64)
    sptjm_perkawinan: bool = False
    nik_saksi: list[Nik] = Field(min_length=2, max_length=2)
    tempat_lahir_kab_kota: KodeKab
    nama_fasilitas: Nama
    penolong: Annotated[str, StringConstraints(min_length=1, max_length=30)]
    no_keputusan_kadis: str | None = Field(default=None, min_length=3, max_length=64)


class AktaTerbit(BaseModel):
    no_akta: str
    nik: str
    nama: str
    terlambat: bool
    keterangan_orang_tua: Keterangan
    tanggal_terbit: date
    teks: str


class KiaBaru(Masukan):
    nik_anak: Nik
    nama_anak: Nama
    no_akta: Annotated[str, StringConstraints(min_length=5, max_length=40)]


class KiaTerbit(BaseModel):
    nik: str
    nama: str
    jenis: Literal["0-5", "5-17"]
    berlaku_sampai: date
    tanggal_terbit: date


class AnakKk(Masukan):
    nik: Nik
    nama: Nama
    no_akta: Annotated[str, StringConstraints(min_length=5, max_length=40)]


class KkTerbitUlangBaru(Masukan):
    no_kk: NoKk
    anak: list[AnakKk] = Field(min_length=1, max_length=9)


class KkTerbitUlang(BaseModel):
    no_kk: str
    tanggal_terbit: date
    id_tte: str
    ditambahkan: list[str] = Field(description="NIKs added by this call; empty when a no-op")
