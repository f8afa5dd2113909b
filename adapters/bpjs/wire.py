"""BPJS's own wire shapes, as the adapter reads and writes them (camelCase, strings for codes)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class MetaData(BaseModel):
    code: Annotated[str, BeforeValidator(str)]  # Antrean sends numbers, VClaim strings
    message: str = ""


class Envelope(BaseModel):
    meta_data: MetaData = Field(validation_alias=AliasChoices("metaData", "metadata"))
    response: str | None = None


class NewbornRequest(_Wire):
    nik_ibu: str
    nik_bayi: str
    nama_bayi: str
    tgl_lahir: date
    jenis_kelamin: Literal["L", "P"]


class StatusRequest(_Wire):
    no_kartu: str


class EndRequest(_Wire):
    no_kartu: str
    alasan: Literal["MENINGGAL"]
    tgl_meninggal: date


class UpdateRequest(_Wire):
    no_kartu: str
    nama: str


class Membership(_Wire):
    """Plaintext of the membership answers (enrolment, status, end, update)."""

    no_kartu: str
    nama: str | None = None
    status: str
    segmen: str
    kelas: str
    virtual_account: str | None = None
    tagihan: int = 0
    tunggakan_sejak: date | None = None


class Refusal(BaseModel):
    kode: str
