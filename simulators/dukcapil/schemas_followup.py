"""Wire models of the follow-ups after issue: akta kematian, KK member changes, akta correction
and KIA reissue."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from simulators.dukcapil.schemas import Keterangan, Masukan, Nama, Nik, NoKk

NoAkta = Annotated[str, StringConstraints(min_length=5, max_length=40)]


class AktaKematianBaru(Masukan):
    nik_anak: Nik
    no_kk: NoKk
    tanggal_meninggal: date
    tempat_meninggal: Nama


class AktaKematianTerbit(BaseModel):
    no_akta_kematian: str
    nik: str
    nama: str
    tanggal_meninggal: date
    tempat_meninggal: str
    tanggal_terbit: date


class KkAnggotaUbah(Masukan):
    """`remove_deceased` takes the row off the KK; `update` brings it in line with a corrected akta."""

    no_kk: NoKk
    nik: Nik
    action: Literal["remove_deceased", "update"]
    nama: Nama | None = None
    no_akta: NoAkta | None = None

    @model_validator(mode="after")
    def _fields_fit_the_action(self) -> KkAnggotaUbah:
        if self.action == "remove_deceased" and (self.nama is not None or self.no_akta is not None):
            raise ValueError("remove_deceased takes no nama or no_akta")
        return self


class KkAnggotaDiubah(BaseModel):
    no_kk: str
    tanggal_terbit: date
    id_tte: str
    jumlah_terbit_ulang: int
    diubah: bool = Field(description="False when the KK already showed the change (a no-op)")


class AktaKoreksiBaru(Masukan):
    nik_anak: Nik
    no_akta_lama: NoAkta
    nama_anak: Nama | None = Field(default=None, description="None keeps the current name")
    nik_ayah: Nik | None = Field(
        default=None, description="The corrected father; None keeps the akta's parents as issued")
    alasan: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


class AktaKoreksiTerbit(BaseModel):
    no_akta: str
    no_akta_lama: str
    nik: str
    nama: str
    terlambat: bool
    keterangan_orang_tua: Keterangan
    tanggal_terbit: date
    teks: str


class KiaTerbitUlangBaru(Masukan):
    nik_anak: Nik
    nama_anak: Nama | None = Field(
        default=None, description="When given, must be the registered (corrected) name")
    no_akta: NoAkta
