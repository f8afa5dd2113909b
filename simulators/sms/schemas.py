"""The gateway's wire format (Indonesian names, like the other simulators)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

NomorTujuan = Annotated[str, StringConstraints(pattern=r"^\+628\d{7,12}$")]


class PesanBaru(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tujuan: NomorTujuan
    isi: Annotated[str, StringConstraints(min_length=1)]
    pengirim: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 ]{1,11}$")] = "DUKCAPIL"
    referensi: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/-]{1,120}$")]


class PesanDiterima(BaseModel):
    id: str
    referensi: str
    status: Literal["diterima"] = "diterima"
    segmen: int
    diterima_pada: datetime


class PesanTersimpan(BaseModel):
    """A stored message as the test endpoint shows it (the handset's inbox)."""

    id: str
    referensi: str
    tujuan: str
    pengirim: str
    isi: str
    segmen: int
    diterima_pada: datetime


class Galat(BaseModel):
    kode: str
    pesan: str
