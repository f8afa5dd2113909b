"""The gateway's own wire format (Indonesian field names)."""

from __future__ import annotations

from pydantic import BaseModel


class PesanBaru(BaseModel):
    tujuan: str
    isi: str
    pengirim: str
    referensi: str


class PesanDiterima(BaseModel):
    id: str
    referensi: str
    status: str
    segmen: int


class Galat(BaseModel):
    kode: str
    pesan: str
