"""Wire shapes of the simulator (camelCase, as BPJS spells them)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class NewbornRequest(_Wire):
    nik_ibu: str = Field(pattern=r"^\d{16}$")
    nik_bayi: str = Field(pattern=r"^\d{16}$")
    nama_bayi: str = Field(min_length=1, max_length=100)
    tgl_lahir: date
    jenis_kelamin: Literal["L", "P"]


class NewbornBody(_Wire):
    request: NewbornRequest


class StatusRequest(_Wire):
    no_kartu: str = Field(pattern=r"^\d{13}$")


class StatusBody(_Wire):
    request: StatusRequest


class EndRequest(_Wire):
    no_kartu: str = Field(pattern=r"^\d{13}$")
    alasan: Literal["MENINGGAL"]
    tgl_meninggal: date


class EndBody(_Wire):
    request: EndRequest


class UpdateRequest(_Wire):
    no_kartu: str = Field(pattern=r"^\d{13}$")
    nama: str = Field(min_length=1, max_length=100)


class UpdateBody(_Wire):
    request: UpdateRequest


class Membership(_Wire):
    """The plaintext inside the encrypted `response` of the membership calls."""

    no_kartu: str
    nama: str | None = None
    status: Literal["DIDAFTARKAN", "MENUNGGU_PEMBAYARAN", "AKTIF", "NONAKTIF"]
    segmen: str
    kelas: str
    virtual_account: str | None
    tagihan: int
    tunggakan_sejak: date | None


class Refusal(_Wire):
    kode: str


class Kode(_Wire):
    kode: str
    keterangan: str


class Peserta(_Wire):
    """VClaim's `peserta`, trimmed to what an eligibility check shows."""

    no_kartu: str
    nik: str
    nama: str
    sex: Literal["L", "P"]
    tgl_lahir: date
    status_peserta: Kode
    jenis_peserta: Kode
    hak_kelas: Kode


class PesertaResponse(_Wire):
    peserta: Peserta


class PaymentIn(_Wire):
    virtual_account: str = Field(pattern=r"^\d{16}$")
    jumlah: int = Field(gt=0)


class PaymentOut(_Wire):
    virtual_account: str
    diterima: int
    saldo: int
    sisa_tagihan: int
    diaktifkan: list[str]


class Statistik(BaseModel):
    newborn_total: int
    newborn_by_status: dict[str, int]
    newborn_by_segment: dict[str, int]
