"""Our own model of the Dukcapil wire format (the simulator's schemas are never imported)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict


class Wire(BaseModel):
    # Responses may grow fields; requests are built by us and stay exact.
    model_config = ConfigDict(extra="ignore")


class Galat(Wire):
    kode: str
    pesan: str = ""


class Kantor(Wire):
    kode: str
    nama: str = ""


class CariKeluarga(Wire):
    no_kk: str


class KeluargaDomisili(Wire):
    no_kk: str
    kode_kab_kota: str
    kode_kecamatan: str
    kode_kelurahan: str
    orang_tua_kawin: bool
    kantor_terhubung: bool


class KelahiranBaru(Wire):
    no_kk: str
    nik_ibu: str
    nik_ayah: str | None
    nama: str
    jenis_kelamin: Literal["L", "P"]
    tanggal_lahir: date
    jam_lahir: str
    tempat_lahir_kab_kota: str
    nama_fasilitas: str
    kelahiran_ke: int
    jenis_kelahiran: int
    berat_gram: int
    panjang_cm: float


class NikTerbit(Wire):
    nik: str


class LahirMatiBaru(Wire):
    no_kk: str
    nik_ibu: str
    tanggal_lahir: date
    kelahiran_ke: int
    usia_kandungan_minggu: int
    nama_fasilitas: str


class LahirMatiTercatat(Wire):
    nomor_surat: str


class AktaBaru(Wire):
    nik_anak: str
    nama_anak: str
    no_kk: str
    nik_ibu: str
    nik_ayah: str | None
    no_bukti_perkawinan: str | None
    sptjm_perkawinan: bool
    nik_saksi: list[str]
    tempat_lahir_kab_kota: str
    nama_fasilitas: str
    penolong: str
    no_keputusan_kadis: str | None


class AktaTerbit(Wire):
    no_akta: str
    terlambat: bool
    keterangan_orang_tua: Literal["kedua_orang_tua", "perkawinan_belum_tercatat",
                                  "anak_seorang_ibu"]
    tanggal_terbit: date


class KiaBaru(Wire):
    nik_anak: str
    nama_anak: str
    no_akta: str


class KiaTerbit(Wire):
    nik: str
    jenis: Literal["0-5", "5-17"]
    berlaku_sampai: date


class AnakKk(Wire):
    nik: str
    nama: str
    no_akta: str


class KkTerbitUlangBaru(Wire):
    no_kk: str
    anak: list[AnakKk]


class KkTerbitUlang(Wire):
    no_kk: str
    tanggal_terbit: date
    id_tte: str


# --- follow-ups after issue -------------------------------------------------------------------


class AktaKematianBaru(Wire):
    nik_anak: str
    no_kk: str
    tanggal_meninggal: date
    tempat_meninggal: str


class AktaKematianTerbit(Wire):
    no_akta_kematian: str
    tanggal_terbit: date


class KkAnggotaUbah(Wire):
    no_kk: str
    nik: str
    action: Literal["remove_deceased", "update"]
    nama: str | None = None
    no_akta: str | None = None


class KkAnggotaDiubah(Wire):
    no_kk: str
    tanggal_terbit: date
    id_tte: str


class AktaKoreksiBaru(Wire):
    nik_anak: str
    no_akta_lama: str
    nama_anak: str | None
    nik_ayah: str | None
    alasan: str


class AktaKoreksiTerbit(Wire):
    no_akta: str
    no_akta_lama: str
    tanggal_terbit: date


class KiaTerbitUlangBaru(Wire):
    nik_anak: str
    nama_anak: str | None
    no_akta: str


# --- documents ---------------------------------------------------------------------------------


class DokumenAkta(Wire):
    no_akta: str


class DokumenAktaKematian(Wire):
    no_akta_kematian: str


class DokumenKk(Wire):
    no_kk: str


class DokumenKia(Wire):
    nik: str


class TempatPengambilan(Wire):
    kode: str
    nama: str
    alamat: str
    jam_layanan: str


class KartuKia(Wire):
    nik: str
    nama: str
    jenis_kelamin: Literal["L", "P"]
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
    tempat_pengambilan: TempatPengambilan
